import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

/// Opens the workspace and its ledger, or exits with a clear message.
func openLedger(_ ws: WorkspaceOption) -> (Workspace, SQLiteLedger) {
    do {
        let workspace = try Workspace.open(ws.resolved)
        guard FileManager.default.fileExists(atPath: workspace.ledgerPath) else {
            die("no ledger yet at \(workspace.ledgerPath): run `erpwms run` first", Exit.fatal)
        }
        return (workspace, try SQLiteLedger(path: workspace.ledgerPath))
    } catch {
        die("\(error)", Exit.fatal)
    }
}

struct Files: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files", abstract: "What happened to the input files.", subcommands: [FilesList.self, FilesShow.self])
}

struct FilesList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List input files, newest first.")

    @OptionGroup var ws: WorkspaceOption
    @Option(help: "Only files with this status: \(FileStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
    var status: String?
    @Option(help: "Only files of this channel.")
    var channel: String?
    @Option(help: "Only files received at or after this time (ISO 8601 or YYYY-MM-DD, UTC).")
    var since: String?
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if let s = status, FileStatus(rawValue: s) == nil {
            throw ValidationError("--status '\(s)' is not one of \(FileStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let s = since, Engine.parseTime(s) == nil { throw ValidationError("--since '\(s)' is not a date-time or date") }
    }

    func run() throws {
        let (_, ledger) = openLedger(ws)
        let files = try ledger.files(status: status.flatMap(FileStatus.init(rawValue:)), channel: channel,
                                     since: since.flatMap(Engine.parseTime).map(ISODate.utcString))
        if json { return printJSON(files) }
        var t = Table(["ID", "RECEIVED", "CHANNEL", "STATUS", "ACCEPTED", "REJECTED", "DUPLICATE", "NAME"])
        for f in files {
            t.add([String(f.id), f.receivedAt, f.channel, f.status.rawValue, String(f.ordersAccepted), String(f.ordersRejected),
                   String(f.ordersDuplicate), f.name])
        }
        print(t.render())
    }
}

/// A file with everything known about it, for `files show --json`.
struct FileDetail: Encodable {
    var file: FileRecord
    var attempts: [Attempt]
    var outputs: [OutputRecord]
    var findings: [Finding]
}

struct FilesShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show",
                                                    abstract: "One file: where it is, its attempts, outputs and every finding.")

    @OptionGroup var ws: WorkspaceOption
    @Argument(help: "The file's ledger id or name (the newest file of that name).")
    var file: String
    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let (_, ledger) = openLedger(ws)
        guard let f = try Int64(file).flatMap({ try ledger.file(id: $0) }) ?? ledger.file(named: file) else {
            throw failure("no file '\(file)' in the ledger (see `erpwms files list`)", Exit.fatal)
        }
        let detail = FileDetail(file: f, attempts: try ledger.attempts(fileId: f.id), outputs: try ledger.outputs(fileId: f.id),
                                findings: try ledger.findings(fileId: f.id))
        if json { return printJSON(detail) }
        print("File \(f.id): \(f.name)")
        print("  channel   \(f.channel)")
        print("  status    \(f.status.rawValue)\(f.reason.map { " (\($0))" } ?? "")")
        print("  location  \(f.path)")
        print("  received  \(f.receivedAt)\(f.finishedAt.map { ", finished \($0)" } ?? "")")
        print("  sha256    \(f.hash)  (\(f.size) bytes)")
        print("  documents \(f.ordersAccepted) accepted, \(f.ordersRejected) rejected, \(f.ordersDuplicate) duplicate")
        if !detail.attempts.isEmpty {
            print("\nAttempts:")
            var t = Table(["AT", "BY", "KIND", "OUTCOME", "REASON"])
            for a in detail.attempts {
                t.add([a.at, a.by, a.kind + (a.source.map { " with \($0)" } ?? ""), a.outcome, a.reason ?? ""])
            }
            print(t.render())
        }
        if !detail.outputs.isEmpty {
            print("\nOutputs:")
            var t = Table(["KIND", "RECORDS", "STATUS", "PATH"])
            for o in detail.outputs { t.add([o.kind, String(o.records), o.status, o.path]) }
            print(t.render())
        }
        if !detail.findings.isEmpty {
            print("\nFindings:")
            print(Table.findings(detail.findings))
        }
    }
}

struct Orders: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "orders", abstract: "Trace orders.", subcommands: [OrdersShow.self])
}

struct OrdersShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "The whole life of one order in time order: the files it came in, validation, instructions, confirmations, feedback.")

    @OptionGroup var ws: WorkspaceOption
    @Argument(help: "The ERP's order id.")
    var orderId: String
    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let (_, ledger) = openLedger(ws)
        let h = try ledger.orderHistory(orderId)
        if json { return printJSON(h) }
        guard h.current != nil || !h.events.isEmpty else {
            throw failure("order \(orderId) is not in the ledger: never received, or purged", Exit.fatal)
        }
        if let c = h.current {
            print("Order \(h.orderId): version \(c.version), \(c.status), warehouse \(c.warehouse), \(c.currency), \(c.lines) line(s), ordered \(c.orderDate)")
        } else {
            print("Order \(h.orderId): never instructed")
        }
        var t = Table(["TIME", "EVENT", "FILE", "DETAIL"])
        for e in h.events { t.add([e.time, e.kind, e.file.map { "\($0)" } ?? "", e.detail]) }
        print(t.render())
    }
}
