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

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json
}

struct LoggingOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Log each file and step.")
    var verbose = false
    @Flag(name: .shortAndLong, help: "Print nothing when all is good (cron mails only when something needs a person).")
    var quiet = false
    @Option(help: "Log format on stderr: human or json (one object per line, for log shippers).")
    var logFormat: LogFormat = .human

    func bootstrap() -> Logger { Self.bootstrap(verbose: verbose, format: logFormat) }

    static func bootstrap(verbose: Bool, format: LogFormat = .human) -> Logger {
        let level: Logger.Level = verbose ? .info : .warning
        LoggingSystem.bootstrap { label in
            switch format {
            case .human:
                var h = StreamLogHandler.standardError(label: label)
                h.logLevel = level
                return h
            case .json:
                var h = JSONLogHandler(label: label)
                h.logLevel = level
                return h
            }
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
        subcommands: [Init.self, Run.self, Report.self, Files.self, Orders.self, Validate.self, Reprocess.self, Purge.self, Config.self, MappingCommand.self, ArchiveCommand.self, SimulateWMS.self, Demo.self])
}

/// Prints `message` to stderr and exits with `code`.
func die(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data(("erpwms: " + message + "\n").utf8))
    exit(code)
}

/// `die`'s message, returned as an error for the command to throw where it holds the ledger open: the command's
/// locals are released on the way out (the ledger closed, its `-wal` and `-shm` files removed), which `exit`
/// skips.
func failure(_ message: String, _ code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data(("erpwms: " + message + "\n").utf8))
    return ExitCode(code)
}
