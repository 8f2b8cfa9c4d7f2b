import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `erpwms purge` through the binary, over the demo workspace (samples in, simulated warehouse, confirmations).
@Suite("erpwms purge through the binary")
struct PurgeCommandTests {
    /// The demo's clock, and a purge clock 183 days later: with the default 90 days, everything finished in the
    /// demo is past retention.
    static let demoNow = "2025-03-02T12:00:00Z"
    static let purgeNow = "2025-09-01T00:00:00Z"

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func tree(_ root: String, _ rel: String) -> [String] {
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: root + "/" + rel) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: root + "/" + rel + "/" + p, isDirectory: &isDir), !isDir.boolValue { out.append(rel + "/" + p) }
        }
        return out.sorted()
    }

    @Test("dry run, lock, purge, and what is left still reports")
    func purge() throws {
        let root = Binary.tempDir() + "/demo"
        let demo = try Binary.run(["demo", "--at", root], env: ["ERPWMS_NOW": Self.demoNow], cwd: Binary.packageRoot)
        #expect(demo.status == 0, "\(demo.stderr)")
        let env = ["ERPWMS_NOW": Self.purgeNow]
        let before = FolderState(root: root)
        let archiveBefore = Self.tree(root, "archive")
        #expect(!archiveBefore.isEmpty)

        // A usage error.
        let bad = try Binary.run(["purge", "-w", root, "--older-than", "90x"], env: env)
        #expect(bad.status == 64, "\(bad.stderr)")

        // The dry run: the default age (retention.days: 90), counts and paths, nothing deleted.
        let dry = try Binary.run(["purge", "-w", root, "--dry-run", "--json"], env: env)
        #expect(dry.status == 0, "\(dry.stderr)")
        let d = try Self.json(dry.stdout)
        #expect(d["dryRun"] as? Bool == true)
        #expect(d["olderThan"] as? String == "90d")
        #expect(d["cutoff"] as? String == "2025-06-03T00:00:00Z")
        let ledger = try #require(d["ledger"] as? [String: Any])
        let removed = try #require(d["removed"] as? [String: Any])
        let inputs = try #require(removed["inputs"] as? [String])
        #expect((ledger["orders"] as? Int ?? 0) > 0, "closed demo orders are past retention")
        #expect((ledger["keptOpenOrders"] as? Int ?? 0) > 0, "the orders the simulated warehouse held back stay")
        #expect(d["inputsRemoved"] as? Int == inputs.count)
        #expect(!inputs.isEmpty && inputs.allSatisfy { $0.hasPrefix("archive/") })
        #expect(FolderState(root: root) == before)
        #expect(Self.tree(root, "archive") == archiveBefore)

        // While a run holds the lock, purge does nothing and exits 75.
        let fd = open(root + "/state/run.lock", O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let locked = try Binary.run(["purge", "-w", root], env: env)
        #expect(locked.status == 75, "\(locked.stderr)")
        #expect(locked.stderr.contains("run.lock"))
        flock(fd, LOCK_UN)
        close(fd)
        #expect(Self.tree(root, "archive") == archiveBefore)

        // The purge does what the dry run said.
        let real = try Binary.run(["purge", "-w", root, "--json"], env: env)
        #expect(real.status == 0, "\(real.stderr)")
        #expect(try Self.json(real.stdout)["dryRun"] as? Bool == false)
        #expect(real.stdout.replacingOccurrences(of: "\"dryRun\":false", with: "\"dryRun\":true") == dry.stdout,
                "the purge did what the dry run said")
        let fm = FileManager.default
        #expect(inputs.allSatisfy { !fm.fileExists(atPath: root + "/" + $0) })
        #expect(Set(Self.tree(root, "archive")) == Set(archiveBefore).subtracting(inputs))
        let after = FolderState(root: root)
        #expect(after.failed == before.failed && after.errorReports == before.errorReports)
        #expect(after.outputs.filter { $0.key.hasPrefix("outbox/") || $0.key.hasPrefix("failed/") }
                == before.outputs.filter { $0.key.hasPrefix("outbox/") || $0.key.hasPrefix("failed/") })

        // Again, as text: nothing more to remove; what is left still reports and runs.
        let again = try Binary.run(["purge", "-w", root], env: env)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Removed: 0 archived input file(s), 0 empty archive folder(s), 0 report(s)"), "\(again.stdout)")
        #expect(again.stdout.contains("Kept: \(ledger["keptOpenOrders"] as? Int ?? -1) order(s) still open"), "\(again.stdout)")
        let quiet = try Binary.run(["purge", "-w", root, "--quiet"], env: env)
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.stdout)")
        let report = try Binary.run(["report", "-w", root, "--format", "json", "--out", root + "/after"], env: env)
        #expect(report.status == 0, "\(report.stderr)")
        let run = try Binary.run(["run", "-w", root], env: env)
        #expect(run.status == 0, "\(run.stderr)")
    }
}
