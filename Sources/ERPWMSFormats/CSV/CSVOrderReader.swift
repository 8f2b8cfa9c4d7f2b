import ERPWMSCore

/// Reads the canonical order CSV: a header row, one row per order line, order fields repeated on each row,
/// columns found by header name in any order. Contiguous rows with the same `order_id` form one order.
public final class CSVOrderReader: OrderReader {
    private var parser: CSVParser
    private var orderColumns: [Int?] = []   // OrderField.index -> column
    private var lineColumns: [Int?] = []    // LineField.index -> column
    private var headerCount = 0
    private var pending: RawLine?
    private var pendingFindings: [Finding] = []
    private var done = false
    private let file: String
    public private(set) var recordsRead = 0

    /// Reads and checks the header. Throws `csv.header.*` errors when required columns are missing.
    public init(source: ByteSource, file: String, dialect: CSVParser.Dialect = .init(),
                limits: InputLimits = .init()) throws {
        self.parser = CSVParser(source: source, dialect: dialect, limits: limits)
        self.file = file
        guard try parser.next() else {
            throw FormatError(rule: "csv.header.missing", message: "the file is empty: a header row is required")
        }
        var byName: [String: Int] = [:]
        headerCount = parser.fieldCount
        for i in 0..<parser.fieldCount {
            let name = Clean.trim(try parser.field(i)).lowercased()
            if name.isEmpty { continue }
            if byName[name] != nil {
                throw FormatError(rule: "csv.header.duplicate", message: "column '\(name)' appears twice in the header",
                                  location: SourceLocation(line: parser.recordLine, record: 1))
            }
            byName[name] = i
        }
        orderColumns = OrderField.allCases.map { byName[$0.rawValue] }
        lineColumns = LineField.allCases.map { byName[$0.rawValue] }
        let missing = RequiredColumns.order.filter { orderColumns[$0.index] == nil }.map(\.rawValue)
            + RequiredColumns.line.filter { lineColumns[$0.index] == nil }.map(\.rawValue)
        if !missing.isEmpty {
            throw FormatError(rule: "csv.header.missing-column",
                              message: "the header lacks required column(s) \(missing.joined(separator: ", ")); columns are found by name",
                              location: SourceLocation(line: parser.recordLine, record: 1))
        }
    }

    deinit { parser.close() }

    public func next() throws -> RawOrder? {
        if done { return nil }
        var lines: [RawLine] = []
        var findings: [Finding] = []
        if let p = pending {
            lines.append(p)
            findings = pendingFindings
            pending = nil
            pendingFindings = []
        }
        while true {
            guard try parser.next() else {
                done = true
                break
            }
            recordsRead += 1
            let location = SourceLocation(line: parser.recordLine, record: parser.recordNumber - 1)
            var rowFindings: [Finding] = []
            let count = parser.fieldCount
            if count != headerCount {
                rowFindings.append(Finding(rule: "csv.row.column-count",
                                           message: "row has \(count) columns, the header has \(headerCount)",
                                           file: file, location: location))
            }
            let orderValues = try orderColumns.map { c -> String in
                guard let c, c < count else { return "" }
                return try parser.field(c)
            }
            let values = try lineColumns.map { c -> String in
                guard let c, c < count else { return "" }
                return try parser.field(c)
            }
            let line = RawLine(location: location, values: values, orderValues: orderValues)
            let id = orderValues[OrderField.orderId.index]
            if let first = lines.first, first.orderValues![OrderField.orderId.index] != id {
                pending = line
                pendingFindings = rowFindings
                break
            }
            lines.append(line)
            findings.append(contentsOf: rowFindings)
        }
        guard let first = lines.first else { return nil }
        for i in findings.indices { findings[i].orderId = first.orderValues![OrderField.orderId.index] }
        return RawOrder(location: first.location, orderValues: first.orderValues!, lines: lines,
                        codecFindings: findings)
    }
}
