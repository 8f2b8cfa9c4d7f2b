import ERPWMSCore

/// Reads an ERP's own XML export through a `Mapping`: order elements at `xml.order_path`, line elements at
/// `xml.line_path` within each order, and canonical fields from element and attribute paths relative to
/// them (`Header/OrderNo`, `@id`, `Address/@country`). Memory holds one order at a time.
public final class MappedXMLOrderReader: OrderReader {
    private let records: XMLRecordStream
    private let mapping: Mapping
    private let file: String
    private let limits: InputLimits
    public var recordsRead: Int { records.recordsRead }
    public private(set) var linesSkipped = 0
    public private(set) var ordersSkipped = 0

    public init(source: ByteSource, file: String, mapping: Mapping, encoding: TextEncoding = .utf8,
                limits: InputLimits = .init()) throws {
        guard mapping.xmlOrderPath.count >= 2, !mapping.xmlLinePath.isEmpty else {
            throw FormatError(rule: "mapping.path", message: "an XML mapping needs xml.order_path (root/.../order) and xml.line_path")
        }
        records = try XMLRecordStream(source: source, file: file, path: mapping.xmlOrderPath, encoding: encoding)
        self.mapping = mapping
        self.file = file
        self.limits = limits
    }

    /// The value at `path` below `node`: child elements by name, `@name` for an attribute.
    static func value(_ node: XMLElementNode, path: String) -> String {
        var current = node
        let parts = path.split(separator: "/").map(String.init)
        for (i, p) in parts.enumerated() {
            if p.hasPrefix("@") {
                return i == parts.count - 1 ? current.attributes[String(p.dropFirst())] ?? "" : ""
            }
            if p == "." { continue }
            guard let next = current.child(p) else { return "" }
            current = next
        }
        return current.string
    }

    private func evaluate(_ source: ValueSource, on node: XMLElementNode) throws -> String {
        switch source {
        case .path(let p): return Self.value(node, path: p)
        case .constant(let c): return c
        case .concat(let parts): return try parts.map { try evaluate($0, on: node) }.joined()
        case .column(let c):
            throw FormatError(rule: "mapping.column", message: "column \(c) is used in a mapping of an XML channel; use path:")
        }
    }

    public func next() throws -> RawOrder? {
        while let record = try records.next() {
            let e = record.element
            var findings: [Finding] = []
            func field(_ m: FieldMapping?, name: String, personal: Bool, node: XMLElementNode, location: SourceLocation) throws -> String {
                guard let m else { return "" }
                do {
                    let v = try m.evaluate({ try evaluate($0, on: node) }, personal: personal)
                    if v.utf8.count > limits.maxFieldBytes {
                        throw FormatError(rule: "xml.text.too-long", message: "a value is longer than \(limits.maxFieldBytes) bytes",
                                          location: location)
                    }
                    return v
                } catch let f as MappingFailure {
                    findings.append(Finding(rule: f.rule, message: f.message, file: file, location: location, field: name))
                    return ""
                }
            }
            var orderValues: [String] = []
            for f in OrderField.allCases {
                orderValues.append(try field(mapping.orderFields[f], name: f.rawValue, personal: f.isPersonal, node: e,
                                             location: record.location))
            }
            var lineNodes = [e]
            for step in mapping.xmlLinePath {
                lineNodes = lineNodes.flatMap { $0.children.filter { $0.name == step } }
            }
            var lines: [RawLine] = []
            for l in lineNodes {
                if try mapping.skipLineIf.contains(where: { $0.holds(try evaluate($0.source, on: l)) }) {
                    linesSkipped += 1
                    continue
                }
                let location = SourceLocation(line: l.line, record: record.location.record)
                var values: [String] = []
                for f in LineField.allCases {
                    values.append(try field(mapping.lineFields[f], name: f.rawValue, personal: false, node: l, location: location))
                }
                lines.append(RawLine(location: location, values: values))
            }
            if mapping.lineFields[.lineNo] == nil {
                for i in lines.indices { lines[i].values[LineField.lineNo.index] = String(i + 1) }
            }
            let id = orderValues[OrderField.orderId.index]
            for i in findings.indices { findings[i].orderId = id.isEmpty ? nil : id }
            if lines.isEmpty && findings.isEmpty {
                ordersSkipped += 1
                continue
            }
            return RawOrder(location: record.location, orderValues: orderValues, lines: lines, codecFindings: findings)
        }
        return nil
    }
}
