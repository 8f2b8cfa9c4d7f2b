import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct SimulateWMS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-wms",
        abstract: "Play the warehouse: take the shipment orders from the WMS outbox and write confirmations into the confirmation inbox.")

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

    func validate() throws {
        for (n, v) in [("short", short), ("split", split), ("delayed", delayed), ("duplicate", duplicate), ("unknown", unknown)]
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
            let r = try WMSSimulator(workspace: workspace, mix: mix, seed: seed, now: Engine.clock()).run()
            print("Simulated WMS: \(r.instructionFiles) instruction file(s), \(r.orders) orders, \(r.confirmations) confirmations (\(r.short) short, \(r.split) split, \(r.delayed) delayed, \(r.duplicates) duplicated, \(r.unknown) unknown, \(r.backlogConfirmed) from the backlog)")
            for f in r.files { print("  \(f)") }
        } catch {
            die("\(error)", Exit.fatal)
        }
    }
}
