/// Ship-to party. Every field is personal data.
public struct Address: Sendable, Hashable {
    public var name: String
    public var company: String
    /// The three address lines; empty strings for absent lines. Held one by one, not in an array: an array was an
    /// allocation of its own for every order (`lines` gives and takes the three as one).
    public var line1: String
    public var line2: String
    public var line3: String
    public var city: String
    public var region: String
    public var postcode: String
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String
    public var phone: String
    public var email: String

    public init(name: String, company: String, lines: [String], city: String, region: String, postcode: String, country: String,
                phone: String, email: String) {
        self.init(name: name, company: company, line1: "", line2: "", line3: "", city: city, region: region, postcode: postcode,
                  country: country, phone: phone, email: email)
        self.lines = lines
    }

    public init(name: String, company: String, line1: String, line2: String, line3: String, city: String, region: String,
                postcode: String, country: String, phone: String, email: String) {
        self.name = name
        self.company = company
        self.line1 = line1
        self.line2 = line2
        self.line3 = line3
        self.city = city
        self.region = region
        self.postcode = postcode
        self.country = country
        self.phone = phone
        self.email = email
    }

    /// Up to three address lines (more are dropped); empty strings for absent lines.
    public var lines: [String] {
        get { [line1, line2, line3] }
        set {
            line1 = newValue.count > 0 ? newValue[0] : ""
            line2 = newValue.count > 1 ? newValue[1] : ""
            line3 = newValue.count > 2 ? newValue[2] : ""
        }
    }
}

/// Customs data for cross-border parcels.
public struct Customs: Sendable, Hashable {
    public var incoterm: String
    public var iossNumber: String
    public var eoriNumber: String
    public init(incoterm: String = "", iossNumber: String = "", eoriNumber: String = "") {
        self.incoterm = incoterm
        self.iossNumber = iossNumber
        self.eoriNumber = eoriNumber
    }
    public var isEmpty: Bool { incoterm.isEmpty && iossNumber.isEmpty && eoriNumber.isEmpty }
}

/// One validated, cleaned order line.
public struct OrderLine: Sendable, Hashable {
    public var lineNo: Int
    /// SKU as the ERP sent it (after cleaning).
    public var sku: String
    /// Item code for the WMS (the SKU after aliasing).
    public var wmsItem: String
    public var description: String
    public var quantity: Int
    public var uom: String
    /// Unit price in the order currency, exact.
    public var unitPrice: Money
    public var taxRate: FixedDecimal?
    public var hsCode: String
    public var originCountry: String

    public init(lineNo: Int, sku: String, wmsItem: String, description: String, quantity: Int, uom: String, unitPrice: Money,
                taxRate: FixedDecimal?, hsCode: String, originCountry: String) {
        self.lineNo = lineNo
        self.sku = sku
        self.wmsItem = wmsItem
        self.description = description
        self.quantity = quantity
        self.uom = uom
        self.unitPrice = unitPrice
        self.taxRate = taxRate
        self.hsCode = hsCode
        self.originCountry = originCountry
    }
}

/// One validated, cleaned sales order, ready to be instructed to the WMS.
///
/// Its texts are held packed in one buffer, not as a String per field: the order's canonical form (`canonicalForm`,
/// what its content hash is taken of) with the offsets of its fields, and an array of its lines' numbers and the
/// offsets of their texts. The pipeline hashes the canonical form as it is and writes the fields' bytes into the
/// ledger and the WMS instruction from it, and the thread that frees an order frees two allocations instead of a
/// String for every long field and an array of lines. The fields read and write as Strings (made on each read)
/// for everything else: the reports, the tests and the flows that build orders themselves.
public struct Order: Sendable, Hashable {
    /// `Packed.headerSize` bytes of header (the end of each order-level field in `OrderField.allCases` order, then the
    /// end of the canonical form, each a `UInt32`), the canonical form, then the WMS items of lines whose SKU has an
    /// alias. A field ends at its separator (U+001F).
    @usableFromInline var text: [UInt8]
    @usableFromInline var lineRecords: [Packed.Line]
    @usableFromInline var cod: Money?
    /// No byte of `text` is one XML escapes (& < > " tab LF CR), as in nearly every order: the instruction writer
    /// copies its fields as they are, without looking at each byte for one to escape. Told by the validator from the
    /// look it took at each field anyway, or found by a scan.
    @usableFromInline var xmlSafe: Bool

