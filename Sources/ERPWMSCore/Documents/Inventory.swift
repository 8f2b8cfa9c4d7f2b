/// A stock snapshot of one warehouse at one moment: the WMS's physical view or the ERP's book view.
public struct StockSnapshot: Sendable, Equatable {
    public enum Side: String, Sendable { case wms, erp }

    public struct Line: Sendable, Equatable {
        public var sku: String
        /// WMS: on hand; ERP: its book quantity.
        public var onHand: Int
        public var available: Int
        public var allocated: Int
        public var damaged: Int
        /// ERP only: the value of one unit, and its currency.
        public var unitCost: FixedDecimal?
        public var currency: String
    }
    public var side: Side
    public var warehouse: String
    /// ISO 8601 date-time with offset.
    public var asOf: String
    public var lines: [Line]
    public var contentHash: String

    public static func validate(_ raw: RawDocument, side: Side, file: String) -> (StockSnapshot?, [Finding]) {
        var c = DocumentChecker(raw, layout: side == .wms ? .inventorySnapshots : .stockSnapshots, file: file)
        let warehouse = c.code("warehouse", upper: true)
        let asOf = c.time("as_of")
        c.requireLines(max: 10_000_000)
        var lines: [Line] = []
        var seen = Set<String>()
        for l in raw.lines {
            let sku = c.code("sku", line: l)
            if !sku.isEmpty && !seen.insert(sku).inserted { c.fail("sku", "unique", "\(sku) appears twice in one snapshot", at: l.location) }
            switch side {
            case .wms:
                let onHand = c.int("on_hand", line: l, min: 0)
                let available = c.int("available", line: l, min: 0)
                let allocated = c.int("allocated", line: l, min: 0)
                let damaged = c.int("damaged", line: l, min: 0)
                if let onHand, let available, let allocated, let damaged {
                    lines.append(Line(sku: sku, onHand: onHand, available: available, allocated: allocated, damaged: damaged,
                                      unitCost: nil, currency: ""))
                }
            case .erp:
                let qty = c.int("quantity", line: l, min: -999_999_999)
                let cost = c.decimal("unit_cost", line: l)
                let currency = Clean.upperCode(l["currency"])
                if cost != nil && ISO4217.minorUnits[currency] == nil {
                    c.fail("currency", "iso4217", currency.isEmpty ? "is required with a unit_cost" : "'\(currency)' is not an ISO 4217 currency",
                           at: l.location)
                }
                if let qty { lines.append(Line(sku: sku, onHand: qty, available: 0, allocated: 0, damaged: 0, unitCost: cost, currency: currency)) }
            }
        }
        guard c.ok else { return (nil, c.findings) }
        var parts = [side.rawValue, warehouse, asOf]
        for l in lines {
            parts += ["\u{1E}", l.sku, String(l.onHand), String(l.available), String(l.allocated), String(l.damaged),
                      l.unitCost?.description ?? "", l.currency]
        }
        return (StockSnapshot(side: side, warehouse: warehouse, asOf: asOf, lines: lines, contentHash: DocumentChecker.hash(parts)),
                c.findings)
    }
}
