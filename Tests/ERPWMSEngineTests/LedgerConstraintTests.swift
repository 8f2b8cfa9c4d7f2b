import Foundation
import GRDB
import GRDBSQLite
import Testing
import ERPWMSCore
@testable import ERPWMSEngine

/// The buffered multi-row inserts say `INSERT OR FAIL` (no statement journal where no foreign key needs one); a
/// broken row must still fail the whole transaction and leave nothing behind.
@Suite("Ledger constraints with buffered inserts")
struct LedgerConstraintTests {
    func ledgerWithOneFile() throws -> (SQLiteLedger, Int64) {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          orders: { pickup: { min_age_seconds: 0 } }
        routing: { default_warehouse: WH1 }
        """)
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1")]))
        _ = try t.run()
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        let file = try #require(try ledger.file(named: "a.csv"))
        return (ledger, file.id)
    }

    /// Records an instruction of order `id` (version 2, replace, WH1) for `fileId`: a buffered row (a first
    /// version is its order's row, ledger migration v11).
    func instruct(_ tx: LedgerTransaction, _ id: String, fileId: Int64) throws {
        try tx.recordInstruction(orderId: id, version: 2, action: "replace", warehouse: "WH1", fileId: fileId)
    }

    /// Runs `body` in a transaction that must fail, and checks that it left no instruction behind.
    func expectNothingKept(_ ledger: SQLiteLedger, sourceLocation: Testing.SourceLocation = #_sourceLocation,
                           _ body: (LedgerTransaction) throws -> Void) throws {
        let before = try instructionCount(ledger)
        #expect(throws: (any Error).self, sourceLocation: sourceLocation) { try ledger.inTransaction { tx in try body(tx) } }
        #expect(try instructionCount(ledger) == before, sourceLocation: sourceLocation)
    }

    @Test("the ledger runs on the SQLite built into the executable (Sources/CSQLite), not the system's library")
    func vendoredSQLite() throws {
        let (ledger, _) = try ledgerWithOneFile()
        let (version, options) = try ledger.queue.read { db in
            (try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "",
             try String.fetchAll(db, sql: "PRAGMA compile_options"))
        }
        // Debian 12's shared library is 3.40.1, with load_extension, lookaside off and memory statistics on.
        #expect(version == "3.54.1")
        #expect(options.contains("OMIT_LOAD_EXTENSION"))
        #expect(options.contains("DEFAULT_MEMSTATUS=0"))
        #expect(!options.contains("OMIT_LOOKASIDE"))
        #expect(options.contains("ENABLE_QPSG"))
    }

    @Test("a per-order query is prepared once, not again for every value bound to it (the confirmations' shipped look-up)")
    func notPreparedAgainPerValue() throws {
        let (ledger, _) = try ledgerWithOneFile()
        let reprepared: Int32 = try ledger.queue.read { db in
            let statement = try db.makeStatement(sql: SQLiteLedgerTransaction.shippedSQL)
            for id in ["SO1", "SO2", "SO3", "SO1"] {
                try Row.fetchAll(statement, arguments: [id])
            }
            return sqlite3_stmt_status(statement.sqliteStatement, SQLITE_STMTSTATUS_REPREPARE, 0)
        }
        // SQLite 3.54 without the query planner stability guarantee: 3 (once per new value).
        #expect(reprepared == 0)
    }

    @Test("the report's four walks read a table or a covering index end to end: no look-up, no sort")
    func reportWalksWithoutLookups() throws {
        let (ledger, _) = try ledgerWithOneFile()
        let plans: [String: [String]] = try ledger.queue.read { db in
            var plans: [String: [String]] = [:]
            for (name, sql) in [("orders", SQLiteLedger.reconOrdersSQL), ("lines", SQLiteLedger.reconLinesSQL),
                                ("shipments", SQLiteLedger.reconShipmentsSQL), ("shipped", SQLiteLedger.reconShippedSQL)] {
                plans[name] = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: sql.contains("?") ? ["9999"] : [])
                    .map { $0["detail"] as String }
            }
            return plans
        }
        for (name, details) in plans {
            #expect(details.count == 1, "\(name): \(details)")
            #expect(details.allSatisfy { $0.hasPrefix("SCAN ") && !$0.contains("TEMP B-TREE") }, "\(name): \(details)")
        }
        // The shipments and their lines through the indexes of migration v12 (through the ones before, every row was
        // looked up in its table).
        #expect(plans["shipments"] == ["SCAN shipments USING COVERING INDEX shipments_order"])
        #expect(plans["shipped"] == ["SCAN shipment_lines USING COVERING INDEX shipment_lines_order"])
    }

    func instructionCount(_ ledger: SQLiteLedger) throws -> Int {
        try ledger.queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM instructions") ?? -1 }
    }

    @Test("an instruction for a file the ledger does not know fails the transaction")
    func foreignKeyAtCommit() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        let before = try instructionCount(ledger)
        try expectNothingKept(ledger) { tx in
            try instruct(tx, "SO9", fileId: fileId)
            try instruct(tx, "SO8", fileId: fileId + 1000)
        }
        // The next transaction commits a good row.
        try ledger.inTransaction { tx in
            try instruct(tx, "SO9", fileId: fileId)
        }
        #expect(try instructionCount(ledger) == before + 1)
    }

    @Test("a file's transaction checks its rows' file itself, and foreign keys are back on after it")
    func fileTransactionScope() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        let before = try instructionCount(ledger)
        // A row of another file (here one the ledger does not know): the transaction fails and keeps nothing.
        #expect(throws: FileScope.Violation.self) {
            try ledger.inFileTransaction(fileId: fileId) { tx in
                try instruct(tx, "SO9", fileId: fileId)
                try instruct(tx, "SO8", fileId: fileId + 1000)
            }
        }
        #expect(throws: FileScope.Violation.self) {
            try ledger.inFileTransaction(fileId: fileId) { tx in
                try tx.recordFindings([Finding(rule: "r", message: "m", file: "a.csv")], fileId: fileId + 1000)
            }
        }
        // A transaction for a file the ledger does not know does not begin.
        #expect(throws: FileScope.Violation.self) {
            try ledger.inFileTransaction(fileId: fileId + 1000) { tx in try instruct(tx, "SO7", fileId: fileId + 1000) }
        }
        #expect(try instructionCount(ledger) == before)
        #expect(try ledger.queue.read { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") } == true)
        // Its own file's rows commit, and outside it SQLite checks the foreign keys again.
        try ledger.inFileTransaction(fileId: fileId) { tx in try instruct(tx, "SO9", fileId: fileId) }
        #expect(try instructionCount(ledger) == before + 1)
        #expect(try ledger.queue.read { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") } == true)
        try expectNothingKept(ledger) { tx in try instruct(tx, "SO6", fileId: fileId + 1000) }
    }

    @Test("the flow ledger's own statements: rows read back as written, nothing where there is no row, and a statement that failed runs again")
    func flowStatements() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        func item(_ values: [String: String]) throws -> Item {
            try #require(Item.validate(RawDocument(location: SourceLocation(line: 2, record: 1), values: values), file: "i.csv").0)
        }
        func cancellation(_ id: String) throws -> Cancellation {
            try #require(Cancellation.validate(RawDocument(location: SourceLocation(line: 2, record: 1), values: [
                "order_id": id, "reason": "customer_request", "requested_at": "2025-03-01T09:10:00+01:00",
            ]), file: "c.csv").0)
        }
        try ledger.inTransaction { tx in
            let flows = try tx.flows()
            #expect(try flows.item("SKU-1") == nil)
            #expect(try flows.itemUOM("SKU-1") == nil)
            #expect(try !flows.hasCancellations())
            let first = try item(["sku": "SKU-1", "description": "Tea", "uom": "EA"])
            let second = try item(["sku": "SKU-1", "description": "Tea, 250 g", "uom": "bx"])
            try flows.saveItem(first, version: 1, fileId: fileId, at: "2025-03-01T10:00:00Z")
            try flows.saveItem(second, version: 2, fileId: fileId, at: "2025-03-02T10:00:00Z")
            let known = try #require(try flows.item("SKU-1"))
            #expect(known.version == 2 && known.contentHash == second.contentHash && known.contentHash != first.contentHash)
            #expect(try flows.itemUOM("SKU-1") == "BX")
            #expect(try flows.knowsSKU("SKU-1") && !flows.knowsSKU("SKU-2"))

            // The second record of one order breaks the primary key: SQLite's error comes back, and the same
            // statement, reset, records the next order.
            try flows.saveCancellation(try cancellation("SO1"), status: "pending", fileId: fileId, at: "2025-03-01T10:00:00Z")
            let error = try #require(throws: DatabaseError.self) {
                try flows.saveCancellation(try cancellation("SO1"), status: "pending", fileId: fileId, at: "2025-03-01T10:00:00Z")
            }
            #expect(error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY)
            try flows.saveCancellation(try cancellation("SO2"), status: "pending", fileId: fileId, at: "2025-03-01T10:00:00Z")
            #expect(try flows.cancellation("SO2")?.status == "pending")
            #expect(try flows.cancellation("SO3") == nil)
            #expect(try flows.hasCancellations())

            // Several rows, in the query's order.
            let location = SourceLocation(line: 2, record: 1)
            let po = try #require(PurchaseOrder.validate(RawDocument(
                location: location,
                values: ["po_number": "PO-1", "supplier": "SUP-1", "expected_date": "2025-03-04", "warehouse": "WH1"],
                lines: [3, 1, 2].map { RawDocument.Line(location: location, values: [
                    "line_no": String($0), "sku": "SKU-\($0)", "quantity": String($0 * 10), "uom": "EA"]) }),
                file: "po.csv").0)
            try flows.savePurchaseOrder(po, version: 1, fileId: fileId, at: "2025-03-01T10:00:00Z")
            #expect(try flows.purchaseOrderLines("PO-1") == [1, 2, 3].map {
                PurchaseOrder.Line(lineNo: $0, sku: "SKU-\($0)", quantity: $0 * 10, uom: "EA")
            })
            #expect(try flows.purchaseOrder("PO-1")?.version == 1)
        }

        // A value the ledger should not hold (edited by hand) is an error naming the column and the statement, not a
        // crash, and not the value.
        try ledger.queue.write { db in try db.execute(sql: "UPDATE items SET version = 'v2 of Anna' WHERE sku = 'SKU-1'") }
        try ledger.inTransaction { tx in
            let error = try #require(throws: DatabaseError.self) { try tx.flows().item("SKU-1") }
            #expect(error.resultCode == .SQLITE_MISMATCH)
            #expect(error.sql?.contains("FROM items") == true)
            #expect(!error.description.contains("Anna"))
        }
    }

    @Test("a duplicate row in a buffered insert fails the transaction and keeps none of its rows")
    func duplicateInBuffer() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        try expectNothingKept(ledger) { tx in
            for n in 1...5 { try instruct(tx, "SO\(100 + n)", fileId: fileId) }
            try instruct(tx, "SO101", fileId: fileId)
        }
    }

    static func order(_ id: String, lineNo: Int) -> Order {
        let shipTo = Address(name: "N", company: "", lines: ["Street 1"], city: "City", region: "", postcode: "12345", country: "DE",
                             phone: "", email: "")
        let line = OrderLine(lineNo: lineNo, sku: "SKU-1", wmsItem: "SKU-1", description: "", quantity: 1, uom: "EA",
                             unitPrice: Money(minorUnits: 100, scale: 2), taxRate: nil, hsCode: "", originCountry: "")
        return Order(id: id, orderDate: "2026-11-29T00:00:00Z", store: "", customerId: "", shipTo: shipTo, currency: "EUR",
                     paymentMethod: "card", codAmount: nil, carrierService: "DHL", requestedWarehouse: "", priority: "normal",
                     giftNote: "", customs: Customs(), lines: [line])
    }

    @Test("a first version is a plain insert; an order the ledger has already cannot get a first version again")
    func firstVersionOverExistingRow() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        try ledger.inTransaction { tx in
            try tx.saveOrder(Self.order("SO2", lineNo: 1), version: 1, contentHash: "h-new", warehouse: "WH1", fileId: fileId,
                             at: "2026-11-29T01:00:00Z", customer: "")
        }
        // SO1 is in the ledger already (from a.csv): its first version is its row and stays; the transaction fails.
        #expect(throws: DatabaseError.self) {
            try ledger.inTransaction { tx in
                try tx.saveOrder(Self.order("SO1", lineNo: 7), version: 1, contentHash: "h-again", warehouse: "WH1", fileId: fileId,
                                 at: "2026-11-29T01:00:00Z", customer: "")
            }
        }
        let rows = try ledger.queue.read { db in
            try String.fetchAll(db, sql: """
                SELECT order_id || ':' || (CASE WHEN typeof(content_hash) = 'text' THEN content_hash ELSE 'sha' END)
                FROM orders WHERE order_id IN ('SO1', 'SO2') ORDER BY order_id
                """)
        }
        #expect(rows == ["SO1:sha", "SO2:h-new"])
        let lines = try ledger.queue.read { db in
            try String.fetchAll(db, sql: "SELECT order_id || ':' || line_no FROM order_lines WHERE order_id IN ('SO1', 'SO2') ORDER BY 1")
        }
        #expect(lines == ["SO1:1", "SO2:1"])
    }

    @Test("saveNewOrder stores an unknown order and leaves a known one untouched, in a transaction and in a dry run")
    func saveNewOrder() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        func save(_ tx: LedgerTransaction, _ id: String, lineNo: Int = 1, hash: String) throws -> Bool {
            try tx.saveNewOrder(Self.order(id, lineNo: lineNo), contentHash: hash, warehouse: "WH1", fileId: fileId,
                                at: "2026-11-29T01:00:00Z", customer: "")
        }
        let before = try ledger.queue.read { db in try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE order_id = 'SO1'") }
        var answers: [Bool] = []
        var stored: String?
        try ledger.inTransaction { tx in
            answers.append(try save(tx, "SO3", hash: "h3"))
            // Known: nothing written, and the transaction goes on (SO4 below commits with it).
            answers.append(try save(tx, "SO1", lineNo: 9, hash: "other"))
            answers.append(try save(tx, "SO3", lineNo: 2, hash: "h3b"))
            stored = try tx.order("SO3")?.contentHash
            answers.append(try save(tx, "SO4", hash: "h4"))
        }
        #expect(answers == [true, false, false, true])
        #expect(stored == "h3")
        let after = try ledger.queue.read { db in try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE order_id = 'SO1'") }
        #expect(after == before)
        let lines = try ledger.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT order_id, line_no FROM order_lines WHERE order_id IN ('SO1', 'SO3', 'SO4') ORDER BY 1, 2")
        }
        #expect(lines.map { "\($0["order_id"] as String)/\($0["line_no"] as Int)" } == ["SO1/1", "SO3/1", "SO4/1"])
        // A dry run answers the same from its overlay and writes nothing.
        let planned = try ledger.planning { tx in [try save(tx, "SO4", hash: "x"), try save(tx, "SO5", hash: "h5"), try save(tx, "SO5", hash: "h5")] }
        #expect(planned == [false, true, false])
        #expect(try ledger.queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders WHERE order_id = 'SO5'") } == 0)
    }

    @Test("a line stores its WMS item only when aliased, and an order its first instruction time only once replaced")
    func leanRows() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        var order = Self.order("SO2", lineNo: 1)
        order.lines.append(OrderLine(lineNo: 2, sku: "SKU-2", wmsItem: "ITEM-9", description: "", quantity: 3, uom: "EA",
                                     unitPrice: Money(minorUnits: 250, scale: 2), taxRate: nil, hsCode: "", originCountry: ""))
        func save(version: Int, at time: String) throws {
            try ledger.inTransaction { tx in
                try tx.saveOrder(order, version: version, contentHash: "h\(version)", warehouse: "WH1", fileId: fileId, at: time,
                                 customer: "")
            }
        }
        func stored() throws -> (items: [String], first: String?, last: String?) {
            try ledger.queue.read { db in
                let items = try String.fetchAll(db, sql: "SELECT wms_item FROM order_lines WHERE order_id = 'SO2' ORDER BY line_no")
                let row = try #require(try Row.fetchOne(db, sql: "SELECT first_instructed_at, instructed_at FROM orders WHERE order_id = 'SO2'"))
                return (items, row[0], row[1])
            }
        }
        func recon(asOf: String) throws -> ReconRecord? {
            var found: ReconRecord?
            try ledger.forEachReconRecord(asOf: asOf) { if $0.orderId == "SO2" { found = $0 } }
            return found
        }

        try save(version: 1, at: "2026-11-29T01:00:00Z")
        var s = try stored()
        #expect(s.items == ["", "ITEM-9"])
        #expect(s.first == nil && s.last == "2026-11-29T01:00:00Z")
        let lines = try ledger.inTransaction { tx in try tx.orderLines("SO2") }
        #expect(lines?.map(\.sku) == ["SKU-1", "ITEM-9"])
        #expect(try recon(asOf: "2026-11-29T00:59:59Z") == nil)
        #expect(try recon(asOf: "2026-11-29T01:00:00Z")?.firstInstructedAt == "2026-11-29T01:00:00Z")
        #expect(try recon(asOf: "2026-11-29T01:00:00Z")?.lines.map(\.sku) == ["SKU-1", "ITEM-9"])

        // Replaced twice: the first time stays.
        try save(version: 2, at: "2026-11-29T02:00:00Z")
        try save(version: 3, at: "2026-11-29T03:00:00Z")
        s = try stored()
        #expect(s.first == "2026-11-29T01:00:00Z" && s.last == "2026-11-29T03:00:00Z")
        #expect(try recon(asOf: "2026-11-29T03:00:00Z")?.firstInstructedAt == "2026-11-29T01:00:00Z")
        #expect(try recon(asOf: "2026-11-29T03:00:00Z")?.lines.map(\.sku) == ["SKU-1", "ITEM-9"])

        // A row written before these conventions (both times, the item in every line) reads the same.
        try ledger.queue.write { db in
            try db.execute(sql: "UPDATE order_lines SET wms_item = sku WHERE order_id = 'SO2' AND wms_item = ''")
        }
        #expect(try ledger.inTransaction { tx in try tx.orderLines("SO2") }?.map(\.sku) == ["SKU-1", "ITEM-9"])
        #expect(try recon(asOf: "2026-11-29T03:00:00Z")?.lines.map(\.sku) == ["SKU-1", "ITEM-9"])
    }

    @Test("an order's content hash is kept as its 32 bytes and read back as hex; an older hex row reads the same")
    func contentHashBytes() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        let hash = ContentHash.sha256("SO5")
        try ledger.inTransaction { tx in
            _ = try tx.saveNewOrder(Self.order("SO5", lineNo: 1), contentHash: hash, warehouse: "WH1", fileId: fileId,
                                    at: "2026-11-29T01:00:00Z", customer: "")
        }
        func stored() throws -> (type: String, bytes: Int) {
            try ledger.queue.read { db in
                let row = try #require(try Row.fetchOne(db, sql: "SELECT typeof(content_hash), length(CAST(content_hash AS BLOB)) FROM orders WHERE order_id = 'SO5'"))
                return (row[0], row[1])
            }
        }
        #expect(try stored() == ("blob", 32))
        #expect(try ledger.inTransaction { tx in try tx.order("SO5")?.contentHash } == hash)
        // The file's own orders went the same way (the pipeline's hashes), and read back as the hex.
        let so1 = try ledger.inTransaction { tx in try tx.order("SO1")?.contentHash }
        #expect(so1?.utf8.count == 64 && so1?.allSatisfy(\.isHexDigit) == true)
        // Written before: the hex as text.
        try ledger.queue.write { db in
            try db.execute(sql: "UPDATE orders SET content_hash = ? WHERE order_id = 'SO5'", arguments: [hash])
        }
        #expect(try stored() == ("text", 64))
        #expect(try ledger.inTransaction { tx in try tx.order("SO5")?.contentHash } == hash)
        // 64 characters that are not lower-case hex stay text, as they are, and the values after them keep their
        // places (the order's warehouse is bound next).
        let odd = String(hash.uppercased().dropLast()) + "g"
        try ledger.inTransaction { tx in
            _ = try tx.saveNewOrder(Self.order("SO6", lineNo: 1), contentHash: odd, warehouse: "WH6", fileId: fileId,
                                    at: "2026-11-29T01:00:00Z", customer: "")
        }
        let known = try ledger.inTransaction { tx in try tx.order("SO6") }
        #expect(known?.contentHash == odd)
        #expect(known?.warehouse == "WH6")
    }

    @Test("pages written ahead of the commit are committed with it, or rolled back with it")
    func writeAhead() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        let before = try instructionCount(ledger)
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try ledger.inFileTransaction(fileId: fileId) { tx in
                for n in 0..<5000 { try instruct(tx, "W\(n)", fileId: fileId) }
                try tx.writeAhead()
                throw Stop()
            }
        }
        #expect(try instructionCount(ledger) == before)
        try ledger.inFileTransaction(fileId: fileId) { tx in
            for n in 0..<5000 { try instruct(tx, "W\(n)", fileId: fileId) }
            try tx.writeAhead()
            try instruct(tx, "W-last", fileId: fileId)
        }
        #expect(try instructionCount(ledger) == before + 5001)
    }

    func pragma(_ ledger: SQLiteLedger, _ name: String) throws -> Int? {
        try ledger.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    @Test("a large file's transaction is checkpointed beside what follows it, and the next one writes the WAL from its start")
    func backgroundCheckpoint() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        let before = try instructionCount(ledger)
        func walSize() -> Int { (try? FileManager.default.attributesOfItem(atPath: ledger.path + "-wal")[.size] as? Int) ?? 0 }
        func pragma(_ name: String) throws -> Int? { try self.pragma(ledger, name) }
        func file(_ prefix: String) throws {
            // More pages than `backgroundCheckpointPages` (120,000 instructions were not).
            try ledger.inFileTransaction(fileId: fileId) { tx in
                for n in 0..<200_000 { try instruct(tx, "\(prefix)\(n)", fileId: fileId) }
            }
            // What the runner writes while the checkpoint runs (publishing, archiving): this connection does not
            // checkpoint meanwhile.
            #expect(try pragma("wal_autocheckpoint") == 0)
            try ledger.setStatus(fileId: fileId, .archived, path: "archive/a.csv", at: "2026-11-29T00:00:00Z", attempt: nil)
        }
        try file("A")
        let first = walSize()
        #expect(first > 32768 * 20)
        // The second file's pages go over the first's, copied by then: the WAL does not grow file after file.
        try file("B")
        #expect(walSize() < first + first / 2)
        try ledger.checkpoint()
        #expect(walSize() == 0)
        #expect(try pragma("wal_autocheckpoint") == 1000)
        #expect(try instructionCount(ledger) == before + 400_000)
    }

    @Test("a small file's transaction leaves checkpoints to SQLite, as any other commit")
    func smallFileCheckpoint() throws {
        let (ledger, fileId) = try ledgerWithOneFile()
        try ledger.inFileTransaction(fileId: fileId) { tx in
            for n in 0..<100 { try instruct(tx, "S\(n)", fileId: fileId) }
        }
        #expect(try pragma(ledger, "wal_autocheckpoint") == 1000)
        #expect(try pragma(ledger, "foreign_keys") == 1)
    }

    @Test("a ledger's migrations commit without syncing; its connection syncs every commit after them")
    func synchronousAfterMigrations() throws {
        let (ledger, _) = try ledgerWithOneFile()
        #expect(try ledger.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)  // FULL
    }

    @Test("statement journals stay in memory up to 128 KiB: the SQLite the ledger runs on is built so")
    func statementJournal() throws {
        let (ledger, _) = try ledgerWithOneFile()
        // A compile-time option (Package.swift), whatever connection the process opened first.
        let options = try ledger.queue.read { db in try String.fetchAll(db, sql: "PRAGMA compile_options") }
        #expect(options.contains("STMTJRNL_SPILL=131072"), "\(options)")
    }

    @Test("a statement whose journal passes what stays in memory goes on in a temporary file and succeeds")
    func statementJournalSpills() throws {
        let (ledger, _) = try ledgerWithOneFile()
        try ledger.queue.write { db in
            try db.execute(sql: "CREATE TABLE big (k TEXT NOT NULL)")
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
                INSERT INTO big SELECT printf('%050d', i) || hex(randomblob(20)) FROM n
                """)
            try db.execute(sql: "CREATE INDEX big_k ON big(k)")
        }
        // Dropped inside a transaction, the index's pages are overwritten (secure_delete) and the statement's journal
        // holds all of them, several MiB. With 256 KiB or more kept in memory, SQLite failed it: database or disk is full.
        try ledger.queue.inTransaction { db in
            try db.execute(sql: "DROP INDEX big_k")
            return .commit
        }
        #expect(try ledger.queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name = 'big_k'")
        } == 0)
    }

    @Test("a new ledger has 32 KiB pages and an existing one keeps its page size")
    func pageSize() throws {
        let dir = try Scratch.directory("pages-")
        let fresh = try SQLiteLedger(path: dir + "/new.sqlite")
        #expect(try fresh.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 32768)
        // A ledger made by an earlier version, with SQLite's default 4 KiB pages.
        let oldPath = dir + "/old.sqlite"
        let old = try DatabaseQueue(path: oldPath)
        try old.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA page_size = 4096")
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE t (x)")
        }
        try old.close()
        let reopened = try SQLiteLedger(path: oldPath)
        #expect(try reopened.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 4096)
        #expect(try reopened.files(status: nil).isEmpty)
    }
}
