import ERPWMSCore
import GRDB

/// Read-side queries for operators: attempts, outputs, file lists and an order's history.
extension SQLiteLedger {
    public func recordAttempt(_ a: Attempt) throws {
        try queue.write { db in try Self.insert(a, db) }
    }

    static func insert(_ a: Attempt, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO attempts (file_id, at, by, kind, source, outcome, reason) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [a.fileId, a.at, a.by, a.kind, a.source, a.outcome, a.reason])
    }

    public func reclaim(fileId: Int64, path: String, hash: String, size: Int64, origin: String) throws {
        try queue.write { db in
            try db.execute(sql: """
                UPDATE files SET status = 'claimed', path = ?, hash = ?, size = ?, reason = NULL, target_path = ?,
                                 finished_at = NULL, orders_accepted = 0, orders_rejected = 0, orders_duplicate = 0
                WHERE id = ?
                """, arguments: [path, hash, size, origin, fileId])
        }
    }

    public func recordRun(startedAt: String, finishedAt: String, durationMilliseconds: Int, needsAttention: Bool,
                          summary: String) throws {
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO runs (started_at, finished_at, duration_ms, needs_attention, summary) VALUES (?, ?, ?, ?, ?)
                """, arguments: [startedAt, finishedAt, durationMilliseconds, needsAttention, summary])
        }
    }

    public func metricTotals() throws -> MetricTotals {
        try queue.read { db in
            var t = MetricTotals()
            t.runs = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs") ?? 0
            t.lastSuccess = try String.fetchOne(db, sql: "SELECT MAX(finished_at) FROM runs WHERE needs_attention = 0")
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM files GROUP BY status") {
                t.filesByStatus[row[0]] = row[1]
            }
            return t
        }
    }

    public func attempts(fileId: Int64) throws -> [Attempt] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attempts WHERE file_id = ? ORDER BY id", arguments: [fileId]).map {
                Attempt(fileId: $0["file_id"], at: $0["at"], by: $0["by"], kind: $0["kind"], source: $0["source"],
                        outcome: $0["outcome"], reason: $0["reason"])
            }
        }
    }

    public func outputs(fileId: Int64) throws -> [OutputRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, final_path, records, status FROM outputs WHERE file_id = ? ORDER BY id",
                             arguments: [fileId]).map {
                OutputRecord(kind: $0[0], path: $0[1], records: $0[2], status: $0[3])
            }
        }
    }

    public func files(status: FileStatus?, channel: String?, since: String?) throws -> [FileRecord] {
        try queue.read { db in
            var sql = "SELECT * FROM files WHERE 1 = 1"
            var args: [DatabaseValueConvertible?] = []
            if let status {
                sql += " AND status = ?"
                args.append(status.rawValue)
            }
            if let channel {
                sql += " AND channel = ?"
                args.append(channel)
            }
            if let since {
                sql += " AND received_at >= ?"
                args.append(since)
            }
            sql += " ORDER BY id DESC"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.fileRecord)
        }
    }

    public func file(named name: String) throws -> FileRecord? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM files WHERE name = ? ORDER BY id DESC LIMIT 1", arguments: [name])
                .map(Self.fileRecord)
        }
    }

    public func orderHistory(_ orderId: String) throws -> OrderHistory {
        try queue.read { db in
            var history = OrderHistory(orderId: orderId, current: nil, events: [])
            if let o = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE order_id = ?", arguments: [orderId]) {
                history.current = OrderHistory.Current(version: o["version"], status: o["status"], warehouse: o["warehouse"],
                                                       currency: o["currency"], orderDate: o["order_date"], lines: o["line_count"])
            }
            var events: [(String, Int, OrderHistory.Event)] = []
            for r in try Row.fetchAll(db, sql: """
                SELECT i.version, i.action, i.warehouse, \(SQLiteLedger.instructionOutput("i")) AS output, f.id AS fid, f.name,
                       f.received_at, f.finished_at
                FROM instructions i JOIN files f ON f.id = i.file_id WHERE i.order_id = ? ORDER BY i.version
                """, arguments: [orderId]) {
                let received: String = r["received_at"]
                let finished: String = r["finished_at"] ?? received
                events.append((received, 0, .init(time: received, kind: "received", file: r["name"], fileId: r["fid"],
                                                  detail: "in \(r["name"] as String) (file \(r["fid"] as Int64))")))
                events.append((finished, 2, .init(time: finished, kind: "instructed", file: r["name"], fileId: r["fid"],
                                                  detail: "version \(r["version"] as Int) (\(r["action"] as String)) to \(r["warehouse"] as String) in \(r["output"] as String)")))
            }
            for r in try Row.fetchAll(db, sql: """
                SELECT fi.rule, fi.severity, fi.field, fi.line, fi.message, f.id AS fid, f.name, f.received_at
                FROM findings fi JOIN files f ON f.id = fi.file_id WHERE fi.order_id = ? ORDER BY fi.id
                """, arguments: [orderId]) {
                let time: String = r["received_at"]
                let severity: String = r["severity"]
                var detail = "\(r["rule"] as String)"
                if let field = r["field"] as String? { detail += " \(field)" }
                if let line = r["line"] as Int? { detail += " (line \(line))" }
                detail += ": \(r["message"] as String)"
                events.append((time, 1, .init(time: time, kind: severity == "error" ? "rejected" : "warning", file: r["name"],
                                              fileId: r["fid"], detail: detail)))
            }
            for r in try Row.fetchAll(db, sql: """
                SELECT s.shipment_id, s.ship_date, s.warehouse, s.tracking, s.received_at, f.id AS fid, f.name,
                       (SELECT GROUP_CONCAT(l.line_no || 'x' || l.quantity || COALESCE(' ' || l.reason, ''), ', ')
                          FROM shipment_lines l WHERE l.shipment_id = s.shipment_id) AS lines,
                       (SELECT o.final_path FROM outputs o WHERE o.file_id = s.file_id AND o.kind = 'erp-order-status') AS feedback
                FROM shipments s JOIN files f ON f.id = s.file_id WHERE s.order_id = ? ORDER BY s.received_at, s.shipment_id
                """, arguments: [orderId]) {
                let time: String = r["received_at"]
                var detail = "shipment \(r["shipment_id"] as String) shipped \(r["ship_date"] as String) from \(r["warehouse"] as String): line x qty \(r["lines"] as String? ?? "")"
                let tracking: String = r["tracking"]
                if !tracking.isEmpty { detail += "; tracking \(tracking.replacingOccurrences(of: "|", with: ", "))" }
                events.append((time, 3, .init(time: time, kind: "confirmed", file: r["name"], fileId: r["fid"], detail: detail)))
                if let fb = r["feedback"] as String?, history.current != nil {
                    events.append((time, 4, .init(time: time, kind: "feedback", file: r["name"], fileId: r["fid"],
                                                  detail: "order status for shipment \(r["shipment_id"] as String) in \(fb)")))
                }
            }
            // The other flows that name this order: its cancellation, its RMAs, what came back and what went out.
            for r in try Row.fetchAll(db, sql: """
                SELECT e.status, e.recorded_at, c.reason FROM cancellation_events e JOIN cancellations c ON c.order_id = e.order_id
                WHERE e.order_id = ? ORDER BY e.id
                """, arguments: [orderId]) {
                let time: String = r["recorded_at"]
                events.append((time, 5, .init(time: time, kind: "cancellation", file: nil, fileId: nil,
                                              detail: "\(r["status"] as String) (reason \(r["reason"] as String))")))
            }
            for r in try Row.fetchAll(db, sql: """
                SELECT r.rma_id, r.type, r.instructed_at, r.warehouse, f.id AS fid, f.name,
                       (SELECT GROUP_CONCAT(l.order_line_no || 'x' || l.quantity, ', ') FROM rma_lines l WHERE l.rma_id = r.rma_id) AS lines
                FROM rmas r JOIN files f ON f.id = r.file_id WHERE r.order_id = ? ORDER BY r.rma_id
                """, arguments: [orderId]) {
                let time: String = r["instructed_at"]
                events.append((time, 6, .init(time: time, kind: "rma", file: r["name"], fileId: r["fid"],
                                              detail: "\(r["type"] as String) \(r["rma_id"] as String) (order line x qty \(r["lines"] as String? ?? "")) expected at \(r["warehouse"] as String)")))
            }
            for r in try Row.fetchAll(db, sql: """
                SELECT x.receipt_id, x.rma_id, x.recorded_at, f.id AS fid, f.name,
                       (SELECT GROUP_CONCAT(l.line_no || 'x' || l.quantity || ' ' || l.inspection, ', ') FROM return_lines l
                        WHERE l.receipt_id = x.receipt_id) AS lines,
                       (SELECT d.currency || ' ' || d.amount_minor FROM refunds d WHERE d.receipt_id = x.receipt_id) AS refund,
                       (SELECT GROUP_CONCAT(p.replacement_order_id, ', ') FROM replacements p WHERE p.receipt_id = x.receipt_id) AS replacement
                FROM return_receipts x JOIN files f ON f.id = x.file_id
                WHERE x.rma_id IN (SELECT rma_id FROM rmas WHERE order_id = ?) ORDER BY x.recorded_at, x.receipt_id
                """, arguments: [orderId]) {
                let time: String = r["recorded_at"]
                var detail = "return receipt \(r["receipt_id"] as String) for \(r["rma_id"] as String): RMA line x qty \(r["lines"] as String? ?? "")"
                if let refund = r["refund"] as String? {
                    let parts = refund.split(separator: " ")
                    if parts.count == 2, let minor = Int64(parts[1]) {
                        detail += "; refund \(Money(minorUnits: minor, scale: ISO4217.minorUnits[String(parts[0])] ?? 2)) \(parts[0])"
                    }
                }
                if let replacement = r["replacement"] as String? { detail += "; replacement order \(replacement)" }
                events.append((time, 7, .init(time: time, kind: "returned", file: r["name"], fileId: r["fid"], detail: detail)))
            }
            history.events = events.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
            return history
        }
    }
}
