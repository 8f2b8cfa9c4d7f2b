import ERPWMSCore
import ERPWMSFormats
import Foundation

/// The JSON format of the report. Layout `erpwms.reconciliation` version 1 (README, "Reconciliation
/// report"): meta, summary totals, totals per warehouse / day / currency, age buckets, short lines by
/// reason, unknown references, and every order with its lines. Keys sorted; money as decimal strings.
enum ReportJSON {
    static let layout = "erpwms.reconciliation"
    static let version = 1

    struct OrderEntry: Encodable {
        var orderId: String
        var version: Int
        var orderDate: String
        var warehouse: String
        var currency: String
        var status: String
        var shipments: Int
        var ageHours: Int?
        var ageBucket: String?
        var openValue: String
        var shortValue: String
        var lines: [LineEntry]
        var customer: String?

        init(_ o: ReconOrder) {
            customer = o.customer.isEmpty ? nil : o.customer
            orderId = o.orderId
            version = o.version
            orderDate = o.orderDate
            warehouse = o.warehouse
            currency = o.currency
            status = o.status.rawValue
            shipments = o.shipments
            ageHours = o.ageHours
            ageBucket = o.ageBucket
            openValue = Money(minorUnits: o.openValueMinor, scale: o.scale).description
            shortValue = Money(minorUnits: o.shortValueMinor, scale: o.scale).description
            lines = o.lines.map { LineEntry($0, scale: o.scale) }
        }
    }

    struct LineEntry: Encodable {
        var lineNo: Int
        var sku: String
        var ordered: Int
        var instructed: Int
        var shipped: Int
        var open: Int
        var short: Int
        var over: Int
        var status: String
        var reason: String?
        var unitPrice: String

        init(_ l: ReconLine, scale: Int) {
            lineNo = l.lineNo
            sku = l.sku
            ordered = l.ordered
            instructed = l.instructed
            shipped = l.shipped
            open = l.open
            short = l.short
            over = l.over
            status = l.status.rawValue
            reason = l.reason?.rawValue
            unitPrice = Money(minorUnits: l.unitPriceMinor, scale: scale).description
        }
    }

    struct TotalsEntry: Encodable {
        var orders, complete, openOrders, shortOrders, overOrders, lines, ordered, instructed, shipped, open, short, over: Int
        var fillRateBasisPoints: Int?

        init(_ t: ReconTotals) {
            orders = t.orders
            complete = t.ordersComplete
            openOrders = t.ordersOpen
            shortOrders = t.ordersShort
            overOrders = t.ordersOver
            lines = t.lines
            ordered = t.ordered
            instructed = t.instructed
            shipped = t.shipped
            open = t.open
            short = t.short
            over = t.over
            fillRateBasisPoints = t.fillRateBasisPoints
        }
    }

    struct CurrencyEntry: Encodable {
        var currency: String
        var orders: Int
        var openValue: String
        var shortValue: String
    }

    struct Head: Encodable {
        var layout = ReportJSON.layout
        var version = ReportJSON.version
        var meta: ReportMeta
        var summary: TotalsEntry
        var byWarehouse: [String: TotalsEntry]
        var byDay: [String: TotalsEntry]
        var byCurrency: [CurrencyEntry]
        var unconfirmedByAge: [String: Int]
        var shortLinesByReason: [String: Int]
        var unknownReferences: [UnknownReference]
    }

    static func write(meta: ReportMeta, totals t: ReconciliationTotals, unknown: [UnknownReference], ordersFile: String,
                      hasOrders: Bool, to sink: FileSink) throws {
        let head = Head(meta: meta, summary: TotalsEntry(t.all), byWarehouse: t.byWarehouse.mapValues(TotalsEntry.init),
                        byDay: t.byDay.mapValues(TotalsEntry.init),
                        byCurrency: t.byCurrency.keys.sorted().map {
                            let c = t.byCurrency[$0]!
                            return CurrencyEntry(currency: $0, orders: c.orders, openValue: c.openValue, shortValue: c.shortValue)
                        },
                        unconfirmedByAge: t.ageBuckets, shortLinesByReason: t.shortByReason, unknownReferences: unknown)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        var text = String(decoding: try encoder.encode(head), as: UTF8.self)
        // Append "orders" as the last key of the top-level object, streamed from the side file.
        precondition(text.hasSuffix("\n}"))
        text.removeLast(2)
        try sink.write(Array((text + ",\n  \"orders\" : [").utf8))
        let source = try FileByteSource(path: ordersFile)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            try sink.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        try sink.write(Array((hasOrders ? "\n  ]\n}\n" : "]\n}\n").utf8))
    }
}
