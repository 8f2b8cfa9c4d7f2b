import ERPWMSCore

/// Streams a layout's canonical XML in chunks of lines, for documents that may hold millions of lines (stock
/// snapshots): each `<line>` is expanded on its own, so memory holds one chunk, never the whole record. A
/// record longer than the chunk comes out as several `RawDocument`s with the same fields, the later ones
/// marked `continued`. The record as a whole is too large to validate against the XSD in one piece, so its
/// structure is checked here instead: an element the layout does not have is a finding of that document.
final class XMLLineStream {
    private let stream: XMLStream
    private let layout: DocumentLayout
    private let file: String
    private let limits: InputLimits
    private let chunk: Int
    private var positioned = false
    private var finished = false
    private var sawRoot = false
    private var records = 0
    /// The record being read: its fields, the lines of the current chunk, whether a chunk was handed out.
    private var open: RawDocument?
    private var emitted = false
    private var inLines = false

    init(source: ByteSource, file: String, layout: DocumentLayout, encoding: TextEncoding, limits: InputLimits, chunk: Int) throws {
        _ = try CompiledSchema.named(layout.schema)  // the layout's schema exists (and compiles) even if unused here
        stream = try XMLStream(source: source, schema: nil, encoding: encoding == .utf8 ? nil : encoding.iconvName)
        self.layout = layout
        self.file = file
        self.limits = limits
        self.chunk = chunk
    }

    private func finding(_ message: String, line: Int) -> Finding {
        Finding(rule: "xml.schema", message: message, file: file, location: SourceLocation(line: line, record: records))
    }

    /// Adds a structure finding to the open record; one per chunk is enough to reject it (memory stays flat).
    private func structure(_ message: String, line: Int) {
        guard open != nil, open!.codecFindings.isEmpty else { return }
        open!.codecFindings.append(finding(message, line: line))
    }

    /// Hands out the open record's current chunk (and closes the record when `closing`).
    private func flush(closing: Bool) -> RawDocument? {
        guard var doc = open else { return nil }
        if closing {
            open = nil
            inLines = false
            if emitted && doc.lines.isEmpty && doc.codecFindings.isEmpty { return nil }
        } else {
            open!.lines = []
            open!.codecFindings = []
        }
        doc.continued = emitted
        emitted = !closing
        return doc
    }

    private func advance(_ moved: Bool) {
        positioned = moved
        if !moved { finished = true }
    }

    func next() throws -> RawDocument? {
        while !finished {
            guard try stream.step(positioned: &positioned) else {
                finished = true
                break
            }
            let depth = stream.depth
            switch stream.nodeType {
            case .element where depth == 0:
                guard stream.localName == layout.root else {
                    throw XMLRefusal.wrongRoot(stream.localName, expected: layout.root, line: stream.line)
                }
                sawRoot = true
            case .element where depth == 1:
                guard stream.localName == layout.record else {
                    throw XMLRefusal.notARecord(stream.localName, root: layout.root, record: layout.record, line: stream.line)
                }
                // Well-formed XML closes a record (end tag, or an empty element) before the next one starts.
                records += 1
                open = RawDocument(location: SourceLocation(line: stream.line, record: records), values: [:])
                emitted = false
                if stream.isEmptyElement, let doc = flush(closing: true) { return doc }
            case .endElement where depth == 1:
                if let doc = flush(closing: true) { return doc }
            case .element where depth == 2 && open != nil:
                let name = stream.localName
                if name == "lines" {
                    inLines = !stream.isEmptyElement
                    continue
                }
                let line = stream.line
                if layout.fields.contains(where: { $0.name == name }) {
                    let (element, _) = try stream.expandCurrent(validatingWith: nil)
                    if element.children.isEmpty {
                        open!.values[name] = try nodeText(element, limits)
                    } else {
                        structure("<\(name)> holds elements; it takes text only", line: line)
                    }
                } else {
                    structure("<\(name)> is not an element of <\(layout.record)>", line: line)
                }
                advance(try stream.skipSubtree())
            case .endElement where depth == 2:
                inLines = false
            case .element where depth == 3 && inLines:
                let line = stream.line
                guard stream.localName == "line" else {
                    structure("<\(stream.localName)> is not allowed in <lines>; only <line>", line: line)
                    advance(try stream.skipSubtree())
                    continue
                }
                let (element, _) = try stream.expandCurrent(validatingWith: nil)
                var values: [String: String] = [:]
                for v in element.children {
                    if layout.lineFields.contains(where: { $0.name == v.name }) && v.children.isEmpty {
                        values[v.name] = try nodeText(v, limits)
                    } else {
                        structure("<\(v.name)> is not an element of <line>", line: v.line)
                    }
                }
                open!.lines.append(RawDocument.Line(location: SourceLocation(line: line, record: records), values: values))
                advance(try stream.skipSubtree())
                if open!.lines.count >= chunk, let doc = flush(closing: false) { return doc }
            case .text where depth == 1, .cdata where depth == 1:
                throw XMLRefusal.textBetweenRecords(layout.record, line: stream.line)
            default:
                break
            }
        }
        if let doc = flush(closing: true) { return doc }
        if !sawRoot { throw XMLRefusal.noRoot }
        return nil
    }
}
