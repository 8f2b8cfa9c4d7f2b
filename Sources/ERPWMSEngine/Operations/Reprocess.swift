import ERPWMSCore
import ERPWMSFormats
import Foundation
import Logging

/// `erpwms reprocess`: runs failed files through the current configuration again, or takes a corrected
/// replacement, with the same exactly-once discipline as `run` (what the WMS already has is never sent
/// again). A dry run shows what would be published and writes nothing.
public struct Reprocessor {
    /// Which failed files to take.
    public struct Selection: Sendable {
        /// Ledger ids or names.
        public var files: [String] = []
        public var channel: String?
        /// ISO UTC: failed files received at or after this time.
        public var since: String?
        public init(files: [String] = [], channel: String? = nil, since: String? = nil) {
            self.files = files
            self.channel = channel
            self.since = since
        }
    }

    /// The outcome for one failed file.
    public struct Outcome: Sendable, Codable {
        public var fileId: Int64
        public var file: String
        public var channel: String
        /// archived, failed, duplicate; `dry-run` for a dry run.
        public var status: String
        public var reason: String?
        /// Documents rejected in this attempt (in `failed/NAME.rejects.csv`).
        public var rejected: Int
        public var plan: DryRunResult?
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    let workspace: Workspace
    let logger: Logger
    let now: () -> Date

    public init(workspace: Workspace, logger: Logger, now: @escaping () -> Date) {
        self.workspace = workspace
        self.logger = logger
        self.now = now
    }

    /// Reprocesses the selected failed files (`replacement`: a corrected file for a single selected one).
    /// Returns nil when another run holds the workspace lock.
    public func run(_ selection: Selection, replacement: String?, dryRun: Bool) throws -> [Outcome]? {
        // A dry run only reads (WAL lets it read beside a run), so it takes no lock and writes nothing at all.
        var lock: RunLock?
        if !dryRun {
            try FS.makeDirectories(workspace.path(workspace.config.stateDir))
            do {
                lock = try RunLock(path: workspace.lockPath)
            } catch is RunLock.Busy {
                return nil
            }
        }
        defer { withExtendedLifetime(lock) {} }
        let ledger = try SQLiteLedger(path: workspace.ledgerPath)
        let targets = try select(selection, ledger: ledger)
        if targets.isEmpty { throw Failure(description: "no failed file matches; see `erpwms files list --status failed`") }
        if replacement != nil && targets.count != 1 {
            throw Failure(description: "--with takes a replacement for exactly one failed file; \(targets.count) match")
        }
        let runner = BatchRunner(workspace: workspace, ledger: ledger, logger: logger, now: now)
        runner.attemptKind = "reprocess"
        if !dryRun {
            try runner.prepare()
        }
        var outcomes: [Outcome] = []
        for f in targets {
            guard let channel = workspace.config.channels.first(where: { $0.name == f.channel }) else {
                throw Failure(description: "file \(f.id) (\(f.name)) came in through channel '\(f.channel)', which is no longer configured")
            }
            let failedPath = workspace.path(f.path)
            let source = replacement ?? failedPath
            guard FS.exists(source) else {
                throw Failure(description: "\(workspace.relative(source)) is not there any more (file \(f.id))")
            }
            if dryRun {
                let plan = try runner.dryRun(path: source, name: f.name, channel: channel)
                outcomes.append(Outcome(fileId: f.id, file: f.name, channel: f.channel, status: "dry-run",
                                        reason: plan.fileError?.summary, rejected: plan.count(.rejected), plan: plan))
                continue
            }
            let (hash, size) = try BatchRunner.hashFile(source)
            let workDir = runner.workDir(channel)
            try FS.makeDirectories(workDir)
            let workPath = workDir + "/" + f.name
            guard !FS.exists(workPath) else {
                throw Failure(description: "work/\(channel.name)/\(f.name) exists: a run is unfinished; run `erpwms run` first")
            }
            // Crash-safe order: (1) a replacement is copied to a dot-name in work/ (recovery ignores dot files)
            // and fsynced; (2) the ledger records the claim and where the file comes from; (3) the file is moved
            // into place. A crash after (2) is finished by the next run's recovery, which completes the move.
            let part = workDir + "/." + f.name + ".part"
            if let replacement {
                try FS.copyDurably(replacement, to: part)
                runner.attemptSource = "\(FS.name(replacement)) sha256:\(hash)"
            } else {
                runner.attemptSource = nil
            }
            try ledger.reclaim(fileId: f.id, path: workspace.relative(workPath), hash: hash, size: size,
                               origin: workspace.relative(failedPath))
            if replacement != nil {
                try FS.move(part, to: workPath)
                // The original failed file is kept beside the archive for audit.
                try FS.move(failedPath, to: FS.freeName(in: FS.parent(runner.archiveTarget(f.name)), f.name + ".superseded"))
            } else {
                try FS.move(failedPath, to: workPath)
            }
            FS.remove(failedPath + ".error.json")
            try runner.processClaimed(fileId: f.id, workPath: workPath, name: f.name, channel: channel, hash: hash)
            let after = try ledger.file(id: f.id)
            outcomes.append(Outcome(fileId: f.id, file: f.name, channel: f.channel, status: after?.status.rawValue ?? "?",
                                    reason: after?.status == .archived ? nil : after?.reason,
                                    rejected: after?.ordersRejected ?? 0, plan: nil))
        }
        return outcomes
    }

    func select(_ s: Selection, ledger: SQLiteLedger) throws -> [FileRecord] {
        var result: [FileRecord] = []
        for key in s.files {
            guard let f = try Int64(key).flatMap({ try ledger.file(id: $0) }) ?? ledger.file(named: key) else {
                throw Failure(description: "no file '\(key)' in the ledger")
            }
            guard f.status == .failed else {
                throw Failure(description: "file \(f.id) (\(f.name)) is \(f.status.rawValue), not failed: only failed files are reprocessed")
            }
            result.append(f)
        }
        if s.channel != nil || s.since != nil || s.files.isEmpty {
            if s.files.isEmpty && s.channel == nil && s.since == nil {
                throw Failure(description: "say which failed files: ids or names, --channel C, or --since T")
            }
            result += try ledger.files(status: .failed, channel: s.channel, since: s.since).reversed()
        }
        var seen = Set<Int64>()
        return result.filter { seen.insert($0.id).inserted }
    }
}
