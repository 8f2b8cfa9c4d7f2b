import ERPWMSCore
import GRDB

extension SQLiteLedger {
    /// The report sections of the flows besides sales orders, as the ledger knew them at `asOf` (UTC text).
    public func flowSections(asOf: String, settings: FlowReportSettings) throws -> [ReportSection] {
        try queue.read { db in
            [
                try Self.purchaseSection(db, asOf: asOf, settings: settings),
                try Self.returnsSection(db, asOf: asOf, settings: settings),
                try Self.cancellationsSection(db, asOf: asOf),
                try Self.inventorySection(db, asOf: asOf, settings: settings),
                try Self.itemsSection(db, asOf: asOf),
            ]
        }
    }

    static func epoch(_ s: String) -> Int64? {
        ISODate.epochSeconds(s) ?? (s.utf8.count == 10 ? ISODate.epochSeconds(s + "T00:00:00Z") : nil)
    }

    // MARK: Purchase orders

    static func purchaseSection(_ db: Database, asOf: String, settings: FlowReportSettings) throws -> ReportSection {
        var s = ReportSection(id: "purchase-orders", title: "Purchase orders: expected vs received",
                              note: "Per purchase-order line: units expected, received (damaged included) and damaged. Overdue: not complete \(settings.purchaseOverdueDays) day(s) after the end of its expected date.",
                              columns: ["po_number", "supplier", "warehouse", "expected_date", "line_no", "sku", "expected", "received",
                                        "damaged", "difference", "line_status", "po_status", "overdue"],
                              empty: "No purchase order has been sent.")
        let asOfEpoch = epoch(asOf) ?? 0
        let rows = try Row.fetchAll(db, sql: """
            WITH r AS (
                SELECT rl.po_number, rl.line_no, SUM(rl.received) AS received, SUM(rl.damaged) AS damaged
                FROM receipt_lines rl JOIN receipts rc ON rc.receipt_id = rl.receipt_id
                WHERE rc.recorded_at <= ? GROUP BY rl.po_number, rl.line_no
            )
            SELECT p.po_number, p.supplier, p.warehouse, p.expected_date, l.line_no, l.sku, l.quantity,
                   COALESCE(r.received, 0), COALESCE(r.damaged, 0)
            FROM purchase_orders p JOIN po_lines l ON l.po_number = p.po_number
            LEFT JOIN r ON r.po_number = l.po_number AND r.line_no = l.line_no
            WHERE p.instructed_at <= ?
            ORDER BY p.po_number, l.line_no
            """, arguments: [asOf, asOf])
        var pos: [(String, [Row])] = []
        for row in rows {
            let po: String = row[0]
            if pos.last?.0 == po { pos[pos.count - 1].1.append(row) } else { pos.append((po, [row])) }
        }
        var counts: [ReceiptLineState: Int] = [:]
        var overdue = 0, expected = 0, received = 0, damaged = 0, overUnits = 0, shortUnits = 0
        for (_, lines) in pos {
            let states = lines.map { ReceiptLineState.of(expected: $0[6], received: $0[7]) }
            let poState = ReceiptLineState.of(states)
            counts[poState, default: 0] += 1
            let due = (epoch(String((lines[0][3] as String).prefix(10))) ?? 0) + 86_400 + Int64(settings.purchaseOverdueDays) * 86_400
            let late = (poState == .open || poState == .partial) && asOfEpoch >= due
            if late { overdue += 1 }
            for (l, state) in zip(lines, states) {
                let e: Int = l[6], r: Int = l[7], d: Int = l[8]
                expected += e
                received += r
                damaged += d
                overUnits += max(0, r - e)
                if late { shortUnits += max(0, e - r) }
                s.rows.append([.text(l[0]), .text(l[1]), .text(l[2]), .text(l[3]), .int(l[4]), .text(l[5]), .int(e), .int(r), .int(d),
                               .int(r - e), .text(state.rawValue), .text(poState.rawValue), .text(late ? "yes" : "no")])
            }
        }
        let unknown = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM receipts WHERE known_po = 0 AND recorded_at <= ?", arguments: [asOf]) ?? 0
        s.figure("purchase_orders", "Purchase orders", .int(pos.count))
        s.figure("complete", "Complete", .int(counts[.complete] ?? 0))
        s.figure("partial", "Partly received", .int(counts[.partial] ?? 0))
        s.figure("open", "Nothing received", .int(counts[.open] ?? 0))
        s.figure("over", "Over-received", .int(counts[.over] ?? 0), attention: (counts[.over] ?? 0) > 0)
        s.figure("overdue", "Overdue", .int(overdue), attention: overdue > 0)
        s.figure("units_expected", "Units expected", .int(expected))
        s.figure("units_received", "Units received", .int(received))
        s.figure("units_damaged", "Units damaged", .int(damaged), attention: damaged > 0)
        s.figure("units_over", "Units over", .int(overUnits))
        s.figure("units_short_overdue", "Units short on overdue POs", .int(shortUnits), attention: shortUnits > 0)
        s.figure("unknown_receipts", "Receipts for unknown POs", .int(unknown), attention: unknown > 0)
        return s
    }