    init(text: [UInt8], lineRecords: [Packed.Line], cod: Money?, xmlSafe: Bool? = nil) {
        self.text = text
        self.lineRecords = lineRecords
        self.cod = cod
        self.xmlSafe = xmlSafe ?? text.withUnsafeBufferPointer {
            !Clean.hasXMLSpecial(UnsafeBufferPointer(rebasing: $0[Packed.headerSize...]))
        }
    }

    public init(id: String, orderDate: String, store: String, customerId: String, shipTo: Address, currency: String,
                paymentMethod: String, codAmount: Money?, carrierService: String, requestedWarehouse: String, priority: String,
                giftNote: String, customs: Customs, lines: [OrderLine]) {
        self.init(values: [id, orderDate, store, customerId, shipTo.name, shipTo.company, shipTo.line1, shipTo.line2,
                           shipTo.line3, shipTo.city, shipTo.region, shipTo.postcode, shipTo.country, shipTo.phone,
                           shipTo.email, currency, paymentMethod, "", carrierService, requestedWarehouse, priority, giftNote,
                           customs.incoterm, customs.iossNumber, customs.eoriNumber],
                  cod: codAmount, lines: lines)
    }

    /// Packs the order-level values (indexed by `OrderField.index`; the COD amount's slot is not read) and the lines.
    private init(values: [String], cod: Money?, lines: [OrderLine]) {
        var packer = OrderPacker(capacity: Packed.headerSize + 512)
        for (i, v) in values.enumerated() {
            if i == OrderField.codAmount.index { packer.orderField(cod) } else { packer.orderField(v) }
        }
        var records: [Packed.Line] = []
        records.reserveCapacity(lines.count)
        for l in lines {
            records.append(packer.line(lineNo: l.lineNo, sku: l.sku, description: l.description, quantity: l.quantity,
                                       uom: l.uom, unitPrice: l.unitPrice, taxRate: l.taxRate, hsCode: l.hsCode,
                                       originCountry: l.originCountry))
        }
        packer.endCanonicalForm()
        for i in records.indices where lines[i].wmsItem != lines[i].sku {
            records[i].wmsItem = packer.extra(lines[i].wmsItem)
        }
        self.init(text: packer.finish(), lineRecords: records, cod: cod)
    }

    /// The order's values as Strings, for a change to one of them (the order is packed again).
    private var values: [String] { OrderField.allCases.map(string) }

    private mutating func change(_ body: (inout [String], inout Money?, inout [OrderLine]) -> Void) {
        var v = values, c = cod, l = lines
        body(&v, &c, &l)
        self = Order(values: v, cod: c, lines: l)
    }

    private mutating func set(_ field: OrderField, _ value: String) {
        change { v, _, _ in v[field.index] = value }
    }

    /// An order-level field as a String (`codAmount`'s slot: the amount's digits, or empty).
    public func string(_ field: OrderField) -> String {
        withUTF8(field) { String(decoding: $0, as: UTF8.self) }
    }

    /// An order-level field's UTF-8 bytes, valid inside `body`.
    @inlinable
    public func withUTF8<R>(_ field: OrderField, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try text.withUnsafeBufferPointer { try body(Packed.field(field.index, in: $0)) }
    }

    /// The packed order, valid inside `body`: its fields' bytes and its lines' records, without a String.
    @inlinable
    public func withPacked<R>(_ body: (Packed) throws -> R) rethrows -> R {
        try text.withUnsafeBufferPointer { t in
            try lineRecords.withUnsafeBufferPointer { l in try body(Packed(text: t, lines: l, codAmount: cod, xmlSafe: xmlSafe)) }
        }
    }

