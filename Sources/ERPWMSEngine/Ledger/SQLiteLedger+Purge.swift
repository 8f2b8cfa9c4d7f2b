import Foundation
import GRDB

/// Ledger rows a purge removed (or, in a dry run, would remove), and what it kept on purpose.
public struct LedgerPurgeCounts: Sendable, Codable, Equatable {
    /// Closed orders past retention, and their rows.
    public var orders = 0
    public var orderLines = 0
    public var instructions = 0
    /// Shipments of those orders, and shipments of unknown orders (no orders row) past retention.
    public var shipments = 0
    public var unknownShipments = 0
    public var shipmentLines = 0
    /// Archived and duplicate input files past retention that nothing left references, with their rows.
    public var files = 0
    public var findings = 0
    public var outputs = 0
    /// Processing attempts recorded for those files (`run`, `reprocess`).
    public var attempts = 0
    /// Orders older than the cut-off that are still open (a line neither fully shipped nor closed short).
    public var keptOpenOrders = 0
    /// Closed orders instructed before the cut-off whose latest confirmation arrived after it.
    public var keptRecentOrders = 0
    /// Archived and duplicate input files older than the cut-off that kept orders, instructions, shipments or
    /// unpublished outputs still reference (or that lie outside the archive folder).
    public var keptFiles = 0
    /// Finished documents of the other flows past retention: purchase orders fully received, RMAs fully
    /// received, cancellations settled, and snapshots that a later one of the same side and warehouse replaced.
    public var purchaseOrders = 0
    public var rmas = 0
    public var cancellations = 0
    public var snapshots = 0
    /// Exchanges still open past retention whose ship-to was erased.
    public var addressesErased = 0

    public init() {}
}

/// An archived or duplicate input file whose ledger row a purge removes.
public struct PurgeFileCandidate: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var status: String
    /// Where the ledger says the file is, relative to the workspace (or absolute).
    public var path: String
}

extension SQLiteLedger {
    /// Tables whose rows belong to one input file (by `file_id`) and go when its row goes.
    static let purgedWithFile: Set<String> = ["findings", "outputs", "attempts"]

