import ERPWMSCore
import Foundation
import GRDB
import Testing
@testable import ERPWMSEngine

/// `erpwms purge` over a ledger whose history is known by construction: old closed orders (full, split over two
/// confirmation files, short-closed, replaced), old open orders (partial, never confirmed, replaced), a closed
/// order whose confirmation came after the cut-off, young orders, an unknown reference, a duplicate input, an
/// all-rejected input, a quarantined input, and reports old and new.
@Suite("Purge")
struct PurgeTests {
    static let config = """
    version: 1
    channels:
      orders: { pickup: { min_age_seconds: 0 } }
      conf: { document: shipment-confirmations, format: xml, pickup: { min_age_seconds: 0 } }
    routing: { default_warehouse: WH1 }
    """

    /// Purges run at `now`: with 90 days, the cut-off is 2025-01-31T00:00:00Z.
    static let now = "2025-05-01T00:00:00Z"
    static let cutoff = "2025-01-31T00:00:00Z"

    static func orders(_ orders: [(String, [Int])]) -> String {
        CSVFixture.file(orders.flatMap { id, quantities in
            quantities.enumerated().map { i, q in CSVFixture.row(id, line: i + 1, ["quantity": String(q)]) }
        })
    }

    static func confirmations(_ items: [(shipment: String, order: String, lines: [(Int, Int, String?)])]) -> String {
        ReconciliationScenarioTests.file(items.map {
            ReconciliationScenarioTests.confirmation($0.shipment, $0.order, date: "2025-01-11T09:00:00Z", $0.lines)
        })
    }

    static func date(_ iso: String) -> Date {
        Date(timeIntervalSince1970: TimeInterval(ISODate.epochSeconds(iso)!))
    }

    static func clock(_ iso: String) -> () -> Date {
        let d = date(iso)
        return { d }
    }

    /// Builds the history; returns the workspace.
    static func scenario() throws -> TestWorkspace {
        let t = try TestWorkspace(config: config)
        // 2025-01-10 08:00: five order files.
        let oldA = orders([("SO-A1", [2, 1]), ("SO-A2", [3, 1])])
        try t.drop("old-a.csv", oldA)
        try t.drop("old-b.csv", orders([("SO-B1", [1]), ("SO-B2", [4]), ("SO-B3", [1])]))
        try t.drop("old-c.csv", orders([("SO-C1", [2])]))
        try t.drop("old-l.csv", orders([("SO-L", [1])]))
        try t.drop("old-bad.csv", CSVFixture.file([CSVFixture.row("SO-BAD", ["ship_country": "XX"])]))
        let s1 = try t.run(at: "2025-01-10T08:00:00Z")
        #expect(s1.ordersAccepted == 7)
        #expect(s1.ordersRejected == 1)
        // 12:00: the same bytes again (a duplicate), two replacements before any confirmation, a broken file.
        try t.drop("old-a-copy.csv", oldA)
        try t.drop("old-c2.csv", orders([("SO-C1", [3])]))
        try t.drop("old-b2.csv", orders([("SO-B3", [2])]))
        try t.drop("old-broken.csv", "sku,quantity\r\nX,1\r\n")
        let s2 = try t.run(at: "2025-01-10T12:00:00Z")
        #expect(s2.filesDuplicate == 1)
        #expect(s2.ordersReplaced == 2)
        #expect(s2.filesFailed == 1)
        // 2025-01-11: confirmations. SO-A1's first half, SO-A2 short-closed on line 1, SO-B1 complete, SO-B2
        // partial, SO-C1 complete (as replaced), and a shipment of an order erpwms never sent.
        try t.drop("c-old.xml", confirmations([
            ("S-A1a", "SO-A1", [(1, 2, nil)]),
            ("S-A2", "SO-A2", [(1, 1, "out_of_stock"), (2, 1, nil)]),
            ("S-B1", "SO-B1", [(1, 1, nil)]),
            ("S-B2", "SO-B2", [(1, 1, nil)]),
            ("S-C1", "SO-C1", [(1, 3, nil)]),
            ("S-GHOST", "SO-GHOST", [(1, 1, nil)]),
        ]), channel: "conf")
        let s3 = try t.run(at: "2025-01-11T09:00:00Z")
        #expect(s3.confirmationsAccepted == 6)
        #expect(s3.unknownReferences == 1)
        // 2025-01-12: SO-A1's second half, alone in its file.
        try t.drop("c-old2.xml", confirmations([("S-A1b", "SO-A1", [(2, 1, nil)])]), channel: "conf")
        _ = try t.run(at: "2025-01-12T09:00:00Z")
        // 2025-04-25, after the cut-off: SO-L (instructed in January) is confirmed; a young order arrives.
        try t.drop("recent.csv", orders([("SO-R1", [1])]))
        try t.drop("c-recent.xml", confirmations([("S-L", "SO-L", [(1, 1, nil)])]), channel: "conf")
        _ = try t.run(at: "2025-04-25T09:00:00Z")

        // Reports: one set written in January, one in April (the file times say so), and a sub-folder purge
        // leaves alone.
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        for asOf in ["2025-01-11T09:00:00Z", "2025-04-25T09:00:00Z"] {
            let r = try ReportGenerator(ledger: ledger, options: ReportOptions(
                asOf: ISODate.epochSeconds(asOf)!, formats: [.html, .csv, .json], outDir: t.workspace.path("reports"))).generate()
            for f in r.files { try setModified(f, asOf) }
        }
        try FileManager.default.createDirectory(atPath: t.workspace.path("reports/keep"), withIntermediateDirectories: true)
        try Data("old".utf8).write(to: URL(fileURLWithPath: t.workspace.path("reports/keep/old.html")))
        try setModified(t.workspace.path("reports/keep/old.html"), "2024-01-01T00:00:00Z")
        return t
    }

