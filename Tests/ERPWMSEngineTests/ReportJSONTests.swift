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
}
