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

/// Texts packed in one array: their number and the end of each (`UInt32`s from the array's start), then their bytes,
/// one after the other. What the CSV reader hands the validator for a row's fields, where it had made a String of
/// each (and an array of them) for the validator to read once.
public struct PackedTexts: Sendable, Equatable {
    public let bytes: [UInt8]

    /// Bytes already laid out as above (the CSV reader packs a row's fields in one pass: `CSVParser.packFields`).
    @inlinable
    public init(packed bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The Strings' bytes packed; at least `count` texts, empty ones after the Strings.
    public init(_ strings: [String], count: Int = 0) {
        let n = Swift.max(strings.count, count)
        var out = [UInt8](repeating: 0, count: (n + 1) * 4)
        out.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(truncatingIfNeeded: n), as: UInt32.self) }
        for i in 0..<n {
            if i < strings.count { out.append(contentsOf: strings[i].utf8) }
            let end = UInt32(truncatingIfNeeded: out.count)
            out.withUnsafeMutableBytes { $0.storeBytes(of: end, toByteOffset: (i + 1) * 4, as: UInt32.self) }
        }
        bytes = out
    }

    /// The number of texts.
    public var count: Int { bytes.withUnsafeBufferPointer { Fields($0).count } }

    /// The texts as Strings.
    public var strings: [String] {
        withFields { f in (0..<f.count).map { String(decoding: f[$0], as: UTF8.self) } }
    }

    public func string(_ i: Int) -> String { withFields { String(decoding: $0[i], as: UTF8.self) } }

    /// The texts' bytes, valid inside `body`.
    @inlinable
    public func withFields<R>(_ body: (Fields) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { try body(Fields($0)) }
    }

    /// The texts' bytes.
    public struct Fields {
        @usableFromInline let base: UnsafeBufferPointer<UInt8>
        @inlinable init(_ base: UnsafeBufferPointer<UInt8>) { self.base = base }

        public var count: Int { Int(UnsafeRawPointer(base.baseAddress!).loadUnaligned(as: UInt32.self)) }

        @inlinable @inline(__always)
        public subscript(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            let raw = UnsafeRawPointer(base.baseAddress!)
            let start = i == 0 ? (Int(raw.loadUnaligned(as: UInt32.self)) + 1) * 4
                : Int(raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
            let end = Int(raw.loadUnaligned(fromByteOffset: (i + 1) * 4, as: UInt32.self))
            return UnsafeBufferPointer(start: base.baseAddress! + start, count: end - start)
        }

        @inlinable @inline(__always)
        public subscript(_ field: OrderField) -> UnsafeBufferPointer<UInt8> { self[field.index] }
        @inlinable @inline(__always)
        public subscript(_ field: LineField) -> UnsafeBufferPointer<UInt8> { self[field.index] }
    }
}

/// One line as a codec read it: raw text per canonical line field, plus the order-level values of the
/// same row (CSV repeats them on every row; XML has them once, so `orderValues` is nil there).
///
/// The CSV reader's usual path hands the line's texts, and its row's order-level values, packed
/// (`init(location:packedValues:packedOrderValues:)`), which the validator reads as bytes, without a String per field;
/// `values` and `orderValues` make the Strings when asked.
public struct RawLine: Sendable {
    public var location: SourceLocation
    /// The texts when the codec packed them (then `strings` is empty).
    public private(set) var packed: PackedTexts?
    private var strings: [String]
    /// The row's order-level values when the codec packed them (then `orderStrings` is nil).
    public private(set) var packedOrderValues: PackedTexts?
    private var orderStrings: [String]?

    public init(location: SourceLocation, values: [String], orderValues: [String]? = nil) {
        self.location = location
        self.strings = values
        self.orderStrings = orderValues
    }

    /// A line of Strings whose row's order-level values a codec packed.
    public init(location: SourceLocation, values: [String], packedOrderValues: PackedTexts?) {
        self.location = location
        self.strings = values
        self.packedOrderValues = packedOrderValues
    }

    /// A line whose texts (and row's order-level values) a codec packed, in `LineField` (`OrderField`) order.
    public init(location: SourceLocation, packedValues: PackedTexts, packedOrderValues: PackedTexts? = nil) {
        precondition(packedValues.count == LineField.allCases.count, "a line has \(LineField.allCases.count) fields")
        self.location = location
        self.strings = []
        self.packed = packedValues
        self.packedOrderValues = packedOrderValues
    }

    /// Indexed by `LineField.index`; empty string when absent.
    public var values: [String] {
        get { packed?.strings ?? strings }
        set {
            strings = newValue
            packed = nil
        }
    }

    /// Order-level values carried on this row (CSV), indexed by `OrderField.index`.
    public var orderValues: [String]? {
        get { packedOrderValues?.strings ?? orderStrings }
        set {
            orderStrings = newValue
            packedOrderValues = nil
        }
    }

    public subscript(_ field: LineField) -> String { packed?.string(field.index) ?? strings[field.index] }

    /// The fields' bytes, valid inside `body`; a line of Strings is packed for it first.
    public func withFields<R>(_ body: (PackedTexts.Fields) throws -> R) rethrows -> R {
        try (packed ?? PackedTexts(strings, count: LineField.allCases.count)).withFields(body)
    }
}

/// One business document as a codec read it, before validation and cleaning.
public struct RawOrder: Sendable {
    public var location: SourceLocation
    /// The order-level values when the codec packed them (then `strings` is empty).
    public private(set) var packed: PackedTexts?
    private var strings: [String]
    public var lines: [RawLine]
    /// Structural problems the codec found inside this order (wrong column count, schema error).
    public var codecFindings: [Finding]

    public init(location: SourceLocation, orderValues: [String], lines: [RawLine], codecFindings: [Finding] = []) {
        self.location = location
        self.strings = orderValues
        self.lines = lines
        self.codecFindings = codecFindings
    }

    /// An order whose order-level values a codec packed, in `OrderField` order.
    public init(location: SourceLocation, packedOrderValues: PackedTexts, lines: [RawLine], codecFindings: [Finding] = []) {
        precondition(packedOrderValues.count == OrderField.allCases.count, "an order has \(OrderField.allCases.count) fields")
        self.location = location
        self.packed = packedOrderValues
        self.strings = []
        self.lines = lines
        self.codecFindings = codecFindings
    }

    /// Indexed by `OrderField.index`; empty string when absent.
    public var orderValues: [String] {
        get { packed?.strings ?? strings }
        set {
            strings = newValue
            packed = nil
        }
    }

    /// Sets one order-level value in place (`orderValues[i] = value` would copy the array first).
    public mutating func setOrderValue(_ i: Int, _ value: String) {
        if let p = packed {
            strings = p.strings
            packed = nil
        }
        strings[i] = value
    }

    public subscript(_ field: OrderField) -> String { packed?.string(field.index) ?? strings[field.index] }
    public var orderId: String { self[.orderId] }

    /// The order-level values' bytes, valid inside `body`; Strings are packed for it first.
    public func withOrderFields<R>(_ body: (PackedTexts.Fields) throws -> R) rethrows -> R {
        try (packed ?? PackedTexts(strings, count: OrderField.allCases.count)).withFields(body)
    }
}
