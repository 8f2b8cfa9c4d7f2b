/// Where one order line stands against what was shipped.
public enum LineState: String, Sendable, Codable, CaseIterable {
    /// Nothing or part shipped, and the WMS has not closed the rest.
    case open
    /// Shipped exactly as ordered.
    case complete
    /// Shipped less than ordered, and the WMS closed the rest with a reason.
    case shortClosed = "short_closed"
    /// Shipped more than ordered.
    case over

    /// The state of a line ordered `ordered`, shipped `shipped` in total, closed short when `closed`.
    public static func of(ordered: Int, shipped: Int, closed: Bool) -> LineState {
        if shipped > ordered { return .over }
        if shipped == ordered { return .complete }
        return closed ? .shortClosed : .open
    }
}

/// The order's shipping state as the ERP is told after a confirmation.
public enum OrderShipState: String, Sendable, Codable, CaseIterable {
    /// Every line complete (or over).
    case shipped
    /// Something still open.
    case partiallyShipped = "partially_shipped"
    /// Nothing open any more, but a line was closed short.
    case shortClosed = "short_closed"

    public static func of(_ lines: [LineState]) -> OrderShipState {
        if lines.contains(.open) { return .partiallyShipped }
        if lines.contains(.shortClosed) { return .shortClosed }
        return .shipped
    }
}

/// Feedback for the ERP about one order after one shipment confirmation.
public struct OrderStatusUpdate: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        public var lineNo: Int
        public var sku: String
        public var ordered: Int
        /// Shipped in this shipment.
        public var shipped: Int
        /// Shipped in all shipments so far, this one included.
        public var shippedTotal: Int
        public var state: LineState
        public var reason: ShortReason?

        public init(lineNo: Int, sku: String, ordered: Int, shipped: Int, shippedTotal: Int, state: LineState,
                    reason: ShortReason?) {
            self.lineNo = lineNo
            self.sku = sku
            self.ordered = ordered
            self.shipped = shipped
            self.shippedTotal = shippedTotal
            self.state = state
            self.reason = reason
        }
    }

    public var orderId: String
    public var status: OrderShipState
    public var shipmentId: String
    public var shipDate: String
    public var warehouse: String
    public var carrier: String
    public var trackingNumbers: [String]
    public var lines: [Line]

    public init(orderId: String, status: OrderShipState, shipmentId: String, shipDate: String, warehouse: String,
                carrier: String, trackingNumbers: [String], lines: [Line]) {
        self.orderId = orderId
        self.status = status
        self.shipmentId = shipmentId
        self.shipDate = shipDate
        self.warehouse = warehouse
        self.carrier = carrier
        self.trackingNumbers = trackingNumbers
        self.lines = lines
    }
}
