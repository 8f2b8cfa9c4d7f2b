import Foundation
import GRDB
import Testing
@testable import ERPWMSEngine

/// A ledger is migrated in one transaction (GRDB's merged migration) however many of the schema's steps it lacks;
/// the schema must be the one the steps give one migration at a time, as ledgers were migrated before.
@Suite("Ledger migrations")
struct MigrationTests {
    /// Every table, index, view and trigger with its SQL, and the migrations the ledger records as applied.
    func schema(_ path: String) throws -> (objects: [String], applied: [String]) {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            (try String.fetchAll(db, sql: """
                SELECT type || ' ' || name || ' on ' || tbl_name || ': ' || COALESCE(sql, '') FROM sqlite_master
                WHERE name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY type, name
                """),
             try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier"))
        }
    }

    /// The SQL of every table, index and view, in the order they were made, as one script.
    func script(_ path: String) throws -> String {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            try String.fetchAll(db, sql: """
                SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                ORDER BY rowid
                """).map { $0 + ";\n" }.joined()
        }
    }

    /// A ledger migrated one step at a time, up to `step` (all of them when nil).
    func stepwise(upTo step: String? = nil) throws -> String {
        let path = try Scratch.directory("stepwise-") + "/ledger.sqlite"
        let queue = try DatabaseQueue(path: path)
        if let step { try SQLiteLedger.stepwiseMigrator.migrate(queue, upTo: step) } else { try SQLiteLedger.stepwiseMigrator.migrate(queue) }
        return path
    }

    func opened(_ path: String) throws -> String {
        _ = try SQLiteLedger(path: path)
        return path
    }

    var lastStep: String { SQLiteLedger.migrationSteps.steps.last!.id }

    @Test("a new ledger has the schema of the steps applied one by one, and records the last step only")
    func newLedger() throws {
        let merged = try schema(opened(Scratch.directory("merged-") + "/ledger.sqlite"))
        let stepsPath = try stepwise()
        let steps = try schema(stepsPath)
        #expect(merged.objects.count > 20)
        // A new ledger runs `LedgerSchema.current`, not the steps: when a step is added, that script is to be the
        // steps' schema, which this prints.
        let stepsScript = try script(stepsPath)
        #expect(merged.objects == steps.objects, "LedgerSchema.current should be, in order:\n\(stepsScript)")
        #expect(merged.applied == [lastStep])
        #expect(steps.applied.count == SQLiteLedger.migrationSteps.steps.count)
    }

    @Test("a ledger that applied some steps, one migration each, gets the rest in one and the same schema",
          arguments: ["v1", "v5-customer-pseudonym", "v8-lean-instructions", "v10-files-size"])
    func partlyMigrated(step: String) throws {
        let upgraded = try schema(opened(stepwise(upTo: step)))
        let steps = try schema(stepwise())
        #expect(upgraded.objects == steps.objects)
        #expect(upgraded.applied == [lastStep])
    }

    @Test("a ledger that applied every step keeps its schema; only the merged steps' records go")
    func fullyMigrated() throws {
        let path = try stepwise()
        let before = try schema(path)
        let after = try schema(opened(path))
        #expect(after.objects == before.objects)
        #expect(after.applied == [lastStep])
        // Opened again: nothing left to do.
        #expect(try schema(opened(path)) == after)
    }
}
