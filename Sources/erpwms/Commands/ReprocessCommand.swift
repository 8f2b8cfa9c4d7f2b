import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct Reprocess: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprocess",
        abstract: "Run failed files again: after a configuration fix, or with a corrected replacement file.",
        discussion: """
        Takes failed files by ledger id or name, all failed files of a channel (--channel), or all failed since a \
        time (--since). What the WMS already has is never sent again: an identical order is unchanged, a changed \
        one goes as a replacement with a higher version. A file that succeeds leaves failed/ for archive/. Every \
        attempt is kept in the ledger (`erpwms files show ID`).
        """)

    @OptionGroup var ws: WorkspaceOption
    @OptionGroup var log: LoggingOptions
    @Argument(help: "Failed files: ledger ids or names.")
    var files: [String] = []
    @Option(help: "All failed files of this channel.")
    var channel: String?
    @Option(help: "All failed files received at or after this time (ISO 8601 or YYYY-MM-DD, UTC).")
    var since: String?
    @Option(name: .customLong("with"), help: "A corrected replacement for the (one) failed file.")
    var replacement: String?
    @Flag(help: "Show what would be published, replaced and left unchanged; write nothing.")
    var dryRun = false
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if files.isEmpty && channel == nil && since == nil {
            throw ValidationError("say which failed files: ids or names, --channel C, or --since T")
        }
        if let s = since, Engine.parseTime(s) == nil { throw ValidationError("--since '\(s)' is not a date-time or date") }
        if let r = replacement, !FileManager.default.fileExists(atPath: r) { throw ValidationError("--with \(r): no such file") }
    }

    func run() throws {
        let logger = log.bootstrap()
        let workspace: Workspace
        do {
            workspace = try Workspace.open(ws.resolved)
        } catch {
            die("\(error)", Exit.fatal)
        }
        let selection = Reprocessor.Selection(files: files, channel: channel,
                                              since: since.flatMap(Engine.parseTime).map(ISODate.utcString))
        let outcomes: [Reprocessor.Outcome]
        do {
            guard let o = try Reprocessor(workspace: workspace, logger: logger, now: Engine.clock())
                .run(selection, replacement: replacement.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, dryRun: dryRun)
            else {
                die("another erpwms run holds \(workspace.lockPath); exiting", Exit.locked)
            }
            outcomes = o
        } catch let e as Reprocessor.Failure {
            die(e.description, Exit.usage)
        } catch {
            die("reprocess stopped: \(error)", Exit.fatal)
        }
        if json {
            printJSON(outcomes)
        } else {
            for o in outcomes {
                if let plan = o.plan {
                    print("File \(o.fileId) \(o.file) (dry run, nothing written):")
                    if let e = plan.fileError { print("  would fail again: \(e.summary)") }
                    print("  \(plan.count(.new)) new, \(plan.count(.replace)) replacement(s), \(plan.count(.unchanged)) unchanged, \(plan.count(.rejected)) rejected")
                    var t = Table(["DOCUMENT", "ACTION", "DETAIL"])
                    for e in plan.entries { t.add([e.id, e.action.rawValue, e.detail]) }
                    if !plan.entries.isEmpty { print(t.render()) }
                } else {
                    print("File \(o.fileId) \(o.file): \(o.status)\(o.reason.map { " (\($0))" } ?? "")"
                          + (o.rejected > 0 ? "; \(o.rejected) document(s) rejected (see failed/\(o.file).rejects.csv)" : ""))
                }
            }
        }
        let bad = outcomes.contains { $0.status == "failed" || $0.plan?.fileError != nil || $0.rejected > 0 }
        throw ExitCode(bad ? Exit.attention : Exit.ok)
    }
}
