import ERPWMSCore

/// A shipment-order batch writer: XML (`ShipmentOrderWriter`) or a warehouse's own CSV layout.
public protocol ShipmentOrderOutput: AnyObject {
    func write(_ order: Order, version: Int, action: ShipmentOrderWriter.Action) throws
    /// As `write(_:version:action:)`, with the order's body rendered ahead where the format can use it.
    func write(_ order: Order, version: Int, action: ShipmentOrderWriter.Action, rendered: RenderedShipmentOrder?) throws
    func finish() throws
}

extension ShipmentOrderOutput {
    /// A format that renders nothing ahead writes the order as it is.
    public func write(_ order: Order, version: Int, action: ShipmentOrderWriter.Action,
                      rendered: RenderedShipmentOrder?) throws {
        try write(order, version: version, action: action)
    }
}

extension ShipmentOrderWriter: ShipmentOrderOutput {}

/// The fields a CSV shipment-order layout can hold, one row per order line.
public enum WMSCSVField: String, CaseIterable, Sendable {
    case orderId = "order_id", version, action, warehouse, orderDate = "order_date", store, customerId = "customer_id"
    case carrierService = "carrier_service", priority, giftNote = "gift_note"
    case shipName = "ship_name", shipCompany = "ship_company", shipAddress1 = "ship_address1", shipAddress2 = "ship_address2"
    case shipAddress3 = "ship_address3", shipCity = "ship_city", shipRegion = "ship_region", shipPostcode = "ship_postcode"
    case shipCountry = "ship_country", shipPhone = "ship_phone", shipEmail = "ship_email"
    case currency, paymentMethod = "payment_method", codAmount = "cod_amount"
    case incoterm, iossNumber = "ioss_number", eoriNumber = "eori_number"
    case lineNo = "line_no", sku, description, quantity, uom, unitPrice = "unit_price", taxRate = "tax_rate"
    case hsCode = "hs_code", originCountry = "origin_country"
}

/// Writes shipment orders in a configured CSV layout (column names and order), for warehouses that want
/// CSV. Deterministic; cells a spreadsheet would execute are escaped by `CSVWriter`. The e-mail column
/// stays empty unless `includeEmail`, the phone unless `includePhone`.
public final class ShipmentOrderCSVWriter: ShipmentOrderOutput {
    private let csv: CSVWriter
    private let columns: [(header: String, field: WMSCSVField)]
    private let warehouse: String
    private let includeEmail: Bool
    private let includePhone: Bool

    public init(sink: ByteSink, warehouse: String, columns: [(header: String, field: WMSCSVField)],
                includeEmail: Bool = false, includePhone: Bool = true) throws {
        csv = CSVWriter(sink: sink)
        self.columns = columns
        self.warehouse = warehouse
        self.includeEmail = includeEmail
        self.includePhone = includePhone
        try csv.writeRow(columns.map(\.header))
    }

    public func write(_ o: Order, version: Int, action: ShipmentOrderWriter.Action) throws {
        for l in o.lines {
            try csv.writeRow(columns.map { value($0.field, o, l, version, action) })
        }
    }

    public func finish() throws { try csv.finish() }

    /// Order-level fields are read one by one (`Order.string`): `o.shipTo.city` or `o.customs.incoterm` would make a
    /// String of every field of the address or the customs data for each cell.
    private func value(_ f: WMSCSVField, _ o: Order, _ l: OrderLine, _ version: Int, _ action: ShipmentOrderWriter.Action) -> String {
        switch f {
        case .orderId: return o.string(.orderId)
        case .version: return String(version)
        case .action: return action.rawValue
        case .warehouse: return warehouse
        case .orderDate: return o.string(.orderDate)
        case .store: return o.string(.store)
        case .customerId: return o.string(.customerId)
        case .carrierService: return o.string(.carrierService)
        case .priority: return o.string(.priority)
        case .giftNote: return o.string(.giftNote)
        case .shipName: return o.string(.shipName)
        case .shipCompany: return o.string(.shipCompany)
        case .shipAddress1: return o.string(.shipAddress1)
        case .shipAddress2: return o.string(.shipAddress2)
        case .shipAddress3: return o.string(.shipAddress3)
        case .shipCity: return o.string(.shipCity)
        case .shipRegion: return o.string(.shipRegion)
        case .shipPostcode: return o.string(.shipPostcode)
        case .shipCountry: return o.string(.shipCountry)
        case .shipPhone: return includePhone ? o.string(.shipPhone) : ""
        case .shipEmail: return includeEmail ? o.string(.shipEmail) : ""
        case .currency: return o.string(.currency)
        case .paymentMethod: return o.string(.paymentMethod)
        case .codAmount: return o.codAmount?.description ?? ""
        case .incoterm: return o.string(.incoterm)
        case .iossNumber: return o.string(.iossNumber)
        case .eoriNumber: return o.string(.eoriNumber)
        case .lineNo: return String(l.lineNo)
        case .sku: return l.wmsItem
        case .description: return l.description
        case .quantity: return String(l.quantity)
        case .uom: return l.uom
        case .unitPrice: return l.unitPrice.description
        case .taxRate: return l.taxRate?.description ?? ""
        case .hsCode: return l.hsCode
        case .originCountry: return l.originCountry
        }
    }
}
