import ERPWMSCore

/// Writes ERP feedback (order status after each shipment confirmation) in one of the configured formats.
public protocol OrderStatusWriter: AnyObject {
    func write(_ update: OrderStatusUpdate) throws
    func finish() throws
}

/// `schemas/erp-order-status.xsd`, deterministic (no timestamps, fixed attribute order).
public final class OrderStatusXMLWriter: OrderStatusWriter {
    public static let schemaName = "erp-order-status.xsd"
    private let out: OutputBuffer

    public init(sink: ByteSink, source: String) {
        out = OutputBuffer(sink: sink)
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OrderStatusUpdates source=\"")
        out.appendEscaped(source, attribute: true)
        out.append("\">\n")
    }

    public func write(_ u: OrderStatusUpdate) throws {
        out.append("<OrderStatus")
        out.attribute("orderId", u.orderId)
        out.attribute("status", u.status.rawValue)
        out.attribute("shipmentId", u.shipmentId)
        out.attribute("shipDate", u.shipDate)
        out.attribute("warehouse", u.warehouse)
        out.attribute("carrier", u.carrier)
        out.append(">")
        for t in u.trackingNumbers where !t.isEmpty {
            out.append("<Tracking>")
            out.appendEscaped(t)
            out.append("</Tracking>")
        }
        for l in u.lines {
            out.append("<Line lineNo=\"\(l.lineNo)\"")
            out.attribute("sku", l.sku)
            out.append(" ordered=\"\(l.ordered)\" shipped=\"\(l.shipped)\" shippedTotal=\"\(l.shippedTotal)\" state=\"\(l.state.rawValue)\"")
            if let r = l.reason { out.append(" reason=\"\(r.rawValue)\"") }
            out.append("/>")
        }
        out.append("</OrderStatus>\n")
        try out.drainIfLarge()
    }

    public func finish() throws {
        out.append("</OrderStatusUpdates>\n")
        try out.drain()
    }
}

/// The same feedback as CSV: one row per order line and confirmation.
public final class OrderStatusCSVWriter: OrderStatusWriter {
    public static let header = ["order_id", "status", "shipment_id", "ship_date", "warehouse", "carrier", "tracking_numbers",
                                "line_no", "sku", "quantity_ordered", "quantity_shipped", "quantity_shipped_total",
                                "line_state", "reason_code"]
    private let csv: CSVWriter

    public init(sink: ByteSink) throws {
        csv = CSVWriter(sink: sink)
        try csv.writeRow(Self.header)
    }

    public func write(_ u: OrderStatusUpdate) throws {
        let tracking = u.trackingNumbers.filter { !$0.isEmpty }.joined(separator: "|")
        for l in u.lines {
            try csv.writeRow([u.orderId, u.status.rawValue, u.shipmentId, u.shipDate, u.warehouse, u.carrier, tracking,
                              String(l.lineNo), l.sku, String(l.ordered), String(l.shipped), String(l.shippedTotal),
                              l.state.rawValue, l.reason?.rawValue ?? ""])
        }
    }

    public func finish() throws { try csv.finish() }
}
