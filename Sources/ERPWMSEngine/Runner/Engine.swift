import Foundation
import Logging

/// The entry points the CLI calls. Nothing here prints.
public enum Engine {
    /// Outcome of `run`, with the exit code the CLI should use.
    public enum RunResult {
        case completed(RunSummary)
        case locked(String)
    }

    /// Takes the workspace lock, opens the ledger and runs one batch.
    public static func run(workspace: Workspace, logger: Logger, now: @escaping () -> Date = Date.init) throws -> RunResult {
        try FS.makeDirectories(workspace.path(workspace.config.stateDir))
        let lock: RunLock
        do {
            lock = try RunLock(path: workspace.lockPath)
        } catch let busy as RunLock.Busy {
            return .locked(busy.description)
        }
        defer { withExtendedLifetime(lock) {} }
        let ledger = try SQLiteLedger(path: workspace.ledgerPath)
        let runner = BatchRunner(workspace: workspace, ledger: ledger, logger: logger, now: now)
        return .completed(try runner.run())
    }
}
