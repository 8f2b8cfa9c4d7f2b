import ArgumentParser
import ERPWMSEngine
import Foundation
import Logging

/// Exit codes, as README documents them.
enum Exit {
    static let ok: Int32 = 0
    static let fatal: Int32 = 1
    static let attention: Int32 = 2
    static let usage: Int32 = 64
    static let locked: Int32 = 75
}

struct WorkspaceOption: ParsableArguments {
    @Option(name: .shortAndLong, help: "Workspace directory (default: $ERPWMS_WORKSPACE, else the current directory).")
    var workspace: String?

    var resolved: String {
        workspace ?? ProcessInfo.processInfo.environment["ERPWMS_WORKSPACE"] ?? FileManager.default.currentDirectoryPath
    }
}

struct LoggingOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Log each file and step.")
    var verbose = false
    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func bootstrap() -> Logger { Self.bootstrap(verbose: verbose) }

    static func bootstrap(verbose: Bool) -> Logger {
        let level: Logger.Level = verbose ? .info : .warning
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        return Logger(label: "erpwms")
    }
}

@main
struct ERPWMS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erpwms",
        abstract: "Batch integrator between e-commerce ERPs and warehouse management systems.",
        discussion: "Exit codes: 0 all good; 2 completed but something was rejected or quarantined; 75 another run holds the lock; 64 usage; 1 fatal.",
        subcommands: [Init.self, Run.self, Report.self, SimulateWMS.self, Demo.self])
}

/// Prints `message` to stderr and exits with `code`.
func die(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data(("erpwms: " + message + "\n").utf8))
    exit(code)
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a workspace: a commented erpwms.yaml and the folder tree.")

    @Argument(help: "Directory to create (must not exist or be empty).")
    var directory: String

    func run() throws {
        do {
            let ws = try Workspace.initialize(directory)
            print("Created workspace \(ws.root)")
            print("  edit   \(ws.root)/erpwms.yaml")
            for c in ws.config.channels { print("  drop   \(c.format.rawValue.uppercased()) order files into \(ws.path(c.inbox))") }
            print("  run    erpwms run --workspace \(ws.root)")
        } catch {
            die("\(error)", Exit.fatal)
        }
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one batch over every channel: pick up, validate, instruct the WMS, archive.")

    @OptionGroup var ws: WorkspaceOption
    @OptionGroup var log: LoggingOptions
    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let logger = log.bootstrap()
        let workspace: Workspace
        do {
            workspace = try Workspace.open(ws.resolved)
        } catch {
            die("\(error)", Exit.fatal)
        }
        do {
            switch try Engine.run(workspace: workspace, logger: logger) {
            case .locked(let why):
                die("\(why); exiting", Exit.locked)
            case .completed(let summary):
                if json {
                    print(SummaryPrinter.json(summary))
                } else if !(log.quiet && !summary.needsAttention) {
                    print(SummaryPrinter.text(summary, workspace: workspace))
                }
                throw ExitCode(summary.needsAttention ? Exit.attention : Exit.ok)
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            die("run stopped: \(error)", Exit.fatal)
        }
    }
}

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

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the reconciliation report: what was ordered, instructed, shipped, open, short and over.")

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
