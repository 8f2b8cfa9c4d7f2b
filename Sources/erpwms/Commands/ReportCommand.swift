import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the reconciliation report: orders ordered, instructed, shipped, open, short and over; purchase orders, returns, cancellations and inventory.")

    @OptionGroup var ws: WorkspaceOption
    @Option(help: "Only orders with an order date at or after this time (ISO 8601, or YYYY-MM-DD in UTC).")
    var since: String?
    @Option(help: "Only orders with an order date before this time.")
    var until: String?
    @Option(name: .customLong("as-of"), help: "Report as the ledger stood at this time, and measure ages to it (default: now). Gives reproducible reports.")
    var asOf: String?
    @Option(help: "Comma-separated formats: html, csv, json.")
    var format: String = "html,csv,json"
    @Option(help: "Output folder (default: the workspace's reports/).")
    var out: String?

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until), ("--as-of", asOf)] {
            if let v = value, Engine.parseTime(v) == nil {
                throw ValidationError("\(name) '\(v)' is not an ISO 8601 date-time with offset or a YYYY-MM-DD date")
            }
        }
        for f in format.split(separator: ",") where ReportOptions.Format(rawValue: f.trimmingCharacters(in: .whitespaces).lowercased()) == nil {
            throw ValidationError("--format '\(f)' is not one of html, csv, json")
        }
    }

    func run() throws {
        let workspace: Workspace
        do {
            workspace = try Workspace.open(ws.resolved)
        } catch {
            die("\(error)", Exit.fatal)
        }
        let now = Int64(Engine.clock()().timeIntervalSince1970)
        let options = ReportOptions(
            asOf: asOf.flatMap(Engine.parseTime) ?? now, since: since.flatMap(Engine.parseTime),
            until: until.flatMap(Engine.parseTime),
            formats: format.split(separator: ",").compactMap { ReportOptions.Format(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) },
            outDir: out.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? workspace.path(workspace.config.reportsDir),
            serviceLevelHours: workspace.config.serviceLevelHours)
        do {
            let result = try Engine.report(workspace: workspace, options: options)
            let a = result.totals.all
            print("Orders: \(a.orders) (\(a.ordersComplete) complete, \(a.ordersOpen) open, \(a.ordersShort) short, \(a.ordersOver) over), \(result.totals.unknownReferences) unknown reference(s), fill rate \(a.fillRateText)")
            for f in result.files { print("  \(f)") }
        } catch {
            die("report failed: \(error)", Exit.fatal)
        }
    }
}