    public var id: String {
        get { string(.orderId) }
        set { set(.orderId, newValue) }
    }
    /// ISO 8601 date-time with offset, as validated.
    public var orderDate: String {
        get { string(.orderDate) }
        set { set(.orderDate, newValue) }
    }
    public var store: String {
        get { string(.store) }
        set { set(.store, newValue) }
    }
    public var customerId: String {
        get { string(.customerId) }
        set { set(.customerId, newValue) }
    }
    public var shipTo: Address {
        get {
            Address(name: string(.shipName), company: string(.shipCompany), line1: string(.shipAddress1),
                    line2: string(.shipAddress2), line3: string(.shipAddress3), city: string(.shipCity),
                    region: string(.shipRegion), postcode: string(.shipPostcode), country: string(.shipCountry),
                    phone: string(.shipPhone), email: string(.shipEmail))
        }
        set {
            change { v, _, _ in
                v[OrderField.shipName.index] = newValue.name
                v[OrderField.shipCompany.index] = newValue.company
                v[OrderField.shipAddress1.index] = newValue.line1
                v[OrderField.shipAddress2.index] = newValue.line2
                v[OrderField.shipAddress3.index] = newValue.line3
                v[OrderField.shipCity.index] = newValue.city
                v[OrderField.shipRegion.index] = newValue.region
                v[OrderField.shipPostcode.index] = newValue.postcode
                v[OrderField.shipCountry.index] = newValue.country
                v[OrderField.shipPhone.index] = newValue.phone
                v[OrderField.shipEmail.index] = newValue.email
            }
        }
    }
    /// ISO 4217, upper case.
    public var currency: String {
        get { string(.currency) }
        set { set(.currency, newValue) }
    }
    public var paymentMethod: String {
        get { string(.paymentMethod) }
        set { set(.paymentMethod, newValue) }
    }
    public var codAmount: Money? {
        get { cod }
        set { change { _, c, _ in c = newValue } }
    }
    public var carrierService: String {
        get { string(.carrierService) }
        set { set(.carrierService, newValue) }
    }
    /// Warehouse the ERP asked for; empty when routing decides.
    public var requestedWarehouse: String {
        get { string(.warehouse) }
        set { set(.warehouse, newValue) }
    }
    public var priority: String {
        get { string(.priority) }
        set { set(.priority, newValue) }
    }
    public var giftNote: String {
        get { string(.giftNote) }
        set { set(.giftNote, newValue) }
    }
    public var customs: Customs {
        get { Customs(incoterm: string(.incoterm), iossNumber: string(.iossNumber), eoriNumber: string(.eoriNumber)) }
        set {
            change { v, _, _ in
                v[OrderField.incoterm.index] = newValue.incoterm
                v[OrderField.iossNumber.index] = newValue.iossNumber
                v[OrderField.eoriNumber.index] = newValue.eoriNumber
            }
        }
    }
    /// The lines as values (made at each read; the pipeline reads `withPacked`).
    public var lines: [OrderLine] {
        get {
            withPacked { p in
                p.lines.map { l in
                    OrderLine(lineNo: l.lineNo, sku: p.string(l.sku), wmsItem: p.string(l.wmsItem),
                              description: p.string(l.description), quantity: l.quantity, uom: p.string(l.uom),
                              unitPrice: l.unitPrice, taxRate: l.taxRate, hsCode: p.string(l.hsCode),
                              originCountry: p.string(l.originCountry))
                }
            }
        }
        set { change { _, _, l in l = newValue } }
    }
    public var lineCount: Int { lineRecords.count }
    /// No text of the order holds a byte XML escapes (& < > " tab LF CR).
    public var isXMLSafe: Bool { xmlSafe }

    /// The canonical serialisation of everything the ERP said about this order: each order-level field in
    /// `OrderField.allCases` order, then for each line U+001E and its line number, SKU, description, quantity,
    /// unit, unit price, tax rate, HS code and origin country, each field followed by U+001F. Numbers are written
    /// as `String(Int)` and the amounts' `description` write them; an absent amount is empty. Two orders with the
    /// same serialisation are the same order. Its bytes are hashed into the ledger (`contentHash`), so they must
    /// never change.
    public var canonicalForm: String {
        withCanonicalForm { String(decoding: $0, as: UTF8.self) }
    }

