import ERPWMSCore

/// One value in a report section: a count or a text (ids, dates, money as exact decimal text).
public enum ReportValue: Sendable, Equatable, Encodable, CustomStringConvertible {
    case int(Int)
    case text(String)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .text(let s): return s
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let v): try c.encode(v)
        case .text(let s): try c.encode(s)
        }
    }
}

/// A section of the reconciliation report for one flow besides sales orders (purchase orders, returns,
/// cancellations, inventory, items): headline figures and a table, rendered the same way in HTML, CSV
/// and JSON.
public struct ReportSection: Sendable {
    public struct Figure: Sendable {
        /// Stable key (JSON, CSV).
        public var key: String
        /// For people (HTML).
        public var label: String
        public var value: ReportValue
        /// Highlighted in the HTML when it needs attention.
        public var attention: Bool
    }
    /// `purchase-orders`, `returns`, ...: the CSV file suffix and the JSON key.
    public var id: String
    public var title: String
    /// One sentence on how to read the section.
    public var note: String
    public var figures: [Figure] = []
    /// Column keys of `rows`.
    public var columns: [String]
    public var rows: [[ReportValue]] = []
    /// Shown when there are no rows.
    public var empty: String

    mutating func figure(_ key: String, _ label: String, _ value: ReportValue, attention: Bool = false) {
        figures.append(Figure(key: key, label: label, value: value, attention: attention))
    }

    public func figure(_ key: String) -> ReportValue? { figures.first { $0.key == key }?.value }

    /// Whether the ledger holds anything for this flow (a workspace with orders only gets no CSV for it).
    public var hasData: Bool {
        !rows.isEmpty || figures.contains { f in
            if case .int(let n) = f.value { return n != 0 }
            return !f.value.description.isEmpty
        }
    }
}

/// What the flow sections need besides the ledger.
public struct FlowReportSettings: Sendable {
    /// Approved RMAs not received after this many days are overdue.
    public var returnOverdueDays = 14
    /// Purchase orders not complete this many days after their expected date are overdue.
    public var purchaseOverdueDays = 0
    /// ERP SKU -> WMS item code (ERP stock snapshots name ERP SKUs).
    public var skuAliases: [String: String] = [:]
    public init() {}
}
