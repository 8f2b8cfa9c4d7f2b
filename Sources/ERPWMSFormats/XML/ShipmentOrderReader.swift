import ERPWMSCore

/// An order as a WMS reads it from a shipment-order file (what the simulator needs).
public struct InstructedOrder: Sendable {
    public struct Line: Sendable {
        public var lineNo: Int
        public var sku: String
        public var quantity: Int
    }
    public var orderId: String
    public var version: Int
    public var carrier: String
    public var lines: [Line]
}

/// Reads a WMS shipment-order file (`schemas/wms-shipment-order.xsd`) one order at a time, as the
/// warehouse side would. Used by the WMS simulator.
public final class ShipmentOrderReader {
    private let records: XMLRecordStream

    public init(source: ByteSource, file: String) throws {
        records = try XMLRecordStream(source: source, file: file, schema: ShipmentOrderWriter.schemaName,
                                      root: "ShipmentOrders", record: "ShipmentOrder", encoding: .utf8)
        records.rootAttributeNames = ["warehouse"]
    }

    /// The `warehouse` attribute of the root (after the first `next()`).
    public var warehouse: String { records.rootAttributes["warehouse"] ?? "" }

    /// The next order; schema errors make it throw (the simulator only reads files erpwms wrote).
    public func next() throws -> InstructedOrder? {
        guard let r = try records.next() else { return nil }
        if let f = r.schemaFindings.first {
            throw FormatError(rule: f.rule, message: f.message, location: f.location)
        }
        let e = r.element
        var order = InstructedOrder(orderId: e.attributes["orderId"] ?? "", version: Int(e.attributes["version"] ?? "1") ?? 1,
                                    carrier: e.child("Carrier")?.string ?? "", lines: [])
        for l in e.child("Lines")?.children ?? [] where l.name == "Line" {
            order.lines.append(InstructedOrder.Line(lineNo: Int(l.attributes["lineNo"] ?? "") ?? 0,
                                                    sku: l.child("Sku")?.string ?? "",
                                                    quantity: Int(l.child("Quantity")?.string ?? "") ?? 0))
        }
        return order
    }
}

/// Writes WMS shipment confirmations (`schemas/wms-shipment-confirmation.xsd`), deterministic.
public final class ShipmentConfirmationXMLWriter {
    private let out: OutputBuffer

    public init(sink: ByteSink, warehouse: String) {
        out = OutputBuffer(sink: sink)
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ShipmentConfirmations warehouse=\"")
        out.appendEscaped(warehouse, attribute: true)
        out.append("\">\n")
    }

    public func write(_ c: ShipmentConfirmation) throws {
        out.append("<ShipmentConfirmation shipmentId=\"")
        out.appendEscaped(c.shipmentId, attribute: true)
        out.append("\" orderId=\"")
        out.appendEscaped(c.orderId, attribute: true)
        out.append("\"")
        if let v = c.version { out.append(" version=\"\(v)\"") }
        out.append("><ShipDate>\(c.shipDate)</ShipDate>")
        out.element("<Warehouse>", "</Warehouse>", c.warehouse)
        if !c.carrier.isEmpty {
            out.append("<Carrier")
            out.attribute("service", c.service)
            out.append(">")
            out.appendEscaped(c.carrier)
            out.append("</Carrier>")
        }
        if !c.parcels.isEmpty {
            out.append("<Parcels>")
            for p in c.parcels {
                out.append("<Parcel")
                out.attribute("trackingNumber", p.trackingNumber)
                if let w = p.weightKg { out.append(" weightKg=\"\(w.description)\"") }
                out.append("/>")
            }
            out.append("</Parcels>")
        }
        out.append("<Lines>")
        for l in c.lines {
            out.append("<Line lineNo=\"\(l.lineNo)\">")
            out.element("<Sku>", "</Sku>", l.sku)
            out.append("<QuantityShipped>\(l.quantity)</QuantityShipped>")
            for lot in l.lots { out.element("<Lot>", "</Lot>", lot) }
            if let r = l.reason { out.append("<Reason>\(r.rawValue)</Reason>") }
            out.append("</Line>")
        }
        out.append("</Lines></ShipmentConfirmation>\n")
        try out.drainIfLarge()
    }

    public func finish() throws {
        out.append("</ShipmentConfirmations>\n")
        try out.drain()
    }
}
