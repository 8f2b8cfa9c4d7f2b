import ArgumentParser
import ERPWMSEngine
import ERPWMSFormats
import Foundation

struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "archive", abstract: "Archived inputs.",
                                                    subcommands: [ArchiveCat.self])
}

struct ArchiveCat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print an archived input, decrypting it when the archive is encrypted (tampering is detected).")

    @OptionGroup var ws: WorkspaceOption
    @Argument(help: "The archived file (a path, or relative to the workspace).")
    var file: String

    func run() throws {
        let workspace: Workspace
        do {
            workspace = try Workspace.open(ws.resolved)
        } catch {
            die("\(error)", Exit.fatal)
        }
        let path = FileManager.default.fileExists(atPath: file) ? file : workspace.path(file)
        guard FileManager.default.fileExists(atPath: path) else { die("\(file): no such file", Exit.fatal) }
        let out = StandardOutputSink()
        do {
            if try ArchiveCipher.isEncrypted(try FileByteSource(path: path)) {
                guard let key = workspace.config.archiveKey else {
                    die("\(file) is encrypted and no archive key is configured (privacy.archive_key_file or ERPWMS_ARCHIVE_KEY)", Exit.fatal)
                }
                try ArchiveCipher.decrypt(try FileByteSource(path: path), to: out, key: key)
            } else {
                let source = try FileByteSource(path: path)
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                    if n == 0 { break }
                    try buffer.withUnsafeBytes { try out.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
            }
        } catch {
            die("\(file): \(error)", Exit.fatal)
        }
    }
}

/// Writes to standard output.
final class StandardOutputSink: ByteSink {
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        FileHandle.standardOutput.write(Data(bytes))
    }
}
