import Foundation

/// Runs the built `erpwms` binary, as a user or cron would.
enum Binary {
    /// The package root, found from this file's path.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `.build/<config>/erpwms`, beside the test bundle.
    static let path: String = {
        var dir = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("erpwms").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return packageRoot + "/.build/debug/erpwms"
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ args: [String], env: [String: String] = [:], cwd: String? = nil, executable: String? = nil,
                    prefix: [String] = []) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? path)
        p.arguments = prefix + args
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "ERPWMS_FAILPOINT")
        environment.removeValue(forKey: "ERPWMS_WORKSPACE")
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    /// A workspace made by `erpwms init` in a new folder, every channel taking files at once (no minimum
    /// age), with `edit` applied to its configuration text.
    static func initWorkspace(edit: (String) -> String = { $0 }) throws -> String {
        let root = tempDir() + "/ws"
        let r = try run(["init", root])
        guard r.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
        var config = try String(contentsOfFile: root + "/erpwms.yaml", encoding: .utf8)
        config = config.replacingOccurrences(of: "min_age_seconds: 5", with: "min_age_seconds: 0")
        for inbox in ["wms-confirmations", "erp-orders-xml"] {
            config = config.replacingOccurrences(of: "    inbox: inbox/\(inbox)\n",
                                                 with: "    inbox: inbox/\(inbox)\n    pickup: { min_age_seconds: 0 }\n")
        }
        try edit(config).write(toFile: root + "/erpwms.yaml", atomically: true, encoding: .utf8)
        return root
    }

    static func tempDir() -> String {
        let d = scratch + "/" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// This test process's scratch folder under the system temp directory, removed when the process exits (each
    /// test's folders had been left behind: 12,000 of them over many runs).
    static let scratch: String = {
        let r = FileManager.default.temporaryDirectory.path + "/erpwms-e2e-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: r, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Binary.scratch) }
        return r
    }()
}

/// Reads a workspace's folders as a person would (not the ledger).
struct FolderState: Equatable, CustomStringConvertible {
    /// Outbox and failed files (name -> bytes), error.json excluded (it carries a time).
    var outputs: [String: Data]
    /// Names of inputs in archive/ (any date folder) and failed/.
    var archived: [String]
    var failed: [String]
    var errorReports: [String]
    /// Files left in work/ or inboxes, and temporary files anywhere.
    var leftovers: [String]

    init(root: String) {
        let fm = FileManager.default
        func walk(_ rel: String) -> [String] {
            guard let e = fm.enumerator(atPath: root + "/" + rel) else { return [] }
            var out: [String] = []
            while let p = e.nextObject() as? String {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: root + "/" + rel + "/" + p, isDirectory: &isDir), !isDir.boolValue {
                    out.append(p)
                }
            }
            return out.sorted()
        }
        var outputs: [String: Data] = [:]
        for f in walk("outbox") { outputs["outbox/" + f] = fm.contents(atPath: root + "/outbox/" + f) }
        for f in walk("failed") where f.hasSuffix(".rejects.csv") { outputs["failed/" + f] = fm.contents(atPath: root + "/failed/" + f) }
        // The simulated warehouse's confirmations, as they were archived after processing.
        for f in walk("archive") where (f as NSString).lastPathComponent.hasPrefix("confirmations_") {
            outputs["archive/" + f] = fm.contents(atPath: root + "/archive/" + f)
        }
        for dir in ["simulator/consumed", "reports"] {
            for f in walk(dir) { outputs[dir + "/" + f] = fm.contents(atPath: root + "/" + dir + "/" + f) }
        }
        self.outputs = outputs
        archived = walk("archive").map { ($0 as NSString).lastPathComponent }.sorted()
        failed = walk("failed").filter { !$0.hasSuffix(".error.json") && !$0.hasSuffix(".rejects.csv") }
        errorReports = walk("failed").filter { $0.hasSuffix(".error.json") }
        leftovers = walk("work") + walk("inbox")
            + (walk("outbox") + walk("failed") + walk("archive") + walk("reports")).filter { $0.contains(".tmp") || $0.hasPrefix(".") || $0.contains("/.") }
    }

    var description: String {
        "outputs: \(outputs.keys.sorted())\narchived: \(archived)\nfailed: \(failed)\nleftovers: \(leftovers)"
    }
}
