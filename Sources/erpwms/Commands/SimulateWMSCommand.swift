import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct SimulateWMS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-wms",
        abstract: "Play the warehouse: take the instructions from the WMS outbox and answer them into the WMS channels' inboxes.",
        discussion: """
        Shipment orders are confirmed (with a seeded mix of short, split, delayed, duplicate and unknown
        confirmations), cancel instructions answered (cancelled if not shipped yet, else too late), expected
        receipts received (some short, over, damaged or in two receipts), expected returns inspected (some
        damaged or missing, some not arrived yet). Each answer goes to the inbox of the first channel with
        that document type; without one, those instructions stay in the outbox. With --inventory, an
        inventory snapshot per warehouse follows the stock the simulator keeps in simulator/stock.json.
        """)

    @OptionGroup var ws: WorkspaceOption
    @Option(help: "Seed of the simulation: the same seed gives the same confirmations.")
    var seed: UInt64 = 42
    @Option(help: "Percent of orders shipped short (one line, with a reason).")
    var short: Int = 8
    @Option(help: "Percent of orders split into two shipments.")
    var split: Int = 10
    @Option(help: "Percent of orders held back until the next simulation.")
    var delayed: Int = 5
    @Option(help: "Percent of confirmations sent twice.")
    var duplicate: Int = 2
    @Option(help: "Percent of orders followed by a confirmation for an order that was never sent.")
    var unknown: Int = 1
    @Option(help: "Percent of expected returns whose parcel has not arrived yet.")
    var lateReturns: Int = 10
    @Flag(help: "Write an inventory snapshot per warehouse at the end.")
    var inventory = false
    @Option(help: "Opening stock for SKUs seen for the first time: a CSV in the ERP stock-snapshot layout (else 100 each).")
    var openingStock: String?
    @Flag(help: "Lose one unit of one SKU per warehouse before the inventory snapshot (a difference to find).")
    var shrinkage = false

    func validate() throws {
        for (n, v) in [("short", short), ("split", split), ("delayed", delayed), ("duplicate", duplicate), ("unknown", unknown),
                       ("late-returns", lateReturns)]
        where !(0...100).contains(v) {
            throw ValidationError("--\(n) must be a percentage from 0 to 100")
        }
        guard short + split + delayed <= 100 else { throw ValidationError("--short, --split and --delayed add up to more than 100") }
    }

    func run() throws {
        do {
            let workspace = try Workspace.open(ws.resolved)
            var mix = WMSSimulator.Mix()
            mix.short = short
            mix.split = split
            mix.delayed = delayed
            mix.duplicate = duplicate
            mix.unknown = unknown
            mix.shrinkage = shrinkage
            mix.lateReturns = lateReturns
            var sim = WMSSimulator(workspace: workspace, mix: mix, seed: seed, now: Engine.clock())
            sim.inventory = inventory
            if let openingStock { sim.openingStock = try WMSSimulator.readOpeningStock(openingStock) }
            let r = try sim.run()
            print("Simulated WMS: \(r.instructionFiles) instruction file(s), \(r.orders) orders, \(r.confirmations) confirmations (\(r.short) short, \(r.split) split, \(r.delayed) delayed, \(r.duplicates) duplicated, \(r.unknown) unknown, \(r.backlogConfirmed) from the backlog)")
            print(WMSSimulator.flowsLine(r))
            for f in r.files { print("  \(f)") }
        } catch {
            die("\(error)", Exit.fatal)
        }
    }
}