    static func setModified(_ path: String, _ iso: String) throws {
        try FileManager.default.setAttributes([.modificationDate: date(iso)], ofItemAtPath: path)
    }

    static func purge(_ t: TestWorkspace, at now: String = PurgeTests.now, age: Purger.Age? = .days(90),
                      dryRun: Bool = false) throws -> PurgeResult {
        let outcome = try Purger(workspace: t.workspace, age: age, dryRun: dryRun, now: clock(now)).run()
        guard case .completed(let r) = outcome else {
            Issue.record("purge was locked out")
            throw CancellationError()
        }
        return r
    }

    // MARK: - Reading the ledger and the disk

    static func ledger(_ t: TestWorkspace) throws -> SQLiteLedger { try SQLiteLedger(path: t.workspace.ledgerPath) }

    static func strings(_ t: TestWorkspace, _ sql: String) throws -> [String] {
        try ledger(t).queue.read { try String.fetchAll($0, sql: sql) }
    }

    /// Every row of every ledger table, as text: the whole ledger, comparable.
    static func dump(_ t: TestWorkspace) throws -> [String: [String]] {
        try ledger(t).queue.read { db in
            var out: [String: [String]] = [:]
            for table in ["files", "orders", "order_lines", "instructions", "outputs", "findings", "attempts", "shipments",
                          "shipment_lines", "runs"] {
                out[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { $0.description }.sorted()
            }
            return out
        }
    }

    /// Every file under the workspace except `state/` (the ledger, its WAL and the lock), with its bytes and
    /// modification time; folders too.
    static func snapshot(_ t: TestWorkspace) -> [String: String] {
        let root = t.workspace.root
        var out: [String: String] = [:]
        guard let e = FileManager.default.enumerator(atPath: root) else { return out }
        while let p = e.nextObject() as? String {
            if p == "state" || p.hasPrefix("state/") { continue }
            let attrs = try? FileManager.default.attributesOfItem(atPath: root + "/" + p)
            if attrs?[.type] as? FileAttributeType == .typeDirectory {
                out[p + "/"] = "dir"
            } else {
                let data = FileManager.default.contents(atPath: root + "/" + p) ?? Data()
                let mtime = (attrs?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                out[p] = "\(mtime) " + data.base64EncodedString()
            }
        }
        return out
    }

    static func subtree(_ snapshot: [String: String], _ prefix: String) -> [String: String] {
        snapshot.filter { $0.key.hasPrefix(prefix) }
    }

    // MARK: - Tests

    @Test("closed old orders and their inputs go; open orders, what they reference, failed/ and the outboxes stay")
    func purgesWhatIsFinished() throws {
        let t = try Self.scenario()
        let before = Self.snapshot(t)
        let countsBefore = try Self.ledger(t).rowCounts()
        let r = try Self.purge(t)

        #expect(r.cutoff == Self.cutoff)
        #expect(r.olderThan == "90d")
        #expect(!r.dryRun)
        #expect(r.warnings.isEmpty, "\(r.warnings)")

        // The ledger: closed old orders gone, open and young ones kept.
        #expect(try Self.strings(t, "SELECT order_id FROM orders ORDER BY order_id") == ["SO-B2", "SO-B3", "SO-L", "SO-R1"])
        #expect(try Self.strings(t, "SELECT DISTINCT order_id FROM order_lines ORDER BY order_id") == ["SO-B2", "SO-B3", "SO-L", "SO-R1"])
        #expect(try Self.strings(t, "SELECT order_id || ' v' || version FROM instructions ORDER BY order_id, version")
                == ["SO-B2 v1", "SO-B3 v1", "SO-B3 v2", "SO-L v1", "SO-R1 v1"])
        #expect(try Self.strings(t, "SELECT shipment_id FROM shipments ORDER BY shipment_id") == ["S-B2", "S-L"])
        #expect(try Self.strings(t, "SELECT DISTINCT shipment_id FROM shipment_lines ORDER BY shipment_id") == ["S-B2", "S-L"])
        #expect(try Self.strings(t, "SELECT name FROM files ORDER BY name")
                == ["c-old.xml", "c-recent.xml", "old-b.csv", "old-b2.csv", "old-broken.csv", "old-l.csv", "recent.csv"])
        #expect(try Self.strings(t, "SELECT COUNT(*) FROM findings WHERE file_id NOT IN (SELECT id FROM files)") == ["0"])
        #expect(try Self.strings(t, "SELECT COUNT(*) FROM outputs WHERE file_id NOT IN (SELECT id FROM files)") == ["0"])
        #expect(try Self.strings(t, "PRAGMA integrity_check") == ["ok"])
        #expect(try Self.ledger(t).queue.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }.isEmpty)

        // The counts reported are the rows that went.
        let countsAfter = try Self.ledger(t).rowCounts()
        func gone(_ table: String) -> Int { countsBefore[table]! - countsAfter[table]! }
        let l = r.ledger
        #expect(l.orders == 4 && gone("orders") == 4)
        #expect(l.orderLines == 6 && gone("order_lines") == 6)
        #expect(l.instructions == 5 && gone("instructions") == 5)
        #expect(l.shipments == 5)
        #expect(l.unknownShipments == 1)
        #expect(gone("shipments") == 6)
        #expect(l.shipmentLines == 7 && gone("shipment_lines") == 7)
        #expect(l.files == 6 && gone("files") == 6)
        #expect(l.outputs == 5 && gone("outputs") == 5)
        #expect(l.findings == gone("findings") && l.findings >= 1, "the rejected order's finding goes with its file")
        #expect(l.attempts == gone("attempts"))
        #expect(try Self.strings(t, "SELECT COUNT(*) FROM attempts WHERE file_id NOT IN (SELECT id FROM files)") == ["0"])
        #expect(l.keptOpenOrders == 2, "SO-B2 (partial) and SO-B3 (never confirmed)")
        #expect(l.keptRecentOrders == 1, "SO-L: closed, but confirmed after the cut-off")
        #expect(l.keptFiles == 4, "old-b, old-b2, old-l, c-old")

        // The disk: the purged inputs and the date folder they left empty; old reports.
        #expect(r.removed.inputs == [
            "archive/2025/01/10/old-a-copy.csv", "archive/2025/01/10/old-a.csv", "archive/2025/01/10/old-bad.csv",
            "archive/2025/01/10/old-c.csv", "archive/2025/01/10/old-c2.csv", "archive/2025/01/12/c-old2.xml",
        ])
        #expect(r.inputsMissing.isEmpty)
        #expect(r.removed.folders == ["archive/2025/01/12"])
        #expect(r.removed.reports == [
            "reports/reconciliation_20250111T090000Z.csv", "reports/reconciliation_20250111T090000Z.html",
            "reports/reconciliation_20250111T090000Z.json", "reports/reconciliation_20250111T090000Z_totals.csv",
        ])
        #expect(r.inputsRemoved == 6 && r.foldersRemoved == 1 && r.reportsRemoved == 4)
        #expect(t.tree("archive") == [
            "2025/01/10/old-b.csv", "2025/01/10/old-b2.csv", "2025/01/10/old-l.csv", "2025/01/11/c-old.xml",
            "2025/04/25/c-recent.xml", "2025/04/25/recent.csv",
        ])
        #expect(!FileManager.default.fileExists(atPath: t.workspace.path("archive/2025/01/12")))
        #expect(t.tree("reports") == [
            "keep/old.html",
            "reconciliation_20250425T090000Z.csv", "reconciliation_20250425T090000Z.html",
            "reconciliation_20250425T090000Z.json", "reconciliation_20250425T090000Z_totals.csv",
        ])

        // Untouched, byte for byte: failed/, the outboxes, the inboxes, work/ and the configuration.
        let after = Self.snapshot(t)
        for prefix in ["failed/", "outbox/", "inbox/", "work/", "erpwms.yaml"] {
            #expect(Self.subtree(after, prefix) == Self.subtree(before, prefix), "\(prefix) changed")
        }
        #expect(Set(Self.subtree(before, "failed/").keys) == ["failed/", "failed/old-bad.csv.rejects.csv", "failed/old-broken.csv",
                                                               "failed/old-broken.csv.error.json"])
        #expect(!Self.subtree(before, "outbox/erp/").isEmpty && !Self.subtree(before, "outbox/wms/").isEmpty)

        // Nothing else changed on disk.
        var expected = before
        for p in r.removed.inputs + r.removed.reports { expected[p] = nil }
        for d in r.removed.folders { expected[d + "/"] = nil }
        #expect(after == expected)

        // The report over what is left still works, and a second purge finds nothing more.
        let report = try ReportGenerator(ledger: Self.ledger(t), options: ReportOptions(
            asOf: ISODate.epochSeconds(Self.now)!, formats: [.json], outDir: t.workspace.path("reports-after"))).generate()
        #expect(report.totals.all.orders == 4)
        #expect(report.totals.unknownReferences == 0)
        let again = try Self.purge(t)
        #expect(again.removed == PurgeResult.Removed())
        #expect(again.ledger.orders == 0 && again.ledger.files == 0)
        #expect(again.ledger.keptOpenOrders == 2 && again.ledger.keptFiles == 4)
    }

    @Test("--dry-run reports exactly what a purge removes, and changes nothing on disk or in the ledger")
    func dryRun() throws {
        let t = try Self.scenario()
        let diskBefore = Self.snapshot(t)
        let ledgerBefore = try Self.dump(t)
        let countsBefore = try Self.ledger(t).rowCounts()

        let dry = try Self.purge(t, dryRun: true)
        #expect(dry.dryRun)
        #expect(Self.snapshot(t) == diskBefore)
        #expect(try Self.dump(t) == ledgerBefore)
        #expect(try Self.ledger(t).rowCounts() == countsBefore)

        // A dry run twice says the same; the real purge then does exactly what it said.
        #expect(try Self.purge(t, dryRun: true) == dry)
        var real = try Self.purge(t)
        #expect(!real.dryRun)
        real.dryRun = true
        #expect(real == dry)
        #expect(dry.inputsRemoved == 6 && dry.foldersRemoved == 1 && dry.reportsRemoved == 4 && dry.ledger.orders == 4)
    }

    @Test("open orders are never purged, whatever their age, nor the files they reference")
    func openOrdersStay() throws {
        let t = try Self.scenario()
        // Years later, with the shortest age: everything closed goes, the open orders stay.
        let r = try Self.purge(t, at: "2030-01-01T00:00:00Z", age: .hours(1))
        #expect(try Self.strings(t, "SELECT order_id FROM orders ORDER BY order_id") == ["SO-B2", "SO-B3", "SO-R1"])
        #expect(r.ledger.keptOpenOrders == 3)
        #expect(r.ledger.keptRecentOrders == 0)
        #expect(r.ledger.orders == 5, "SO-L is old enough now")
        #expect(try Self.strings(t, "SELECT shipment_id FROM shipments") == ["S-B2"])
        #expect(try Self.strings(t, "SELECT name FROM files ORDER BY name")
                == ["c-old.xml", "old-b.csv", "old-b2.csv", "old-broken.csv", "recent.csv"])
        #expect(t.tree("archive") == ["2025/01/10/old-b.csv", "2025/01/10/old-b2.csv", "2025/01/11/c-old.xml", "2025/04/25/recent.csv"])
        #expect(r.removed.folders == ["archive/2025/01/12"], "2025/04/25 still holds recent.csv")
        #expect(t.files("failed") == ["old-bad.csv.rejects.csv", "old-broken.csv", "old-broken.csv.error.json"])

        // Once the open orders are confirmed (closed short), they go too — and with them the last files.
        try t.drop("c-late.xml", Self.confirmations([
            ("S-B2b", "SO-B2", [(1, 0, "cancelled")]), ("S-B3", "SO-B3", [(1, 2, nil)]), ("S-R1", "SO-R1", [(1, 1, nil)]),
        ]), channel: "conf")
        _ = try t.run(at: "2030-01-01T00:00:00Z")
        let last = try Self.purge(t, at: "2030-02-01T00:00:00Z", age: .days(1))
        #expect(last.ledger.orders == 3)
        #expect(last.ledger.keptOpenOrders == 0)
        #expect(try Self.strings(t, "SELECT name FROM files") == ["old-broken.csv"], "a failed input is never purged")
        #expect(t.tree("archive").isEmpty)
        #expect(FileManager.default.fileExists(atPath: t.workspace.path("archive")), "the archive folder itself stays")
        #expect(try Self.strings(t, "SELECT COUNT(*) FROM order_lines") == ["0"])
        #expect(try Self.strings(t, "SELECT COUNT(*) FROM shipment_lines") == ["0"])
    }

    @Test("the default age is retention.days; the cut-off is the clock's now minus the age")
    func defaultAge() throws {
        let t = try TestWorkspace(config: Self.config + "\nretention: { days: 30 }\n")
        let r = try Self.purge(t, at: "2025-03-31T12:00:00Z", age: nil)
        #expect(r.olderThan == "30d")
        #expect(r.now == "2025-03-31T12:00:00Z")
        #expect(r.cutoff == "2025-03-01T12:00:00Z")
        let h = try Self.purge(t, at: "2025-03-31T12:00:00Z", age: .hours(36))
        #expect(h.cutoff == "2025-03-30T00:00:00Z")
        let plain = try TestWorkspace()
        #expect(Purger(workspace: plain.workspace).age == .days(90), "retention.days defaults to 90")
    }

    @Test("--older-than takes Nd or Nh")
    func parseAge() {
        #expect(Purger.Age.parse("90d") == .days(90))
        #expect(Purger.Age.parse("36h") == .hours(36))
        #expect(Purger.Age.parse("1d")?.seconds == 86_400)
        for bad in ["", "d", "90", "0d", "-1d", "1.5d", "90m", "90 d", "d90", "１０d", "99999999999999999999d"] {
            #expect(Purger.Age.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("a purge never runs beside a run: with the lock held, nothing happens")
    func locked() throws {
        let t = try Self.scenario()
        let before = Self.snapshot(t)
        let ledgerBefore = try Self.dump(t)
        let lock = try RunLock(path: t.workspace.lockPath)
        let outcome = try Purger(workspace: t.workspace, age: .days(1), now: Self.clock(Self.now)).run()
        guard case .locked(let why) = outcome else {
            Issue.record("expected the purge to be locked out")
            return
        }
        #expect(why.contains("run.lock"))
        #expect(Self.snapshot(t) == before)
        #expect(try Self.dump(t) == ledgerBefore)
        withExtendedLifetime(lock) {}
    }

    @Test("an input outside the archive folder and a reports folder that is the workspace are left alone")
    func safety() throws {
        let t = try TestWorkspace(config: Self.config + "\nfolders: { reports: . }\n")
        try t.drop("o.csv", Self.orders([("SO-1", [1])]))
        _ = try t.run(at: "2025-01-10T08:00:00Z")
        try t.drop("dup.csv", Self.orders([("SO-1", [1])]))
        _ = try t.run(at: "2025-01-10T09:00:00Z")
        // Somebody moved the duplicate out of the archive and told the ledger.
        let ledger = try Self.ledger(t)
        try ledger.queue.write { try $0.execute(sql: "UPDATE files SET path = 'failed/dup.csv' WHERE name = 'dup.csv'") }
        try FileManager.default.moveItem(atPath: t.workspace.path("archive/2025/01/10/dup.csv"), toPath: t.workspace.path("failed/dup.csv"))
        try Self.setModified(t.workspace.path("erpwms.yaml"), "2024-01-01T00:00:00Z")

        let r = try Self.purge(t)
        #expect(r.removed.inputs.isEmpty)
        #expect(r.removed.reports.isEmpty)
        #expect(r.ledger.files == 0)
        #expect(r.ledger.keptFiles == 2, "o.csv (its order is open) and dup.csv (outside the archive)")
        #expect(r.warnings.count == 2, "\(r.warnings)")
        #expect(r.warnings.contains { $0.hasPrefix("failed/dup.csv: duplicate input") })
        #expect(r.warnings.contains { $0.contains("reports not purged") })
        #expect(FileManager.default.fileExists(atPath: t.workspace.path("failed/dup.csv")))
        #expect(FileManager.default.fileExists(atPath: t.workspace.path("erpwms.yaml")))
    }

    @Test("a table this purge does not know (a later migration) keeps the files it names")
    func unknownReferences() throws {
        let t = try TestWorkspace(config: Self.config)
        try t.drop("o.csv", Self.orders([("SO-1", [1])]))
        _ = try t.run(at: "2025-01-10T08:00:00Z")
        try t.drop("c.xml", Self.confirmations([("S-1", "SO-1", [(1, 1, nil)])]), channel: "conf")
        _ = try t.run(at: "2025-01-10T09:00:00Z")
        try Self.ledger(t).queue.write { db in
            try db.execute(sql: """
                CREATE TABLE notes (id INTEGER PRIMARY KEY, file_id INTEGER REFERENCES files(id), text TEXT);
                INSERT INTO notes (file_id, text) SELECT id, 'keep me' FROM files WHERE name = 'o.csv';
                INSERT INTO notes (file_id, text) VALUES (NULL, 'about nothing');
                """)
        }
        let r = try Self.purge(t)
        #expect(r.ledger.orders == 1)
        #expect(r.removed.inputs == ["archive/2025/01/10/c.xml"])
        #expect(r.ledger.keptFiles == 1)
        #expect(try Self.strings(t, "SELECT name FROM files") == ["o.csv"])
        #expect(t.tree("archive") == ["2025/01/10/o.csv"])
    }

    @Test("an archived input already gone from disk: its rows go, and it is listed as missing")
    func missingInput() throws {
        let t = try TestWorkspace(config: Self.config)
        try t.drop("o.csv", Self.orders([("SO-1", [1])]))
        _ = try t.run(at: "2025-01-10T08:00:00Z")
        try t.drop("c.xml", Self.confirmations([("S-1", "SO-1", [(1, 1, nil)])]), channel: "conf")
        _ = try t.run(at: "2025-01-10T09:00:00Z")
        try FileManager.default.removeItem(atPath: t.workspace.path("archive/2025/01/10/o.csv"))
        let dry = try Self.purge(t, dryRun: true)
        let r = try Self.purge(t)
        #expect(r.inputsMissing == ["archive/2025/01/10/o.csv"])
        #expect(r.removed.inputs == ["archive/2025/01/10/c.xml"])
        #expect(r.removed.folders == ["archive/2025/01/10", "archive/2025/01", "archive/2025"])
        #expect(r.ledger.files == 2 && r.ledger.orders == 1)
        var d = dry
        d.dryRun = false
        #expect(d == r)
        #expect(t.tree("archive").isEmpty)
        #expect(try Self.ledger(t).rowCounts().values.allSatisfy { $0 == 0 })
    }
}

@Suite("Purge of the other flows")
struct FlowPurgeTests {
    @Test("finished purchase orders, received RMAs, settled cancellations and replaced snapshots go; open ones and the latest stay")
    func purgesFinishedFlows() throws {
        let t = try TestWorkspace(config: FlowScenarioTests.config)
        try t.drop("orders.csv", CSVFixture.file([CSVFixture.row("O-1", line: 1, ["quantity": "2"]), CSVFixture.row("O-2", line: 1)]))
        try t.drop("po.csv", DocCSV.file(.purchaseOrders, [FlowScenarioTests.po("PO-DONE", [(1, "SKU-A", 3)]),
                                                           FlowScenarioTests.po("PO-OPEN", [(1, "SKU-B", 3)])]), channel: "pos")
        try t.drop("cancel.csv", DocCSV.file(.cancellations, [
            (["order_id": "O-9", "reason": "r", "requested_at": "2025-01-02T08:00:00Z"], []),
        ]), channel: "cancel")
        _ = try t.run(at: "2025-01-02T10:00:00Z")
        try t.drop("c.csv", FlowScenarioTests.confHeader + FlowScenarioTests.conf("S1", "O-1", 1, "SKU-1", 2), channel: "conf")
        try t.drop("r.csv", DocCSV.file(.receiptConfirmations, [FlowScenarioTests.receipt("RC-1", "PO-DONE", [(1, "SKU-A", 3, 0)]),
                                                                FlowScenarioTests.receipt("RC-2", "PO-OPEN", [(1, "SKU-B", 1, 0)])]),
                   channel: "receipts")
        for (name, asOf) in [("s1.csv", "2025-01-03T00:00:00Z"), ("s2.csv", "2025-01-04T00:00:00Z")] {
            try t.drop(name, DocCSV.file(.stockSnapshots, [(["warehouse": "WH1", "as_of": asOf], [["sku": "SKU-A", "quantity": "1"]])]),
                       channel: "erp-stock")
        }
        _ = try t.run(at: "2025-01-03T10:00:00Z")
        try t.drop("rma.csv", DocCSV.file(.returnAuthorisations, [
            FlowScenarioTests.rma("RMA-1", "O-1", approved: "2025-01-04T10:00:00Z", [["line_no": "1", "sku": "SKU-1", "quantity": "1"]]),
            FlowScenarioTests.rma("RMA-2", "O-1", type: "exchange", approved: "2025-01-04T10:00:00Z", address: true,
                                  [["line_no": "1", "sku": "SKU-1", "quantity": "1"]]),
        ]), channel: "rmas")
        _ = try t.run(at: "2025-01-04T10:00:00Z")
        try t.drop("ret.csv", DocCSV.file(.returnReceipts, [FlowScenarioTests.returnReceipt("RET-1", "RMA-1", [(1, "SKU-1", 1, "resellable", "restock")])]),
                   channel: "returns")
        _ = try t.run(at: "2025-01-05T10:00:00Z")

        let l = try PurgeTests.purge(t).ledger
        #expect(l.purchaseOrders == 1)
        #expect(l.rmas == 1)
        #expect(l.cancellations == 0, "a cancellation whose order never came is still pending")
        #expect(l.snapshots == 1)
        #expect(try PurgeTests.strings(t, "SELECT po_number FROM purchase_orders") == ["PO-OPEN"])
        #expect(try PurgeTests.strings(t, "SELECT receipt_id FROM receipts") == ["RC-2"])
        #expect(try PurgeTests.strings(t, "SELECT rma_id FROM rmas") == ["RMA-2"])
        #expect(l.addressesErased == 1, "the open exchange's ship-to is past retention")
        #expect(try PurgeTests.strings(t, "SELECT COALESCE(ship_to, 'erased') FROM rmas") == ["erased"])
        // Its parcel arrives after all: accepted, no replacement (no address), said loudly.
        try t.drop("late.csv", DocCSV.file(.returnReceipts, [FlowScenarioTests.returnReceipt("RET-2", "RMA-2", [(1, "SKU-1", 1, "resellable", "restock")])]),
                   channel: "returns")
        let late = try t.run(at: "2025-05-02T10:00:00Z")
        #expect(late.findingsByRule["return-receipt.replacement-without-address"] == 1)
        #expect(!t.outboxXML.contains("RMA-2-R1"))
        #expect(try PurgeTests.strings(t, "SELECT rma_id FROM refunds").isEmpty)
        #expect(try PurgeTests.strings(t, "SELECT as_of FROM snapshots") == ["2025-01-04T00:00:00Z"], "the latest stays")
        #expect(try PurgeTests.strings(t, "SELECT CAST(COUNT(*) AS TEXT) FROM snapshot_lines") == ["1"])
    }
}
