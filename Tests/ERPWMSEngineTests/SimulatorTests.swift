import ERPWMSCore
import Foundation
import Testing
@testable import ERPWMSEngine

/// `simulate-wms` writes each warehouse's confirmations as it makes them: what that must not change.
@Suite("Simulated warehouse")
struct SimulatorTests {
    static let config = """
    version: 1
    channels:
      orders: { format: csv, pickup: { min_age_seconds: 0 } }
      conf: { document: shipment-confirmations, format: xml, pickup: { min_age_seconds: 0 } }
    routing:
      default_warehouse: WH-EU-DE1
      by_country: { US: WH-US-NJ1 }
    """

    static func simulator(_ t: TestWorkspace, mix: WMSSimulator.Mix = .init()) -> WMSSimulator {
        WMSSimulator(workspace: t.workspace, mix: mix, seed: 7, now: { Date(timeIntervalSince1970: 1_740_916_800) })
    }

    /// Orders for both warehouses through `run`, so that the WMS outbox holds two shipment-order files.
    static func sentOrders(_ t: TestWorkspace) throws {
        let rows = (1...6).map { i in
            CSVFixture.row("SO-\(i)", [
                "ship_country": i % 2 == 0 ? "US" : "DE", "currency": i % 2 == 0 ? "USD" : "EUR", "quantity": "3",
            ])
        }
        try t.drop("orders.csv", CSVFixture.file(rows))
        _ = try t.run()
        #expect(t.files("outbox/wms").count == 2)
    }

    @Test("a confirmation sent twice comes off the stock once, per warehouse; other warehouses keep their own")
    func shippedOnce() {
        var shipped = ShippedSet()
        var firsts: [Bool] = []
        for (warehouse, id) in [("WH-EU-DE1", "SHP-SO-1-1"), ("WH-EU-DE1", "SHP-SO-1-1"), ("WH-US-NJ1", "SHP-SO-1-1"),
                                ("WH-EU-DE1", "SHP-SO-1-2"),
                                // The separator keeps the two parts apart: "WH-A" + "BSHP" is not "WH-AB" + "SHP".
                                ("WH-A", "BSHP"), ("WH-AB", "SHP")] {
            firsts.append(shipped.insert(warehouse: warehouse, shipmentId: id))
        }
        #expect(firsts == [true, false, true, true, true, true])
    }

    @Test("every order is confirmed into its warehouse's file, and the stock loses exactly what was shipped, duplicates once")
    func confirmsAndCountsStock() throws {
        let t = try TestWorkspace(config: Self.config)
        try Self.sentOrders(t)
        var mix = WMSSimulator.Mix()
        (mix.short, mix.split, mix.delayed, mix.unknown) = (0, 0, 0, 0)
        mix.duplicate = 100  // every confirmation is sent twice
        let result = try Self.simulator(t, mix: mix).run()
        #expect(result.orders == 6 && result.duplicates == 6)
        #expect(result.confirmations == 12)
        #expect(t.files("inbox/conf").count == 2)
        #expect(t.files("inbox/conf").allSatisfy { $0.hasPrefix("confirmations_WH-") }, "no temporary file left: \(t.files("inbox/conf"))")
        for f in t.files("inbox/conf") {
            let xml = t.read("inbox/conf/" + f)
            #expect(xml.hasSuffix("</ShipmentConfirmations>\n"), "\(f) is finished")
            #expect(xml.components(separatedBy: "<ShipmentConfirmation ").count - 1 == 6, "3 orders, each twice, in \(f)")
        }
        // 3 orders of 3 units of the fixture's SKU left each warehouse: 100 - 9, not 100 - 18.
        let stock = Self.simulator(t).loadStock()
        #expect(stock["WH-EU-DE1"]?["SKU-1"]?.onHand == 91)
        #expect(stock["WH-US-NJ1"]?["SKU-1"]?.onHand == 91)
    }

