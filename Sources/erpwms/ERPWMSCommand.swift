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
        subcommands: [Init.self, Run.self, Demo.self])
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
        abstract: "Build a temporary workspace from samples/, run a batch and show what happened.")

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
        do {
            let workspace = try ERPWMSEngine.Demo.prepare(root: root, samples: samplesDir)
            print("Demo workspace: \(workspace.root)")
            print("Dropped the samples of \(samplesDir) into:")
            for (sample, channel) in ERPWMSEngine.Demo.placement {
                print("  inbox/\(channel)/\(sample)")
            }
            print("")
            guard case .completed(let summary) = try Engine.run(workspace: workspace, logger: logger) else {
                die("the demo workspace is locked", Exit.locked)
            }
            print(SummaryPrinter.text(summary, workspace: workspace))
            print("")
            print("Look around:")
            print("  ls \(workspace.path(workspace.config.wmsOutbox))      # WMS shipment orders (XML)")
            print("  ls \(workspace.path(workspace.config.failedDir))        # rejects, one reason per row")
            print("  find \(workspace.path(workspace.config.archiveDir))    # processed inputs")
            print("  erpwms run --workspace \(workspace.root)   # run again: nothing is sent twice")
        } catch {
            die("\(error)", Exit.fatal)
        }
    }
}
