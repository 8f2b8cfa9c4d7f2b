/// Why the WMS shipped less than was ordered on a line.
public enum ShortReason: String, Sendable, CaseIterable, Codable {
    case outOfStock = "out_of_stock"
    case damaged
    case cancelled
    case other
}

/// One parcel of a shipment.
public struct Parcel: Sendable, Hashable {
    public var trackingNumber: String
    /// Weight in kilograms, exact; nil when the WMS did not say.
    public var weightKg: FixedDecimal?

    public init(trackingNumber: String, weightKg: FixedDecimal?) {
        self.trackingNumber = trackingNumber
        self.weightKg = weightKg
    }
}

/// One confirmed line of a shipment.
public struct ConfirmedLine: Sendable, Hashable {
    public var lineNo: Int
    public var sku: String
    public var quantity: Int
    /// Lot or serial numbers, as the WMS reported them.
    public var lots: [String]
    /// Set when less than ordered was shipped and the WMS closes the rest of the line.
    public var reason: ShortReason?

    public init(lineNo: Int, sku: String, quantity: Int, lots: [String] = [], reason: ShortReason? = nil) {
        self.lineNo = lineNo
        self.sku = sku
        self.quantity = quantity
        self.lots = lots
        self.reason = reason
    }
}

/// A WMS shipment confirmation: what left the warehouse for one order in one shipment.
public struct ShipmentConfirmation: Sendable, Hashable {
    public var shipmentId: String
    public var orderId: String
    /// The instruction version the WMS worked from, when it says.
    public var version: Int?
    /// ISO 8601 date-time with offset.
    public var shipDate: String
    public var warehouse: String
    public var carrier: String
    public var service: String
    public var parcels: [Parcel]
    public var lines: [ConfirmedLine]

    public init(shipmentId: String, orderId: String, version: Int?, shipDate: String, warehouse: String,
                carrier: String, service: String, parcels: [Parcel], lines: [ConfirmedLine]) {
        self.shipmentId = shipmentId
        self.orderId = orderId
        self.version = version
        self.shipDate = shipDate
        self.warehouse = warehouse
        self.carrier = carrier
        self.service = service
        self.parcels = parcels
        self.lines = lines
    }

    /// SHA-256 over every field, to recognise the same confirmation again.
    public var contentHash: String {
        var h = ContentHash.Hasher()
        func put(_ s: String) {
            h.update(s)
            h.update("\u{1F}")
        }
        for v in [shipmentId, orderId, version.map(String.init) ?? "", shipDate, warehouse, carrier, service] { put(v) }
        for p in parcels {
            put("\u{1D}")
            put(p.trackingNumber)
            put(p.weightKg?.description ?? "")
        }
        for l in lines {
            put("\u{1E}")
            for v in [String(l.lineNo), l.sku, String(l.quantity), l.lots.joined(separator: "|"), l.reason?.rawValue ?? ""] { put(v) }
        }
        return h.finalize()
    }
}

/// Canonical field names of a confirmation, shared by the CSV header and the XML layout's documentation.
public enum ConfirmationField: String, CaseIterable, Sendable {
    case shipmentId = "shipment_id"
    case orderId = "order_id"
    case version
    case shipDate = "ship_date"
    case warehouse
    case carrier
    case service
    case trackingNumbers = "tracking_numbers"
    case parcelWeights = "parcel_weights_kg"
    case lineNo = "line_no"
    case sku
    case quantityShipped = "quantity_shipped"
    case lots
    case reasonCode = "reason_code"
}

/// One confirmation as a codec read it, before validation: raw text per field.
public struct RawConfirmation: Sendable {
    public var location: SourceLocation
    public var shipmentId: String
    public var orderId: String
    public var version: String
    public var shipDate: String
    public var warehouse: String
    public var carrier: String
    public var service: String
    /// (tracking number, weight text) per parcel.
    public var parcels: [(tracking: String, weight: String)]
    public var lines: [RawConfirmedLine]
    public var codecFindings: [Finding]

    public init(location: SourceLocation, shipmentId: String = "", orderId: String = "", version: String = "",
                shipDate: String = "", warehouse: String = "", carrier: String = "", service: String = "",
                parcels: [(tracking: String, weight: String)] = [], lines: [RawConfirmedLine] = [],
                codecFindings: [Finding] = []) {
        self.location = location
        self.shipmentId = shipmentId
        self.orderId = orderId
        self.version = version
        self.shipDate = shipDate
        self.warehouse = warehouse
        self.carrier = carrier
        self.service = service
        self.parcels = parcels
        self.lines = lines
        self.codecFindings = codecFindings
    }
}

/// One confirmed line as a codec read it.
public struct RawConfirmedLine: Sendable {
    public var location: SourceLocation
    public var lineNo: String
    public var sku: String
    public var quantity: String
    public var lots: [String]
    public var reason: String

    public init(location: SourceLocation, lineNo: String, sku: String, quantity: String, lots: [String], reason: String) {
        self.location = location
        self.lineNo = lineNo
        self.sku = sku
        self.quantity = quantity
        self.lots = lots
        self.reason = reason
    }
}
