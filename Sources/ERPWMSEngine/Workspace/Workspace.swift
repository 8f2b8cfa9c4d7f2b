import ERPWMSCore
import Foundation

/// A problem with the workspace as a whole (not found, already initialised).
public struct WorkspaceError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// One integration directory: `erpwms.yaml` and the folder tree of the file lifecycle.
public struct Workspace: Sendable {
    /// Absolute path of the workspace root.
    public let root: String
    public let config: Configuration

    /// Loads the workspace at `root` and validates its configuration.
    public static func open(_ root: String) throws -> Workspace {
        let abs = Self.absolute(root)
        let configPath = abs + "/" + Configuration.fileName
        guard FS.exists(configPath) else {
            throw WorkspaceError(message: "\(abs) is not an erpwms workspace: \(Configuration.fileName) not found (create one with `erpwms init DIR`)")
        }
        guard let data = FileManager.default.contents(atPath: configPath),
              let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: configPath, key: "", line: nil, message: "cannot be read as UTF-8 text")
        }
        var loader = ConfigLoader(file: configPath)
        let config = try loader.load(text: text)
        return Workspace(root: abs, config: config)
    }

    /// Creates a new workspace at `root` with the commented default configuration and the folder tree.
    /// Refuses when `root` already holds a workspace or any file.
    public static func initialize(_ root: String, configText: String = Workspace.defaultConfig) throws -> Workspace {
        let abs = Self.absolute(root)
        if FS.exists(abs + "/" + Configuration.fileName) {
            throw WorkspaceError(message: "\(abs) already holds an erpwms workspace; refusing to overwrite it")
        }
        if FS.isDirectory(abs), let items = try? FileManager.default.contentsOfDirectory(atPath: abs), !items.isEmpty {
            throw WorkspaceError(message: "\(abs) is not empty; `erpwms init` only creates a workspace in a new or empty directory")
        }
        try FS.makeDirectories(abs)
        var loader = ConfigLoader(file: abs + "/" + Configuration.fileName)
        let config = try loader.load(text: configText)
        let ws = Workspace(root: abs, config: config)
        try FS.writeAtomically(Array(configText.utf8), to: abs + "/" + Configuration.fileName)
        try ws.makeFolders()
        return ws
    }

    /// Every folder of the lifecycle, absolute.
    public var folders: [String] {
        config.channels.map { path($0.inbox) } + [
            path(config.wmsOutbox), path(config.erpOutbox), path(config.workDir), path(config.archiveDir),
            path(config.failedDir), path(config.reportsDir), path(config.stateDir),
        ]
    }

    /// Creates the lifecycle folders: the ledger's and the archive's owner-only (they hold personal data and
    /// the audit trail), the others without world access.
    func makeFolders() throws {
        for dir in folders {
            let ownerOnly = dir == path(config.stateDir) || dir == path(config.archiveDir)
            try FS.makeDirectories(dir, mode: ownerOnly ? 0o700 : 0o750)
        }
    }

    /// `relative` resolved against the workspace root (absolute paths are kept).
    public func path(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : root + "/" + relative
    }

    /// `absolute` relative to the root, when inside it (for the ledger and messages).
    public func relative(_ absolute: String) -> String {
        absolute.hasPrefix(root + "/") ? String(absolute.dropFirst(root.count + 1)) : absolute
    }

    public var ledgerPath: String { path(config.stateDir) + "/ledger.sqlite" }
    public var lockPath: String { path(config.stateDir) + "/run.lock" }
    /// Where outputs are written before their atomic rename.
    public var publishTempDir: String { path(config.workDir) + "/.publish" }

    static func absolute(_ p: String) -> String {
        let url = URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }
}