    /// `canonicalForm`'s bytes, valid inside `body` (the order holds them as they are).
    public func withCanonicalForm<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try text.withUnsafeBufferPointer { t in
            try body(UnsafeBufferPointer(rebasing: t[Packed.headerSize..<Packed.end(Packed.fieldCount, in: t)]))
        }
    }
}

extension Order {
    /// An order's packed texts and lines as `Order.withPacked` lends them.
    public struct Packed {
        public let text: UnsafeBufferPointer<UInt8>
        public let lines: UnsafeBufferPointer<Line>
        public let codAmount: Money?
        /// No text needs an XML escape (`Order.xmlSafe`).
        public let xmlSafe: Bool

        @usableFromInline init(text: UnsafeBufferPointer<UInt8>, lines: UnsafeBufferPointer<Line>, codAmount: Money?,
                               xmlSafe: Bool) {
            self.text = text
            self.lines = lines
            self.codAmount = codAmount
            self.xmlSafe = xmlSafe
        }

        /// Where a text is in the buffer.
        public struct Range: Sendable, Hashable {
            public var start: UInt32
            public var count: UInt32
        }

        /// One order line: its numbers, and where its texts are.
        public struct Line: Sendable, Hashable {
            public var lineNo: Int
            public var quantity: Int
            /// Unit price in the order currency, exact.
            public var unitPrice: Money
            public var taxRate: FixedDecimal?
            /// SKU as the ERP sent it (after cleaning).
            public var sku: Range
            /// Item code for the WMS (the SKU after aliasing; the SKU's own range when it has no alias).
            public var wmsItem: Range
            public var description: Range
            public var uom: Range
            public var hsCode: Range
            public var originCountry: Range
        }

        @usableFromInline static let fieldCount = OrderField.allCases.count
        /// The fields' ends and the canonical form's end.
        @usableFromInline static let headerSize = (fieldCount + 1) * 4

        /// Entry `i` of the header: the end of field `i`, or of the canonical form for `i == fieldCount`.
        @inlinable @inline(__always)
        static func end(_ i: Int, in t: UnsafeBufferPointer<UInt8>) -> Int {
            Int(UnsafeRawPointer(t.baseAddress!).loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
        }

        @inlinable @inline(__always)
        static func field(_ i: Int, in t: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            let start = i == 0 ? headerSize : end(i - 1, in: t) + 1
            return UnsafeBufferPointer(start: t.baseAddress! + start, count: end(i, in: t) - start)
        }

        /// An order-level field's bytes.
        @inlinable @inline(__always)
        public subscript(_ field: OrderField) -> UnsafeBufferPointer<UInt8> { Self.field(field.index, in: text) }

        /// A line's text's bytes.
        @inlinable @inline(__always)
        public subscript(_ r: Range) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: text.baseAddress! + Int(r.start), count: Int(r.count))
        }

        public func string(_ r: Range) -> String { String(decoding: self[r], as: UTF8.self) }
    }
}

