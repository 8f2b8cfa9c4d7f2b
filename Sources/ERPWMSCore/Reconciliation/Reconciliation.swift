/// Reconciliation status of an order or a line in the report.
public enum ReconStatus: String, Sendable, Codable, CaseIterable {
    /// Not (fully) shipped yet and not closed.
    case open
    /// Shipped exactly as instructed.
    case complete
    /// Shipped less than instructed, and the rest closed by the WMS with a reason.
    case short
    /// Shipped more than instructed.
    case over
    /// A confirmation for an order erpwms never instructed.
    case unknownReference = "unknown_reference"
    /// Shipped although cancelled (set once cancellations are part of the ledger).
    case cancelledButShipped = "cancelled_but_shipped"
}

/// One order line as the reconciliation sees it. Quantities are units; values are minor units of the
/// order currency (net unit price x quantity, exact).
public struct ReconLine: Sendable, Codable, Equatable {
    public var lineNo: Int
    public var sku: String
    public var ordered: Int
    public var instructed: Int
    public var shipped: Int
    public var open: Int
    public var short: Int
    public var over: Int
    public var status: ReconStatus
    /// Reason the WMS gave for closing the line short.
    public var reason: ShortReason?
    public var unitPriceMinor: Int64

    /// Builds a line from what was ordered, instructed and shipped, and whether the WMS closed it.
    public init(lineNo: Int, sku: String, ordered: Int, instructed: Int, shipped: Int, closedReason: ShortReason?,
                unitPriceMinor: Int64) {
        self.lineNo = lineNo
        self.sku = sku
        self.ordered = ordered
        self.instructed = instructed
        self.shipped = shipped
        self.unitPriceMinor = unitPriceMinor
        let remaining = max(0, instructed - shipped)
        over = max(0, shipped - instructed)
        let closed = closedReason != nil
        short = closed ? remaining : 0
        open = closed ? 0 : remaining
        reason = short > 0 ? closedReason : nil
        status = over > 0 ? .over : open > 0 ? .open : short > 0 ? .short : .complete
    }
}

/// One order in the reconciliation.
public struct ReconOrder: Sendable, Codable, Equatable {
    public var orderId: String
    public var version: Int
    public var warehouse: String
    public var currency: String
    /// Minor-unit decimals of `currency`.
    public var scale: Int
    /// As the ERP wrote it (with its offset).
    public var orderDate: String
    /// `YYYY-MM-DD` of `orderDate`, in the order's own offset.
    public var day: String
    public var firstInstructedAt: String
    public var shipments: Int
    public var lines: [ReconLine]
    /// Set for orders without any confirmation: hours since the first instruction, and its service bucket.
    public var ageHours: Int?
    public var ageBucket: String?
    /// Keyed pseudonym of the customer (`cu_…`), when configured; never the customer itself.
    public var customer: String = ""
    /// The ERP cancelled the order, and the WMS shipped it anyway (too late).
    public var cancelledButShipped = false

    public init(orderId: String, version: Int, warehouse: String, currency: String, scale: Int, orderDate: String,
                day: String, firstInstructedAt: String, shipments: Int, lines: [ReconLine], ageHours: Int?,
                ageBucket: String?) {
        self.orderId = orderId
        self.version = version
        self.warehouse = warehouse
        self.currency = currency
        self.scale = scale
        self.orderDate = orderDate
        self.day = day
        self.firstInstructedAt = firstInstructedAt
        self.shipments = shipments
        self.lines = lines
        self.ageHours = ageHours
        self.ageBucket = ageBucket
    }

    /// `over` if a line is, else `open` if a line is, else `short` if a line is, else `complete`. One pass over the
    /// lines without an array: a report asks this several times for each of its orders.
    public var status: ReconStatus {
        if cancelledButShipped { return .cancelledButShipped }
        var open = false
        var short = false
        for i in lines.indices {
            switch lines[i].status {
            case .over: return .over
            case .open: open = true
            case .short: short = true
            default: break
            }
        }
        return open ? .open : short ? .short : .complete
    }

    public var openValueMinor: Int64 { lines.reduce(0) { $0 + Int64($1.open) * $1.unitPriceMinor } }
    public var shortValueMinor: Int64 { lines.reduce(0) { $0 + Int64($1.short) * $1.unitPriceMinor } }
}

/// A confirmation whose order erpwms never instructed.
public struct UnknownReference: Sendable, Codable, Equatable {
    public var shipmentId: String
    public var orderId: String
    public var warehouse: String
    public var shipDate: String
    public var lines: Int
    public var units: Int

    public init(shipmentId: String, orderId: String, warehouse: String, shipDate: String, lines: Int, units: Int) {
        self.shipmentId = shipmentId
        self.orderId = orderId
        self.warehouse = warehouse
        self.shipDate = shipDate
        self.lines = lines
        self.units = units
    }
}

