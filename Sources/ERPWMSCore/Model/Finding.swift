/// Where in an input a finding was made: a file, and a line or record within it.
public struct SourceLocation: Sendable, Hashable, Codable {
    /// 1-based physical line in the (decoded) file where the record starts, if known.
    public var line: Int?
    /// 1-based data record (CSV row after the header, or XML `<order>` element) if known.
    public var record: Int?

    public init(line: Int? = nil, record: Int? = nil) {
        self.line = line
        self.record = record
    }

    /// `line 12` / `record 4` / empty, for messages.
    public var description: String {
        switch (line, record) {
        case let (l?, r?): return "line \(l), record \(r)"
        case let (l?, nil): return "line \(l)"
        case let (nil, r?): return "record \(r)"
        default: return ""
        }
    }
}

/// One validation result, as data: it goes into the ledger, the `.error.json` and the reports.
///
/// A finding never carries customer data: messages name the field and the rule, and quote a value only
/// when the field is not personal (a currency code, a quantity).
public struct Finding: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Codable { case error, warning }

    /// Stable rule id users see and filter on, e.g. `order.quantity.positive`.
    public var rule: String
    public var severity: Severity
    /// What went wrong and what would be accepted.
    public var message: String
    /// Input file name (not path), when known.
    public var file: String?
    public var location: SourceLocation
    public var orderId: String?
    /// Canonical field name (`quantity`, `ship_country`), when the finding is about one field.
    public var field: String?

    public init(rule: String, severity: Severity = .error, message: String, file: String? = nil,
                location: SourceLocation = .init(), orderId: String? = nil, field: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.file = file
        self.location = location
        self.orderId = orderId
        self.field = field
    }

    /// One line for people: `orders.csv line 12: order SO1: quantity: must be ... [order.quantity.positive]`.
    public var summary: String {
        var parts: [String] = []
        var head = file.map(FileNames.printable) ?? ""
        let loc = location.description
        if !loc.isEmpty { head += head.isEmpty ? loc : " \(loc)" }
        if !head.isEmpty { parts.append(head) }
        if let orderId { parts.append("order \(orderId)") }
        if let field { parts.append(field) }
        parts.append("\(message) [\(rule)]")
        return parts.joined(separator: ": ")
    }
}
