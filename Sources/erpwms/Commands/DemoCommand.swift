import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole cycle on the bundled samples: items, orders, purchase orders, cancellations and returns in, WMS instructions out, a simulated warehouse, its answers in, ERP feedback out, and the reconciliation report.")

    @Option(help: "The samples folder (default: samples/ here or beside the binary).")
    var samples: String?
    @Option(help: "Where to create the demo workspace (default: a new temporary folder).")
    var at: String?

    func run() throws {
        let logger = LoggingOptions.bootstrap(verbose: false)
        guard let samplesDir = ERPWMSEngine.Demo.locateSamples(samples) else {
            die("cannot find samples/; run from the erpwms checkout or pass --samples DIR", Exit.fatal)
        }
        let root = at ?? (NSTemporaryDirectory() + "erpwms-demo-" + String(ProcessInfo.processInfo.processIdentifier))
        let clock = Engine.clock()
        do {
            let workspace = try ERPWMSEngine.Demo.prepare(root: root, samples: samplesDir)
            func run(_ title: String) throws -> RunSummary {
                print(title)
                guard case .completed(let summary) = try Engine.run(workspace: workspace, logger: logger, now: clock) else {
                    die("the demo workspace is locked", Exit.locked)
                }
                print(indent(SummaryPrinter.text(summary, workspace: workspace)))
                print("")
                return summary
            }
            print("Demo workspace: \(workspace.root)")
            print("")
            _ = try run("1. The ERP drops its item master, order exports and purchase orders (samples/) into the inboxes, and erpwms runs:")
            try ERPWMSEngine.Demo.drop(.cancellations, into: workspace, samples: samplesDir)
            _ = try run("2. The ERP cancels two orders it sent and one that never reached erpwms; erpwms tells the WMS:")
            print("3. The warehouse (simulated, seed 272) takes the instructions: it ships, receives, answers the cancellations and counts its stock:")
            // A livelier mix than the default, so that twenty orders show every kind of exception.
            var mix = WMSSimulator.Mix()
            mix.short = 20
            mix.split = 15
            mix.delayed = 10
            mix.duplicate = 10
            mix.unknown = 10
            mix.shrinkage = true
            let opening = samplesDir + "/" + ERPWMSEngine.Demo.openingStock
            var simulator = WMSSimulator(workspace: workspace, mix: mix, seed: 272, now: clock)
            simulator.inventory = true
            simulator.openingStock = try WMSSimulator.readOpeningStock(opening)
            let sim = try simulator.run()
            print("   \(sim.orders) orders: \(sim.confirmations) confirmations, \(sim.short) short, \(sim.split) split, \(sim.delayed) delayed, \(sim.duplicates) duplicated, \(sim.unknown) unknown")
            print("   " + WMSSimulator.flowsLine(sim))
            print("")
            _ = try run("4. erpwms runs again: shipments, receipts and cancellation answers in; order status, goods receipts and cancellation status out to the ERP:")
            let snapshotTime = ISODate.utcString(Int64(clock().timeIntervalSince1970) + 86_400)
            _ = try ERPWMSEngine.Demo.writeERPStock(workspace: workspace, openingFile: opening, asOf: snapshotTime)
            try ERPWMSEngine.Demo.drop(.returns, into: workspace, samples: samplesDir)
            _ = try run("5. The ERP exports its stock and approves returns and an exchange; erpwms tells the WMS what to expect:")
            print("6. The warehouse ships what it held back, receives the returned parcels and inspects them:")
            var second = WMSSimulator(workspace: workspace, mix: mix, seed: 9, now: clock)
            second.openingStock = simulator.openingStock
            let sim2 = try second.run()
            print("   " + WMSSimulator.flowsLine(sim2))
            print("")
            _ = try run("7. erpwms runs again: refunds for the ERP, and for the exchange a replacement order for the WMS:")
            print("8. The reconciliation report:")
            let now = Int64(clock().timeIntervalSince1970)
            let report = try Engine.report(workspace: workspace, options: ReportOptions(
                asOf: now, formats: [.html, .csv, .json], outDir: workspace.path(workspace.config.reportsDir),
                serviceLevelHours: workspace.config.serviceLevelHours))
            let a = report.totals.all
            print("   \(a.orders) orders: \(a.ordersComplete) complete, \(a.ordersOpen) open, \(a.ordersShort) short, \(a.ordersOver) over; \(report.totals.unknownReferences) unknown reference(s); fill rate \(a.fillRateText)")
            for section in report.sections {
                let figures = section.figures.prefix(6).map { "\($0.label.lowercased()) \($0.value)" }.joined(separator: ", ")
                print("   \(section.title): \(figures)")
            }
            for f in report.files { print("   \(f)") }
            print("")
            print("Open the report: \(report.files.first { $0.hasSuffix(".html") } ?? "")")
            print("Look around:")
            print("  ls \(workspace.path(workspace.config.wmsOutbox))   # WMS instructions not yet taken by the warehouse")
            print("  ls \(workspace.path(workspace.config.erpOutbox))   # order status, goods receipts, refunds, replacements, cancellations for the ERP")
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
