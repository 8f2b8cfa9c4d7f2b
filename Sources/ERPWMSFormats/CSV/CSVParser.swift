import CByteScan
import ERPWMSCore
#if canImport(Glibc)
import Glibc
#endif

/// A streaming RFC 4180 CSV parser that works on bytes.
///
/// Written here rather than taken from a package because the packages at hand (SwiftCSV, CSV.swift) build a
/// `String` per character or load the whole file, and memory must stay flat in the input size: this parser
/// keeps one record in memory, creates a `String` only for the fields a caller asks for, and validates UTF-8
/// there, reporting the line. It accepts CRLF, LF and lone CR line ends, quoted fields with embedded line
/// breaks and doubled quotes, and a delimiter and quote byte of the channel's choosing.
///
/// Noncopyable: it owns its read buffer, record and field ends (raw memory, freed in `deinit`), so a copy
/// could not share them safely.
public struct CSVParser: ~Copyable {
    public struct Dialect: Sendable {
        public var delimiter: UInt8
        public var quote: UInt8
        public init(delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\"")) {
            self.delimiter = delimiter
            self.quote = quote
        }
    }

    private let source: ByteSource
    private let dialect: Dialect
    private let limits: InputLimits
    private let chunk: UnsafeMutableRawBufferPointer
    private var pos = 0
    private var end = 0
    private var eof = false
    private var atStart = true
    private var pendingCR = false

    /// Bytes of the current record's fields, back to back (`recordCount` of `recordCapacity`). Raw memory, like the
    /// field ends: `Array.append` costs a uniqueness check and, for a run of bytes, a generic copy of ~80
    /// instructions, for each of the ~40 fields of every row.
    private var record: UnsafeMutablePointer<UInt8>
    private var recordCount = 0
    private var recordCapacity = 4096
    /// Where the current record's bytes are: `record`, or, for a row read whole from the chunk (`fastRow`), the
    /// chunk itself (valid until the next record: only reading the next one refills the chunk).
    private var recordBase: UnsafePointer<UInt8>
    /// True when the current record was read in place: its fields are at `fieldStarts`..<`fieldEnds` in the row
    /// (quotes and delimiters between them); in `record` they are back to back.
    private var inPlace = false
    /// Where each field starts, for a record read in place (room for `fieldStartsCapacity`).
    private var fieldStarts: UnsafeMutablePointer<Int>
    private var fieldStartsCapacity = 64
    /// Rows without a quote or a lone CR are split in place (`fastRow`); false only to test the general path
    /// against it.
    private let fastRows: Bool
    /// End offset in `record` of each field (`fieldTotal` of `fieldCapacity`).
    private var fieldEnds: UnsafeMutablePointer<Int>
    private var fieldTotal = 0
    private var fieldCapacity = 64
    /// The first fields of a remembered record (`rememberPrefix`): their bytes and their ends.
    private var savedBytes: UnsafeMutablePointer<UInt8>
    private var savedCapacity = 256
    private var savedCount = 0
    private var savedEnds: UnsafeMutablePointer<Int>
    private var savedEndsCapacity = 32
    /// How many fields are remembered; 0: none.
    private var savedFields = 0
    /// Whether the remembered record was read in place, and its fields' starts then: prefixes of records read the
    /// two ways are laid out differently.
    private var savedInPlace = false
    private var savedStarts: UnsafeMutablePointer<Int>
    private var savedStartsCapacity = 32
    /// Physical line (1-based) on which the next record starts.
    private var nextLine = 1
    /// Physical line on which the current record starts.
    public private(set) var recordLine = 0
    /// 1-based number of the current record (the header is record 1).
    public private(set) var recordNumber = 0

    public init(source: ByteSource, dialect: Dialect = .init(), limits: InputLimits = .init()) {
        self.init(source: source, dialect: dialect, limits: limits, fastRows: true)
    }

    /// `fastRows` false: every row through the general path (tests compare the two).
    package init(source: ByteSource, dialect: Dialect = .init(), limits: InputLimits = .init(), fastRows: Bool) {
        self.source = source
        self.dialect = dialect
        self.limits = limits
        // A delimiter or quote that is a line end, or a quote that delimits, reads only the general way.
        let ends: [UInt8] = [0x0A, 0x0D]
        self.fastRows = fastRows && !ends.contains(dialect.delimiter) && !ends.contains(dialect.quote)
            && dialect.delimiter != dialect.quote
        self.chunk = .allocate(byteCount: 256 << 10, alignment: 8)
        self.record = .allocate(capacity: recordCapacity)
        self.recordBase = UnsafePointer(record)
        self.fieldEnds = .allocate(capacity: fieldCapacity)
        self.savedBytes = .allocate(capacity: savedCapacity)
        self.savedEnds = .allocate(capacity: savedEndsCapacity)
        self.fieldStarts = .allocate(capacity: fieldStartsCapacity)
        self.savedStarts = .allocate(capacity: savedStartsCapacity)
    }

    // A struct (not a class) so that the hot loop stays inlined.
    deinit {
        chunk.deallocate()
        record.deallocate()
        fieldEnds.deallocate()
        savedBytes.deallocate()
        savedEnds.deallocate()
        fieldStarts.deallocate()
        savedStarts.deallocate()
    }

    // The accessors below are `mutating` though they only read: a reader keeps its parser as a stored property
    // of a class, and there a mutating call works on it in place; borrowing it instead measured 0.6 % more
    // instructions over a whole run.

    /// Number of fields in the current record.
    public var fieldCount: Int { mutating get { fieldTotal } }

    /// The bytes of the current record's field `i` (valid until the next record).
    @inline(__always)
    private func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(i >= 0 && i < fieldTotal, "field index out of range")
        let start = inPlace ? fieldStarts[i] : i == 0 ? 0 : fieldEnds[i - 1]
        return UnsafeBufferPointer(start: recordBase + start, count: fieldEnds[i] - start)
    }

    /// True when the current record's field `i` holds exactly the UTF-8 of `text` (no String is made).
    public mutating func field(_ i: Int, equals text: String) -> Bool {
        let field = bytes(i)
        return text.withUTF8Bytes { other in
            guard other.count == field.count else { return false }
            guard let o = other.baseAddress else { return true }
            return memcmp(field.baseAddress!, o, other.count) == 0
        }
    }

    /// Remembers the current record's first `n` fields (bytes and boundaries); nothing when it has fewer.
    public mutating func rememberPrefix(fields n: Int) {
        guard n > 0 && n <= fieldTotal else {
            savedFields = 0
            return
        }
        let bytes = fieldEnds[n - 1]
        if bytes > savedCapacity { savedBytes.grow(count: 0, capacity: &savedCapacity, toHold: bytes) }
        if n > savedEndsCapacity { savedEnds.grow(count: 0, capacity: &savedEndsCapacity, toHold: n) }
        if inPlace && n > savedStartsCapacity { savedStarts.grow(count: 0, capacity: &savedStartsCapacity, toHold: n) }
        savedBytes.update(from: recordBase, count: bytes)
        savedEnds.update(from: fieldEnds, count: n)
        if inPlace { savedStarts.update(from: fieldStarts, count: n) }
        savedCount = bytes
        savedFields = n
        savedInPlace = inPlace
    }

    /// True when the current record's first `n` fields are those remembered by `rememberPrefix(fields: n)`, byte
    /// for byte and boundary for boundary: two compares, where asking field by field took one for each.
    public mutating func prefixMatchesRemembered(fields n: Int) -> Bool {
        guard n > 0 && savedFields == n && savedInPlace == inPlace && n <= fieldTotal && fieldEnds[n - 1] == savedCount else { return false }
        if inPlace && memcmp(fieldStarts, savedStarts, n * MemoryLayout<Int>.stride) != 0 { return false }
        return memcmp(fieldEnds, savedEnds, n * MemoryLayout<Int>.stride) == 0 && memcmp(recordBase, savedBytes, savedCount) == 0
    }

    /// The current record's field `i` as bytes, not checked (valid until the next record): see `checkUTF8`.
    public mutating func fieldBytes(_ i: Int) -> UnsafeBufferPointer<UInt8> { bytes(i) }

    /// The current record's fields `columns` packed (`PackedTexts`; a negative column or one past the record's end
    /// gives an empty text), and a mask of the texts with a byte over 0x7F, for `checkUTF8` (at most 64 columns).
    ///
    /// In one pass in C (`erpwms_pack_fields`: the field table read, each text copied with eight-byte loads, the
    /// last overlapping, that gather the ASCII check), gathered on the stack, then copied into the array by
    /// `Array(UnsafeBufferPointer)`: made with `Array(unsafeUninitializedCapacity:)`, every array went through the
    /// standard library's unspecialised allocation, which looked up the storage class's generic metadata (and checked
    /// its conformances) each time, ~540 instructions an array (callgrind). Packed text by text in Swift (a slice
    /// each, the ASCII check, the copy), a row's texts cost ~1,050 instructions; in C ~600 (12 texts on average).
    public mutating func packFields(_ columns: [Int]) -> (texts: PackedTexts, nonASCII: UInt64) {
        precondition(columns.count <= 64, "at most 64 texts")
        let starts: UnsafePointer<Int>? = inPlace ? UnsafePointer(fieldStarts) : nil
        let ends = UnsafePointer(fieldEnds), count = fieldTotal, record = recordBase
        return columns.withUnsafeBufferPointer { columns in
            // Room for the record's bytes, which the texts fit in unless a column is asked for twice; then the size.
            var room = (columns.count + 1) * 4 + recordCount
            while true {
                var nonASCII: UInt64 = 0
                let packed = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { buf -> [UInt8]? in
                    let size = erpwms_pack_fields(buf.baseAddress!, room, record, starts, ends, count,
                                                  columns.baseAddress, columns.count, &nonASCII)
                    return size < 0 ? nil : Array(UnsafeBufferPointer(rebasing: buf[..<size]))
                }
                if let packed { return (PackedTexts(packed: packed), nonASCII) }
                room = (columns.count + 1) * 4
                for c in columns where c >= 0 && c < count { room += bytes(c).count }
            }
        }
    }

    /// Throws `field(i)`'s error when the current record's field `i` is not UTF-8 (no String is made otherwise).
    public mutating func checkUTF8(_ i: Int) throws {
        if !UTF8Text.isValid(bytes(i)) { _ = try field(i) }
    }

    /// The current record's field `i` as a `String`, validated as UTF-8.
    public mutating func field(_ i: Int) throws -> String {
        let slice = bytes(i)
        if slice.isEmpty { return "" }
        if let s = UTF8Text.string(slice) { return s }
        var offset = 0
        // Find the first bad byte for the message.
        var it = slice.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let sc): offset += UTF8.width(sc)
            case .emptyInput, .error: break loop
            }
        }
        throw FormatError(rule: "encoding.invalid-utf8",
                          message: "field \(i + 1) is not valid UTF-8 (bad byte at offset \(offset) of the field); declare the channel's encoding",
                          location: SourceLocation(line: recordLine, record: recordNumber))
    }

    /// Appends bytes to the record, growing it when needed (a record can be up to `maxRecordBytes`).
    @inline(__always)
    private mutating func appendToRecord(_ src: UnsafeRawPointer, _ n: Int) {
        if recordCount + n > recordCapacity { growRecord(recordCount + n) }
        SmallCopy.copy(to: record + recordCount, from: src, count: n)
        recordCount += n
    }

    @inline(__always)
    private mutating func appendToRecord(_ b: UInt8) {
        if recordCount == recordCapacity { growRecord(recordCount + 1) }
        record[recordCount] = b
        recordCount += 1
    }

    private mutating func growRecord(_ needed: Int) {
        record.grow(count: recordCount, capacity: &recordCapacity, toHold: needed)
    }

    /// Ends the current field at a delimiter: the next one starts unquoted at the end of the record (returned).
    @inline(__always)
    private mutating func endDelimitedField(_ quotedField: inout Bool) -> Int {
        endField()
        quotedField = false
        return recordCount
    }

    /// Ends the current field at the current end of the record.
    @inline(__always)
    private mutating func endField() {
        if fieldTotal == fieldCapacity { fieldEnds.grow(count: fieldTotal, capacity: &fieldCapacity, toHold: fieldTotal + 1) }
        fieldEnds[fieldTotal] = recordCount
        fieldTotal += 1
    }

    /// Advances to the next record. Returns false at end of input. Blank lines are skipped.
    public mutating func next() throws -> Bool {
        while true {
            guard try readRecord() else { return false }
            if fieldTotal == 1 && fieldEnds[0] == (inPlace ? fieldStarts[0] : 0) { continue }  // blank line (or a lone "")
            recordNumber += 1
            return true
        }
    }

    private mutating func fill() throws -> Bool {
        if eof { return false }
        var n = try source.read(into: chunk)
        pos = 0
        if atStart {
            atStart = false
            // A source may return fewer bytes than asked: gather at least three to see a BOM.
            while n > 0 && n < 3 {
                let more = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[n...]))
                if more == 0 { break }
                n += more
            }
            // UTF-8 byte order mark: a BOM is not part of the first header name.
            if n >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF { pos = 3 }
        }
        end = n
        if n == 0 {
            eof = true
            return false
        }
        // The first read may have held nothing but the BOM.
        if pos == end { return try fill() }
        return true
    }

    private mutating func readRecord() throws -> Bool {
        if fastRows {
            // The LF of a CR LF that ended the record before (read byte by byte), when the chunk has it.
            if pendingCR && pos < end && chunk[pos] == 0x0A {
                pos += 1
                pendingCR = false
            }
            if !pendingCR && fastRow() { return true }
        }
        let found = try readRecordByBytes()
        recordBase = UnsafePointer(record)
        inPlace = false
        return found
    }

    /// Reads the next row in place when the chunk holds all of it up to its LF (or CR LF) and its fields are plain
    /// or quoted without a CR or LF inside: each field is found by `erpwms_csv_split_row` (sixteen bytes at a time,
    /// see CByteScan) and read where it is (`fieldStarts`, `fieldEnds`), not copied into `record`; a quoted field's
    /// doubled quotes are made single there, in the chunk (which only this parser reads). Any other row (a line break
    /// in a field, a lone CR, a row among the chunk's last bytes, the end of the input, a row over the limits) is
    /// left, untouched, to `readRecordByBytes`. Reading a row in place took about 2,800 instructions with an
    /// eight-byte scan in Swift (4,000 the general way, which a tenth of the benchmark's rows took for their doubled
    /// quotes) and takes 1,050 with the sixteen-byte one (callgrind).
    private mutating func fastRow() -> Bool {
        let base = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let start = pos
        let maxBytes = min(limits.maxFieldBytes, limits.maxRecordBytes)  // a longer row: the general path reports it
        var lineEnd = 0
        var fields: Int
        while true {
            fields = erpwms_csv_split_row(base, start, end, dialect.delimiter, dialect.quote, maxBytes, fieldStarts,
                                          fieldEnds, min(fieldCapacity, fieldStartsCapacity), &lineEnd)
            if fields >= 0 { break }
            // More fields than there is room for: room for twice as many, and the row again.
            let more = 2 * min(fieldCapacity, fieldStartsCapacity)
            fieldEnds.grow(count: 0, capacity: &fieldCapacity, toHold: more)
            fieldStarts.grow(count: 0, capacity: &fieldStartsCapacity, toHold: more)
        }
        if fields == 0 { return false }
        fieldTotal = fields
        recordCount = lineEnd - start
        recordBase = UnsafePointer(base + start)
        inPlace = true
        recordLine = nextLine
        nextLine += 1
        pos = base[lineEnd] == 0x0D ? lineEnd + 2 : lineEnd + 1
        return true
    }

    private mutating func readRecordByBytes() throws -> Bool {
        recordCount = 0
        fieldTotal = 0
        recordLine = nextLine
        var inQuotes = false
        var quotedField = false
        var afterQuote = false  // a quote seen inside a quoted field: either "" or the closing quote
        var sawAny = false
        let delim = dialect.delimiter
        let quote = dialect.quote
        var fieldStart = 0

        while true {
            if pos == end {
                guard try fill() else {
                    // End of input.
                    if inQuotes && !afterQuote {
                        throw FormatError(rule: "csv.quote.unterminated",
                                          message: "a quoted field opened in this record is never closed",
                                          location: SourceLocation(line: recordLine, record: recordNumber + 1))
                    }
                    if !sawAny { return false }
                    endField()
                    return true
                }
            }
            // Runs of ordinary bytes are copied at once: scan to the next byte that means something here.
            if !pendingCR {
                if inQuotes {
                    let stopAt = afterQuote ? pos : span(from: pos, quoted: true, quote: quote, delim: delim)
                    if stopAt > pos {
                        sawAny = true
                        try takeRun(to: stopAt, fieldStart: fieldStart)
                        continue
                    }
                } else {
                    // Unquoted fields one after another, each a run and its delimiter, in this tighter loop (most
                    // of a row): the byte-by-byte path below takes only a quote, a line end or the chunk's end.
                    let base = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    while true {
                        let stopAt = span(from: pos, quoted: false, quote: quote, delim: delim)
                        if stopAt > pos {
                            sawAny = true
                            try takeRun(to: stopAt, fieldStart: fieldStart)
                        }
                        guard pos < end && base[pos] == delim else { break }
                        pos += 1
                        sawAny = true
                        fieldStart = endDelimitedField(&quotedField)
                    }
                    if pos == end { continue }
                }
            }
            let b = chunk[pos]
            pos += 1
            if pendingCR {
                pendingCR = false
                if b == 0x0A { continue }  // CRLF: the CR already ended the record
            }
            sawAny = true
            if inQuotes {
                if afterQuote {
                    afterQuote = false
                    if b == quote {
                        appendToRecord(quote)
                        continue
                    }
                    inQuotes = false  // the quote was the closing one; fall through to unquoted handling
                } else if b == quote {
                    afterQuote = true
                    continue
                } else {
                    if b == 0x0A { nextLine += 1 }
                    appendToRecord(b)
                    if recordCount - fieldStart > limits.maxFieldBytes { try tooLong(field: true) }
                    continue
                }
            }
            switch b {
            case delim:
                fieldStart = endDelimitedField(&quotedField)
            case 0x0A, 0x0D:
                nextLine += 1
                if b == 0x0D { pendingCR = true }
                endField()
                return true
            case quote where recordCount == fieldStart && !quotedField:
                inQuotes = true
                quotedField = true
            default:
                appendToRecord(b)
                if recordCount - fieldStart > limits.maxFieldBytes { try tooLong(field: true) }
            }
            if recordCount > limits.maxRecordBytes { try tooLong(field: false) }
        }
    }

    /// Appends the chunk's bytes from `pos` up to `stopAt` (a run `span` found) to the record, moves past them, and
    /// checks the field and record limits.
    @inline(__always)
    private mutating func takeRun(to stopAt: Int, fieldStart: Int) throws {
        appendToRecord(chunk.baseAddress! + pos, stopAt - pos)
        pos = stopAt
        if recordCount - fieldStart > limits.maxFieldBytes { try tooLong(field: true) }
        if recordCount > limits.maxRecordBytes { try tooLong(field: false) }
    }

    /// The end of the run of ordinary bytes starting at `from` in the chunk: bytes that are not a delimiter, quote
    /// or line end (unquoted), or not a quote or LF (quoted; an LF there is counted as a line, one byte at a time).
    @inline(__always)
    private func span(from: Int, quoted: Bool, quote: UInt8, delim: UInt8) -> Int {
        var j = from
        let base = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if quoted {
            while j < end {
                let c = base[j]
                if c == quote || c == 0x0A { break }
                j += 1
            }
        } else {
            // Eight bytes at a time: a field is ~10 bytes, and comparing each byte with four stop bytes cost more
            // than the word tests.
            let raw = UnsafeRawPointer(base)
            let d = SWAR.broadcast(delim), q = SWAR.broadcast(quote)
            while j + 8 <= end {
                let w = raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)
                let stops = SWAR.zeroBytes(w ^ d) | Self.quoteOrLineEnd(w, q)
                if stops != 0 { return j + SWAR.first(stops) }
                j += 8
            }
            while j < end {
                let c = base[j]
                if c == delim || c == quote || c == 0x0A || c == 0x0D { break }
                j += 1
            }
        }
        return j
    }

    /// The high bit of each byte of `w` that is the quote (`q`, broadcast), LF or CR; the lowest exactly.
    @inline(__always)
    private static func quoteOrLineEnd(_ w: UInt64, _ q: UInt64) -> UInt64 {
        SWAR.zeroBytes(w ^ q) | SWAR.zeroBytes(w ^ lf) | SWAR.zeroBytes(w ^ cr)
    }

    private static let lf = SWAR.broadcast(0x0A)
    private static let cr = SWAR.broadcast(0x0D)

    private func tooLong(field: Bool) throws -> Never {
        throw FormatError(rule: field ? "csv.field.too-long" : "csv.record.too-long",
                          message: field ? "a field is longer than \(limits.maxFieldBytes) bytes"
                                         : "a record is longer than \(limits.maxRecordBytes) bytes",
                          location: SourceLocation(line: recordLine, record: recordNumber + 1))
    }
}

extension CSVParser {
    /// The finding for a row whose column count differs from the header's (`headerCount` 0: no header, no check).
    mutating func columnCountFinding(headerCount: Int, file: String, location: SourceLocation) -> Finding? {
        guard headerCount > 0 && fieldCount != headerCount else { return nil }
        return Finding(rule: "csv.row.column-count", message: "row has \(fieldCount) columns, the header has \(headerCount)",
                       file: file, location: location)
    }
}
