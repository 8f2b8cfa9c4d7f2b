import ERPWMSCore

/// Writes a WMS shipment-order batch (`schemas/wms-shipment-order.xsd`) for one warehouse as a stream.
///
/// Output is deterministic: the same orders in the same sequence give the same bytes (no timestamps,
/// fixed element order, one order per line). Only the personal data the WMS needs to ship is written:
/// e-mail only when `includeEmail`, phone only when `includePhone`.
public final class ShipmentOrderWriter {
    public static let schemaName = "wms-shipment-order.xsd"

    /// Whether an instruction is the first for its order or supersedes an earlier version.
    public enum Action: String, Sendable {
        case new, replace
    }

    private let out: OutputBuffer
    private let includeEmail: Bool
    private let includePhone: Bool
    // Counted at every order by the one thread writing: no dynamic exclusivity check (~90 instructions each).
    @exclusivity(unchecked) public private(set) var ordersWritten = 0
    @exclusivity(unchecked) public private(set) var linesWritten = 0
    /// Where the `source` attribute's value starts in the document, in bytes.
    public let sourceOffset: Int

    /// Starts the document: declaration and the `<ShipmentOrders>` root.
    public init(sink: ByteSink, warehouse: String, source: String, includeEmail: Bool = false,
                includePhone: Bool = true) {
        out = OutputBuffer(sink: sink)
        self.includeEmail = includeEmail
        self.includePhone = includePhone
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ShipmentOrders warehouse=\"")
        out.appendEscaped(warehouse, attribute: true)
        out.append("\" source=\"")
        sourceOffset = out.count
        out.appendEscaped(source, attribute: true)
        out.append("\">\n")
    }

    /// Appends one order.
    public func write(_ order: Order, version: Int, action: Action) throws {
        writeStart(order, version: version, action: action)
        Self.writeBody(order, to: out, includeEmail: includeEmail, includePhone: includePhone)
        try finishOrder(lines: order.lineCount)
    }

    /// Appends one order whose body a `ShipmentOrderRenderer` rendered ahead (on the thread that validated it):
    /// the same bytes `write(_:version:action:)` would write. A body rendered with other e-mail or phone
    /// settings than this writer's is not used.
    public func write(_ order: Order, version: Int, action: Action, rendered: RenderedShipmentOrder?) throws {
        guard let rendered, rendered.includeEmail == includeEmail, rendered.includePhone == includePhone else {
            return try write(order, version: version, action: action)
        }
        writeStart(order, version: version, action: action)
        rendered.bytes.withUnsafeBytes { out.append($0) }
        try finishOrder(lines: order.lineCount)
    }

    /// `<ShipmentOrder orderId="..." version="..." action="...">`: what only the ledger thread knows.
    private func writeStart(_ order: Order, version: Int, action: Action) {
        out.append("<ShipmentOrder orderId=\"")
        order.withUTF8(.orderId) { out.appendValue($0, escape: !order.isXMLSafe) }
        out.append("\" version=\"" as StaticString)
        out.append(int: version)
        out.append("\" action=\"" as StaticString)
        out.append(action.rawValue)
        out.append("\">" as StaticString)
    }

    private func finishOrder(lines: Int) throws {
        ordersWritten += 1
        linesWritten += lines
        try out.drainIfLarge()
    }

    /// Everything of an order after its start tag, up to and including `</ShipmentOrder>` and the line end.
    static func writeBody(_ order: Order, to out: OutputBuffer, includeEmail: Bool, includePhone: Bool) {
        // From the order's packed bytes (`Order.withPacked`), without a String; copied as they are when no text of
        // the order holds a byte to escape (`Order.xmlSafe`), as nearly every order.
        order.withPacked { p in
            let e = !p.xmlSafe
            out.element("<OrderDate>", "</OrderDate>", p[.orderDate], escape: e)
            out.element("<Store>", "</Store>", p[.store], escape: e)
            out.element("<CustomerId>", "</CustomerId>", p[.customerId], escape: e)
            out.element("<Carrier>", "</Carrier>", p[.carrierService], escape: e)
            out.element("<Priority>", "</Priority>", p[.priority], escape: e)
            out.element("<GiftNote>", "</GiftNote>", p[.giftNote], escape: e)
            out.append("<ShipTo>")
            out.element("<Name>", "</Name>", p[.shipName], escape: e)
            out.element("<Company>", "</Company>", p[.shipCompany], escape: e)
            out.element("<Address1>", "</Address1>", p[.shipAddress1], escape: e)
            out.element("<Address2>", "</Address2>", p[.shipAddress2], escape: e)
            out.element("<Address3>", "</Address3>", p[.shipAddress3], escape: e)
            out.element("<City>", "</City>", p[.shipCity], escape: e)
            out.element("<Region>", "</Region>", p[.shipRegion], escape: e)
            out.element("<PostalCode>", "</PostalCode>", p[.shipPostcode], escape: e)
            out.element("<Country>", "</Country>", p[.shipCountry], escape: e)
            if includePhone { out.element("<Phone>", "</Phone>", p[.shipPhone], escape: e) }
            if includeEmail { out.element("<Email>", "</Email>", p[.shipEmail], escape: e) }
            out.append("</ShipTo><Payment method=\"")
            out.appendValue(p[.paymentMethod], escape: e)
            out.append("\" currency=\"" as StaticString)
            out.appendValue(p[.currency], escape: e)
            out.append("\"" as StaticString)
            if let cod = p.codAmount {
                out.append(" codAmount=\"" as StaticString)
                out.append(decimal: cod.minorUnits, scale: cod.scale)
                out.append("\"" as StaticString)
            }
            out.append("/>")
            if !(p[.incoterm].isEmpty && p[.iossNumber].isEmpty && p[.eoriNumber].isEmpty) {
                out.append("<Customs")
                out.attribute("incoterm", p[.incoterm], escape: e)
                out.attribute("ioss", p[.iossNumber], escape: e)
                out.attribute("eori", p[.eoriNumber], escape: e)
                out.append("/>")
            }
            out.append("<Lines>")
            for i in p.lines.indices { writeLine(p.lines.baseAddress! + i, p, escape: e, to: out) }
            out.append("</Lines></ShipmentOrder>\n")
        }
    }

    private static func writeLine(_ line: UnsafePointer<Order.Packed.Line>, _ p: Order.Packed, escape e: Bool,
                                  to out: OutputBuffer) {
        out.append("<Line lineNo=\"" as StaticString)
        out.append(int: line.pointee.lineNo)
        out.append("\">" as StaticString)
        out.element("<Sku>", "</Sku>", p[line.pointee.wmsItem], escape: e)
        out.element("<Description>", "</Description>", p[line.pointee.description], escape: e)
        out.append("<Quantity" as StaticString)
        out.attribute("uom", p[line.pointee.uom], escape: e)
        out.append(">" as StaticString)
        out.append(int: line.pointee.quantity)
        out.append("</Quantity><UnitPrice>" as StaticString)
        out.append(decimal: line.pointee.unitPrice.minorUnits, scale: line.pointee.unitPrice.scale)
        out.append("</UnitPrice>" as StaticString)
        if let t = line.pointee.taxRate {
            out.append("<TaxRate>" as StaticString)
            out.append(decimal: t.units, scale: t.scale)
            out.append("</TaxRate>" as StaticString)
        }
        out.element("<HsCode>", "</HsCode>", p[line.pointee.hsCode], escape: e)
        out.element("<OriginCountry>", "</OriginCountry>", p[line.pointee.originCountry], escape: e)
        out.append("</Line>")
    }

    /// Closes the root element and drains everything into the sink.
    public func finish() throws {
        out.append("</ShipmentOrders>\n")
        try out.drain()
    }
}

/// An order's shipment-order body (`ShipmentOrderWriter.writeBody`), rendered ahead of the ledger thread.
public struct RenderedShipmentOrder: Sendable {
    public let bytes: [UInt8]
    let includeEmail: Bool
    let includePhone: Bool
}

/// Renders orders' shipment-order bodies where they are validated, while the ledger thread is the busier of the
/// two: it then only writes each start tag (version and action come from the ledger) and copies the rest. One per
/// thread. (An order that turns out to be a duplicate was rendered for nothing; the validating thread has time to
/// spare then.)
public final class ShipmentOrderRenderer {
    private let out = OutputBuffer(sink: nil, capacity: 4 << 10)
    private let includeEmail: Bool
    private let includePhone: Bool

    public init(includeEmail: Bool = false, includePhone: Bool = true) {
        self.includeEmail = includeEmail
        self.includePhone = includePhone
    }

    public func render(_ order: Order) -> RenderedShipmentOrder {
        ShipmentOrderWriter.writeBody(order, to: out, includeEmail: includeEmail, includePhone: includePhone)
        return RenderedShipmentOrder(bytes: out.takeBytes(), includeEmail: includeEmail, includePhone: includePhone)
    }
}
