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

    private var out: OutputBuffer
    private let includeEmail: Bool
    private let includePhone: Bool
    public private(set) var ordersWritten = 0
    public private(set) var linesWritten = 0

    /// Starts the document: declaration and the `<ShipmentOrders>` root.
    public init(sink: ByteSink, warehouse: String, source: String, includeEmail: Bool = false,
                includePhone: Bool = true) {
        out = OutputBuffer(sink: sink)
        self.includeEmail = includeEmail
        self.includePhone = includePhone
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ShipmentOrders warehouse=\"")
        out.appendEscaped(warehouse, attribute: true)
        out.append("\" source=\"")
        out.appendEscaped(source, attribute: true)
        out.append("\">\n")
    }

    /// Appends one order.
    public func write(_ order: Order, version: Int, action: Action) throws {
        out.append("<ShipmentOrder orderId=\"")
        out.appendEscaped(order.id, attribute: true)
        out.append("\" version=\"\(version)\" action=\"\(action.rawValue)\">")
        element("OrderDate", order.orderDate)
        element("Store", order.store)
        element("CustomerId", order.customerId)
        element("Carrier", order.carrierService)
        element("Priority", order.priority)
        element("GiftNote", order.giftNote)
        out.append("<ShipTo>")
        let a = order.shipTo
        element("Name", a.name)
        element("Company", a.company)
        element("Address1", a.lines[0])
        element("Address2", a.lines[1])
        element("Address3", a.lines[2])
        element("City", a.city)
        element("Region", a.region)
        element("PostalCode", a.postcode)
        element("Country", a.country)
        if includePhone { element("Phone", a.phone) }
        if includeEmail { element("Email", a.email) }
        out.append("</ShipTo><Payment method=\"")
        out.appendEscaped(order.paymentMethod, attribute: true)
        out.append("\" currency=\"\(order.currency)\"")
        if let cod = order.codAmount { out.append(" codAmount=\"\(cod.description)\"") }
        out.append("/>")
        let c = order.customs
        if !c.isEmpty {
            out.append("<Customs")
            attribute("incoterm", c.incoterm)
            attribute("ioss", c.iossNumber)
            attribute("eori", c.eoriNumber)
            out.append("/>")
        }
        out.append("<Lines>")
        for line in order.lines {
            out.append("<Line lineNo=\"\(line.lineNo)\">")
            element("Sku", line.wmsItem)
            element("Description", line.description)
            out.append("<Quantity")
            attribute("uom", line.uom)
            out.append(">\(line.quantity)</Quantity><UnitPrice>\(line.unitPrice.description)</UnitPrice>")
            if let t = line.taxRate { out.append("<TaxRate>\(t.description)</TaxRate>") }
            element("HsCode", line.hsCode)
            element("OriginCountry", line.originCountry)
            out.append("</Line>")
        }
        out.append("</Lines></ShipmentOrder>\n")
        ordersWritten += 1
        linesWritten += order.lines.count
        try out.drainIfLarge()
    }

    /// Closes the root element and drains everything into the sink.
    public func finish() throws {
        out.append("</ShipmentOrders>\n")
        try out.drain()
    }

    private func element(_ name: String, _ value: String) {
        guard !value.isEmpty else { return }
        out.append("<\(name)>")
        out.appendEscaped(value)
        out.append("</\(name)>")
    }

    private func attribute(_ name: String, _ value: String) {
        guard !value.isEmpty else { return }
        out.append(" \(name)=\"")
        out.appendEscaped(value, attribute: true)
        out.append("\"")
    }
}
