import ERPWMSCore

/// Streams the records of a business-document XML file: `<root>` holding any number of `<record>` elements.
/// Each record is expanded on its own (memory holds one record) and validated against the record's global
/// declaration in the XSD, so a schema error belongs to exactly that record. A document that is not
/// well-formed, has a DOCTYPE, has another root, or has anything but records under the root fails whole.
final class XMLRecordStream {
    /// One record: its element tree, where it starts, and its schema findings.
    struct Record {
        var element: XMLElementNode
        var location: SourceLocation
        var schemaFindings: [Finding]
    }

    private let stream: XMLStream
    private let schema: CompiledSchema?
    private let rootName: String
    private let recordName: String
    /// Element names from the root down to the record (`[Export, Orders, Order]`) in lenient mode.
    private let path: [String]
    /// Strict: the root holds records and nothing else (the canonical layouts). Lenient: records are found at
    /// `path`, and other elements are skipped (foreign layouts read by a mapping).
    private let strict: Bool
    private var names: [String] = []
    private let file: String
    private var sawRoot = false
    private var positioned = false
    private var finished = false
    private(set) var recordsRead = 0
    /// Attributes of the root element (known once the first record is read).
    private(set) var rootAttributes: [String: String] = [:]
    /// Root attribute names worth keeping.
    var rootAttributeNames: [String] = []

    init(source: ByteSource, file: String, schema: String, root: String, record: String, encoding: TextEncoding) throws {
        self.schema = try CompiledSchema.named(schema)
        self.stream = try XMLStream(source: source, schema: nil, encoding: encoding == .utf8 ? nil : encoding.iconvName)
        self.rootName = root
        self.recordName = record
        self.path = [root, record]
        self.strict = true
        self.file = file
    }

    /// Lenient mode: records are the elements at `path` (root first); no schema.
    init(source: ByteSource, file: String, path: [String], encoding: TextEncoding) throws {
        precondition(path.count >= 2, "a record path names at least the root and the record")
        self.schema = nil
        self.stream = try XMLStream(source: source, schema: nil, encoding: encoding == .utf8 ? nil : encoding.iconvName)
        self.rootName = path[0]
        self.recordName = path[path.count - 1]
        self.path = path
        self.strict = false
        self.file = file
    }

    func next() throws -> Record? {
        while !finished {
            guard try stream.step(positioned: &positioned) else {
                finished = true
                break
            }
            let depth = stream.depth
            switch stream.nodeType {
            case .element where !strict && depth > 0:
                let name = stream.localName
                names.removeSubrange(min(depth, names.count)...)
                names.append(name)
                guard depth < path.count, name == path[depth] else {
                    positioned = try stream.skipSubtree()
                    if !positioned { finished = true }
                    continue
                }
                guard depth == path.count - 1 else { continue }
                recordsRead += 1
                let (element, _) = try stream.expandCurrent(validatingWith: nil)
                positioned = try stream.skipSubtree()
                if !positioned { finished = true }
                return Record(element: element, location: SourceLocation(line: element.line, record: recordsRead),
                              schemaFindings: [])
            case .element where depth == 0:
                guard stream.localName == rootName else {
                    throw XMLRefusal.wrongRoot(stream.localName, expected: rootName, line: stream.line)
                }
                sawRoot = true
                names = [rootName]
                for n in rootAttributeNames { rootAttributes[n] = stream.attribute(n) }
            case .element where depth == 1:
                guard stream.localName == recordName else {
                    throw XMLRefusal.notARecord(stream.localName, root: rootName, record: recordName, line: stream.line)
                }
                recordsRead += 1
                let (element, diagnostics) = try stream.expandCurrent(validatingWith: schema)
                let location = SourceLocation(line: element.line, record: recordsRead)
                let findings = diagnostics.filter { !$0.isWarning }.map {
                    Finding(rule: "xml.schema", message: $0.message, file: file,
                            location: SourceLocation(line: $0.line, record: recordsRead))
                }
                positioned = try stream.skipSubtree()
                if !positioned { finished = true }
                return Record(element: element, location: location, schemaFindings: findings)
            case .text where depth == 1 && strict, .cdata where depth == 1 && strict:
                throw XMLRefusal.textBetweenRecords(recordName, line: stream.line)
            default:
                break
            }
        }
        if !sawRoot {
            throw XMLRefusal.noRoot
        }
        return nil
    }
}
