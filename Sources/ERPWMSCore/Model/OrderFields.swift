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
///
/// The CSV reader's usual path hands the line's texts packed in one array (`init(location:packedValues:orderValues:)`),
/// which the validator reads as bytes, without a String per field; `values` makes the Strings when asked.
public struct RawLine: Sendable {
    public var location: SourceLocation
    /// `LineField.allCases.count` ends (`UInt32`, from the start of the array), then the fields' bytes, one after the
    /// other; nil when the line holds Strings.
    @usableFromInline var packed: [UInt8]?
    private var strings: [String]
    /// Order-level values carried on this row (CSV), indexed by `OrderField.index`.
    public var orderValues: [String]?

    public init(location: SourceLocation, values: [String], orderValues: [String]? = nil) {
        self.location = location
        self.strings = values
        self.packed = nil
        self.orderValues = orderValues
    }

    /// A line whose texts `RawLine.pack` packed.
    public init(location: SourceLocation, packedValues: [UInt8], orderValues: [String]? = nil) {
        precondition(packedValues.count >= Self.headerSize, "a packed line starts with its fields' ends")
        self.location = location
        self.strings = []
        self.packed = packedValues
        self.orderValues = orderValues
    }

    /// Indexed by `LineField.index`; empty string when absent.
    public var values: [String] {
        get {
            guard let packed else { return strings }
            return packed.withUnsafeBufferPointer { p in
                (0..<Self.fieldCount).map { String(decoding: Self.field($0, in: p), as: UTF8.self) }
            }
        }
        set {
            strings = newValue
            packed = nil
        }
    }

    public subscript(_ field: LineField) -> String {
        guard let packed else { return strings[field.index] }
        return packed.withUnsafeBufferPointer { String(decoding: Self.field(field.index, in: $0), as: UTF8.self) }
    }

    @usableFromInline static let fieldCount = LineField.allCases.count
    @usableFromInline static let headerSize = fieldCount * 4

    @inlinable @inline(__always)
    static func field(_ i: Int, in p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let raw = UnsafeRawPointer(p.baseAddress!)
        let start = i == 0 ? headerSize : Int(raw.loadUnaligned(fromByteOffset: (i - 1) * 4, as: UInt32.self))
        let end = Int(raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
        return UnsafeBufferPointer(start: p.baseAddress! + start, count: end - start)
    }

    /// The fields' bytes (`Fields`), valid inside `body`; a line of Strings is packed for it first.
    public func withFields<R>(_ body: (Fields) throws -> R) rethrows -> R {
        let bytes = packed ?? Self.pack(strings)
        return try bytes.withUnsafeBufferPointer { try body(Fields(bytes: $0)) }
    }

    /// A line's fields as bytes.
    public struct Fields {
        @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
        @usableFromInline init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }
        @inlinable @inline(__always)
        public subscript(_ field: LineField) -> UnsafeBufferPointer<UInt8> { RawLine.field(field.index, in: bytes) }
    }

    /// Packs one text per field (`LineField.index` order; `slices.count == LineField.allCases.count`).
    @inlinable
    public static func pack(_ slices: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>) -> [UInt8] {
        precondition(slices.count == fieldCount, "a line has \(fieldCount) fields")
        var total = headerSize
        for f in slices { total += f.count }
        return [UInt8](unsafeUninitializedCapacity: total) { buf, initialized in
            let base = buf.baseAddress!
            var at = headerSize
            for i in 0..<fieldCount {
                let f = slices[i]
                if let src = f.baseAddress, f.count > 0 { SmallCopy.copy(to: base + at, from: src, count: f.count) }
                at += f.count
                UnsafeMutableRawPointer(base).storeBytes(of: UInt32(truncatingIfNeeded: at), toByteOffset: i * 4, as: UInt32.self)
            }
            initialized = total
        }
    }

    /// Strings packed (what `withFields` reads for a line of Strings).
    @usableFromInline static func pack(_ strings: [String]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: headerSize)
        for i in 0..<fieldCount {
            if i < strings.count { out.append(contentsOf: strings[i].utf8) }
            let end = UInt32(truncatingIfNeeded: out.count)
            out.withUnsafeMutableBytes { $0.storeBytes(of: end, toByteOffset: i * 4, as: UInt32.self) }
        }
        return out
    }
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
