import ERPWMSCore
import GRDB
import GRDBSQLite

extension SQLiteLedger {
    /// Runs `body` in a transaction that is always rolled back: a dry run of the flows that have no overlay.
    public func rehearsing<T>(_ body: (LedgerTransaction) throws -> T) throws -> T {
        var result: T?
        try queue.inTransaction(.deferred) { db in
            // What a rehearsal records references no real file: foreign keys are checked at commit, which never comes.
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            result = try body(SQLiteLedgerTransaction(db: db))
            return .rollback
        }
        return result!
    }

    /// Tables of the flows besides sales orders and shipments (v6).
    static func registerFlowMigrations(_ m: inout MigrationSteps) {
        m.registerMigration("v6-flows") { db in
            try db.execute(sql: """
                CREATE TABLE items (
                    sku TEXT PRIMARY KEY,
                    version INTEGER NOT NULL,
                    content_hash TEXT NOT NULL,
                    uom TEXT NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    updated_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE cancellations (
                    order_id TEXT PRIMARY KEY,
                    reason TEXT NOT NULL,
                    requested_at TEXT NOT NULL,
                    status TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    recorded_at TEXT NOT NULL,
                    answered_at TEXT
                ) WITHOUT ROWID;
                CREATE TABLE purchase_orders (
                    po_number TEXT PRIMARY KEY,
                    version INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    supplier TEXT NOT NULL,
                    expected_date TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    instructed_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE po_lines (
                    po_number TEXT NOT NULL,
                    line_no INTEGER NOT NULL,
                    sku TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    uom TEXT NOT NULL,
                    PRIMARY KEY (po_number, line_no)
                ) WITHOUT ROWID;
                CREATE TABLE receipts (
                    receipt_id TEXT PRIMARY KEY,
                    po_number TEXT NOT NULL,
                    receipt_date TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    known_po INTEGER NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    recorded_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE receipt_lines (
                    receipt_id TEXT NOT NULL,
                    po_number TEXT NOT NULL,
                    line_no INTEGER NOT NULL,
                    sku TEXT NOT NULL,
                    received INTEGER NOT NULL,
                    damaged INTEGER NOT NULL,
                    lot TEXT NOT NULL,
                    PRIMARY KEY (receipt_id, line_no)
                ) WITHOUT ROWID;
                CREATE INDEX receipt_lines_po ON receipt_lines(po_number, line_no);
                CREATE TABLE rmas (
                    rma_id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    approved_at TEXT NOT NULL,
                    refund_method TEXT NOT NULL,
                    status TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    ship_to TEXT,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    instructed_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX rmas_order ON rmas(order_id);
                CREATE TABLE rma_lines (
                    rma_id TEXT NOT NULL,
                    line_no INTEGER NOT NULL,
                    order_id TEXT NOT NULL,
                    order_line_no INTEGER NOT NULL,
                    sku TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    replacement_sku TEXT NOT NULL,
                    replacement_quantity INTEGER NOT NULL,
                    unit_price_minor INTEGER NOT NULL,
                    tax_rate TEXT,
                    PRIMARY KEY (rma_id, line_no)
                ) WITHOUT ROWID;
                CREATE INDEX rma_lines_order ON rma_lines(order_id, order_line_no);
                CREATE TABLE return_receipts (
                    receipt_id TEXT PRIMARY KEY,
                    rma_id TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    known_rma INTEGER NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    recorded_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE return_lines (
                    receipt_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    rma_id TEXT NOT NULL,
                    line_no INTEGER NOT NULL,
                    sku TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    inspection TEXT NOT NULL,
                    disposition TEXT,
                    PRIMARY KEY (receipt_id, seq)
                ) WITHOUT ROWID;
                CREATE INDEX return_lines_rma ON return_lines(rma_id, line_no);
                CREATE TABLE refunds (
                    receipt_id TEXT PRIMARY KEY,
                    rma_id TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    amount_minor INTEGER NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    recorded_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE replacements (
                    replacement_order_id TEXT PRIMARY KEY,
                    rma_id TEXT NOT NULL,
                    receipt_id TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    recorded_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX replacements_rma ON replacements(rma_id);
                CREATE TABLE snapshots (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    side TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    as_of TEXT NOT NULL,
                    as_of_epoch INTEGER NOT NULL,
                    content_hash TEXT NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    recorded_at TEXT NOT NULL
                );
                CREATE INDEX snapshots_side ON snapshots(side, warehouse, as_of_epoch);
                CREATE TABLE snapshot_lines (
                    snapshot_id INTEGER NOT NULL,
                    sku TEXT NOT NULL,
                    on_hand INTEGER NOT NULL,
                    available INTEGER NOT NULL,
                    allocated INTEGER NOT NULL,
                    damaged INTEGER NOT NULL,
                    unit_cost TEXT,
                    currency TEXT NOT NULL,
                    PRIMARY KEY (snapshot_id, sku)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v7-cancellation-events") { db in
            // Every status a cancellation went through, with the ledger time: the report's as-of view.
            try db.execute(sql: """
                CREATE TABLE cancellation_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    order_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    recorded_at TEXT NOT NULL
                );
                CREATE INDEX cancellation_events_order ON cancellation_events(order_id, id);
                INSERT INTO cancellation_events (order_id, status, recorded_at) SELECT order_id, status, recorded_at FROM cancellations;
                """)
        }
        m.registerMigration("v8-lean-instructions") { db in
            // The unique (order_id, version) index serves every lookup by order; a second index on order_id
            // only cost an insert per instructed order.
            try db.execute(sql: "DROP INDEX instructions_order")
        }
        m.registerMigration("v9-instructions-by-order") { db in
            // An instruction is one row keyed by order and version (WITHOUT ROWID): with a rowid and a unique
            // (order_id, version) index each was two B-tree inserts. It names its output no longer by path (57 of a
            // row's 93 bytes) but by the warehouse, now kept with each shipment-order output: a file has one such
            // output per warehouse. Over 100,000 orders: 40 ms less a run (0.74 -> 0.70 s), 8 MB less ledger (11.7 -> 3.8).
            // Rows from before keep their path in `output` (read as `instructionOutput`).
            try db.execute(sql: """
                ALTER TABLE outputs ADD COLUMN warehouse TEXT;
                CREATE TABLE instructions_by_order (
                    order_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    output TEXT,
                    PRIMARY KEY (order_id, version)
                ) WITHOUT ROWID;
                INSERT INTO instructions_by_order (order_id, version, action, warehouse, file_id, output)
                    SELECT order_id, version, action, warehouse, file_id, output FROM instructions;
                DROP TABLE instructions;
                ALTER TABLE instructions_by_order RENAME TO instructions;
                """)
        }
    }
}

/// `FlowLedger` over one open GRDB transaction.
struct SQLiteFlowLedger: FlowLedger {
    let db: Database
    /// The file every row written here must reference, when the transaction checks that itself (see
    /// `SQLiteLedger.inFileTransaction`).
    var fileScope: Int64?
    /// Writes the order lines the transaction still buffers, before they are read here.
    var flushOrderLines: () throws -> Void = {}

    /// The flows' statements, prepared once per transaction and found again by the address of their SQL literal.
    /// The flows run a statement or two per document, hundreds of thousands of times for a large item master or
    /// purchase-order file: through GRDB's statement cache each run hashed the SQL's text to find its statement,
    /// and GRDB's execution wrapped every step; these are bound and stepped through the C API (together a fifth to
    /// a third of an item-master or purchase-order run).
    final class Statements {
        var byAddress: [UnsafeRawPointer: Statement] = [:]
    }
    private let statements = Statements()

    private func prepared(_ sql: StaticString) throws -> Statement {
        let key = UnsafeRawPointer(sql.utf8Start)
        if let st = statements.byAddress[key] { return st }
        let st = try db.cachedStatement(sql: sql.description)
        statements.byAddress[key] = st
        return st
    }

    /// Binds `args` to `st` (as GRDB binds each value) and calls `body` with the SQLite statement; resets it after.
    private func withBound<R>(_ st: Statement, _ args: [(any DatabaseValueConvertible)?], _ body: (SQLiteStatement) throws -> R) throws -> R {
        let p = st.sqliteStatement
        precondition(Int(sqlite3_bind_parameter_count(p)) == args.count, "\(args.count) arguments for \(st.sql)")
        defer {
            sqlite3_reset(p)
            sqlite3_clear_bindings(p)
        }
        for (i, a) in args.enumerated() {
            let rc = a?.bind(to: p, at: CInt(i + 1)) ?? sqlite3_bind_null(p, CInt(i + 1))
            if rc != SQLITE_OK { throw FastStatement.error(rc, p, sql: true) }
        }
        return try body(p)
    }

    /// Steps once: true with a row to read, false when there is none.
    private static func step(_ p: SQLiteStatement) throws -> Bool { try FastStatement.step(p, sql: true) }

    /// The first column of the first row, nil when there is no row (or its value is NULL, for an optional `T`).
    private func one<T: DatabaseValueConvertible>(_ sql: StaticString, _ args: [(any DatabaseValueConvertible)?]) throws -> T? {
        try withBound(prepared(sql), args) { p in
            try Self.step(p) ? FlowRow(p).value(0) as T? : nil
        }
    }

    /// The first row read by `read`, nil when there is none.
    private func firstRow<R>(_ sql: StaticString, _ args: [(any DatabaseValueConvertible)?], _ read: (FlowRow) throws -> R) throws -> R? {
        try withBound(prepared(sql), args) { p in try Self.step(p) ? read(FlowRow(p)) : nil }
    }

    /// Every row read by `read`.
    private func rows<R>(_ sql: StaticString, _ args: [(any DatabaseValueConvertible)?], _ read: (FlowRow) throws -> R) throws -> [R] {
        try withBound(prepared(sql), args) { p in
            var result: [R] = []
            while try Self.step(p) { result.append(try read(FlowRow(p))) }
            return result
        }
    }

    /// Runs a statement that returns no row.
    private func run(_ sql: StaticString, _ args: [(any DatabaseValueConvertible)?]) throws {
        try withBound(prepared(sql), args) { p in
            while try Self.step(p) {}
        }
    }

    // MARK: Items

    func item(_ sku: String) throws -> (version: Int, contentHash: String)? {
        try firstRow("SELECT version, content_hash FROM items WHERE sku = ?", [sku]) { (try $0.value(0), try $0.value(1)) }
    }

    func saveItem(_ item: Item, version: Int, fileId: Int64, at time: String) throws {
        try run("""
            INSERT INTO items (sku, version, content_hash, uom, file_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(sku) DO UPDATE SET version = excluded.version, content_hash = excluded.content_hash,
                uom = excluded.uom, file_id = excluded.file_id, updated_at = excluded.updated_at
            """, [item.sku, version, item.contentHash, item.values["uom"] ?? "", try FileScope.check(fileId, fileScope), time])
    }

    func knowsSKU(_ sku: String) throws -> Bool {
        try one("SELECT 1 FROM items WHERE sku = ?", [sku]) as Int? != nil
    }

    func itemUOM(_ sku: String) throws -> String? {
        try one("SELECT uom FROM items WHERE sku = ?", [sku])
    }

    // MARK: Cancellations

    func cancellation(_ orderId: String) throws -> CancellationRecord? {
        try firstRow("SELECT status, content_hash, requested_at FROM cancellations WHERE order_id = ?", [orderId]) {
            CancellationRecord(orderId: orderId, status: try $0.value(0), contentHash: try $0.value(1), requestedAt: try $0.value(2))
        }
    }

    func saveCancellation(_ c: Cancellation, status: String, fileId: Int64, at time: String) throws {
        try run("""
            INSERT INTO cancellations (order_id, reason, requested_at, status, content_hash, file_id, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [c.orderId, c.reason, c.requestedAt, status, c.contentHash, try FileScope.check(fileId, fileScope), time])
        try run("INSERT INTO cancellation_events (order_id, status, recorded_at) VALUES (?, ?, ?)", [c.orderId, status, time])
    }

    func setCancellationStatus(_ orderId: String, status: String, at time: String, recordedAt: String) throws {
        try run("UPDATE cancellations SET status = ?, answered_at = ? WHERE order_id = ?", [status, time, orderId])
        try run("INSERT INTO cancellation_events (order_id, status, recorded_at) VALUES (?, ?, ?)", [orderId, status, recordedAt])
    }

    func setOrderStatus(_ orderId: String, status: String) throws {
        try run("UPDATE orders SET status = ? WHERE order_id = ?", [status, orderId])
    }

    func hasCancellations() throws -> Bool {
        try one("SELECT 1 FROM cancellations LIMIT 1", []) as Int? != nil
    }

    // MARK: Purchase orders

    func purchaseOrder(_ po: String) throws -> (version: Int, contentHash: String, status: String, warehouse: String, fileId: Int64)? {
        try firstRow("SELECT version, content_hash, status, warehouse, file_id FROM purchase_orders WHERE po_number = ?", [po]) {
            (try $0.value(0), try $0.value(1), try $0.value(2), try $0.value(3), try $0.value(4))
        }
    }

    func savePurchaseOrder(_ po: PurchaseOrder, version: Int, fileId: Int64, at time: String) throws {
        try run("""
            INSERT INTO purchase_orders (po_number, version, status, content_hash, supplier, expected_date, warehouse, file_id, instructed_at)
            VALUES (?, ?, 'instructed', ?, ?, ?, ?, ?, ?)
            ON CONFLICT(po_number) DO UPDATE SET version = excluded.version, content_hash = excluded.content_hash,
                supplier = excluded.supplier, expected_date = excluded.expected_date, warehouse = excluded.warehouse,
                file_id = excluded.file_id, instructed_at = excluded.instructed_at
            """, [po.poNumber, version, po.contentHash, po.supplier, po.expectedDate, po.warehouse, try FileScope.check(fileId, fileScope), time])
        try run("DELETE FROM po_lines WHERE po_number = ?", [po.poNumber])
        for l in po.lines {
            try run("INSERT INTO po_lines (po_number, line_no, sku, quantity, uom) VALUES (?, ?, ?, ?, ?)",
                    [po.poNumber, l.lineNo, l.sku, l.quantity, l.uom])
        }
    }

    func purchaseOrderLines(_ po: String) throws -> [PurchaseOrder.Line] {
        try rows("SELECT line_no, sku, quantity, uom FROM po_lines WHERE po_number = ? ORDER BY line_no", [po]) {
            PurchaseOrder.Line(lineNo: try $0.value(0), sku: try $0.value(1), quantity: try $0.value(2), uom: try $0.value(3))
        }
    }

    func receiptHash(_ receiptId: String) throws -> String? {
        try one("SELECT content_hash FROM receipts WHERE receipt_id = ?", [receiptId])
    }

    func saveReceipt(_ r: ReceiptConfirmation, knownPO: Bool, fileId: Int64, at time: String) throws {
        try run("""
            INSERT INTO receipts (receipt_id, po_number, receipt_date, warehouse, content_hash, known_po, file_id, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [r.receiptId, r.poNumber, r.receiptDate, r.warehouse, r.contentHash, knownPO, try FileScope.check(fileId, fileScope), time])
        for l in r.lines {
            try run("""
                INSERT INTO receipt_lines (receipt_id, po_number, line_no, sku, received, damaged, lot) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [r.receiptId, r.poNumber, l.lineNo, l.sku, l.received, l.damaged, l.lot])
        }
        if knownPO { try run("UPDATE purchase_orders SET status = 'receiving' WHERE po_number = ?", [r.poNumber]) }
    }

    func received(_ po: String) throws -> [Int: (received: Int, damaged: Int)] {
        var result: [Int: (received: Int, damaged: Int)] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT line_no, SUM(received), SUM(damaged) FROM receipt_lines WHERE po_number = ? GROUP BY line_no
            """), arguments: [po]) {
            result[row[0]] = (row[1], row[2])
        }
        return result
    }

    // MARK: Returns

    func returnableOrder(_ orderId: String) throws -> ReturnableOrder? {
        try flushOrderLines()
        guard let o = try Row.fetchOne(db.cachedStatement(sql: "SELECT currency, warehouse, status FROM orders WHERE order_id = ?"),
                                       arguments: [orderId]) else { return nil }
        let lines = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT line_no, \(SQLiteLedger.wmsItem("order_lines")), quantity, unit_price_minor, tax_rate FROM order_lines
            WHERE order_id = ? ORDER BY line_no
            """), arguments: [orderId]).map {
            PricedOrderLine(lineNo: $0[0], sku: $0[1], quantity: $0[2], unitPriceMinor: $0[3],
                            taxRate: ($0[4] as String?).flatMap { FixedDecimal(parsing: $0) })
        }
        return ReturnableOrder(orderId: orderId, currency: o[0], warehouse: o[1], status: o[2], lines: lines)
    }

    func returnedQuantities(orderId: String, except rmaId: String) throws -> [Int: Int] {
        var result: [Int: Int] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT order_line_no, SUM(quantity) FROM rma_lines WHERE order_id = ? AND rma_id <> ? GROUP BY order_line_no
            """), arguments: [orderId, rmaId]) {
            result[row[0]] = row[1]
        }
        return result
    }

    func rma(_ rmaId: String) throws -> RMARecord? {
        guard let r = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT order_id, type, refund_method, currency, warehouse, status, ship_to, content_hash FROM rmas WHERE rma_id = ?
            """), arguments: [rmaId]) else { return nil }
        let lines = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT line_no, order_line_no, sku, quantity, replacement_sku, replacement_quantity, unit_price_minor, tax_rate
            FROM rma_lines WHERE rma_id = ? ORDER BY line_no
            """), arguments: [rmaId]).map {
            RMARecord.Line(lineNo: $0[0], orderLineNo: $0[1], sku: $0[2], quantity: $0[3], replacementSku: $0[4],
                           replacementQuantity: $0[5], unitPriceMinor: $0[6],
                           taxRate: ($0[7] as String?).flatMap { FixedDecimal(parsing: $0) })
        }
        return RMARecord(rmaId: rmaId, orderId: r[0], kind: ReturnAuthorisation.Kind(rawValue: r[1]) ?? .return, refundMethod: r[2],
                         currency: r[3], warehouse: r[4], status: r[5], lines: lines,
                         shipTo: (r[6] as String?).flatMap(Self.address), contentHash: r[7])
    }

    func saveRMA(_ rma: ReturnAuthorisation, lines: [RMARecord.Line], currency: String, warehouse: String, fileId: Int64,
                 at time: String) throws {
        try run("""
            INSERT INTO rmas (rma_id, order_id, type, reason, approved_at, refund_method, status, content_hash, currency, warehouse,
                              ship_to, file_id, instructed_at)
            VALUES (?, ?, ?, ?, ?, ?, 'approved', ?, ?, ?, ?, ?, ?)
            ON CONFLICT(rma_id) DO UPDATE SET type = excluded.type, reason = excluded.reason, approved_at = excluded.approved_at,
                refund_method = excluded.refund_method, content_hash = excluded.content_hash, ship_to = excluded.ship_to,
                file_id = excluded.file_id, instructed_at = excluded.instructed_at
            """, [rma.rmaId, rma.orderId, rma.kind.rawValue, rma.reason, rma.approvedAt, rma.refundMethod, rma.contentHash,
                  currency, warehouse, rma.shipTo.map(Self.text), try FileScope.check(fileId, fileScope), time])
        try run("DELETE FROM rma_lines WHERE rma_id = ?", [rma.rmaId])
        for l in lines {
            try run("""
                INSERT INTO rma_lines (rma_id, line_no, order_id, order_line_no, sku, quantity, replacement_sku, replacement_quantity,
                                       unit_price_minor, tax_rate)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [rma.rmaId, l.lineNo, rma.orderId, l.orderLineNo, l.sku, l.quantity, l.replacementSku, l.replacementQuantity,
                      l.unitPriceMinor, l.taxRate?.description])
        }
    }

    func returnReceiptHash(_ receiptId: String) throws -> String? {
        try one("SELECT content_hash FROM return_receipts WHERE receipt_id = ?", [receiptId])
    }

    func inspected(_ rmaId: String) throws -> [Int: InspectedLine] {
        var result: [Int: InspectedLine] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT line_no, inspection, SUM(quantity) FROM return_lines WHERE rma_id = ? GROUP BY line_no, inspection
            """), arguments: [rmaId]) {
            var l = result[row[0]] ?? InspectedLine()
            switch row[1] as String {
            case "resellable": l.resellable += row[2]
            case "damaged": l.damaged += row[2]
            default: l.missing += row[2]
            }
            result[row[0]] = l
        }
        return result
    }

    func saveReturnReceipt(_ r: ReturnReceipt, knownRMA: Bool, fileId: Int64, at time: String) throws {
        try run("""
            INSERT INTO return_receipts (receipt_id, rma_id, received_at, warehouse, content_hash, known_rma, file_id, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [r.receiptId, r.rmaId, r.receivedAt, r.warehouse, r.contentHash, knownRMA, try FileScope.check(fileId, fileScope), time])
        for (i, l) in r.lines.enumerated() {
            try run("""
                INSERT INTO return_lines (receipt_id, seq, rma_id, line_no, sku, quantity, inspection, disposition)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [r.receiptId, i + 1, r.rmaId, l.lineNo, l.sku, l.quantity, l.inspection.rawValue, l.disposition?.rawValue])
        }
    }

    func saveRefund(receiptId: String, rmaId: String, orderId: String, currency: String, amountMinor: Int64, fileId: Int64,
                    at time: String) throws {
        try run("""
            INSERT INTO refunds (receipt_id, rma_id, order_id, currency, amount_minor, file_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [receiptId, rmaId, orderId, currency, amountMinor, try FileScope.check(fileId, fileScope), time])
    }

    func replacements(of rmaId: String) throws -> Int {
        try one("SELECT COUNT(*) FROM replacements WHERE rma_id = ?", [rmaId]) ?? 0
    }

    func saveReplacement(orderId replacementId: String, rmaId: String, receiptId: String, originalOrderId: String,
                         warehouse: String, fileId: Int64, at time: String) throws {
        try run("""
            INSERT INTO replacements (replacement_order_id, rma_id, receipt_id, order_id, warehouse, file_id, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [replacementId, rmaId, receiptId, originalOrderId, warehouse, try FileScope.check(fileId, fileScope), time])
    }

    func setRMAStatus(_ rmaId: String, status: String, clearShipTo: Bool) throws {
        try run("UPDATE rmas SET status = ?, ship_to = CASE WHEN ? THEN NULL ELSE ship_to END WHERE rma_id = ?",
                [status, clearShipTo, rmaId])
    }

    // MARK: Inventory

    func snapshotId(side: StockSnapshot.Side, warehouse: String, asOf: String) throws -> Int64? {
        // The moment, not its spelling: 06:00+01:00 and 05:00Z are the same snapshot.
        try one("SELECT id FROM snapshots WHERE side = ? AND warehouse = ? AND as_of_epoch = ?",
                [side.rawValue, warehouse, ISODate.epochSeconds(asOf) ?? 0])
    }

    func saveSnapshot(_ s: StockSnapshot, fileId: Int64, at time: String) throws -> (id: Int64, repeated: [String]) {
        try run("""
            INSERT INTO snapshots (side, warehouse, as_of, as_of_epoch, content_hash, file_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [s.side.rawValue, s.warehouse, s.asOf, ISODate.epochSeconds(s.asOf) ?? 0, s.contentHash, try FileScope.check(fileId, fileScope), time])
        let id = db.lastInsertedRowID
        return (id, try addSnapshotLines(s.lines, to: id))
    }

    func addSnapshotLines(_ lines: [StockSnapshot.Line], to id: Int64) throws -> [String] {
        var st = FastStatement(try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO snapshot_lines (snapshot_id, sku, on_hand, available, allocated, damaged, unit_cost, currency)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """))
        var repeated: [String] = []
        for l in lines {
            st.bind(id)
            st.bind(l.sku)
            st.bind(l.onHand)
            st.bind(l.available)
            st.bind(l.allocated)
            st.bind(l.damaged)
            st.bind(l.unitCost?.description)
            st.bind(l.currency)
            try st.execute()
            if db.changesCount == 0 { repeated.append(l.sku) }
        }
        return repeated
    }

    func deleteSnapshot(_ id: Int64) throws {
        try run("DELETE FROM snapshot_lines WHERE snapshot_id = ?", [id])
        try run("DELETE FROM snapshots WHERE id = ?", [id])
    }

    // MARK: Addresses (exchange RMAs only, removed once the replacement is sent)

    static func text(_ a: Address) -> String {
        ([a.name, a.company] + a.lines + [a.city, a.region, a.postcode, a.country, a.phone, a.email]).joined(separator: "\u{1F}")
    }

    static func address(_ s: String) -> Address? {
        let p = s.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        guard p.count == 11 else { return nil }
        return Address(name: p[0], company: p[1], lines: [p[2], p[3], p[4]], city: p[5], region: p[6], postcode: p[7],
                       country: p[8], phone: p[9], email: p[10])
    }
}

/// A row of a statement the flow ledger steps itself, read by column index. A value that does not convert to the
/// type asked for (a damaged or hand-edited ledger) is an error, as GRDB's decoding throws one; it names the column
/// and the statement, not the value (it may be a customer's).
struct FlowRow {
    private let statement: SQLiteStatement
    init(_ statement: SQLiteStatement) { self.statement = statement }

    func value<T: DatabaseValueConvertible>(_ column: CInt) throws -> T {
        guard let t = T.fromDatabaseValue(DatabaseValue(sqliteStatement: statement, index: column)) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "column \(column) does not hold a \(T.self)",
                                sql: String(cString: sqlite3_sql(statement)))
        }
        return t
    }
}
