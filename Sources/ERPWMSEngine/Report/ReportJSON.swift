import ERPWMSCore
import ERPWMSFormats
import Foundation

/// The JSON format of the report. Layout `erpwms.reconciliation` version 1 (README, "Reconciliation
/// report"): meta, every order with its lines, then summary totals, totals per warehouse / day / currency,
/// age buckets, short lines by reason, unknown references and the flow sections. Keys sorted within the part
/// before the orders and the part after them; money as decimal strings.
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

    /// What is known before the first order: the layout, its version and the report's parameters.
    struct Opening: Encodable {
        var layout = ReportJSON.layout
        var meta: ReportMeta
        var version = ReportJSON.version
    }

    /// What is known once every order is read: the totals, the unknown references and the flow sections.
    struct Figures: Encodable {
        var summary: TotalsEntry
        var byWarehouse: [String: TotalsEntry]
        var byDay: [String: TotalsEntry]
        var byCurrency: [CurrencyEntry]
        var unconfirmedByAge: [String: Int]
        var shortLinesByReason: [String: Int]
        var unknownReferences: [UnknownReference]
        var sections: [String: SectionEntry]
    }

    /// A flow section: figures by key, and rows as objects keyed by column.
    struct SectionEntry: Encodable {
        var title: String
        var figures: [String: ReportValue]
        var rows: [[String: ReportValue]]

        init(_ s: ReportSection) {
            title = s.title
            figures = Dictionary(s.figures.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            rows = s.rows.map { Dictionary(zip(s.columns, $0).map { ($0, $1) }, uniquingKeysWith: { a, _ in a }) }
        }
    }

    /// The top-level object is written in three parts, in one pass: the opening (`layout`, `meta`, `version`), then
    /// `"orders" : [` and each order as the report's walk reads it (`orderJSON`), then the figures, which are only
    /// known at the end. Keys are sorted within the opening and within the figures. (The orders had gone to a side
    /// file so that the figures could come first; copying a million orders' 555 MB from it into the report took
    /// 1.5-2 s at the end of the report, after the walk, on one core.)
    static func writeOpening(meta: ReportMeta, to sink: FileSink) throws {
        var text = String(decoding: try prettyJSON(Opening(meta: meta)), as: UTF8.self)
        precondition(text.hasSuffix("\n}"))
        text.removeLast(2)
        try sink.write(Array((text + ",\n  \"orders\" : [").utf8))
    }

    /// One order after `writeOpening`: `first` for the first one.
    static func writeOrder(_ order: ReconOrder, first: Bool, to sink: FileSink) throws {
        // The separator from the executable's constant, not an array made for each of a million orders.
        let separator: StaticString = first ? "\n    " : ",\n    "
        try sink.write(UnsafeRawBufferPointer(start: separator.utf8Start, count: separator.utf8CodeUnitCount))
        try sink.write(orderJSON(order))
    }

    /// Closes `orders` and the top-level object with the figures.
    static func writeClosing(totals t: ReconciliationTotals, unknown: [UnknownReference], sections: [ReportSection],
                             hasOrders: Bool, to sink: FileSink) throws {
        let figures = Figures(summary: TotalsEntry(t.all), byWarehouse: t.byWarehouse.mapValues(TotalsEntry.init),
                              byDay: t.byDay.mapValues(TotalsEntry.init),
                              byCurrency: t.byCurrency.keys.sorted().map {
                                  let c = t.byCurrency[$0]!
                                  return CurrencyEntry(currency: $0, orders: c.orders, openValue: c.openValue, shortValue: c.shortValue)
                              },
                              unconfirmedByAge: t.ageBuckets, shortLinesByReason: t.shortByReason, unknownReferences: unknown,
                              sections: Dictionary(sections.map { ($0.id, SectionEntry($0)) }, uniquingKeysWith: { a, _ in a }))
        // Written from the encoder's bytes (the unknown references can make them megabytes).
        let data = try prettyJSON(figures)
        precondition(data.starts(with: Array("{\n".utf8)))
        try sink.write(Array((hasOrders ? "\n  ],\n" : "],\n").utf8))
        try data.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[2...])) }
        try sink.write(Array("\n".utf8))
    }

    private static func prettyJSON<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return try encoder.encode(value)
    }
}

extension ReportJSON {
    /// One order entry as compact JSON with sorted keys — the same bytes `JSONEncoder` (`.sortedKeys`,
    /// `.withoutEscapingSlashes`) writes for `OrderEntry`, without its per-call cost, which was half the time
    /// of a report over many orders. `ReportJSONTests` holds the two to each other.
    static func orderJSON(_ o: ReconOrder) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + 200 * o.lines.count)
        func raw(_ s: StaticString) { s.withUTF8Buffer { out.append(contentsOf: $0) } }
        func int(_ v: Int) { DecimalText.append(Int64(v), scale: 0, to: &out) }
        func str(_ s: String) {
            out.append(UInt8(ascii: "\""))
            // Most texts need no escape: looked at once and appended whole (byte by byte, each append checked the
            // array's uniqueness and capacity: 7 % of the formatting thread).
            let plain = s.withUTF8Bytes { u in
                guard !u.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
                out.append(contentsOf: u)
                return true
            }
            if plain {
                out.append(UInt8(ascii: "\""))
                return
            }
            for b in s.utf8 {
                switch b {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                case 0x08: raw("\\b")
                case 0x0C: raw("\\f")
                case 0x00..<0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    raw("\\u00")
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 0x0F)])
                default: out.append(b)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        func money(_ minor: Int64) {
            out.append(UInt8(ascii: "\""))
            DecimalText.append(minor, scale: o.scale, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        raw("{")
        if let b = o.ageBucket { raw("\"ageBucket\":"); str(b); raw(",") }
        if let h = o.ageHours { raw("\"ageHours\":"); int(h); raw(",") }
        raw("\"currency\":"); str(o.currency)
        if !o.customer.isEmpty { raw(",\"customer\":"); str(o.customer) }
        raw(",\"lines\":[")
        for (i, l) in o.lines.enumerated() {
            if i > 0 { raw(",") }
            raw("{\"instructed\":"); int(l.instructed)
            raw(",\"lineNo\":"); int(l.lineNo)
            raw(",\"open\":"); int(l.open)
            raw(",\"ordered\":"); int(l.ordered)
            raw(",\"over\":"); int(l.over)
            if let r = l.reason { raw(",\"reason\":"); str(r.rawValue) }
            raw(",\"shipped\":"); int(l.shipped)
            raw(",\"short\":"); int(l.short)
            raw(",\"sku\":"); str(l.sku)
            raw(",\"status\":"); str(l.status.rawValue)
            raw(",\"unitPrice\":"); money(l.unitPriceMinor)
            raw("}")
        }
        raw("],\"openValue\":"); money(o.openValueMinor)
        raw(",\"orderDate\":"); str(o.orderDate)
        raw(",\"orderId\":"); str(o.orderId)
        raw(",\"shipments\":"); int(o.shipments)
        raw(",\"shortValue\":"); money(o.shortValueMinor)
        raw(",\"status\":"); str(o.status.rawValue)
        raw(",\"version\":"); int(o.version)
        raw(",\"warehouse\":"); str(o.warehouse)
        raw("}")
        return out
    }
}