    // MARK: Returns

    static func returnsSection(_ db: Database, asOf: String, settings: FlowReportSettings) throws -> ReportSection {
        var s = ReportSection(id: "returns", title: "Returns and exchanges",
                              note: "Per RMA: units authorised and what the WMS inspection found; refunds issued to the ERP and replacement orders sent to the WMS. Overdue: approved more than \(settings.returnOverdueDays) day(s) ago and nothing received.",
                              columns: ["rma_id", "order_id", "type", "warehouse", "approved_at", "status", "authorised", "resellable",
                                        "damaged", "missing", "currency", "refunded", "replacement_orders", "days_since_approval", "overdue"],
                              empty: "No RMA has been sent.")
        let asOfEpoch = epoch(asOf) ?? 0
        var inspected: [String: (Int, Int, Int)] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT rl.rma_id, rl.inspection, SUM(rl.quantity) FROM return_lines rl
            JOIN return_receipts rr ON rr.receipt_id = rl.receipt_id
            WHERE rr.recorded_at <= ? GROUP BY rl.rma_id, rl.inspection
            """, arguments: [asOf]) {
            var v = inspected[row[0]] ?? (0, 0, 0)
            switch row[1] as String {
            case "resellable": v.0 += row[2]
            case "damaged": v.1 += row[2]
            default: v.2 += row[2]
            }
            inspected[row[0]] = v
        }
        var refunded: [String: Int64] = [:]
        var refundTotals: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT rma_id, currency, amount_minor FROM refunds WHERE recorded_at <= ?", arguments: [asOf]) {
            refunded[row[0], default: 0] += row[2]
            refundTotals[row[1], default: 0] += row[2]
        }
        var replacements: [String: [String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT rma_id, replacement_order_id FROM replacements WHERE recorded_at <= ? ORDER BY replacement_order_id",
                                    arguments: [asOf]) {
            replacements[row[0], default: []].append(row[1])
        }
        var overdue = 0, notReceived = 0, partly = 0, received = 0, notFullyRefunded = 0, exchanges = 0
        var units = (0, 0, 0)
        for row in try Row.fetchAll(db, sql: """
            SELECT r.rma_id, r.order_id, r.type, r.warehouse, r.approved_at, r.currency,
                   (SELECT SUM(quantity) FROM rma_lines l WHERE l.rma_id = r.rma_id)
            FROM rmas r WHERE r.instructed_at <= ? ORDER BY r.rma_id
            """, arguments: [asOf]) {
            let id: String = row[0], type: String = row[2], authorised: Int = row[6], currency: String = row[5]
            let (res, dam, mis) = inspected[id] ?? (0, 0, 0)
            units = (units.0 + res, units.1 + dam, units.2 + mis)
            let total = res + dam + mis
            let status = total == 0 ? "approved" : total < authorised ? "partially_received" : "received"
            let days = max(0, (asOfEpoch - (epoch(row[4]) ?? asOfEpoch)) / 86_400)
            let late = total == 0 && days > settings.returnOverdueDays
            if type == "exchange" { exchanges += 1 }
            switch status {
            case "approved": notReceived += 1
            case "partially_received": partly += 1
            default: received += 1
            }
            if late { overdue += 1 }
            if type == "return" && total > 0 && res + dam < authorised { notFullyRefunded += 1 }
            let scale = ISO4217.minorUnits[currency] ?? 2
            s.rows.append([.text(id), .text(row[1]), .text(type), .text(row[3]), .text(row[4]), .text(status), .int(authorised),
                           .int(res), .int(dam), .int(mis), .text(currency),
                           .text(type == "return" ? Money(minorUnits: refunded[id] ?? 0, scale: scale).description : ""),
                           .text((replacements[id] ?? []).joined(separator: " ")), .int(Int(days)), .text(late ? "yes" : "no")])
        }
        let unknown = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM return_receipts WHERE known_rma = 0 AND recorded_at <= ?",
                                       arguments: [asOf]) ?? 0
        s.figure("rmas", "RMAs", .int(s.rows.count))
        s.figure("exchanges", "Exchanges", .int(exchanges))
        s.figure("approved_not_received", "Approved, not received", .int(notReceived))
        s.figure("overdue", "Overdue (not received after \(settings.returnOverdueDays) days)", .int(overdue), attention: overdue > 0)
        s.figure("partially_received", "Partly received", .int(partly), attention: partly > 0)
        s.figure("received", "Received", .int(received))
        s.figure("received_not_fully_refunded", "Received, not fully refunded", .int(notFullyRefunded), attention: notFullyRefunded > 0)
        s.figure("units_resellable", "Units resellable", .int(units.0))
        s.figure("units_damaged", "Units damaged", .int(units.1))
        s.figure("units_missing", "Units missing", .int(units.2), attention: units.2 > 0)
        s.figure("replacement_orders", "Replacement orders sent", .int(replacements.values.reduce(0) { $0 + $1.count }))
        for c in refundTotals.keys.sorted() {
            s.figure("refunded_\(c)", "Refunded \(c)", .text(Money(minorUnits: refundTotals[c]!, scale: ISO4217.minorUnits[c] ?? 2).description))
        }
        s.figure("unknown_return_receipts", "Return receipts for unknown RMAs", .int(unknown), attention: unknown > 0)
        return s
    }

    // MARK: Cancellations

    static func cancellationsSection(_ db: Database, asOf: String) throws -> ReportSection {
        var s = ReportSection(id: "cancellations", title: "Cancellations",
                              note: "withdrawn: cancelled before it was sent; requested: cancel instruction sent, no answer yet; cancelled: the WMS cancelled it; too_late: it had shipped (cancelled but shipped); pending: the order never arrived.",
                              columns: ["order_id", "reason", "requested_at", "status", "order_status", "warehouse", "units_shipped"],
                              empty: "No order has been cancelled.")
        // Each cancellation's status as the ledger knew it at `asOf` (its latest event by then).
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT c.order_id, c.reason, c.requested_at,
                   (SELECT e.status FROM cancellation_events e WHERE e.order_id = c.order_id AND e.recorded_at <= ?
                    ORDER BY e.id DESC LIMIT 1),
                   COALESCE(o.warehouse, ''),
                   (SELECT COALESCE(SUM(sl.quantity), 0) FROM shipment_lines sl JOIN shipments sh ON sh.shipment_id = sl.shipment_id
                    WHERE sl.order_id = c.order_id AND sh.received_at <= ?)
            FROM cancellations c LEFT JOIN orders o ON o.order_id = c.order_id AND \(Self.firstInstructedAt("o")) <= ?
            WHERE c.recorded_at <= ? ORDER BY c.order_id
            """, arguments: [asOf, asOf, asOf, asOf]) {
            let status: String = row[3] ?? "pending"
            counts[status, default: 0] += 1
            let orderStatus = ["requested": "cancel_requested", "cancelled": "cancelled", "too_late": "cancelled_but_shipped"][status] ?? ""
            s.rows.append([.text(row[0]), .text(row[1]), .text(row[2]), .text(status), .text(orderStatus), .text(row[4]), .int(row[5])])
        }
        let butShipped = counts["too_late"] ?? 0
        s.figure("cancellations", "Cancellations", .int(s.rows.count))
        s.figure("withdrawn", "Withdrawn before sending", .int(counts["withdrawn"] ?? 0))
        s.figure("requested", "Awaiting the WMS", .int(counts["requested"] ?? 0), attention: (counts["requested"] ?? 0) > 0)
        s.figure("cancelled", "Cancelled by the WMS", .int(counts["cancelled"] ?? 0))
        s.figure("cancelled_but_shipped", "Cancelled but shipped", .int(butShipped), attention: butShipped > 0)
        s.figure("pending", "Order never arrived", .int(counts["pending"] ?? 0))
        return s
    }

    // MARK: Inventory

    static func inventorySection(_ db: Database, asOf: String, settings: FlowReportSettings) throws -> ReportSection {
        var s = ReportSection(id: "inventory", title: "Inventory: WMS vs ERP",
                              note: "Per warehouse, the latest WMS snapshot against the latest ERP snapshot. expected = ERP quantity + units in flight (instructed to ship before the WMS snapshot, not shipped by then: the ERP has booked them out, the WMS still holds them). difference = WMS on hand - expected; value at the ERP's unit cost. Only SKUs that differ are listed.",
                              columns: ["warehouse", "sku", "wms_as_of", "erp_as_of", "wms_on_hand", "wms_available", "wms_allocated", "wms_damaged",
                                        "erp_quantity", "in_flight", "expected", "difference", "unit_cost", "currency", "value"],
                              empty: "No warehouse has both a WMS and an ERP snapshot.")
        func latest(_ side: String) throws -> [String: (Int64, String)] {
            var out: [String: (Int64, String)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT warehouse, id, as_of FROM snapshots WHERE side = ? AND recorded_at <= ? ORDER BY as_of_epoch, id
                """, arguments: [side, asOf]) {
                out[row[0]] = (row[1], row[2])
            }
            return out
        }
        let wms = try latest("wms")
        let erp = try latest("erp")
        var compared = 0, differing = 0, net = 0, absolute = 0
        var values: [String: Int64] = [:]
        for warehouse in Set(wms.keys).intersection(erp.keys).sorted() {
            let (wid, wAsOf) = wms[warehouse]!
            let (eid, eAsOf) = erp[warehouse]!
            // One streaming pass, memory flat in the snapshot size: the two snapshots and the units in flight, each
            // read in SKU order, merged. ERP SKUs with an alias (few, from the configuration) are mapped aside.
            let wms = try Row.fetchCursor(db, sql: """
                SELECT sku, on_hand, available, allocated, damaged FROM snapshot_lines WHERE snapshot_id = ? ORDER BY sku
                """, arguments: [wid])
            let erp = try Row.fetchCursor(db, sql: """
                SELECT sku, on_hand, COALESCE(unit_cost, ''), currency FROM snapshot_lines WHERE snapshot_id = ? ORDER BY sku
                """, arguments: [eid])
            // Units instructed to ship from this warehouse before the WMS snapshot and not shipped (or closed) by then.
            let flight = try Row.fetchCursor(db, sql: """
                WITH sh AS (
                    SELECT sl.order_id, sl.line_no, SUM(sl.quantity) AS q, MAX(sl.reason IS NOT NULL) AS closed
                    FROM shipment_lines sl JOIN shipments s ON s.shipment_id = sl.shipment_id
                    WHERE julianday(s.ship_date) <= julianday(?)
                    GROUP BY sl.order_id, sl.line_no
                )
                SELECT \(Self.wmsItem("l")) AS item, SUM(MAX(0, l.quantity - COALESCE(sh.q, 0)))
                FROM orders o JOIN order_lines l ON l.order_id = o.order_id
                LEFT JOIN sh ON sh.order_id = l.order_id AND sh.line_no = l.line_no
                WHERE o.warehouse = ? AND julianday(\(Self.firstInstructedAt("o"))) <= julianday(?)
                  AND o.status <> 'cancelled' AND COALESCE(sh.closed, 0) = 0
                GROUP BY item ORDER BY item
                """, arguments: [wAsOf, warehouse, wAsOf])
            // ERP SKUs with an alias (few, from the configuration) count for their WMS item: read them first.
            var aliased: [String: (qty: Int, cost: String, currency: String)] = [:]
            let mapped = settings.skuAliases.filter { $0.key != $0.value }
            if !mapped.isEmpty {
                for r in try Row.fetchAll(db, sql: """
                    SELECT sku, on_hand, COALESCE(unit_cost, ''), currency FROM snapshot_lines
                    WHERE snapshot_id = ? AND sku IN (\(mapped.keys.map { _ in "?" }.joined(separator: ", ")))
                    """, arguments: StatementArguments([eid] + mapped.keys.sorted())) {
                    let wmsSku = mapped[r[0] as String]!
                    let prior = aliased[wmsSku]
                    aliased[wmsSku] = ((prior?.qty ?? 0) + (r[1] as Int), prior?.cost ?? r[2], prior?.currency ?? r[3])
                }
            }
            func nextERP() throws -> (sku: String, qty: Int, cost: String, currency: String)? {
                while let r = try erp.next() {
                    let sku: String = r[0]
                    if mapped[sku] != nil { continue }
                    return (sku, r[1], r[2], r[3])
                }
                return nil
            }
            func nextWMS() throws -> (sku: String, onHand: Int, available: Int, allocated: Int, damaged: Int)? {
                try wms.next().map { ($0[0], $0[1], $0[2], $0[3], $0[4]) }
            }
            var f: (sku: String, q: Int)? = try flight.next().map { ($0[0], $0[1]) }
            func inFlight(_ sku: String) throws -> Int {
                while let cur = f, cur.sku < sku { f = try flight.next().map { ($0[0], $0[1]) } }
                if let cur = f, cur.sku == sku { return cur.q }
                return 0
            }
            var w = try nextWMS()
            var e = try nextERP()
            let aliasKeys = aliased.keys.sorted()
            var aliasIndex = 0
            while true {
                let aliasKey = aliasIndex < aliasKeys.count ? aliasKeys[aliasIndex] : nil
                guard let sku = [w?.sku, e?.sku, aliasKey].compactMap({ $0 }).min() else { break }
                var onHand = 0, available = 0, allocated = 0, damaged = 0, erpQty = 0
                var cost = "", currency = ""
                if let cur = w, cur.sku == sku {
                    (onHand, available, allocated, damaged) = (cur.onHand, cur.available, cur.allocated, cur.damaged)
                    w = try nextWMS()
                }
                if let cur = e, cur.sku == sku {
                    erpQty += cur.qty
                    (cost, currency) = (cur.cost, cur.currency)
                    e = try nextERP()
                }
                if aliasKey == sku, let a = aliased[sku] {
                    erpQty += a.qty
                    if cost.isEmpty { (cost, currency) = (a.cost, a.currency) }
                    aliasIndex += 1
                }
                compared += 1
                let flightQty = try inFlight(sku)
                let expected = erpQty + flightQty
                let diff = onHand - expected
                guard diff != 0 else { continue }
                differing += 1
                net += diff
                absolute += abs(diff)
                var value = ""
                if let c = FixedDecimal(parsing: cost), let scale = ISO4217.minorUnits[currency] {
                    // Exact: difference x unit cost, rounded half away from zero to the currency's minor unit.
                    let v = Self.value(diff: diff, cost: c, scale: scale)
                    values[currency, default: 0] += v
                    value = Money(minorUnits: v, scale: scale).signedDescription
                }
                s.rows.append([.text(warehouse), .text(sku), .text(wAsOf), .text(eAsOf), .int(onHand), .int(available), .int(allocated),
                               .int(damaged), .int(erpQty), .int(flightQty), .int(expected), .int(diff), .text(cost), .text(currency),
                               .text(value)])
            }
        }
        s.figure("warehouses", "Warehouses compared", .int(Set(wms.keys).intersection(erp.keys).count))
        s.figure("skus_compared", "SKUs compared", .int(compared))
        s.figure("skus_differing", "SKUs that differ", .int(differing), attention: differing > 0)
        s.figure("units_net", "Net difference (units)", .int(net))
        s.figure("units_absolute", "Absolute difference (units)", .int(absolute))
        for c in values.keys.sorted() {
            s.figure("value_\(c)", "Difference value \(c)", .text(Money(minorUnits: values[c]!, scale: ISO4217.minorUnits[c] ?? 2).signedDescription))
        }
        return s
    }

    /// `diff` units at `cost`, in minor units of a currency with `scale` decimals, rounded half away from zero.
    static func value(diff: Int, cost: FixedDecimal, scale: Int) -> Int64 {
        let n = Int128(diff) * Int128(cost.units)
        if cost.scale <= scale { return Int64(n * Int128(OrderValidator.pow10(scale - cost.scale))) }
        let d = Int128(OrderValidator.pow10(cost.scale - scale))
        var q = n / d
        if (n % d).magnitude * 2 >= d.magnitude { q += n < 0 ? -1 : 1 }
        return Int64(q)
    }

    // MARK: Items

    static func itemsSection(_ db: Database, asOf: String) throws -> ReportSection {
        var s = ReportSection(id: "items", title: "Item master",
                              note: "Items the WMS has been sent (new or changed only), and documents that named a SKU the item master does not know.",
                              columns: ["rule", "findings"], empty: "No unknown SKU was reported.")
        let items = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE updated_at <= ?", arguments: [asOf]) ?? 0
        let changed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE version > 1 AND updated_at <= ?", arguments: [asOf]) ?? 0
        var unknown = 0
        for row in try Row.fetchAll(db, sql: """
            SELECT f.rule, COUNT(*) FROM findings f JOIN files ON files.id = f.file_id
            WHERE f.rule LIKE '%.sku.unknown' AND files.received_at <= ? GROUP BY f.rule ORDER BY f.rule
            """, arguments: [asOf]) {
            unknown += row[1] as Int
            s.rows.append([.text(row[0]), .int(row[1])])
        }
        s.figure("items", "Items in the master", .int(items))
        s.figure("changed", "Items changed since first sent", .int(changed))
        s.figure("unknown_sku_findings", "Unknown-SKU findings", .int(unknown), attention: unknown > 0)
        return s
    }
}

extension Money {
    /// Like `description`, for amounts that may be negative (`-12.50`).
    var signedDescription: String {
        minorUnits < 0 ? "-" + Money(minorUnits: -minorUnits, scale: scale).description : description
    }
}
