import ERPWMSCore

/// Reads the documents of one `DocumentLayout` one at a time from a stream.
public protocol DocumentReader: AnyObject {
    /// The next document, or nil at the end. Throws `FormatError` when the file as a whole is unreadable.
    func next() throws -> RawDocument?
}

/// Reads a layout's canonical XML: `<root>` with `<record>` elements, fields as child elements, lines under
/// `<lines><line>`. Each record is validated alone against the layout's XSD (a schema error rejects that
/// document only).
public final class XMLDocumentReader: DocumentReader {
    private let records: XMLRecordStream?
    /// For layouts read in chunks of lines (`DocumentLayout.chunkLines`).
    private let chunks: XMLLineStream?
    private let limits: InputLimits
    private let layout: DocumentLayout

    public init(source: ByteSource, file: String, layout: DocumentLayout, encoding: TextEncoding = .utf8,
                limits: InputLimits = .init()) throws {
        if let chunk = layout.chunkLines {
            chunks = try XMLLineStream(source: source, file: file, layout: layout, encoding: encoding, limits: limits, chunk: chunk)
            records = nil
        } else {
            let r = try XMLRecordStream(source: source, file: file, schema: layout.schema, root: layout.root,
                                        record: layout.record, encoding: encoding)
            r.rootAttributeNames = ["warehouse", "source"]
            records = r
            chunks = nil
        }
        self.limits = limits
        self.layout = layout
    }

    /// The root element's `warehouse` and `source` attributes (known after the first `next()`).
    public var rootAttributes: [String: String] { records?.rootAttributes ?? [:] }

    public func next() throws -> RawDocument? {
        if let chunks { return try chunks.next() }
        guard let records, let record = try records.next() else { return nil }
        var doc = RawDocument(location: record.location, values: [:], codecFindings: record.schemaFindings)
        for child in record.element.children {
            if child.name == "lines" {
                for l in child.children where l.name == "line" {
                    var values: [String: String] = [:]
                    for v in l.children { values[v.name] = try nodeText(v, limits) }
                    doc.lines.append(RawDocument.Line(location: SourceLocation(line: l.line, record: record.location.record),
                                                      values: values))
                }
            } else {
                doc.values[child.name] = try nodeText(child, limits)
            }
        }
        return doc
    }
}

/// Reads a layout's canonical CSV: a header row naming the columns (any order, unknown columns ignored),
/// one row per line with the document's fields repeated, contiguous rows with the same key forming one
/// document.
public final class CSVDocumentReader: DocumentReader {
    /// Most lines of one document not read in chunks (the rules allow at most 9,999).
    static let maxLines = 10_000
    private var parser: CSVParser
    private var columns: [(name: String, index: Int, isLine: Bool)] = []
    /// How many of `columns` are document-level.
    private var docColumns = 0
    private var keyColumns: [Int] = []
    private var headerCount = 0
    private var pending: RawDocument?
    private var pendingKey: [String] = []
    private var done = false
    private let file: String
    private let layout: DocumentLayout

    public init(source: ByteSource, file: String, layout: DocumentLayout, dialect: CSVParser.Dialect = .init(),
                limits: InputLimits = .init()) throws {
        parser = CSVParser(source: source, dialect: dialect, limits: limits)
        self.file = file
        self.layout = layout
        guard try parser.next() else {
            throw FormatError(rule: "csv.header.missing", message: "the file is empty: a header row is required")
        }
        headerCount = parser.fieldCount
        var seen: [String: Int] = [:]
        let lineNames = Set(layout.lineFields.map(\.name))
        let known = Set(layout.fields.map(\.name)).union(lineNames)
        for i in 0..<parser.fieldCount {
            let name = Clean.trim(try parser.field(i)).lowercased()
            guard known.contains(name) else { continue }
            if seen[name] != nil {
                throw FormatError(rule: "csv.header.duplicate", message: "column '\(name)' appears twice in the header",
                                  location: SourceLocation(line: parser.recordLine, record: 1))
            }
            seen[name] = i
            columns.append((name, i, lineNames.contains(name)))
        }
        let required = (layout.fields + layout.lineFields).filter(\.required).map(\.name)
        let missing = required.filter { seen[$0] == nil }
        if !missing.isEmpty {
            throw FormatError(rule: "csv.header.missing-column",
                              message: "the header lacks required column(s) \(missing.joined(separator: ", ")) of a \(layout.name) file",
                              location: SourceLocation(line: parser.recordLine, record: 1))
        }
        keyColumns = layout.key.compactMap { seen[$0] }
        docColumns = columns.filter { !$0.isLine }.count
    }

    public func next() throws -> RawDocument? {
        if done && pending == nil { return nil }
        var current = pending
        var currentKey = pendingKey
        pending = nil
        while !done {
            guard try parser.next() else {
                done = true
                break
            }
            let location = SourceLocation(line: parser.recordLine, record: parser.recordNumber - 1)
            let key = try keyColumns.map { $0 < parser.fieldCount ? Clean.trim(try parser.field($0)) : "" }
            let finding = parser.columnCountFinding(headerCount: headerCount, file: file, location: location)
            // Sized for the columns at once: grown from empty, each dictionary was rehashed two or three times a row.
            var docValues = [String: String](minimumCapacity: docColumns)
            var lineValues = [String: String](minimumCapacity: columns.count - docColumns)
            for c in columns {
                let v = c.index < parser.fieldCount ? try parser.field(c.index) : ""
                if c.isLine { lineValues[c.name] = v } else { docValues[c.name] = v }
            }
            let line = RawDocument.Line(location: location, values: lineValues)
            if layout.hasLines, current != nil, currentKey == key {
                if let chunk = layout.chunkLines, current!.lines.count >= chunk {
                    // A long document goes out in chunks: this one is full, the next continues it.
                    var more = RawDocument(location: location, values: docValues, lines: [line])
                    more.continued = true
                    if let finding { more.codecFindings.append(finding) }
                    pending = more
                    pendingKey = key
                    break
                }
                // Memory holds one document: past `maxLines`, its further rows are only counted (it is rejected).
                if current!.lines.count >= Self.maxLines {
                    if !current!.codecFindings.contains(where: { $0.rule == "csv.document.too-many-lines" }) {
                        current!.codecFindings.append(Finding(rule: "csv.document.too-many-lines",
                                                              message: "more than \(Self.maxLines) lines in one \(layout.name); the rest is not read",
                                                              file: file, location: location))
                    }
                    continue
                }
                // In place: a copy of the document per row would make a long document quadratic.
                current!.lines.append(line)
                if let finding { current!.codecFindings.append(finding) }
                continue
            }
            var next = RawDocument(location: location, values: docValues, lines: layout.hasLines ? [line] : [])
            if let finding { next.codecFindings.append(finding) }
            if current != nil {
                pending = next
                pendingKey = key
                break
            }
            current = next
            currentKey = key
        }
        return current
    }
}
