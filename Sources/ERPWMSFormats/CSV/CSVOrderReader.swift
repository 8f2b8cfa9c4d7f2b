import ERPWMSCore

/// Reads order CSV: a header row, one row per order line. Without a mapping it reads the canonical layout
/// (columns found by canonical header name in any order, order fields repeated on every row). With a
/// `Mapping` it reads any ERP's export: columns by name or position, transforms, constants, lookups,
/// skipped lines, and the flat or first-row layout. Rows of one order are contiguous.
public final class CSVOrderReader: OrderReader {
    /// How one canonical field is obtained from a row.
    private enum Resolver {
        case none
        /// A plain column: the canonical path, no evaluation.
        case column(Int)
        case mapped(FieldMapping, personal: Bool)
    }

    /// Read for every field: no dynamic exclusivity check (nothing here accesses it reentrantly).
    @exclusivity(unchecked) private var parser: CSVParser
    private let file: String
    private let mapping: Mapping?
    private var headerIndex: [String: Int] = [:]
    private var orderResolvers: [Resolver] = []
    private var lineResolvers: [Resolver] = []
    /// The resolvers as column indexes (-1: no column) when every one is a plain column or none, as in the
    /// canonical layout: read without the enum's switch and copies, for each of the ~35 fields of every row.
    /// Set by `init` once the resolvers are known (`setPlainColumns`).
    private(set) var plainOrderColumns: [Int]?
    private(set) var plainLineColumns: [Int]?
    private var headerCount = 0
    /// One row read: its line (nil when skipped), order values, location and findings. A struct, not a tuple: a
    /// tuple is copied through the runtime's generic value witnesses, and `nextGroup` moved rows three times each.
    private struct Row {
        var line: RawLine?
        /// The order values as Strings (a mapping's), or packed (plain columns; then `orderValues` is empty).
        var orderValues: [String]
        var packedOrder: PackedTexts?
        var location: SourceLocation
        var findings: [Finding]

        /// The row's order id's bytes, valid inside `body`.
        func withOrderId<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            if let p = packedOrder { return p.withFields { body($0[.orderId]) } }
            return orderValues[OrderField.orderId.index].withUTF8Bytes(body)
        }

        /// Whether this row's order id is `other`'s (as Strings compare them: the same bytes, or the same text).
        func sameOrderId(as other: Row) -> Bool {
            withOrderId { a in
                other.withOrderId { b in
                    UTF8Text.equal(a, b) || (!(UTF8Text.isASCII(a) && UTF8Text.isASCII(b))
                                           && String(decoding: a, as: UTF8.self) == String(decoding: b, as: UTF8.self))
                }
            }
        }

