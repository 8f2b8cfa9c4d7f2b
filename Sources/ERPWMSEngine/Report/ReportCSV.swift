import ERPWMSCore
import ERPWMSFormats

/// The CSV formats of the report: details (one row per order line, plus one per unknown reference) and
/// totals (one row per group). Cells are escaped against formula injection by `CSVWriter`.
enum ReportCSV {
    static let detailHeader = [
        "order_id", "version", "order_date", "warehouse", "currency", "order_status", "line_no", "sku", "ordered",
        "instructed", "shipped", "open", "short", "over", "line_status", "reason", "unit_price", "open_value",
        "short_value", "shipments", "age_hours", "age_bucket", "shipment_id", "customer",
    ]

    static func writeDetails(_ o: ReconOrder, to w: CSVWriter) throws {
        for l in o.lines {
            w.cell(o.orderId); w.cell(int: o.version); w.cell(o.orderDate); w.cell(o.warehouse); w.cell(o.currency)
            w.cell(o.status.rawValue); w.cell(int: l.lineNo); w.cell(l.sku); w.cell(int: l.ordered); w.cell(int: l.instructed)
            w.cell(int: l.shipped); w.cell(int: l.open); w.cell(int: l.short); w.cell(int: l.over); w.cell(l.status.rawValue)
            w.cell(l.reason?.rawValue ?? ""); w.cell(money: l.unitPriceMinor, scale: o.scale)
            w.cell(money: Int64(l.open) * l.unitPriceMinor, scale: o.scale); w.cell(money: Int64(l.short) * l.unitPriceMinor, scale: o.scale)
            w.cell(int: o.shipments)
            if let h = o.ageHours { w.cell(int: h) } else { w.emptyCell() }
            w.cell(o.ageBucket ?? ""); w.emptyCell(); w.cell(o.customer)
            try w.endRow()
        }
    }

    static func writeUnknown(_ u: UnknownReference, to w: CSVWriter) throws {
        try w.writeRow([u.orderId, "", "", u.warehouse, "", ReconStatus.unknownReference.rawValue, "", "", "0", "0",
                        String(u.units), "0", "0", String(u.units), ReconStatus.unknownReference.rawValue, "", "", "", "",
                        "1", "", "", u.shipmentId, ""])
    }

    static let totalsHeader = [
        "group", "key", "orders", "complete", "open_orders", "short_orders", "over_orders", "lines", "ordered",
        "instructed", "shipped", "open", "short", "over", "fill_rate", "currency", "open_value", "short_value",
    ]

    static func writeTotals(_ t: ReconciliationTotals, to sink: ByteSink) throws {
        let w = CSVWriter(sink: sink)
        try w.writeRow(totalsHeader)
        func row(_ group: String, _ key: String, _ x: ReconTotals) throws {
            try w.writeRow([group, key, String(x.orders), String(x.ordersComplete), String(x.ordersOpen),
                            String(x.ordersShort), String(x.ordersOver), String(x.lines), String(x.ordered),
                            String(x.instructed), String(x.shipped), String(x.open), String(x.short), String(x.over),
                            x.fillRateText, "", "", ""])
        }
        try row("all", "all", t.all)
        for k in t.byWarehouse.keys.sorted() { try row("warehouse", k, t.byWarehouse[k]!) }
        for k in t.byDay.keys.sorted() { try row("day", k, t.byDay[k]!) }
        for k in t.byCurrency.keys.sorted() {
            let c = t.byCurrency[k]!
            try w.writeRow(["currency", k, String(c.orders), "", "", "", "", "", "", "", "", "", "", "", "", k,
                            c.openValue, c.shortValue])
        }
        try w.writeRow(["unknown_reference", "all", String(t.unknownReferences), "", "", "", "", "", "", "",
                        String(t.unknownReferenceUnits), "", "", String(t.unknownReferenceUnits), "", "", "", ""])
        try w.finish()
    }

    /// A flow section: its figures as `figure,KEY,VALUE` rows first, then its table under its own header.
    static func writeSection(_ s: ReportSection, to sink: ByteSink) throws {
        let w = CSVWriter(sink: sink)
        try w.writeRow(["figure", "value"])
        for f in s.figures { try w.writeRow([f.key, f.value.description]) }
        try w.writeRow([])
        try w.writeRow(s.columns)
        for r in s.rows { try w.writeRow(r.map(\.description)) }
        try w.finish()
    }
}
