import Foundation
import GRDB
import Logging
import Testing
import ERPWMSCore
@testable import ERPWMSEngine

/// The end of a run (`SQLiteLedger.finishRun`): the WAL is truncated when the run overwrote or erased personal data,
/// and kept for the next run to write over otherwise.
@Suite("The WAL at the end of a run")
struct RunEndWALTests {
    func workspace() throws -> TestWorkspace {
        try TestWorkspace(config: """
        version: 1
        channels:
          orders: { pickup: { min_age_seconds: 0 } }
        routing: { default_warehouse: WH1 }
        """)
    }

    func walSize(_ ledgerPath: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: ledgerPath + "-wal"))?[.size] as? Int
    }

    func orderCount(_ ledger: SQLiteLedger) throws -> Int {
        try ledger.queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders") ?? -1 }
    }

    @Test("a run that only adds keeps the WAL, and the next opening reads the ledger whole from it and the database")
    func keptAfterARunThatOnlyAdds() throws {
        let t = try workspace()
        try t.drop("a.csv", CSVFixture.file((1...40).map { CSVFixture.row("SO\($0)") }))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        guard case .completed(let first) = try Engine.run(workspace: t.workspace, logger: logger) else {
            Issue.record("locked")
            return
        }
        #expect(first.ordersAccepted == 40)
        // The ledger is closed: its WAL is there, at the size its file's transaction gave it.
        let kept = try #require(walSize(t.workspace.ledgerPath))
        #expect(kept > 32768)
        // The same orders again and one more: the ledger (database and kept WAL) knows the forty.
        try t.drop("b.csv", CSVFixture.file((1...41).map { CSVFixture.row("SO\($0)") }))
        guard case .completed(let second) = try Engine.run(workspace: t.workspace, logger: logger) else {
            Issue.record("locked")
            return
        }
        #expect(second.ordersDuplicate == 40 && second.ordersAccepted == 1)
        #expect(walSize(t.workspace.ledgerPath) == kept, "written over, not grown")
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        #expect(try orderCount(ledger) == 41)
        #expect(try ledger.queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        #expect(try ledger.queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs") } == 2)
    }

    @Test("personal data overwritten or erased in a committed transaction: the WAL is truncated; in a rolled-back one: kept",
          arguments: [
            "UPDATE orders SET customer = 'p2' WHERE order_id = 'SO1'",
            "DELETE FROM orders WHERE order_id = 'SO1'",
            "UPDATE rmas SET ship_to = NULL WHERE rma_id = 'R1'",
            "UPDATE rmas SET ship_to = 'elsewhere' WHERE rma_id = 'R1'",
            "DELETE FROM rmas WHERE rma_id = 'R1'",
          ])
    func truncatedWhenForgetting(change: String) throws {
        let t = try workspace()
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2")]))
        _ = try t.run()
        let path = t.workspace.ledgerPath
        func ledger(_ setUp: String) throws -> SQLiteLedger {
            let l = try SQLiteLedger(path: path)
            try l.queue.write { db in try db.execute(sql: setUp) }
            try l.watchForForgetting()
            return l
        }
        let setUp = """
            UPDATE orders SET customer = 'p1' WHERE order_id = 'SO1';
            INSERT OR REPLACE INTO rmas (rma_id, order_id, type, reason, approved_at, refund_method, status, content_hash, currency,
                                         warehouse, ship_to, file_id, instructed_at)
            VALUES ('R1', 'SO1', 'exchange', 'size', '2026-11-29', 'none', 'approved', 'h', 'EUR', 'WH1', 'Somewhere 1',
                    (SELECT MIN(id) FROM files), '2026-11-29');
            """
        // What is not personal data, or stays as it was: kept.
        let same = try ledger(setUp)
        try same.queue.write { db in
            try db.execute(sql: "UPDATE orders SET status = 'confirmed' WHERE order_id = 'SO1'")
            try db.execute(sql: "UPDATE orders SET customer = 'p1' WHERE order_id = 'SO1'")
            try db.execute(sql: "UPDATE rmas SET status = 'received', ship_to = 'Somewhere 1' WHERE rma_id = 'R1'")
            try db.execute(sql: "DELETE FROM orders WHERE order_id = 'SO2'")  // no customer
        }
        try same.finishRun {}
        #expect((walSize(path) ?? 0) > 0, "kept")
        // Rolled back: kept.
        let rolledBack = try ledger(setUp)
        #expect(throws: (any Error).self) {
            try rolledBack.queue.write { db in
                try db.execute(sql: change)
                throw DatabaseError(message: "rolled back")
            }
        }
        try rolledBack.finishRun {}
        #expect((walSize(path) ?? 0) > 0, "kept")
        // Committed: truncated, after the run's own row.
        let forgetting = try ledger(setUp)
        try forgetting.queue.write { db in try db.execute(sql: change) }
        var recorded = false
        try forgetting.finishRun { recorded = true }
        #expect(recorded)
        #expect(walSize(path) == 0, "truncated")
    }
}
