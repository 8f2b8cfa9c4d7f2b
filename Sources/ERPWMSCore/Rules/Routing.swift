/// Chooses the warehouse for an order: the one the ERP asked for, else the first rule matching the
/// ship-to country, else the default.
public struct WarehouseRouter: Sendable {
    /// Ship-to country (ISO alpha-2) -> warehouse code.
    public var byCountry: [String: String]
    public var defaultWarehouse: String?

    public init(byCountry: [String: String] = [:], defaultWarehouse: String? = nil) {
        self.byCountry = byCountry
        self.defaultWarehouse = defaultWarehouse
    }

    /// The warehouse for `order`, or nil when nothing decides.
    public func route(_ order: Order) -> String? {
        // The two fields only (`order.shipTo` would make a String of every field of the address).
        let requested = order.requestedWarehouse
        if !requested.isEmpty { return requested }
        return byCountry[order.string(.shipCountry)] ?? defaultWarehouse
    }

    /// The finding for an order `route` gives no warehouse (`order.warehouse.unroutable`).
    public static func unroutable(_ order: Order, file: String, location: SourceLocation) -> Finding {
        Finding(rule: OrderRule.warehouseUnroutable,
                message: "no warehouse given, no routing.by_country rule for \(order.string(.shipCountry)) and no routing.default_warehouse",
                file: file, location: location, orderId: order.id, field: "warehouse")
    }
}
