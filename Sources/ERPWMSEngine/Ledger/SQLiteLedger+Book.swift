import ERPWMSCore
import GRDB

extension SQLiteLedger {
    /// Stock movements as an ERP books them from what erpwms told it, per warehouse and WMS item: goods
    /// received (damaged included) and returned units back in the warehouse (not missing, not scrapped) in;
    /// orders out when sent (the quantity shipped, once a line is closed short or its order cancelled; never
    /// less than shipped). `erpwms demo` plays the ERP with it to write the ERP's stock snapshot.
    public func bookedMovements() throws -> [String: [String: Int]] {
        try queue.read { db in
            var out: [String: [String: Int]] = [:]
            func add(_ sql: String) throws {
                for row in try Row.fetchAll(db, sql: sql) {
                    out[row[0] as String, default: [:]][row[1] as String, default: 0] += row[2] as Int
                }
            }
            try add("""
                SELECT r.warehouse, rl.sku, SUM(rl.received) FROM receipt_lines rl JOIN receipts r ON r.receipt_id = rl.receipt_id
                GROUP BY r.warehouse, rl.sku
                """)
            try add("""
                SELECT rr.warehouse, rl.sku, SUM(rl.quantity) FROM return_lines rl JOIN return_receipts rr ON rr.receipt_id = rl.receipt_id
                WHERE rl.inspection <> 'missing' AND COALESCE(rl.disposition, '') <> 'scrap' GROUP BY rr.warehouse, rl.sku
                """)
            try add("""
                WITH s AS (
                    SELECT order_id, line_no, SUM(quantity) AS q, MAX(reason IS NOT NULL) AS closed FROM shipment_lines GROUP BY order_id, line_no
                )
                SELECT o.warehouse, \(Self.wmsItem("l")) AS item,
                       -SUM(CASE WHEN o.status = 'cancelled' OR COALESCE(s.closed, 0) = 1 THEN COALESCE(s.q, 0)
                                 ELSE MAX(l.quantity, COALESCE(s.q, 0)) END)
                FROM orders o JOIN order_lines l ON l.order_id = o.order_id
                LEFT JOIN s ON s.order_id = l.order_id AND s.line_no = l.line_no
                GROUP BY o.warehouse, item
                """)
            return out
        }
    }
}