/// Packs an order's texts (`Order.text`): the order-level fields first, in `OrderField.allCases` order, then the
/// lines, then the WMS items of aliased lines. Written into memory of its own and copied into the order's array at
/// the end, once its size is known.
struct OrderPacker: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = Order.Packed.headerSize
    private var fields = 0

    init(capacity: Int) {
        self.capacity = max(capacity, Order.Packed.headerSize + 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// The bytes and a separator after them.
    @inline(__always)
    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, then separator: UInt8) {
        reserve(bytes.count + 1)
        if let src = bytes.baseAddress, bytes.count > 0 {
            SmallCopy.copy(to: base + count, from: src, count: bytes.count)
            count += bytes.count
        }
        base[count] = separator
        count += 1
    }

    @inline(__always)
    private mutating func separator(_ b: UInt8 = 0x1F) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inline(__always)
    private mutating func header(_ i: Int, _ value: Int) {
        UnsafeMutableRawPointer(base).storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: i * 4, as: UInt32.self)
    }

    /// The next order-level field.
    @inline(__always)
    mutating func orderField(_ bytes: UnsafeBufferPointer<UInt8>) {
        assert(fields < Order.Packed.fieldCount, "an order has \(Order.Packed.fieldCount) fields")
        header(fields, count + bytes.count)
        fields += 1
        append(bytes, then: 0x1F)
    }

    mutating func orderField(_ s: String) {
        s.withUTF8Bytes { orderField($0) }
    }

    mutating func orderField(_ s: CleanedText) {
        s.withUTF8 { orderField($0) }
    }

    /// The COD amount's field: its digits, or empty.
    mutating func orderField(_ amount: Money?) {
        guard let amount else { return orderField(UnsafeBufferPointer(start: nil, count: 0)) }
        DecimalText.withDigits(amount.minorUnits, scale: amount.scale) { orderField($0.assumingMemoryBound(to: UInt8.self)) }
    }

    @inline(__always)
    private mutating func text(_ s: CleanedText) -> Order.Packed.Range {
        let start = count
        s.withUTF8 { append($0, then: 0x1F) }
        return Order.Packed.Range(start: UInt32(truncatingIfNeeded: start), count: UInt32(truncatingIfNeeded: count - 1 - start))
    }

    @inline(__always)
    private mutating func number(_ units: Int64, scale: Int) {
        DecimalText.withDigits(units, scale: scale) { append($0.assumingMemoryBound(to: UInt8.self), then: 0x1F) }
    }

    /// The next line, after the order-level fields; its WMS item is its SKU until `extra` gives it one.
    mutating func line(lineNo: Int, sku: String, description: String, quantity: Int, uom: String, unitPrice: Money,
                       taxRate: FixedDecimal?, hsCode: String, originCountry: String) -> Order.Packed.Line {
        line(lineNo: lineNo, sku: .string(sku), description: .string(description), quantity: quantity, uom: .string(uom),
             unitPrice: unitPrice, taxRate: taxRate, hsCode: .string(hsCode), originCountry: .string(originCountry))
    }

    mutating func line(lineNo: Int, sku: CleanedText, description: CleanedText, quantity: Int, uom: CleanedText,
                       unitPrice: Money, taxRate: FixedDecimal?, hsCode: CleanedText, originCountry: CleanedText) -> Order.Packed.Line {
        precondition(fields == Order.Packed.fieldCount, "the order-level fields come before the lines")
        separator(0x1E)
        separator()
        number(Int64(lineNo), scale: 0)
        let sku = text(sku), description = text(description)
        number(Int64(quantity), scale: 0)
        let uom = text(uom)
        number(unitPrice.minorUnits, scale: unitPrice.scale)
        if let t = taxRate { number(t.units, scale: t.scale) } else { separator() }
        let hs = text(hsCode), origin = text(originCountry)
        return Order.Packed.Line(lineNo: lineNo, quantity: quantity, unitPrice: unitPrice, taxRate: taxRate, sku: sku,
                                 wmsItem: sku, description: description, uom: uom, hsCode: hs, originCountry: origin)
    }

    /// Ends the canonical form: what follows (`extra`) is not hashed.
    mutating func endCanonicalForm() {
        precondition(fields == Order.Packed.fieldCount, "the order-level fields come before the end")
        header(Order.Packed.fieldCount, count)
    }

    /// A text after the canonical form (a line's WMS item).
    mutating func extra(_ s: String) -> Order.Packed.Range {
        let start = count
        s.withUTF8Bytes { append($0, then: 0x1F) }
        count -= 1  // no separator after an extra
        return Order.Packed.Range(start: UInt32(start), count: UInt32(count - start))
    }

    /// The packed bytes, in an array of their size (`Array(UnsafeBufferPointer)`: see `PackedTexts.init`).
    consuming func finish() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }
}
