import ERPWMSCore

/// Reads the canonical order XML (`schemas/erp-orders.xsd`) as a stream, one `<order>` at a time, each
/// validated on its own against the XSD: a schema error rejects exactly that order (`xml.schema`).
public final class XMLOrderReader: OrderReader {
    public static let schemaName = "erp-orders.xsd"

    private let records: XMLRecordStream
    private let limits: InputLimits
    public var recordsRead: Int { records.recordsRead }

    private static let orderFields: [String: OrderField] = Dictionary(
        uniqueKeysWithValues: OrderField.allCases.map { ($0.rawValue, $0) })
    private static let lineFields: [String: LineField] = Dictionary(
        uniqueKeysWithValues: LineField.allCases.map { ($0.rawValue, $0) })

    public init(source: ByteSource, file: String, encoding: TextEncoding = .utf8, limits: InputLimits = .init()) throws {
        records = try XMLRecordStream(source: source, file: file, schema: Self.schemaName, root: "orders",
                                      record: "order", encoding: encoding)
        self.limits = limits
    }

    public func next() throws -> RawOrder? {
        guard let record = try records.next() else { return nil }
        var order = RawOrder(location: record.location,
                             orderValues: Array(repeating: "", count: OrderField.allCases.count), lines: [],
                             codecFindings: record.schemaFindings)
        for child in record.element.children {
            if child.name == "lines" {
                for l in child.children where l.name == "line" {
                    var line = RawLine(location: SourceLocation(line: l.line, record: record.location.record),
                                       values: Array(repeating: "", count: LineField.allCases.count))
                    for f in l.children {
                        if let field = Self.lineFields[f.name] { line.values[field.index] = try nodeText(f, limits) }
                    }
                    order.lines.append(line)
                }
            } else if let field = Self.orderFields[child.name] {
                order.orderValues[field.index] = try nodeText(child, limits)
            }
        }
        for i in order.codecFindings.indices { order.codecFindings[i].orderId = order.orderId }
        return order
    }
}

/// The text of `node`, checked against the field limit.
func nodeText(_ node: XMLElementNode, _ limits: InputLimits) throws -> String {
    if node.text.count > limits.maxFieldBytes {
        throw FormatError(rule: "xml.text.too-long", message: "a text node is longer than \(limits.maxFieldBytes) bytes",
                          location: SourceLocation(line: node.line))
    }
    guard let s = UTF8Text.string(node.text) else {
        throw FormatError(rule: "encoding.invalid-utf8", message: "text is not valid UTF-8",
                          location: SourceLocation(line: node.line))
    }
    return s
}
