import ERPWMSCore

/// Reads the canonical order XML (`schemas/erp-orders.xsd`) as a stream. Each `<order>` is expanded on its
/// own (memory holds one order) and validated against the XSD's global `order` declaration, so a schema
/// error rejects exactly the order that has it (`xml.schema`). A document that is not well-formed, has a
/// DOCTYPE, has another root, or has something other than `<order>` under the root fails as a whole.
public final class XMLOrderReader: OrderReader {
    public static let schemaName = "erp-orders.xsd"

    private let stream: XMLStream
    private let schema: CompiledSchema
    private let file: String
    private let limits: InputLimits
    public private(set) var recordsRead = 0
    private var sawRoot = false
    /// The stream already stands on the next node (after skipping an order's subtree).
    private var positioned = false
    private var finished = false

    private static let orderFields: [String: OrderField] = Dictionary(
        uniqueKeysWithValues: OrderField.allCases.map { ($0.rawValue, $0) })
    private static let lineFields: [String: LineField] = Dictionary(
        uniqueKeysWithValues: LineField.allCases.map { ($0.rawValue, $0) })

    public init(source: ByteSource, file: String, encoding: TextEncoding = .utf8, limits: InputLimits = .init()) throws {
        self.schema = try CompiledSchema.named(Self.schemaName)
        self.stream = try XMLStream(source: source, schema: nil,
                                    encoding: encoding == .utf8 ? nil : encoding.iconvName)
        self.file = file
        self.limits = limits
    }

    public func next() throws -> RawOrder? {
        while !finished {
            if positioned {
                positioned = false
            } else if !(try stream.read()) {
                finished = true
                break
            }
            let depth = stream.depth
            switch stream.nodeType {
            case .documentType:
                throw FormatError(rule: "xml.doctype.forbidden",
                                  message: "a DOCTYPE is not allowed: business documents need no DTD (XXE protection)",
                                  location: SourceLocation(line: stream.line))
            case .entityReference:
                throw FormatError(rule: "xml.entity.forbidden", message: "entity references are not allowed",
                                  location: SourceLocation(line: stream.line))
            case .element where depth == 0:
                guard stream.localName == "orders" else {
                    throw FormatError(rule: "xml.root", message: "root element is <\(stream.localName)>, expected <orders>",
                                      location: SourceLocation(line: stream.line))
                }
                sawRoot = true
            case .element where depth == 1:
                guard stream.localName == "order" else {
                    throw FormatError(rule: "xml.schema", message: "<\(stream.localName)> is not allowed in <orders>; only <order>",
                                      location: SourceLocation(line: stream.line))
                }
                recordsRead += 1
                let (element, diagnostics) = try stream.expandCurrent(validatingWith: schema)
                let order = try rawOrder(element, diagnostics: diagnostics)
                positioned = try stream.skipSubtree()
                if !positioned { finished = true }
                return order
            case .text where depth == 1, .cdata where depth == 1:
                throw FormatError(rule: "xml.schema", message: "text is not allowed between <order> elements",
                                  location: SourceLocation(line: stream.line))
            default:
                break
            }
        }
        if !sawRoot {
            throw FormatError(rule: "xml.malformed", message: "the document has no root element")
        }
        return nil
    }

    private func rawOrder(_ element: XMLElementNode, diagnostics: [XMLDiagnostic]) throws -> RawOrder {
        var order = RawOrder(location: SourceLocation(line: element.line, record: recordsRead),
                             orderValues: Array(repeating: "", count: OrderField.allCases.count), lines: [])
        for d in diagnostics where !d.isWarning {
            order.codecFindings.append(Finding(rule: "xml.schema", message: d.message, file: file,
                                               location: SourceLocation(line: d.line, record: recordsRead)))
        }
        for child in element.children {
            if child.name == "lines" {
                for l in child.children where l.name == "line" {
                    var line = RawLine(location: SourceLocation(line: l.line, record: recordsRead),
                                       values: Array(repeating: "", count: LineField.allCases.count))
                    for f in l.children {
                        if let field = Self.lineFields[f.name] { line.values[field.index] = try text(f) }
                    }
                    order.lines.append(line)
                }
            } else if let field = Self.orderFields[child.name] {
                order.orderValues[field.index] = try text(child)
            }
        }
        if !order.codecFindings.isEmpty {
            for i in order.codecFindings.indices { order.codecFindings[i].orderId = order.orderId }
        }
        return order
    }

    private func text(_ node: XMLElementNode) throws -> String {
        if node.text.count > limits.maxFieldBytes {
            throw FormatError(rule: "xml.text.too-long", message: "a text node is longer than \(limits.maxFieldBytes) bytes",
                              location: SourceLocation(line: node.line))
        }
        guard let s = String(validating: node.text, as: UTF8.self) else {
            throw FormatError(rule: "encoding.invalid-utf8", message: "text is not valid UTF-8",
                              location: SourceLocation(line: node.line))
        }
        return s
    }
}
