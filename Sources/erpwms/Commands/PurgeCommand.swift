import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete what is past retention and finished: archived inputs, old reports, closed orders and finished documents in the ledger.",
        discussion: "Open orders (not fully confirmed) and the files they reference are kept whatever their age; failed/ and the outboxes are never touched. Takes the run lock: exits 75 while a run holds it.")

    @OptionGroup var ws: WorkspaceOption
    @Option(name: .customLong("older-than"), help: "Age past which things go: Nd (days) or Nh (hours) (default: retention.days of erpwms.yaml).")
    var olderThan: String?
    @Flag(name: .customLong("dry-run"), help: "Print what would be removed; delete nothing.")
    var dryRun = false
    @Flag(help: "Print the result as JSON, with every removed path.")
    var json = false
    @Flag(name: .shortAndLong, help: "Print nothing when all is good (warnings are still printed, so cron mails only then).")
    var quiet = false

    func validate() throws {
        if let o = olderThan, Purger.Age.parse(o) == nil {
            throw ValidationError("--older-than '\(o)' is not a number of days or hours such as 90d or 36h")
        }
    }

    func run() throws {
        let workspace: Workspace
        do {
            workspace = try Workspace.open(ws.resolved)
        } catch {
            die("\(error)", Exit.fatal)
        }
        let purger = Purger(workspace: workspace, age: olderThan.flatMap(Purger.Age.parse), dryRun: dryRun, now: Engine.clock())
        let result: PurgeResult
        do {
            switch try purger.run() {
            case .locked(let why):
                die("\(why); exiting", Exit.locked)
            case .completed(let r):
                result = r
            }
        } catch {
            die("purge stopped: \(error)", Exit.fatal)
        }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: (try? e.encode(result)) ?? Data(), as: UTF8.self))
        } else if !(quiet && result.warnings.isEmpty) {
            print(Self.text(result))
        }
    }

    static func text(_ r: PurgeResult) -> String {
        let l = r.ledger
        let verb = r.dryRun ? "Would remove" : "Removed"
        var lines: [String] = []
        lines.append("Purge\(r.dryRun ? " (dry run, nothing deleted)" : ""): older than \(r.olderThan), before \(r.cutoff)")
        lines.append("\(verb): \(r.inputsRemoved) archived input file(s), \(r.foldersRemoved) empty archive folder(s), \(r.reportsRemoved) report(s)")
        lines.append("Ledger: \(l.orders) closed order(s) (\(l.orderLines) lines, \(l.instructions) instructions, \(l.shipments) shipments), "
                     + "\(l.unknownShipments) shipment(s) of unknown orders, \(l.shipmentLines) shipment lines, "
                     + "\(l.files) file(s) (\(l.findings) findings, \(l.outputs) outputs)")
        if l.purchaseOrders + l.rmas + l.cancellations + l.snapshots + l.addressesErased > 0 {
            lines.append("        \(l.purchaseOrders) received purchase order(s), \(l.rmas) received RMA(s), \(l.cancellations) settled cancellation(s), \(l.snapshots) replaced snapshot(s), \(l.addressesErased) open exchange address(es) erased")
        }
        if !r.inputsMissing.isEmpty {
            lines.append("Already gone from disk: \(r.inputsMissing.count) archived input(s) (ledger rows \(r.dryRun ? "would be " : "")removed)")
        }
        lines.append("Kept: \(l.keptOpenOrders) order(s) still open, \(l.keptRecentOrders) closed order(s) with a confirmation after the cut-off, "
                     + "\(l.keptFiles) old input file(s) they reference; failed/ and the outboxes are never purged")
        for w in r.warnings { lines.append("Warning: \(w)") }
        return lines.joined(separator: "\n")
    }
}
