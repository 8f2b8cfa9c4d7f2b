import ERPWMSCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `erpwms purge` removed (or, with `dryRun`, would remove). Paths are relative to the workspace.
public struct PurgeResult: Sendable, Codable, Equatable {
    public struct Removed: Sendable, Codable, Equatable {
        /// Archived and duplicate inputs deleted from the archive folder.
        public var inputs: [String] = []
        /// Report files deleted from the reports folder.
        public var reports: [String] = []
        /// Empty date folders (`YYYY`, `YYYY/MM`, `YYYY/MM/DD`) removed from the archive folder, deepest first.
        public var folders: [String] = []
    }

    public var dryRun: Bool
    /// The clock's now (`ERPWMS_NOW` when set) and the age purged: `90d` or `36h`.
    public var now: String
    public var olderThan: String
    /// `now` minus `olderThan`: whatever is older than this is past retention.
    public var cutoff: String
    public var removed = Removed()
    /// Ledger rows of archived inputs whose file was already gone from disk.
    public var inputsMissing: [String] = []
    public var ledger = LedgerPurgeCounts()
    /// Things left alone that a person may want to know about (a file outside the archive folder, a reports
    /// folder that overlaps another lifecycle folder).
    public var warnings: [String] = []

    /// Counts of `removed`.
    public var inputsRemoved = 0
    public var reportsRemoved = 0
    public var foldersRemoved = 0
}

/// `erpwms purge`: deletes what is past retention and finished, and nothing that is still open.
///
/// - archived and duplicate inputs (files rows finished before the cut-off), from disk and ledger, unless a
///   kept order, instruction or shipment still references them; then the date folders left empty;
/// - report files whose modification time is before the cut-off;
/// - closed orders (every line shipped as instructed, over, or closed short) whose latest instruction and
///   confirmations are older than the cut-off, with their lines, instructions and shipments; shipments of
///   unknown orders received before the cut-off.
///
/// Never touched: `failed/` (an operator decides), the outboxes (the WMS and the ERP own them), `work/` and
/// the inboxes, open orders of any age and the files they reference.
public struct Purger {
    /// How old something must be to go.
    public enum Age: Sendable, Equatable, CustomStringConvertible {
        case days(Int)
        case hours(Int)

        /// `90d` or `36h` (a positive whole number of days or hours).
        public static func parse(_ text: String) -> Age? {
            guard let unit = text.last, text.count >= 2,
                  text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int(text.dropLast()), n > 0, n <= 1_000_000 else { return nil }
            switch unit {
            case "d", "D": return .days(n)
            case "h", "H": return .hours(n)
            default: return nil
            }
        }

        public var seconds: Int64 {
            switch self {
            case .days(let n): return Int64(n) * 86_400
            case .hours(let n): return Int64(n) * 3_600
            }
        }

        public var description: String {
            switch self {
            case .days(let n): return "\(n)d"
            case .hours(let n): return "\(n)h"
            }
        }
    }

    public enum Outcome {
        case completed(PurgeResult)
        /// Another `erpwms run` (or purge) holds the workspace lock; nothing was done.
        case locked(String)
    }

    public let workspace: Workspace
    public var age: Age
    public var dryRun: Bool
    let now: () -> Date

    /// `age` nil: the configuration's `retention.days`.
    public init(workspace: Workspace, age: Age? = nil, dryRun: Bool = false, now: @escaping () -> Date = Engine.clock()) {
        self.workspace = workspace
        self.age = age ?? .days(workspace.config.retentionDays)
        self.dryRun = dryRun
        self.now = now
    }

    var config: Configuration { workspace.config }

    /// Takes the workspace run lock (so a purge never runs beside a batch), opens the ledger and purges.
    public func run() throws -> Outcome {
        try FS.makeDirectories(workspace.path(config.stateDir))
        let lock: RunLock
        do {
            lock = try RunLock(path: workspace.lockPath)
        } catch let busy as RunLock.Busy {
            return .locked(busy.description)
        }
        defer { withExtendedLifetime(lock) {} }
        let ledger = try SQLiteLedger(path: workspace.ledgerPath)
        return .completed(try purge(ledger: ledger))
    }

