/// Canonical order-level field names, shared by the CSV header and the XML element names.
public enum OrderField: String, CaseIterable, Sendable {
    case orderId = "order_id"
    case orderDate = "order_date"
    case store
    case customerId = "customer_id"
    case shipName = "ship_name"
    case shipCompany = "ship_company"
    case shipAddress1 = "ship_address1"
    case shipAddress2 = "ship_address2"
    case shipAddress3 = "ship_address3"
    case shipCity = "ship_city"
    case shipRegion = "ship_region"
    case shipPostcode = "ship_postcode"
    case shipCountry = "ship_country"
    case shipPhone = "ship_phone"
    case shipEmail = "ship_email"
    case currency
    case paymentMethod = "payment_method"
    case codAmount = "cod_amount"
    case carrierService = "carrier_service"
    case warehouse
    case priority
    case giftNote = "gift_note"
    case incoterm
    case iossNumber = "ioss_number"
    case eoriNumber = "eori_number"

    /// Personal data: never shown in clear in messages, logs or reports.
    public var isPersonal: Bool {
        switch self {
        case .customerId, .shipName, .shipCompany, .shipAddress1, .shipAddress2, .shipAddress3, .shipCity,
             .shipRegion, .shipPostcode, .shipPhone, .shipEmail, .giftNote:
            return true
        default:
            return false
        }
    }

    /// Index into `RawOrder.orderValues` (the case's position in `allCases`). A switch rather than a
    /// dictionary: this is on the per-record hot path.
    @inline(__always)
    public var index: Int {
        switch self {
        case .orderId: return 0
        case .orderDate: return 1
        case .store: return 2
        case .customerId: return 3
        case .shipName: return 4
        case .shipCompany: return 5
        case .shipAddress1: return 6
        case .shipAddress2: return 7
        case .shipAddress3: return 8
        case .shipCity: return 9
        case .shipRegion: return 10
        case .shipPostcode: return 11
        case .shipCountry: return 12
        case .shipPhone: return 13
        case .shipEmail: return 14
        case .currency: return 15
        case .paymentMethod: return 16
        case .codAmount: return 17
        case .carrierService: return 18
        case .warehouse: return 19
        case .priority: return 20
        case .giftNote: return 21
        case .incoterm: return 22
        case .iossNumber: return 23
        case .eoriNumber: return 24
        }
    }
}

/// Canonical line-level field names.
public enum LineField: String, CaseIterable, Sendable {
    case lineNo = "line_no"
    case sku
    case description
    case quantity
    case uom
    case unitPrice = "unit_price"
    case taxRate = "tax_rate"
    case hsCode = "hs_code"
    case originCountry = "origin_country"

    /// Index into `RawLine.values` (the case's position in `allCases`).
    @inline(__always)
    public var index: Int {
        switch self {
        case .lineNo: return 0
        case .sku: return 1
        case .description: return 2
        case .quantity: return 3
        case .uom: return 4
        case .unitPrice: return 5
        case .taxRate: return 6
        case .hsCode: return 7
        case .originCountry: return 8
        }
    }
}

/// One line as a codec read it: raw text per canonical line field, plus the order-level values of the
/// same row (CSV repeats them on every row; XML has them once, so `orderValues` is nil there).
public struct RawLine: Sendable {
    public var location: SourceLocation
    /// Indexed by `LineField.index`; empty string when absent.
    public var values: [String]
    /// Order-level values carried on this row (CSV), indexed by `OrderField.index`.
    public var orderValues: [String]?

    public init(location: SourceLocation, values: [String], orderValues: [String]? = nil) {
        self.location = location
        self.values = values
        self.orderValues = orderValues
    }

    public subscript(_ field: LineField) -> String { values[field.index] }
}

/// One business document as a codec read it, before validation and cleaning.
public struct RawOrder: Sendable {
    public var location: SourceLocation
    /// Indexed by `OrderField.index`; empty string when absent.
    public var orderValues: [String]
    public var lines: [RawLine]
    /// Structural problems the codec found inside this order (wrong column count, schema error).
    public var codecFindings: [Finding]

    public init(location: SourceLocation, orderValues: [String], lines: [RawLine], codecFindings: [Finding] = []) {
        self.location = location
        self.orderValues = orderValues
        self.lines = lines
        self.codecFindings = codecFindings
    }

    public subscript(_ field: OrderField) -> String { orderValues[field.index] }
    public var orderId: String { orderValues[OrderField.orderId.index] }
}
