import ERPWMSCore
import Foundation
import Testing
@testable import ERPWMSEngine

@Suite("Report JSON writer")
struct ReportJSONTests {
    static func order(_ id: String, sku: String, customer: String = "", age: Int? = nil, reason: ShortReason? = nil) -> ReconOrder {
        var o = ReconOrder(orderId: id, version: 2, warehouse: "WH-1", currency: "JPY", scale: 0, orderDate: "2025-03-01T10:00:00+09:00",
                           day: "2025-03-01", firstInstructedAt: "2025-03-01T01:00:00Z", shipments: 1,
                           lines: [ReconLine(lineNo: 1, sku: sku, ordered: 3, instructed: 3, shipped: 1, closedReason: reason, unitPriceMinor: 4980),
                                   ReconLine(lineNo: 2, sku: "B/2", ordered: 1, instructed: 1, shipped: 2, closedReason: nil, unitPriceMinor: 1)],
                           ageHours: age, ageBucket: age.map { _ in "24-48 h" })
        o.customer = customer
        return o
    }

    @Test("the hand-written order JSON is byte for byte what JSONEncoder writes",
          arguments: [order("SO1", sku: "A"), order("Q\"uote\\d", sku: "line\nbreak\ttab\u{1}ctl", customer: "cu_0123456789abcdef", age: 30, reason: .damaged),
                      order("ümlaut/片仮名", sku: "€/√", reason: .outOfStock)])
    func sameBytes(_ o: ReconOrder) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = Array(try encoder.encode(ReportJSON.OrderEntry(o)))
        #expect(ReportJSON.orderJSON(o) == expected, "\(String(decoding: ReportJSON.orderJSON(o), as: UTF8.self))\nvs\n\(String(decoding: expected, as: UTF8.self))")
    }

    @Test("the report's JSON, written in one pass, opening, orders and figures, is one object with every part",
          arguments: [0, 1, 3])
    func onePass(orders count: Int) throws {
        let path = try Scratch.directory("report-json-") + "/report.json"
        let sink = try FileSink(path: path)
        let meta = ReportMeta(asOf: "2025-03-02T12:00:00Z", since: nil, until: nil, serviceLevelHours: [24, 48],
                              bucketLabels: ["under 24 h", "24-48 h", "over 48 h"])
        var totals = ReconciliationTotals(bucketLabels: meta.bucketLabels)
        try ReportJSON.writeOpening(meta: meta, to: sink)
        for i in 0..<count {
            let o = Self.order("SO\(i)", sku: "A\(i)", age: i == 1 ? 30 : nil, reason: .damaged)
            totals.add(o)
            try ReportJSON.writeOrder(o, first: i == 0, to: sink)
        }
        let unknown = [UnknownReference(shipmentId: "S-GHOST", orderId: "SO-GHOST", warehouse: "WH-1", shipDate: "2025-03-01",
                                        lines: 1, units: 2)]
        for u in unknown { totals.add(u) }
        try ReportJSON.writeClosing(totals: totals, unknown: unknown, sections: [], hasOrders: count > 0, to: sink)
        try sink.close(sync: false)

        let data = try #require(FileManager.default.contents(atPath: path))
        let text = String(decoding: data, as: UTF8.self)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(json.keys) == ["layout", "meta", "version", "orders", "byCurrency", "byDay", "byWarehouse", "sections",
                                   "shortLinesByReason", "summary", "unconfirmedByAge", "unknownReferences"])
        #expect(json["layout"] as? String == "erpwms.reconciliation")
        #expect((json["meta"] as? [String: Any])?["asOf"] as? String == "2025-03-02T12:00:00Z")
        let orders = try #require(json["orders"] as? [[String: Any]])
        #expect(orders.map { $0["orderId"] as? String } == (0..<count).map { "SO\($0)" })
        #expect((json["summary"] as? [String: Any])?["orders"] as? Int == count)
        #expect((json["unknownReferences"] as? [[String: Any]])?.first?["shipmentId"] as? String == "S-GHOST")
        // The parts in their order: what is known first, the orders, then the figures; keys sorted within each.
        let positions = ["\"layout\"", "\"meta\"", "\"version\"", "\"orders\"", "\"byCurrency\"", "\"byDay\"",
                         "\"byWarehouse\"", "\"sections\"", "\"shortLinesByReason\"", "\"summary\"", "\"unconfirmedByAge\"",
                         "\"unknownReferences\""].map { key in text.range(of: "\n  " + key + " : ").map { text.distance(from: text.startIndex, to: $0.lowerBound) } }
        #expect(positions.allSatisfy { $0 != nil } && positions.map { $0! } == positions.map { $0! }.sorted(), "\(positions)")
        #expect(text.hasPrefix("{\n  \"layout\" : ") && text.hasSuffix("\n}\n"))
    }
}
