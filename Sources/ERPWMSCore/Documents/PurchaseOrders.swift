/// One validated ERP purchase order (an expected receipt for the WMS).
public struct PurchaseOrder: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var lineNo: Int
        public var sku: String
        public var quantity: Int
        public var uom: String
        public init(lineNo: Int, sku: String, quantity: Int, uom: String) {
            self.lineNo = lineNo
            self.sku = sku
            self.quantity = quantity
            self.uom = uom
        }
    }
    public var poNumber: String
    public var supplier: String
    /// `YYYY-MM-DD` or a date-time with offset.
    public var expectedDate: String
    public var warehouse: String
    public var lines: [Line]
    public var contentHash: String

    public static func validate(_ raw: RawDocument, file: String) -> (PurchaseOrder?, [Finding]) {
        var c = DocumentChecker(raw, layout: .purchaseOrders, file: file)
        let po = c.code("po_number")
        let supplier = c.code("supplier")
        let date = c.time("expected_date", allowDate: true)
        let warehouse = c.code("warehouse", upper: true)
        c.requireLines()
        var lines: [Line] = []
        for l in raw.lines {
            let no = c.lineNo(l)
            let sku = c.code("sku", line: l)
            let qty = c.int("quantity", line: l)
            let uom = c.code("uom", line: l, upper: true)
            if let no, let qty { lines.append(Line(lineNo: no, sku: sku, quantity: qty, uom: uom)) }
        }
        guard c.ok else { return (nil, c.findings) }
        var parts = [po, supplier, date, warehouse]
        for l in lines { parts += ["\u{1E}", String(l.lineNo), l.sku, String(l.quantity), l.uom] }
        return (PurchaseOrder(poNumber: po, supplier: supplier, expectedDate: date, warehouse: warehouse, lines: lines,
                              contentHash: DocumentChecker.hash(parts)), c.findings)
    }
}

/// One validated WMS receipt confirmation: what arrived against a purchase order.
public struct ReceiptConfirmation: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var lineNo: Int
        public var sku: String
        /// Units that arrived, damaged ones included.
        public var received: Int
        /// Of `received`, units that arrived damaged.
        public var damaged: Int
        public var lot: String
    }
    public var receiptId: String
    public var poNumber: String
    public var receiptDate: String
    public var warehouse: String
    public var lines: [Line]
    public var contentHash: String

    public static func validate(_ raw: RawDocument, file: String) -> (ReceiptConfirmation?, [Finding]) {
        var c = DocumentChecker(raw, layout: .receiptConfirmations, file: file)
        let id = c.code("receipt_id")
        let po = c.code("po_number")
        let date = c.time("receipt_date", allowDate: true)
        let warehouse = c.code("warehouse", upper: true)
        c.requireLines()
        var lines: [Line] = []
        for l in raw.lines {
            let no = c.lineNo(l)
            let sku = c.code("sku", line: l)
            let received = c.int("quantity_received", line: l, min: 0)
            let damaged = c.int("quantity_damaged", line: l, min: 0, default: 0)
            let lot = c.text("lot", line: l)
            if let received, let damaged, damaged > received {
                c.fail("quantity_damaged", "within-received", "\(damaged) damaged is more than the \(received) received (received counts damaged units too)",
                       at: l.location)
            }
            if let no, let received, let damaged {
                lines.append(Line(lineNo: no, sku: sku, received: received, damaged: damaged, lot: lot))
            }
        }
        guard c.ok else { return (nil, c.findings) }
        var parts = [id, po, date, warehouse]
        for l in lines { parts += ["\u{1E}", String(l.lineNo), l.sku, String(l.received), String(l.damaged), l.lot] }
        return (ReceiptConfirmation(receiptId: id, poNumber: po, receiptDate: date, warehouse: warehouse, lines: lines,
                                    contentHash: DocumentChecker.hash(parts)), c.findings)
    }
}

/// Where a purchase-order line stands.
public enum ReceiptLineState: String, Sendable, Codable {
    case open, partial, complete, over

    public static func of(expected: Int, received: Int) -> ReceiptLineState {
        if received == 0 { return .open }
        if received < expected { return .partial }
        return received == expected ? .complete : .over
    }

    /// A whole purchase order: open until something arrives; partial while any line still waits for units
    /// (even if another line came over, so the outstanding units stay visible); over when every line is
    /// complete and some came over; complete when every line is.
    public static func of(_ lines: [ReceiptLineState]) -> ReceiptLineState {
        if lines.allSatisfy({ $0 == .open }) { return .open }
        if lines.contains(where: { $0 == .open || $0 == .partial }) { return .partial }
        if lines.contains(.over) { return .over }
        return .complete
    }
}
