import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole cycle on the bundled samples: orders in, WMS instructions out, a simulated warehouse, confirmations in, ERP feedback out, and the reconciliation report.")

    @Option(help: "Folder with the sample order files (default: samples/orders here or beside the binary).")
    var samples: String?
    @Option(help: "Where to create the demo workspace (default: a new temporary folder).")
    var at: String?

    func run() throws {
        let logger = LoggingOptions.bootstrap(verbose: false)
        guard let samplesDir = ERPWMSEngine.Demo.locateSamples(samples) else {
            die("cannot find samples/orders; run from the erpwms checkout or pass --samples DIR", Exit.fatal)
        }
        let root = at ?? (NSTemporaryDirectory() + "erpwms-demo-" + String(ProcessInfo.processInfo.processIdentifier))
        let clock = Engine.clock()
        do {
            let workspace = try ERPWMSEngine.Demo.prepare(root: root, samples: samplesDir)
            print("Demo workspace: \(workspace.root)")
            print("")
            print("1. The ERP drops its order exports (samples/orders) into the inboxes, and erpwms runs:")
            guard case .completed(let first) = try Engine.run(workspace: workspace, logger: logger, now: clock) else {
                die("the demo workspace is locked", Exit.locked)
            }
            print(indent(SummaryPrinter.text(first, workspace: workspace)))
            print("")
            print("2. The warehouse (simulated, seed 9) takes the shipment orders and confirms what it shipped:")
            // A livelier mix than the default, so that twenty orders show every kind of exception.
            var mix = WMSSimulator.Mix()
            mix.short = 20
            mix.split = 15
            mix.delayed = 10
            mix.duplicate = 10
            mix.unknown = 10
            let sim = try WMSSimulator(workspace: workspace, mix: mix, seed: 9, now: clock).run()
            print("   \(sim.orders) orders: \(sim.confirmations) confirmations, \(sim.short) short, \(sim.split) split, \(sim.delayed) delayed, \(sim.duplicates) duplicated, \(sim.unknown) unknown")
            print("")
            print("3. erpwms runs again: confirmations in, order status out to the ERP:")
            guard case .completed(let second) = try Engine.run(workspace: workspace, logger: logger, now: clock) else {
                die("the demo workspace is locked", Exit.locked)
            }
            print(indent(SummaryPrinter.text(second, workspace: workspace)))
            print("")
            print("4. The reconciliation report:")
            let now = Int64(clock().timeIntervalSince1970)
            let report = try Engine.report(workspace: workspace, options: ReportOptions(
                asOf: now, formats: [.html, .csv, .json], outDir: workspace.path(workspace.config.reportsDir),
                serviceLevelHours: workspace.config.serviceLevelHours))
            let a = report.totals.all
            print("   \(a.orders) orders: \(a.ordersComplete) complete, \(a.ordersOpen) open, \(a.ordersShort) short, \(a.ordersOver) over; \(report.totals.unknownReferences) unknown reference(s); fill rate \(a.fillRateText)")
            for f in report.files { print("   \(f)") }
            print("")
            print("Open the report: \(report.files.first { $0.hasSuffix(".html") } ?? "")")
            print("Look around:")
            print("  ls \(workspace.path(workspace.config.wmsOutbox))   # WMS shipment orders not yet taken by the warehouse")
            print("  ls \(workspace.path(workspace.config.erpOutbox))   # order status for the ERP")
            print("  ls \(workspace.path(workspace.config.failedDir))      # rejects, one reason per row")
            print("  erpwms run --workspace \(workspace.root)   # run again: nothing is sent twice")
        } catch {
            die("\(error)", Exit.fatal)
        }
    }

    func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "   " + $0 }.joined(separator: "\n")
    }
}
