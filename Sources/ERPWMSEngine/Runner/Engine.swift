import ERPWMSCore
import Foundation
import Logging

/// The entry points the CLI calls. Nothing here prints.
public enum Engine {
    /// Outcome of `run`, with the exit code the CLI should use.
    public enum RunResult {
        case completed(RunSummary)
        case locked(String)
    }

    /// The clock: the real time, or `ERPWMS_NOW` (ISO 8601) when set, so that tests and replays are
    /// reproducible to the byte.
    public static func clock() -> () -> Date {
        if let fixed = ProcessInfo.processInfo.environment["ERPWMS_NOW"], let t = ISODate.epochSeconds(fixed) {
            let date = Date(timeIntervalSince1970: TimeInterval(t))
            return { date }
        }
        return Date.init
    }

    /// Parses a command-line time: an ISO 8601 date-time with offset, or a date (`2025-03-01`, UTC midnight).
    public static func parseTime(_ text: String) -> Int64? {
        if let t = ISODate.epochSeconds(text) { return t }
        if text.utf8.count == 10, let t = ISODate.epochSeconds(text + "T00:00:00Z") { return t }
        return nil
    }

    /// Writes the reconciliation report of `workspace`.
    public static func report(workspace: Workspace, options: ReportOptions) throws -> ReportResult {
        let ledger = try SQLiteLedger(path: workspace.ledgerPath)
        var options = options
        options.flows = workspace.config.flowReportSettings
        return try ReportGenerator(ledger: ledger, options: options).generate()
    }

    /// Takes the workspace lock, opens the ledger and runs one batch.
    public static func run(workspace: Workspace, logger: Logger, now: @escaping () -> Date = Engine.clock(),
                           progress: ((BatchRunner.Progress) -> Void)? = nil) throws -> RunResult {
        try FS.makeDirectories(workspace.path(workspace.config.stateDir))
        let lock: RunLock
        do {
            lock = try RunLock(path: workspace.lockPath)
        } catch let busy as RunLock.Busy {
            return .locked(busy.description)
        }
        defer { withExtendedLifetime(lock) {} }
        let ledger = try SQLiteLedger(path: workspace.ledgerPath)
        try ledger.watchForForgetting()
        let runner = BatchRunner(workspace: workspace, ledger: ledger, logger: logger, now: now)
        runner.progress = progress
        let started = now()
        let summary = try runner.run()
        let finished = now()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let summaryText = String(decoding: try encoder.encode(summary), as: UTF8.self)
        try ledger.finishRun {
            try ledger.recordRun(startedAt: ISODate.utcString(started), finishedAt: ISODate.utcString(finished),
                                 durationMilliseconds: summary.durationMilliseconds, needsAttention: summary.needsAttention,
                                 summary: summaryText)
        }
        if let file = workspace.config.metricsFile {
            let text = Metrics.render(summary, finishedAt: finished, totals: try ledger.metricTotals())
            try FS.writeAtomically(Array(text.utf8), to: workspace.path(file))
        }
        return .completed(summary)
    }
}
