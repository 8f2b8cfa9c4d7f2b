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
public struct Order: Sendable, Hashable {
    public var id: String
    /// ISO 8601 date-time with offset, as validated.
    public var orderDate: String
    public var store: String
    public var customerId: String
    public var shipTo: Address
    /// ISO 4217, upper case.
    public var currency: String
    public var paymentMethod: String
    public var codAmount: Money?
    public var carrierService: String
    /// Warehouse the ERP asked for; empty when routing decides.
    public var requestedWarehouse: String
    public var priority: String
    public var giftNote: String
    public var customs: Customs
    public var lines: [OrderLine]

    public init(id: String, orderDate: String, store: String, customerId: String, shipTo: Address, currency: String,
                paymentMethod: String, codAmount: Money?, carrierService: String, requestedWarehouse: String, priority: String,
                giftNote: String, customs: Customs, lines: [OrderLine]) {
        self.id = id
        self.orderDate = orderDate
        self.store = store
        self.customerId = customerId
        self.shipTo = shipTo
        self.currency = currency
        self.paymentMethod = paymentMethod
        self.codAmount = codAmount
        self.carrierService = carrierService
        self.requestedWarehouse = requestedWarehouse
        self.priority = priority
        self.giftNote = giftNote
        self.customs = customs
        self.lines = lines
    }

    /// Feeds a stable serialisation of everything the ERP said about this order to `sink`, field by field:
    /// two orders with the same serialisation are the same order. Its bytes are hashed into the ledger
    /// (`contentHash`), so they must never change: numbers are written as `String(Int)` and the amounts'
    /// `description` would write them, without making those Strings.
    func serialize<Sink: CanonicalSink>(into sink: inout Sink) {
        // Field by field, no intermediate arrays: this runs once per order on the hot path.
        sink.text(id); sink.text(orderDate); sink.text(store); sink.text(customerId); sink.text(shipTo.name)
        sink.text(shipTo.company); sink.text(shipTo.line1); sink.text(shipTo.line2); sink.text(shipTo.line3)
        sink.text(shipTo.city); sink.text(shipTo.region); sink.text(shipTo.postcode); sink.text(shipTo.country)
        sink.text(shipTo.phone); sink.text(shipTo.email); sink.text(currency); sink.text(paymentMethod)
        if let cod = codAmount { sink.decimal(cod.minorUnits, scale: cod.scale) } else { sink.text("") }
        sink.text(carrierService); sink.text(requestedWarehouse); sink.text(priority); sink.text(giftNote)
        sink.text(customs.incoterm); sink.text(customs.iossNumber); sink.text(customs.eoriNumber)
        // Through a pointer to each line: `for l in lines` copied each line (its Strings retained) and destroyed it.
        lines.withUnsafeBufferPointer { lines in
            for i in lines.indices { Self.serialize(lines.baseAddress! + i, into: &sink) }
        }
    }

    private static func serialize<Sink: CanonicalSink>(_ l: UnsafePointer<OrderLine>, into sink: inout Sink) {
        sink.text("\u{1E}")
        sink.decimal(Int64(l.pointee.lineNo), scale: 0); sink.text(l.pointee.sku); sink.text(l.pointee.description)
        sink.decimal(Int64(l.pointee.quantity), scale: 0); sink.text(l.pointee.uom)
        sink.decimal(l.pointee.unitPrice.minorUnits, scale: l.pointee.unitPrice.scale)
        if let t = l.pointee.taxRate { sink.decimal(t.units, scale: t.scale) } else { sink.text("") }
        sink.text(l.pointee.hsCode); sink.text(l.pointee.originCountry)
    }

    /// The serialisation as one string, each field followed by U+001F (for tests and debugging).
    public var canonicalForm: String {
        var sink = StringSink()
        serialize(into: &sink)
        return sink.out
    }
}

/// Receives an order's canonical form (`Order.serialize`): each field is followed by U+001F.
protocol CanonicalSink {
    mutating func text(_ s: String)
    /// `units / 10^scale` as `DecimalText` writes it (which is what `String(Int)` and the amounts'
    /// `description` give).
    mutating func decimal(_ units: Int64, scale: Int)
}

private struct StringSink: CanonicalSink {
    var out = ""
    mutating func text(_ s: String) { out += s; out += "\u{1F}" }
    mutating func decimal(_ units: Int64, scale: Int) {
        out += FixedDecimal.format(units: units, scale: scale)
        out += "\u{1F}"
    }
}