    /// The purge itself; the caller holds the run lock.
    func purge(ledger: SQLiteLedger) throws -> PurgeResult {
        let nowSeconds = Int64(now().timeIntervalSince1970)
        let cutoffSeconds = nowSeconds - age.seconds
        var result = PurgeResult(dryRun: dryRun, now: ISODate.utcString(nowSeconds), olderThan: age.description,
                                 cutoff: ISODate.utcString(cutoffSeconds))
        let archiveRoot = Self.normalized(workspace.path(config.archiveDir))

        // 1 and 4: the ledger, and the archived inputs whose rows go (deleted from disk before the rows commit).
        var deleted: [String] = []
        var missing: [String] = []
        var warnings: [String] = []
        let (counts, files) = try ledger.purge(before: result.cutoff, dryRun: dryRun, keep: { candidates in
            // Only what lies inside the archive folder is deleted; anything else keeps its row too.
            var keep: Set<Int64> = []
            for c in candidates where !Self.isInside(workspace.path(c.path), archiveRoot) {
                keep.insert(c.id)
                warnings.append("\(c.path): \(c.status) input (ledger file \(c.id)) is not inside \(config.archiveDir)/; left on disk and in the ledger")
            }
            return keep
        }, beforeCommit: { files in
            var dirs: Set<String> = []
            for f in files {
                let abs = Self.normalized(workspace.path(f.path))
                if try Self.removeFile(abs) {
                    deleted.append(abs)
                    dirs.insert(FS.parent(abs))
                } else {
                    missing.append(abs)
                }
            }
            // The deletions are durable before the ledger forgets the files.
            for d in dirs.sorted() where FS.isDirectory(d) { try FS.fsyncDirectory(d) }
        })
        if dryRun {
            for f in files {
                let abs = Self.normalized(workspace.path(f.path))
                if FS.exists(abs) { deleted.append(abs) } else { missing.append(abs) }
            }
        }
        result.ledger = counts
        result.warnings = warnings
        result.removed.inputs = deleted.map(workspace.relative).sorted()
        result.inputsMissing = missing.map(workspace.relative).sorted()

        // The archive's date folders left empty.
        var folders = emptyDateFolders(under: archiveRoot, ignoring: Set(deleted))
        if !dryRun {
            folders = folders.filter { rmdir($0) == 0 }
            if !folders.isEmpty, FS.isDirectory(archiveRoot) { try FS.fsyncDirectory(archiveRoot) }
        }
        result.removed.folders = folders.map(workspace.relative)

        // 2: reports older than the cut-off.
        try purgeReports(before: cutoffSeconds, result: &result)
        result.inputsRemoved = result.removed.inputs.count
        result.reportsRemoved = result.removed.reports.count
        result.foldersRemoved = result.removed.folders.count
        return result
    }

    // MARK: - Files

    /// `path` with `.`, `..` and doubled or trailing slashes resolved (symlinks are not followed).
    static func normalized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// True when `path` is strictly inside `folder` (after resolving `.` and `..`).
    static func isInside(_ path: String, _ folder: String) -> Bool {
        let p = normalized(path)
        let f = normalized(folder)
        return p.hasPrefix(f.hasSuffix("/") ? f : f + "/")
    }

    /// Unlinks a regular file or symlink; false when it did not exist.
    static func removeFile(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        let e = errno
        if e == ENOENT { return false }
        throw FS.fail("delete", path, e)
    }

    /// Date folders under `root` (`YYYY`, `YYYY/MM`, `YYYY/MM/DD`) that are empty, or would be once
    /// `ignoring` (absolute file paths) is gone: deepest first.
    func emptyDateFolders(under root: String, ignoring deleted: Set<String>) -> [String] {
        var result: [String] = []
        /// True when `dir` ends up empty.
        func visit(_ dir: String, depth: Int) -> Bool {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return false }
            var empty = true
            for name in names.sorted() {
                let path = dir + "/" + name
                if depth < 3, Self.isDateComponent(name, depth: depth + 1), Self.isRealDirectory(path) {
                    if visit(path, depth: depth + 1) { result.append(path) } else { empty = false }
                } else if !deleted.contains(path) {
                    empty = false
                }
            }
            return empty
        }
        _ = visit(root, depth: 0)
        return result
    }

    static func isDateComponent(_ name: String, depth: Int) -> Bool {
        let digits = name.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        return digits && name.utf8.count == (depth == 1 ? 4 : 2)
    }

    static func isRealDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    // MARK: - Reports

    /// Regular files directly in the reports folder modified before `cutoff` (epoch seconds).
    func purgeReports(before cutoff: Int64, result: inout PurgeResult) throws {
        let dir = workspace.path(config.reportsDir)
        let reports = Self.normalized(dir)
        // A reports folder that is the workspace itself, or holds another lifecycle folder, is not purged:
        // its old files are not all reports.
        let others = [workspace.root] + workspace.folders.filter { Self.normalized($0) != reports }
        if let clash = others.first(where: { o in
            let other = Self.normalized(o)
            return other == reports || Self.isInside(other, reports)
        }) {
            result.warnings.append("the reports folder \(config.reportsDir) is or holds \(workspace.relative(clash)); reports not purged")
            return
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        var removed: [String] = []
        for name in names.sorted() {
            let path = dir + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int64(st.st_mtim.tv_sec) < cutoff else { continue }
            if try dryRun || Self.removeFile(path) { removed.append(workspace.relative(path)) }
        }
        if !dryRun && !removed.isEmpty { try FS.fsyncDirectory(dir) }
        result.removed.reports = removed
    }
}