    @Test("a simulation that fails half-way leaves no confirmation file, finished or not, and no stock behind")
    func failureLeavesNothing() throws {
        let t = try TestWorkspace(config: Self.config)
        try Self.sentOrders(t)
        // The second file (in name order) breaks off in the middle of an order: the first one's confirmations
        // are written by then.
        let outbox = t.files("outbox/wms")
        let second = t.workspace.path("outbox/wms/" + outbox[1])
        let text = t.read("outbox/wms/" + outbox[1])
        try Data(text.prefix(text.count * 2 / 3).utf8).write(to: URL(fileURLWithPath: second))
        #expect(throws: (any Error).self) { try Self.simulator(t).run() }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: t.workspace.path("inbox/conf"))) ?? []
        #expect(left.isEmpty, "\(left)")
        #expect(!FileManager.default.fileExists(atPath: t.workspace.path("simulator/stock.json")))
        #expect(t.files("simulator") == ["consumed"], "no backlog, not even a temporary one: \(t.files("simulator"))")
    }

    @Test("orders held back are written to the backlog one a line and ship, complete, in the next simulation")
    func backlogShipsNextTime() throws {
        let t = try TestWorkspace(config: Self.config)
        try Self.sentOrders(t)
        var hold = WMSSimulator.Mix()
        (hold.short, hold.split, hold.duplicate, hold.unknown, hold.delayed) = (0, 0, 0, 0, 100)
        let first = try Self.simulator(t, mix: hold).run()
        #expect(first.delayed == 6 && first.confirmations == 0)
        let lines = t.read("simulator/backlog.json").split(separator: "\n")
        #expect(lines.count == 8 && lines.first == "[" && lines.last == "]", "\(lines)")
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.hasPrefix("{\"carrier\":") && $0.contains("\"orderId\":\"SO-") })
        var ship = hold
        ship.delayed = 0
        let second = try Self.simulator(t, mix: ship).run()
        #expect(second.backlogConfirmed == 6 && second.confirmations == 6)
        #expect(t.read("simulator/backlog.json") == "[\n]\n")
        let xml = t.files("inbox/conf").map { t.read("inbox/conf/" + $0) }.joined()
        for i in 1...6 { #expect(xml.contains("orderId=\"SO-\(i)\""), "SO-\(i)") }
    }

    @Test("a backlog in the earlier form (the whole array pretty-printed) is read too")
    func earlierBacklog() throws {
        let t = try TestWorkspace(config: Self.config)
        let held = [
            WMSSimulator.Delayed(warehouse: "WH-EU-DE1", orderId: "SO-A", version: 1, carrier: "DHL", lines: [[1, 2], [2, 1]],
                                 skus: ["SKU-1", "SKU-2"], heldAt: 1_740_830_400),
            WMSSimulator.Delayed(warehouse: "WH-US-NJ1", orderId: "SO-B", version: 2, carrier: "UPS", lines: [[1, 5]],
                                 skus: ["SKU-1"], heldAt: nil),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(atPath: t.workspace.path("simulator"), withIntermediateDirectories: true)
        try encoder.encode(held).write(to: URL(fileURLWithPath: t.workspace.path("simulator/backlog.json")))
        let r = try Self.simulator(t).run()
        #expect(r.backlogConfirmed == 2 && r.confirmations == 2)
        let stock = Self.simulator(t).loadStock()
        #expect(stock["WH-EU-DE1"]?["SKU-1"]?.onHand == 98 && stock["WH-EU-DE1"]?["SKU-2"]?.onHand == 99)
        #expect(stock["WH-US-NJ1"]?["SKU-1"]?.onHand == 95)
    }

    @Test("a backlog line that is not an order, after orders, fails the simulation naming the file and line")
    func brokenBacklog() throws {
        let t = try TestWorkspace(config: Self.config)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let order = WMSSimulator.Delayed(warehouse: "WH-EU-DE1", orderId: "SO-A", version: 1, carrier: "DHL", lines: [[1, 2]],
                                         skus: ["SKU-1"], heldAt: nil)
        let text = "[\n" + String(decoding: try encoder.encode(order), as: UTF8.self) + ",\n{\"carrier\": \"DHL\",\n]\n"
        try FileManager.default.createDirectory(atPath: t.workspace.path("simulator"), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: t.workspace.path("simulator/backlog.json")))
        do {
            _ = try Self.simulator(t).run()
            Issue.record("a broken backlog must fail the simulation")
        } catch let e as WorkspaceError {
            #expect(e.message.contains("backlog.json: line 3"), "\(e.message)")
        }
        #expect(t.files("inbox/conf").isEmpty, "nothing published: \(t.files("inbox/conf"))")
    }
}