        var orderId: String { withOrderId { String(decoding: $0, as: UTF8.self) } }
    }
    // Read and written for every row or order by the one thread reading (as `parser` above): no dynamic exclusivity
    // check (~90 instructions an access).
    @exclusivity(unchecked) private var pending: Row?
    @exclusivity(unchecked) private var done = false
    @exclusivity(unchecked) public private(set) var recordsRead = 0
    /// Line rows left out by the mapping's `skip_if` (gift cards, digital goods).
    @exclusivity(unchecked) public private(set) var linesSkipped = 0
    /// Orders with no line left to ship after skipping; they are not returned.
    @exclusivity(unchecked) public private(set) var ordersSkipped = 0

    /// Reads and checks the header. `headerRow` is the 1-based record holding the header (records above it
    /// are skipped, as a title line); 0 means the file has no header and a mapping addresses columns by position.
    public init(source: ByteSource, file: String, dialect: CSVParser.Dialect = .init(), limits: InputLimits = .init(),
                mapping: Mapping? = nil, headerRow: Int = 1) throws {
        self.parser = CSVParser(source: source, dialect: dialect, limits: limits)
        self.file = file
        self.mapping = mapping
        if headerRow == 0 {
            guard let mapping else {
                throw FormatError(rule: "csv.header.missing", message: "a file without a header needs a mapping by column position")
            }
            orderResolvers = try OrderField.allCases.map { f in try resolver(mapping.orderFields[f], field: f.rawValue, personal: f.isPersonal) }
            lineResolvers = try LineField.allCases.map { f in try resolver(mapping.lineFields[f], field: f.rawValue, personal: false) }
            setPlainColumns()
            return
        }
        for _ in 0..<headerRow {
            guard try parser.next() else {
                throw FormatError(rule: "csv.header.missing", message: "the file ends before its header row \(headerRow)")
            }
        }
        headerCount = parser.fieldCount
        for i in 0..<parser.fieldCount {
            let name = Clean.trim(try parser.field(i))
            let key = mapping == nil ? name.lowercased() : name
            if key.isEmpty { continue }
            if headerIndex[key] != nil {
                throw FormatError(rule: "csv.header.duplicate", message: "column '\(name)' appears twice in the header",
                                  location: SourceLocation(line: parser.recordLine, record: headerRow))
            }
            headerIndex[key] = i
        }
        if let mapping {
            orderResolvers = try OrderField.allCases.map { f in try resolver(mapping.orderFields[f], field: f.rawValue, personal: f.isPersonal) }
            lineResolvers = try LineField.allCases.map { f in try resolver(mapping.lineFields[f], field: f.rawValue, personal: false) }
            for c in mapping.skipLineIf { try checkColumns(c.source, field: "skip_if") }
        } else {
            orderResolvers = OrderField.allCases.map { headerIndex[$0.rawValue].map(Resolver.column) ?? .none }
            lineResolvers = LineField.allCases.map { headerIndex[$0.rawValue].map(Resolver.column) ?? .none }
            let missing = RequiredColumns.order.filter { headerIndex[$0.rawValue] == nil }.map(\.rawValue)
                + RequiredColumns.line.filter { headerIndex[$0.rawValue] == nil }.map(\.rawValue)
            if !missing.isEmpty {
                throw FormatError(rule: "csv.header.missing-column",
                                  message: "the header lacks required column(s) \(missing.joined(separator: ", ")); columns are found by name",
                                  location: SourceLocation(line: parser.recordLine, record: headerRow))
            }
        }
        setPlainColumns()
    }

    private func index(_ ref: ColumnRef) -> Int? {
        switch ref {
        case .name(let n): return headerIndex[n]
        case .position(let p): return p - 1
        }
    }

    private func checkColumns(_ source: ValueSource, field: String) throws {
        switch source {
        case .column(let ref):
            if index(ref) == nil {
                throw FormatError(rule: "mapping.column",
                                  message: "the mapping of \(field) reads column \(ref), which the header does not have (columns: \(headerIndex.keys.sorted().joined(separator: ", ")))")
            }
        case .concat(let parts):
            for p in parts { try checkColumns(p, field: field) }
        case .path:
            throw FormatError(rule: "mapping.path", message: "the mapping of \(field) uses an XML path, but this channel reads CSV")
        case .constant:
            break
        }
    }

    private func resolver(_ m: FieldMapping?, field: String, personal: Bool) throws -> Resolver {
        guard let m else { return .none }
        try checkColumns(m.source, field: field)
        if let c = m.plainColumn, let i = index(c) { return .column(i) }
        return .mapped(m, personal: personal)
    }

    private func value(_ source: ValueSource) throws -> String {
        switch source {
        case .column(let ref):
            guard let i = index(ref), i >= 0, i < parser.fieldCount else { return "" }
            return try parser.field(i)
        case .constant(let c):
            return c
        case .concat(let parts):
            return try parts.map { try value($0) }.joined()
        case .path:
            return ""
        }
    }

    /// The last value read per plain column: order fields repeat on every row of an order, so most rows compare
    /// the field's bytes with that String's UTF-8 (the same bytes: the String is made of them unchanged) and
    /// reuse it instead of making a new one.
    @exclusivity(unchecked) private var lastString: [String] = []
    /// The order values of the last row read through the plain columns, and that row's field count: a row
    /// whose order fields are all the bytes of the last row's (every row of an order but its first) gets the
    /// same packed values, without packing them again.
    @exclusivity(unchecked) private var lastPackedOrder: PackedTexts?
    private var lastOrderFieldCount = 0
    /// When the plain order columns are exactly the first `orderPrefix` columns of a row (the canonical export's
    /// layout), a row repeats the last one's order fields when its first `orderPrefix` fields are the last row's
    /// (`CSVParser.prefixMatchesRemembered`); 0 otherwise.
    private(set) var orderPrefix = 0

    private func plainField(_ c: Int) throws -> String {
        guard c < parser.fieldCount else { return "" }
        if parser.field(c, equals: lastString[c]) { return lastString[c] }
        let s = try parser.field(c)
        lastString[c] = s
        return s
    }

    /// Called by `init` once the resolvers are known: the plain-column paths, and `lastString` sized once for
    /// every order column (`plainField` reads it per field of every row).
    private func setPlainColumns() {
        plainOrderColumns = Self.plainColumns(orderResolvers)
        if let plain = plainOrderColumns {
            let orderColumns = Set(plain.filter { $0 >= 0 })
            if let last = orderColumns.max(), orderColumns.count == last + 1 { orderPrefix = last + 1 }
        }
        plainLineColumns = Self.plainColumns(lineResolvers)
        var columns = 0
        for r in orderResolvers { if case .column(let c) = r { columns = max(columns, c + 1) } }
        lastString = Array(repeating: "", count: columns)
    }

    private static func plainColumns(_ resolvers: [Resolver]) -> [Int]? {
        var columns: [Int] = []
        for r in resolvers {
            switch r {
            case .none: columns.append(-1)
            case .column(let c): columns.append(c)
            case .mapped: return nil
            }
        }
        return columns
    }

    /// Evaluates `resolvers` on the current row; mapping failures become findings of the row.
    private func evaluate(_ resolvers: [Resolver], names: [String], location: SourceLocation,
                          findings: inout [Finding], repeating: Bool = false) throws -> [String] {
        var out: [String] = []
        out.reserveCapacity(resolvers.count)
        for (i, r) in resolvers.enumerated() {
            switch r {
            case .none:
                out.append("")
            case .column(let c):
                out.append(repeating ? try plainField(c) : (c < parser.fieldCount ? try parser.field(c) : ""))
            case .mapped(let m, let personal):
                do {
                    out.append(try m.evaluate({ try value($0) }, personal: personal))
                } catch let e as MappingFailure {
                    findings.append(Finding(rule: e.rule, message: e.message, file: file, location: location, field: names[i]))
                    out.append("")
                }
            }
        }
        return out
    }

    /// The plain columns' fields packed (`PackedTexts`), checked for UTF-8: a line's (`RawLine(packedValues:)`) and a
    /// row's order values. The validator reads them as bytes, where a String for each field (and an array of them) had
    /// been made here and read there.
    private func packedColumns(_ plain: [Int]) throws -> PackedTexts {
        let (texts, nonASCII) = parser.packFields(plain)
        var check = nonASCII
        while check != 0 {
            try parser.checkUTF8(plain[check.trailingZeroBitCount])
            check &= check - 1
        }
        return texts
    }

    /// The row's order values through the plain columns, packed: the last row's when its order fields are the same
    /// bytes (every row of an order but its first), compared as a block where the order columns lead the row.
    private func packedOrderValues(_ plain: [Int]) throws -> PackedTexts {
        let count = parser.fieldCount
        // Field by field where the block compare says no: a row read in place and one copied (a line field with a
        // doubled quote) differ as blocks with the same fields (a tenth of the benchmark's rows). A row of the next
        // order differs at its first field.
        if let last = lastPackedOrder, count == lastOrderFieldCount,
           (orderPrefix > 0 && parser.prefixMatchesRemembered(fields: orderPrefix))
            || last.withFields({ f in
                plain.indices.allSatisfy { i in
                    let c = plain[i]
                    return c < 0 || c >= count || UTF8Text.equal(parser.fieldBytes(c), f[i])
                }
            }) {
            return last
        }
        lastPackedOrder = nil  // valid again only once this row is read whole
        let packed = try packedColumns(plain)
        lastPackedOrder = packed
        lastOrderFieldCount = count
        if orderPrefix > 0 { parser.rememberPrefix(fields: orderPrefix) }
        return packed
    }

    private static let orderNames = OrderField.allCases.map(\.rawValue)
    private static let lineNames = LineField.allCases.map(\.rawValue)

    /// Reads the next row: its order values, its line (nil when skipped), location and findings.
    private func readRow() throws -> Row? {
        guard try parser.next() else { return nil }
        recordsRead += 1
        let location = SourceLocation(line: parser.recordLine, record: parser.recordNumber - 1)
        var findings: [Finding] = []
        if let f = parser.columnCountFinding(headerCount: headerCount, file: file, location: location) { findings.append(f) }
        var orderValues: [String] = []
        var packedOrder: PackedTexts?
        if let plain = plainOrderColumns {
            packedOrder = try packedOrderValues(plain)
        } else {
            orderValues = try evaluate(orderResolvers, names: Self.orderNames, location: location, findings: &findings,
                                       repeating: true)
        }
        var skip = false
        if let mapping {
            for c in mapping.skipLineIf where c.holds(try value(c.source)) {
                skip = true
                break
            }
        }
        if skip {
            linesSkipped += 1
            return Row(line: nil, orderValues: orderValues, packedOrder: packedOrder, location: location, findings: findings)
        }
        var line: RawLine
        if let plain = plainLineColumns {
            line = RawLine(location: location, packedValues: try packedColumns(plain), packedOrderValues: packedOrder)
            if packedOrder == nil { line.orderValues = orderValues }
        } else {
            let values = try evaluate(lineResolvers, names: Self.lineNames, location: location, findings: &findings)
            line = packedOrder == nil ? RawLine(location: location, values: values, orderValues: orderValues)
                : RawLine(location: location, values: values, packedOrderValues: packedOrder)
        }
        return Row(line: line, orderValues: orderValues, packedOrder: packedOrder, location: location, findings: findings)
    }

    public func next() throws -> RawOrder? {
        while true {
            guard let order = try nextGroup() else { return nil }
            if order.lines.isEmpty && order.codecFindings.isEmpty {
                ordersSkipped += 1  // nothing to ship: every line was skipped
                continue
            }
            return order
        }
    }

    private func nextGroup() throws -> RawOrder? {
        if done && pending == nil { return nil }
        let firstRowLayout = mapping?.layout == .firstRow
        // Rows and their lines are moved (`take`, `consume`), not copied: a copy retains every String of the row.
        var head: Row
        if let row = pending.take() {
            head = row
        } else {
            guard let row = try readRow() else {
                done = true
                return nil
            }
            head = row
        }
        var lines: [RawLine] = []
        // Room for four lines at once (nearly every order has at most four), not grown one line at a time: growing
        // from one took two or three allocations for most orders.
        lines.reserveCapacity(4)
        var findings: [Finding] = []
        swap(&findings, &head.findings)
        if var l = head.line.take() {
            if firstRowLayout { l.orderValues = nil }
            lines.append(l)
        }
        while true {
            guard var row = try readRow() else {
                done = true
                break
            }
            // First-row layout: a row continues the order when its id is blank (or repeats it, as Shopify does).
            let continues = (firstRowLayout && row.withOrderId { $0.isEmpty }) || row.sameOrderId(as: head)
            if !continues {
                pending = consume row
                break
            }
            if var l = row.line.take() {
                if firstRowLayout { l.orderValues = nil }
                lines.append(l)
            }
            findings += row.findings
        }
        if !findings.isEmpty {
            let id = head.orderId
            for i in findings.indices { findings[i].orderId = id.isEmpty ? nil : id }
        }
        if mapping != nil, case .none = lineResolvers[LineField.lineNo.index] {
            // Exports without line numbers (Shopify): number the lines to ship in file order.
            for i in lines.indices { lines[i].values[LineField.lineNo.index] = String(i + 1) }
        }
        if let packed = head.packedOrder {
            return RawOrder(location: head.location, packedOrderValues: packed, lines: lines, codecFindings: findings)
        }
        return RawOrder(location: head.location, orderValues: head.orderValues, lines: lines, codecFindings: findings)
    }
}
