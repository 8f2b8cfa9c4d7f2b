import ERPWMSCore

/// Reads the canonical order XML (`schemas/erp-orders.xsd`) as a stream, one `<order>` at a time, validated
/// against the XSD as it streams: a schema error rejects exactly that order (`xml.schema`).
public final class XMLOrderReader: OrderReader {
    public static let schemaName = "erp-orders.xsd"

    private let stream: XMLOrderStream
    public var recordsRead: Int { stream.recordsRead }

    public init(source: ByteSource, file: String, encoding: TextEncoding = .utf8, limits: InputLimits = .init()) throws {
        stream = try XMLOrderStream(source: source, file: file, schema: Self.schemaName, encoding: encoding, limits: limits)
    }

    public func next() throws -> RawOrder? {
        try stream.next()
    }
}

/// The text of `node`, checked against the field limit.
func nodeText(_ node: XMLElementNode, _ limits: InputLimits) throws -> String {
    if node.text.count > limits.maxFieldBytes { throw XMLRefusal.textTooLong(limit: limits.maxFieldBytes, line: node.line) }
    guard let s = UTF8Text.string(node.text) else { throw XMLRefusal.invalidUTF8(line: node.line) }
    return s
}