/// Figures summed over a group of orders (a warehouse, a day, everything).
public struct ReconTotals: Sendable, Codable, Equatable {
    public var orders = 0
    public var ordersComplete = 0
    public var ordersOpen = 0
    public var ordersShort = 0
    public var ordersOver = 0
    public var lines = 0
    public var ordered = 0
    public var instructed = 0
    public var shipped = 0
    public var open = 0
    public var short = 0
    public var over = 0
    /// Units shipped (at most as instructed) on lines that are done, and units instructed on them:
    /// the fill rate is their ratio.
    public var ordersCancelledButShipped = 0
    public var fillShipped = 0
    public var fillInstructed = 0

    public init() {}

    public mutating func add(_ o: ReconOrder) {
        orders += 1
        switch o.status {
        case .complete: ordersComplete += 1
        case .open: ordersOpen += 1
        case .short: ordersShort += 1
        case .over: ordersOver += 1
        case .cancelledButShipped: ordersCancelledButShipped += 1
        default: break
        }
        for l in o.lines {
            lines += 1
            ordered += l.ordered
            instructed += l.instructed
            shipped += l.shipped
            open += l.open
            short += l.short
            over += l.over
            if l.status != .open {
                fillShipped += min(l.shipped, l.instructed)
                fillInstructed += l.instructed
            }
        }
    }

    /// Fill rate in basis points (10000 = 100 %), nil when nothing is done yet. Integer arithmetic.
    public var fillRateBasisPoints: Int? {
        fillInstructed == 0 ? nil : fillShipped * 10_000 / fillInstructed
    }

    /// `97.53 %` or `-`.
    public var fillRateText: String {
        guard let bp = fillRateBasisPoints else { return "-" }
        let frac = bp % 100
        return "\(bp / 100).\(frac < 10 ? "0" : "")\(frac) %"
    }
}

/// Exact value of what is open and short, per currency.
public struct CurrencyTotals: Sendable, Codable, Equatable {
    public var currency: String
    public var scale: Int
    public var orders = 0
    public var openMinor: Int64 = 0
    public var shortMinor: Int64 = 0

    public init(currency: String, scale: Int) {
        self.currency = currency
        self.scale = scale
    }

    public var openValue: String { Money(minorUnits: openMinor, scale: scale).description }
    public var shortValue: String { Money(minorUnits: shortMinor, scale: scale).description }
}

/// Accumulates a reconciliation as orders stream by: totals overall, per warehouse, per day and per
/// currency, age buckets of unconfirmed orders, short lines by reason. Keeps no per-order data.
public struct ReconciliationTotals: Sendable, Codable, Equatable {
    public var all = ReconTotals()
    public var byWarehouse: [String: ReconTotals] = [:]
    public var byDay: [String: ReconTotals] = [:]
    public var byCurrency: [String: CurrencyTotals] = [:]
    /// Unconfirmed orders per age bucket label, in bucket order.
    public var ageBuckets: [String: Int] = [:]
    /// Short-closed lines per reason.
    public var shortByReason: [String: Int] = [:]
    public var unknownReferences = 0
    public var unknownReferenceUnits = 0

    public init(bucketLabels: [String]) {
        for b in bucketLabels { ageBuckets[b] = 0 }
    }

    public mutating func add(_ o: ReconOrder) {
        all.add(o)
        byWarehouse[o.warehouse, default: ReconTotals()].add(o)
        byDay[o.day, default: ReconTotals()].add(o)
        var c = byCurrency[o.currency] ?? CurrencyTotals(currency: o.currency, scale: o.scale)
        c.orders += 1
        c.openMinor += o.openValueMinor
        c.shortMinor += o.shortValueMinor
        byCurrency[o.currency] = c
        if let b = o.ageBucket { ageBuckets[b, default: 0] += 1 }
        for l in o.lines where l.short > 0 {
            shortByReason[l.reason?.rawValue ?? "other", default: 0] += 1
        }
    }

    public mutating func add(_ u: UnknownReference) {
        unknownReferences += 1
        unknownReferenceUnits += u.units
    }
}

/// Service-level buckets for the age of unconfirmed instructions, from limits in hours: [24, 48] gives
/// "under 24 h", "24-48 h", "over 48 h".
public struct AgeBuckets: Sendable {
    public let limits: [Int]
    public let labels: [String]

    public init(limitsInHours: [Int]) {
        limits = limitsInHours
        var labels: [String] = []
        var previous: Int?
        for l in limitsInHours {
            labels.append(previous.map { "\($0)-\(l) h" } ?? "under \(l) h")
            previous = l
        }
        labels.append("over \(limitsInHours.last ?? 0) h")
        self.labels = labels
    }

    /// The label for an age in seconds.
    public func label(ageSeconds: Int64) -> String {
        for (i, l) in limits.enumerated() where ageSeconds < Int64(l) * 3600 { return labels[i] }
        return labels[labels.count - 1]
    }
}