    /// Removes from the ledger, in one transaction, everything past retention that is finished:
    ///
    /// 1. orders that are closed (every line shipped at least as ordered, or closed short with a reason) and
    ///    whose latest instruction and every confirmation were received before `cutoff`, with their lines,
    ///    instructions, shipments and shipment lines;
    /// 2. shipments of unknown orders (no orders row) received before `cutoff`, with their lines;
    /// 3. archived and duplicate files finished before `cutoff` that no remaining order, instruction or
    ///    shipment (or any other table that names a file, but findings, outputs and attempts) references and
    ///    that have no unpublished output, with their findings, outputs and attempts.
    ///
    /// Open orders are never removed, whatever their age, and so neither are the files they reference. Failed
    /// files are never removed. `cutoff` is a UTC time as the ledger writes them (`2025-03-02T12:00:00Z`).
    ///
    /// - Parameters:
    ///   - keep: called once with the files that step 3 would remove; the rows of the ids it returns stay
    ///     (counted in `keptFiles`). The purger uses it to keep files it will not delete from disk.
    ///   - beforeCommit: called with the files whose rows are removed, inside the transaction, before it
    ///     commits: deleting them from disk there means a crash or error can leave a row whose file is gone
    ///     (a later purge removes it), but never a file the ledger has forgotten. An error rolls back.
    ///   - dryRun: compute and count everything, then roll back: the ledger is left as it was.
    public func purge(before cutoff: String, dryRun: Bool,
                      keep: ([PurgeFileCandidate]) -> Set<Int64> = { _ in [] },
                      beforeCommit: ([PurgeFileCandidate]) throws -> Void = { _ in }) throws
        -> (counts: LedgerPurgeCounts, files: [PurgeFileCandidate]) {
        var counts = LedgerPurgeCounts()
        var purgedFiles: [PurgeFileCandidate] = []
        try queue.inTransaction(.immediate) { db in
            try db.execute(sql: """
                DROP TABLE IF EXISTS temp.purge_orders;
                DROP TABLE IF EXISTS temp.purge_shipments;
                DROP TABLE IF EXISTS temp.purge_files;
                DROP TABLE IF EXISTS temp.purge_old_orders;
                CREATE TEMP TABLE purge_old_orders (order_id TEXT PRIMARY KEY, closed INTEGER NOT NULL, recent INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TEMP TABLE purge_orders (order_id TEXT PRIMARY KEY) WITHOUT ROWID;
                CREATE TEMP TABLE purge_shipments (shipment_id TEXT PRIMARY KEY) WITHOUT ROWID;
                CREATE TEMP TABLE purge_files (id INTEGER PRIMARY KEY);
                """)

            // Every order instructed before the cut-off, classified: closed or open, and whether a confirmation
            // arrived since. Orders from before the confirmations migration have no instructed_at: the time
            // their file was received stands in.
            try db.execute(sql: """
                INSERT INTO purge_old_orders (order_id, closed, recent)
                SELECT o.order_id,
                       NOT EXISTS (
                           SELECT 1 FROM order_lines l
                           WHERE l.order_id = o.order_id
                             AND COALESCE((SELECT SUM(sl.quantity) FROM shipment_lines sl
                                           WHERE sl.order_id = l.order_id AND sl.line_no = l.line_no), 0) < l.quantity
                             AND NOT EXISTS (SELECT 1 FROM shipment_lines sl
                                             WHERE sl.order_id = l.order_id AND sl.line_no = l.line_no
                                               AND sl.reason IS NOT NULL)
                       ) AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.order_id) AS closed,
                       EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.order_id AND s.received_at >= ?) AS recent
                FROM orders o
                WHERE COALESCE(o.instructed_at, (SELECT f.received_at FROM files f WHERE f.id = o.file_id)) < ?
                """, arguments: [cutoff, cutoff])
            try db.execute(sql: "INSERT INTO purge_orders SELECT order_id FROM purge_old_orders WHERE closed AND NOT recent")
            counts.keptOpenOrders = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM purge_old_orders WHERE NOT closed") ?? 0
            counts.keptRecentOrders = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM purge_old_orders WHERE closed AND recent") ?? 0
            try db.execute(sql: "DROP TABLE temp.purge_old_orders")

            // The closed orders, children first (foreign keys are on).
            try db.execute(sql: """
                INSERT INTO purge_shipments
                SELECT shipment_id FROM shipments WHERE order_id IN (SELECT order_id FROM temp.purge_orders)
                """)
            counts.shipments = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM temp.purge_shipments") ?? 0
            // Shipments of orders the ledger does not know, past retention.
            try db.execute(sql: """
                INSERT INTO purge_shipments
                SELECT s.shipment_id FROM shipments s
                WHERE s.received_at < ? AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = s.order_id)
                """, arguments: [cutoff])
            counts.unknownShipments = db.changesCount
            try db.execute(sql: "DELETE FROM shipment_lines WHERE shipment_id IN (SELECT shipment_id FROM temp.purge_shipments)")
            counts.shipmentLines = db.changesCount
            try db.execute(sql: "DELETE FROM shipments WHERE shipment_id IN (SELECT shipment_id FROM temp.purge_shipments)")
            // Counted in the view (a first version is the order's row until it is replaced); deleted as rows.
            counts.instructions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM instructions WHERE order_id IN (SELECT order_id FROM temp.purge_orders)") ?? 0
            try db.execute(sql: "DELETE FROM instruction_rows WHERE order_id IN (SELECT order_id FROM temp.purge_orders)")
            try db.execute(sql: "DELETE FROM order_lines WHERE order_id IN (SELECT order_id FROM temp.purge_orders)")
            counts.orderLines = db.changesCount
            try db.execute(sql: "DELETE FROM orders WHERE order_id IN (SELECT order_id FROM temp.purge_orders)")
            counts.orders = db.changesCount
            try Self.purgeFlows(db, before: cutoff, counts: &counts)

            // Finished inputs past retention that nothing left needs. What references a file is read from the
            // schema: a table this purge does not know (a later migration) keeps the files it references.
            var keepers = ["SELECT file_id FROM outputs WHERE status <> 'published'"]
            var children: [String] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT m.name, p."from" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) p
                WHERE m.type = 'table' AND p."table" = 'files' ORDER BY m.name, p."from"
                """) {
                let table: String = row[0]
                let column: String = row[1]
                if Self.purgedWithFile.contains(table) {
                    if !children.contains(table) { children.append(table) }
                } else {
                    let c = column.quotedDatabaseIdentifier
                    keepers.append("SELECT \(c) FROM \(table.quotedDatabaseIdentifier) WHERE \(c) IS NOT NULL")
                }
            }
            try db.execute(sql: """
                INSERT INTO purge_files
                SELECT f.id FROM files f
                WHERE f.status IN ('archived', 'duplicate') AND f.finished_at < ?
                  AND f.id NOT IN (\(keepers.joined(separator: " UNION ")))
                """, arguments: [cutoff])
            let candidates = try Row.fetchAll(db, sql: """
                SELECT id, name, status, path FROM files WHERE id IN (SELECT id FROM temp.purge_files) ORDER BY id
                """).map { PurgeFileCandidate(id: $0[0], name: $0[1], status: $0[2], path: $0[3]) }
            let kept = keep(candidates)
            purgedFiles = candidates.filter { !kept.contains($0.id) }
            if !kept.isEmpty {
                let st = try db.makeStatement(sql: "DELETE FROM temp.purge_files WHERE id = ?")
                for id in kept { try st.execute(arguments: [id]) }
            }
            let oldFiles = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM files WHERE status IN ('archived', 'duplicate') AND finished_at < ?
                """, arguments: [cutoff]) ?? 0
            for table in children {
                try db.execute(sql: "DELETE FROM \(table.quotedDatabaseIdentifier) WHERE file_id IN (SELECT id FROM temp.purge_files)")
                switch table {
                case "findings": counts.findings = db.changesCount
                case "outputs": counts.outputs = db.changesCount
                case "attempts": counts.attempts = db.changesCount
                default: break
                }
            }
            try db.execute(sql: "DELETE FROM files WHERE id IN (SELECT id FROM temp.purge_files)")
            counts.files = db.changesCount
            counts.keptFiles = oldFiles - counts.files

