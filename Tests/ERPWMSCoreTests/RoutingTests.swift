import Testing
import ERPWMSCore

@Suite("WarehouseRouter")
struct RoutingTests {
    private func order(country: String, warehouse: String) throws -> Order {
        var b = RawOrderBuilder()
        b.set(.shipCountry, country)
        b.set(.warehouse, warehouse)
        return try acceptedOrder(b)
    }

    private let router = WarehouseRouter(byCountry: ["DE": "WH-EU-DE1", "FR": "WH-EU-NL1", "GB": "WH-GB-MK1"],
                                         defaultWarehouse: "WH-EU-DE1")

    @Test("the warehouse the ERP asked for wins over country rules and the default")
    func requestedWins() throws {
        #expect(router.route(try order(country: "FR", warehouse: "WH-CN-SH1")) == "WH-CN-SH1")
        #expect(router.route(try order(country: "US", warehouse: "WH-US-NJ1")) == "WH-US-NJ1")
    }

    @Test("without a requested warehouse the ship-to country decides")
    func byCountry() throws {
        #expect(router.route(try order(country: "FR", warehouse: "")) == "WH-EU-NL1")
        #expect(router.route(try order(country: "GB", warehouse: "")) == "WH-GB-MK1")
        // The country is cleaned before routing, so a full-width lower-case code routes too.
        #expect(router.route(try order(country: "ｇｂ", warehouse: "")) == "WH-GB-MK1")
    }

    @Test("an unlisted country falls back to the default")
    func defaultWarehouse() throws {
        #expect(router.route(try order(country: "US", warehouse: "")) == "WH-EU-DE1")
    }

    @Test("nothing decides: nil")
    func unroutable() throws {
        let noDefault = WarehouseRouter(byCountry: ["DE": "WH-EU-DE1"])
        #expect(noDefault.route(try order(country: "US", warehouse: "")) == nil)
        #expect(noDefault.route(try order(country: "DE", warehouse: "")) == "WH-EU-DE1")
        #expect(WarehouseRouter().route(try order(country: "DE", warehouse: "")) == nil)
        #expect(WarehouseRouter().route(try order(country: "DE", warehouse: "WH-X")) == "WH-X")
    }
}
