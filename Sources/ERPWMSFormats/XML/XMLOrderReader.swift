import ERPWMSCore

/// Reads the canonical order XML (`schemas/erp-orders.xsd`) as a stream, validating against the XSD as it
/// goes. A schema error inside an `<order>` rejects that order (`xml.schema`); a document that is not
/// well-formed, has a DOCTYPE or an entity reference, or breaks the schema outside an order fails as a whole.
public final class XMLOrderReader: OrderReader {
    public static let schemaName = "erp-orders.xsd"

    private let stream: XMLStream
    private let file: String
    private let limits: InputLimits
    public private(set) var recordsRead = 0
    private var finished: RawOrder?
    private var current: RawOrder?
    private var currentLine: RawLine?
    private var text: [UInt8] = []
    private var orderField: OrderField?
    private var lineField: LineField?
    private var sawRoot = false

    private static let orderFields: [String: OrderField] = Dictionary(
        uniqueKeysWithValues: OrderField.allCases.map { ($0.rawValue, $0) })
    private static let lineFields: [String: LineField] = Dictionary(
        uniqueKeysWithValues: LineField.allCases.map { ($0.rawValue, $0) })

    public init(source: ByteSource, file: String, encoding: TextEncoding = .utf8, limits: InputLimits = .init()) throws {
        self.stream = try XMLStream(source: source, schema: try CompiledSchema.named(Self.schemaName),
                                    encoding: encoding == .utf8 ? nil : encoding.iconvName)
        self.file = file
        self.limits = limits
    }

    public func next() throws -> RawOrder? {
        while try stream.read() {
            let depth = stream.depth
            if !sawRoot && depth == 0 && stream.nodeType == .element && stream.localName != "orders" {
                throw FormatError(rule: "xml.root", message: "root element is <\(stream.localName)>, expected <orders>",
                                  location: SourceLocation(line: stream.line))
            }
            try absorbDiagnostics()
            switch stream.nodeType {
            case .documentType:
                throw FormatError(rule: "xml.doctype.forbidden",
                                  message: "a DOCTYPE is not allowed: business documents need no DTD (XXE protection)",
                                  location: SourceLocation(line: stream.line))
            case .entityReference:
                throw FormatError(rule: "xml.entity.forbidden", message: "entity references are not allowed",
                                  location: SourceLocation(line: stream.line))
            case .element:
                let name = stream.localName
                let empty = stream.isEmptyElement
                switch depth {
                case 0:
                    guard name == "orders" else {
                        throw FormatError(rule: "xml.root", message: "root element is <\(name)>, expected <orders>",
                                          location: SourceLocation(line: stream.line))
                    }
                    sawRoot = true
                case 1:
                    let done = finished
                    finished = nil
                    recordsRead += 1
                    current = RawOrder(location: SourceLocation(line: stream.line, record: recordsRead),
                                       orderValues: Array(repeating: "", count: OrderField.allCases.count), lines: [])
                    if empty { finishOrder() }
                    if let done { return done }
                case 2:
                    orderField = Self.orderFields[name]
                    text.removeAll(keepingCapacity: true)
                    if empty { try endOrderField() }
                case 3 where name == "line":
                    currentLine = RawLine(location: SourceLocation(line: stream.line, record: recordsRead),
                                          values: Array(repeating: "", count: LineField.allCases.count))
                    if empty { endLine() }
                case 4:
                    lineField = Self.lineFields[name]
                    text.removeAll(keepingCapacity: true)
                    if empty { try endLineField() }
                default:
                    break
                }
            case .text, .cdata, .significantWhitespace, .whitespace:
                if orderField != nil || lineField != nil {
                    stream.appendValue(to: &text)
                    if text.count > limits.maxFieldBytes {
                        throw FormatError(rule: "xml.text.too-long",
                                          message: "a text node is longer than \(limits.maxFieldBytes) bytes",
                                          location: SourceLocation(line: stream.line))
                    }
                }
            case .endElement:
                switch depth {
                case 1: finishOrder()
                case 2: try endOrderField()
                case 3: endLine()
                case 4: try endLineField()
                default: break
                }
            default:
                break
            }
        }
        try absorbDiagnostics()
        if !sawRoot {
            throw FormatError(rule: "xml.malformed", message: "the document has no root element")
        }
        let done = finished
        finished = nil
        return done
    }

    private func value() throws -> String {
        guard let s = String(validating: text, as: UTF8.self) else {
            throw FormatError(rule: "encoding.invalid-utf8", message: "text is not valid UTF-8",
                              location: SourceLocation(line: stream.line))
        }
        return s
    }

    private func endOrderField() throws {
        if let f = orderField, current != nil { current!.orderValues[f.index] = try value() }
        orderField = nil
    }

    private func endLineField() throws {
        if let f = lineField, currentLine != nil { currentLine!.values[f.index] = try value() }
        lineField = nil
    }

    private func endLine() {
        if let l = currentLine { current?.lines.append(l) }
        currentLine = nil
    }

    private func finishOrder() {
        finished = current
        current = nil
    }

    /// Schema errors belong to the order being read, or to the one just finished (libxml2 reports a missing
    /// child when it sees the end tag); outside any order they fail the file.
    private func absorbDiagnostics() throws {
        for d in stream.takeDiagnostics() where !d.isWarning {
            guard d.isSchemaValidity else {
                throw FormatError(rule: "xml.malformed", message: d.message, location: SourceLocation(line: d.line))
            }
            let finding = Finding(rule: "xml.schema", message: d.message, file: file,
                                  location: SourceLocation(line: d.line))
            if current != nil {
                current!.codecFindings.append(finding)
            } else if finished != nil {
                finished!.codecFindings.append(finding)
            } else {
                throw FormatError(rule: "xml.schema", message: d.message, location: SourceLocation(line: d.line))
            }
        }
    }
}