            try db.execute(sql: """
                DROP TABLE temp.purge_orders;
                DROP TABLE temp.purge_shipments;
                DROP TABLE temp.purge_files;
                """)
            if dryRun { return .rollback }
            try beforeCommit(purgedFiles)
            return .commit
        }
        return (counts, purgedFiles)
    }

    /// Rows per ledger table, for purge summaries and tests.
    public func rowCounts() throws -> [String: Int] {
        try queue.read { db in
            var result: [String: Int] = [:]
            for table in ["files", "orders", "order_lines", "instructions", "outputs", "findings", "attempts", "shipments", "shipment_lines"] {
                result[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            return result
        }
    }
}

extension SQLiteLedger {
    /// The other flows' finished documents past retention, children first. What stays: anything still open
    /// (a purchase order or RMA waiting for goods, a cancellation waiting for the WMS), the latest snapshot of
    /// each side and warehouse, and the item master (it decides what is new).
    static func purgeFlows(_ db: Database, before cutoff: String, counts: inout LedgerPurgeCounts) throws {
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.purge_ids;
            CREATE TEMP TABLE purge_ids (id TEXT PRIMARY KEY) WITHOUT ROWID;
            INSERT INTO purge_ids
            SELECT p.po_number FROM purchase_orders p
            WHERE p.instructed_at < ?
              AND NOT EXISTS (SELECT 1 FROM po_lines l WHERE l.po_number = p.po_number
                              AND COALESCE((SELECT SUM(r.received) FROM receipt_lines r
                                            WHERE r.po_number = l.po_number AND r.line_no = l.line_no), 0) < l.quantity)
              AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.po_number = p.po_number AND r.recorded_at >= ?);
            DELETE FROM receipt_lines WHERE po_number IN (SELECT id FROM temp.purge_ids);
            DELETE FROM receipts WHERE po_number IN (SELECT id FROM temp.purge_ids);
            DELETE FROM po_lines WHERE po_number IN (SELECT id FROM temp.purge_ids);
            """, arguments: [cutoff, cutoff])
        try db.execute(sql: "DELETE FROM purchase_orders WHERE po_number IN (SELECT id FROM temp.purge_ids)")
        counts.purchaseOrders = db.changesCount
        try db.execute(sql: """
            DELETE FROM temp.purge_ids;
            INSERT INTO purge_ids
            SELECT r.rma_id FROM rmas r
            WHERE r.status = 'received' AND r.instructed_at < ?
              AND NOT EXISTS (SELECT 1 FROM return_receipts x WHERE x.rma_id = r.rma_id AND x.recorded_at >= ?);
            DELETE FROM return_lines WHERE rma_id IN (SELECT id FROM temp.purge_ids);
            DELETE FROM return_receipts WHERE rma_id IN (SELECT id FROM temp.purge_ids);
            DELETE FROM refunds WHERE rma_id IN (SELECT id FROM temp.purge_ids);
            DELETE FROM replacements WHERE rma_id IN (SELECT id FROM temp.purge_ids);
            DELETE FROM rma_lines WHERE rma_id IN (SELECT id FROM temp.purge_ids);
            """, arguments: [cutoff, cutoff])
        try db.execute(sql: "DELETE FROM rmas WHERE rma_id IN (SELECT id FROM temp.purge_ids)")
        counts.rmas = db.changesCount
        // An exchange still waiting for its parcel past retention: its ship-to (personal data) goes; the RMA stays.
        try db.execute(sql: "UPDATE rmas SET ship_to = NULL WHERE ship_to IS NOT NULL AND instructed_at < ?", arguments: [cutoff])
        counts.addressesErased = db.changesCount
        try db.execute(sql: """
            DELETE FROM cancellations
            WHERE status IN ('withdrawn', 'cancelled', 'too_late') AND COALESCE(answered_at, recorded_at) < ? AND recorded_at < ?
            """, arguments: [cutoff, cutoff])
        counts.cancellations = db.changesCount
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.purge_snapshots;
            CREATE TEMP TABLE purge_snapshots (id INTEGER PRIMARY KEY);
            INSERT INTO purge_snapshots
            SELECT s.id FROM snapshots s
            WHERE s.recorded_at < ?
              AND EXISTS (SELECT 1 FROM snapshots t WHERE t.side = s.side AND t.warehouse = s.warehouse
                          AND (t.as_of_epoch > s.as_of_epoch OR (t.as_of_epoch = s.as_of_epoch AND t.id > s.id)));
            DELETE FROM snapshot_lines WHERE snapshot_id IN (SELECT id FROM temp.purge_snapshots);
            """, arguments: [cutoff])
        try db.execute(sql: "DELETE FROM snapshots WHERE id IN (SELECT id FROM temp.purge_snapshots)")
        counts.snapshots = db.changesCount
        try db.execute(sql: "DROP TABLE temp.purge_snapshots")
        try db.execute(sql: "DROP TABLE temp.purge_ids")
    }
}
