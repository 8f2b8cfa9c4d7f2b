import Testing
import ERPWMSCore
import ERPWMSFormats

/// One parsed record: the physical line it starts on and its fields.
struct Record: Equatable, CustomStringConvertible {
    var line: Int
    var fields: [String]
    var description: String { "\(line): \(fields)" }
}

func parseCSV(_ bytes: [UInt8], dialect: CSVParser.Dialect = .init(), limits: InputLimits = .init(),
              chunk: Int? = nil) throws -> [Record] {
    let source: ByteSource = chunk.map { TrickleByteSource(bytes, chunk: $0) } ?? MemoryByteSource(bytes)
    var parser = CSVParser(source: source, dialect: dialect, limits: limits)
    var records: [Record] = []
    while try parser.next() {
        #expect(parser.recordNumber == records.count + 1)
        var fields: [String] = []
        for i in 0..<parser.fieldCount { fields.append(try parser.field(i)) }
        records.append(Record(line: parser.recordLine, fields: fields))
    }
    return records
}

func parseCSV(_ text: String, dialect: CSVParser.Dialect = .init(), limits: InputLimits = .init(),
              chunk: Int? = nil) throws -> [Record] {
    try parseCSV(Array(text.utf8), dialect: dialect, limits: limits, chunk: chunk)
}

@Suite("CSVParser")
struct CSVParserTests {
    @Test("records longer than the record buffer and with more fields than the field table grow them",
          arguments: [nil, 1, 7])
    func growth(chunk: Int?) throws {
        // Record and field ends start at 4096 bytes and 64 fields; these rows need several doublings, one of
        // them in a quoted field, and a short row after them reuses the grown buffers.
        let wide = (0..<300).map { "f\($0)" }
        let long = String(repeating: "a", count: 9000)
        let quoted = String(repeating: "q,\"\n", count: 2000)
        let text = wide.joined(separator: ",") + "\n" + long + ",\"" + quoted.replacingOccurrences(of: "\"", with: "\"\"")
            + "\"," + long + "\nx,y\n"
        let records = try parseCSV(text, chunk: chunk)
        #expect(records.count == 3)
        #expect(records[0].fields == wide)
        #expect(records[1].fields == [long, quoted, long])
        #expect(records[1].line == 2)
        #expect(records[2] == Record(line: 2 + 2000 + 1, fields: ["x", "y"]))
    }

    @Test("quoted fields may hold the delimiter")
    func quotedComma() throws {
        #expect(try parseCSV("a,\"b,c\",d\n") == [Record(line: 1, fields: ["a", "b,c", "d"])])
        #expect(try parseCSV("\"Boulangerie \"\"Chez Loïc\"\", SARL\",x\n")
                == [Record(line: 1, fields: ["Boulangerie \"Chez Loïc\", SARL", "x"])])
    }

    @Test("doubled quotes inside a quoted field are one quote")
    func doubledQuotes() throws {
        let records = try parseCSV("\"say \"\"hi\"\"\",\"\"\"\"\n\"24\"\" x 36\"\"\"\n")
        #expect(records == [
            Record(line: 1, fields: ["say \"hi\"", "\""]),
            Record(line: 2, fields: ["24\" x 36\""]),
        ])
    }

    @Test("empty fields, quoted or not")
    func emptyFields() throws {
        #expect(try parseCSV(",,\n") == [Record(line: 1, fields: ["", "", ""])])
        #expect(try parseCSV("a,\"\",b\n") == [Record(line: 1, fields: ["a", "", "b"])])
        #expect(try parseCSV("a,\n") == [Record(line: 1, fields: ["a", ""])])
    }

    @Test("quoted fields keep embedded CRLF and LF; line numbers count them")
    func embeddedNewlines() throws {
        let records = try parseCSV("\"l1\r\nl2\",\"a\nb\"\r\nx,y\r\n\"last\nline\"\n")
        #expect(records == [
            Record(line: 1, fields: ["l1\r\nl2", "a\nb"]),
            Record(line: 4, fields: ["x", "y"]),
            Record(line: 5, fields: ["last\nline"]),
        ])
    }

    @Test("CRLF, LF, lone CR and mixed line ends give the same records", arguments: [
        "a,b\r\nc,d\r\ne,f\r\n",
        "a,b\nc,d\ne,f\n",
        "a,b\rc,d\re,f\r",
        "a,b\r\nc,d\ne,f\r",
        "a,b\rc,d\r\ne,f",
        "a,b\nc,d\re,f",
    ])
    func lineEnds(text: String) throws {
        #expect(try parseCSV(text) == [
            Record(line: 1, fields: ["a", "b"]),
            Record(line: 2, fields: ["c", "d"]),
            Record(line: 3, fields: ["e", "f"]),
        ])
    }

    @Test("a CRLF split across two reads is still one line end")
    func crlfAcrossReads() throws {
        #expect(try parseCSV("a,b\r\nc,d\r\n", chunk: 4) == [
            Record(line: 1, fields: ["a", "b"]),
            Record(line: 2, fields: ["c", "d"]),
        ])
    }

    @Test("blank lines are skipped but counted as lines")
    func blankLines() throws {
        #expect(try parseCSV("a,b\n\n\r\n\r\nc,d\n\n\n") == [
            Record(line: 1, fields: ["a", "b"]),
            Record(line: 5, fields: ["c", "d"]),
        ])
        #expect(try parseCSV("\n\n").isEmpty)
        #expect(try parseCSV("").isEmpty)
    }

    @Test("a UTF-8 BOM is not part of the first header name")
    func bomStripped() throws {
        let records = try parseCSV([0xEF, 0xBB, 0xBF] + Array("order_id,b\n1,2\n".utf8))
        let first = try #require(records.first?.fields.first)
        #expect(Array(first.utf8) == Array("order_id".utf8))
        #expect(records[1].fields == ["1", "2"])
    }

    @Test("a UTF-8 BOM is stripped however the source splits its first bytes", arguments: [1, 2])
    func bomStrippedWithShortReads(chunk: Int) throws {
        // `ByteSource.read` may return fewer bytes than asked for (a pipe, a decompressor).
        let records = try parseCSV([0xEF, 0xBB, 0xBF] + Array("order_id,b\n1,2\n".utf8), chunk: chunk)
        let first = try #require(records.first?.fields.first)
        #expect(Array(first.utf8) == Array("order_id".utf8), "first header field is \(Array(first.unicodeScalars))")
    }

    @Test("results do not depend on how the source chunks the bytes", arguments: [1, 2, 3, 7, 64])
    func chunkIndependence(chunk: Int) throws {
        let text = "h1,h2,h3\r\n\"q,1\",\"multi\r\nline\",\"x\"\"y\"\r\n\r\nplain,é中,\"\"\rlast,\"\",end"
        #expect(try parseCSV(text, chunk: chunk) == (try parseCSV(text)))
        #expect(try parseCSV(text).count == 4)
    }

    @Test("an unterminated quote is an error naming the record's line")
    func unterminatedQuote() throws {
        let e = try #require(formatError { _ = try parseCSV("a,b\n1,\"open\n2,3\n") })
        #expect(e.rule == "csv.quote.unterminated")
        #expect(e.location.line == 2)
        #expect(e.location.record == 2)
        // A quote opened on the last line without a line end, too.
        #expect(formatError { _ = try parseCSV("a,\"b") }?.rule == "csv.quote.unterminated")
        // A field ending in an escaped quote is still open.
        #expect(formatError { _ = try parseCSV("\"ab\"\"") }?.rule == "csv.quote.unterminated")
    }

    @Test("a field over the byte limit is an error; at the limit it is fine")
    func fieldTooLong() throws {
        let limits = InputLimits(maxFieldBytes: 8)
        #expect(try parseCSV("12345678,x\n", limits: limits) == [Record(line: 1, fields: ["12345678", "x"])])
        let e = try #require(formatError { _ = try parseCSV("ok,ok\nshort,123456789\n", limits: limits) })
        #expect(e.rule == "csv.field.too-long")
        #expect(e.location.line == 2)
        let quoted = try #require(formatError { _ = try parseCSV("\"1234\n56789\"\n", limits: limits) })
        #expect(quoted.rule == "csv.field.too-long")
    }

    @Test("a record over the byte limit is an error")
    func recordTooLong() throws {
        let limits = InputLimits(maxFieldBytes: 8, maxRecordBytes: 10)
        #expect(try parseCSV("12345,12345\n", limits: limits).count == 1)
        let e = try #require(formatError { _ = try parseCSV("12345,12345,1\n", limits: limits) })
        #expect(e.rule == "csv.record.too-long")
        // Quoted fields count too, each under the field limit, in one read or byte by byte.
        for chunk in [nil, 1] as [Int?] {
            let q = try #require(formatError { _ = try parseCSV("\"12345\",\"12345\",\"1\"\n", limits: limits, chunk: chunk) })
            #expect(q.rule == "csv.record.too-long")
        }
    }

    @Test("invalid UTF-8 in a field is an error with the line", arguments: [
        [UInt8]([0xFF]), [0xC0, 0xAF], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0x61, 0x80, 0x62],
    ])
    func invalidUTF8(bad: [UInt8]) throws {
        let bytes = Array("h1,h2\nok,ok\r\nfine,".utf8) + bad + Array("\n".utf8)
        let source = MemoryByteSource(bytes)
        var parser = CSVParser(source: source)
        #expect(try parser.next())
        #expect(try parser.next())
        #expect(try parser.field(1) == "ok")
        #expect(try parser.next())
        #expect(try parser.field(0) == "fine")
        let e = try #require(formatError { _ = try parser.field(1) })
        #expect(e.rule == "encoding.invalid-utf8")
        #expect(e.location.line == 3)
        #expect(e.location.record == 3)
    }

    @Test("a NUL byte does not crash the parser: it is read as U+0000 or refused")
    func nulByte() throws {
        do {
            let records = try parseCSV("a\u{0}b,c\n")
            #expect(records.count == 1)
            #expect(records.first?.fields == ["a\u{0}b", "c"])
        } catch let e as FormatError {
            #expect(!e.rule.isEmpty)
        }
    }

    @Test("a semicolon dialect splits on ';' and keeps commas")
    func semicolonDialect() throws {
        let dialect = CSVParser.Dialect(delimiter: UInt8(ascii: ";"))
        #expect(try parseCSV("a;\"b;c\";d,e\r\n1,5;2\n", dialect: dialect) == [
            Record(line: 1, fields: ["a", "b;c", "d,e"]),
            Record(line: 2, fields: ["1,5", "2"]),
        ])
    }

    @Test("a tab delimiter and a single-quote quote character")
    func otherDialects() throws {
        #expect(try parseCSV("a\t\"b\tc\"\n", dialect: .init(delimiter: 0x09)) == [Record(line: 1, fields: ["a", "b\tc"])])
        let single = CSVParser.Dialect(delimiter: UInt8(ascii: ","), quote: UInt8(ascii: "'"))
        #expect(try parseCSV("'a,b','it''s',\"x\"\n", dialect: single)
                == [Record(line: 1, fields: ["a,b", "it's", "\"x\""])])
    }

    @Test("multi-byte UTF-8 text comes through unchanged")
    func unicode() throws {
        #expect(try parseCSV("李秀英,Ελληνικά,Łódź,😀\n") == [Record(line: 1, fields: ["李秀英", "Ελληνικά", "Łódź", "😀"])])
    }
}

/// The parser's rules said byte by byte, in the plainest way, as the oracle for its fast paths (runs copied at once,
/// eight bytes scanned at a time, unquoted fields in a loop of their own). Nil: an unterminated quote.
private func referenceCSV(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\"")) -> [Record]? {
    var records: [Record] = []
    var fields: [[UInt8]] = []
    var field: [UInt8] = []
    var inQuotes = false, afterQuote = false, quotedField = false, sawAny = false, pendingCR = false
    var line = 1, recordLine = 1
    func endRecord() {
        fields.append(field)
        // A line holding one empty field is blank and skipped.
        if !(fields.count == 1 && fields[0].isEmpty) {
            records.append(Record(line: recordLine, fields: fields.map { String(decoding: $0, as: UTF8.self) }))
        }
        fields = []
        field = []
        quotedField = false
        sawAny = false
        recordLine = line
    }
    for b in bytes {
        if pendingCR {
            pendingCR = false
            if b == 0x0A { continue }
        }
        sawAny = true
        if inQuotes {
            if afterQuote {
                afterQuote = false
                if b == quote { field.append(b); continue }
                inQuotes = false
            } else if b == quote {
                afterQuote = true
                continue
            } else {
                if b == 0x0A { line += 1 }
                field.append(b)
                continue
            }
        }
        if b == delimiter {
            fields.append(field)
            field = []
            quotedField = false
        } else if b == 0x0A || b == 0x0D {
            line += 1
            pendingCR = b == 0x0D
            endRecord()
        } else if b == quote && field.isEmpty && !quotedField {
            inQuotes = true
            quotedField = true
        } else {
            field.append(b)
        }
    }
    if inQuotes && !afterQuote { return nil }
    if sawAny { endRecord() }
    return records
}

@Suite("CSVParser against a byte-by-byte reference")
struct CSVParserReferenceTests {
    @Test("random documents give the reference's records, lines and errors, however the source chunks them")
    func matchesReference() throws {
        var r = SeededGenerator(seed: 2026_11_29)  // seeded, so that a failure can be replayed
        // Whole characters only (valid UTF-8), weighted towards runs long enough for the eight-byte scan.
        let tokens: [String] = ["abcdefghij", "SKU-1234567", "x", "1", " ", "é", "中", ",", ",", ",", "\"", "\"", "\n", "\r", "\r\n", ";"]
        var errors = 0, records = 0
        for _ in 0..<2000 {
            var doc: [UInt8] = []
            for _ in 0..<r.below(60) { doc += Array(tokens[r.below(tokens.count)].utf8) }
            let expected = referenceCSV(doc)
            for chunk in [nil, 1, 3, 8, 13, 64] as [Int?] {
                let got = try? parseCSV(doc, chunk: chunk)
                #expect(got == expected, "chunk \(String(describing: chunk)): \(String(decoding: doc, as: UTF8.self).debugDescription)")
                if got != expected { return }
            }
            if let expected { records += expected.count } else { errors += 1 }
        }
        // Both outcomes were exercised, and plenty of records.
        #expect(errors > 100 && errors < 1900, "\(errors) unterminated")
        #expect(records > 2000, "\(records) records")
    }
}

/// Rows without a quote or a lone CR are split in place (`CSVParser.fastRow`); every other row, and every row when
/// the fast path is off, is read byte by byte. The two must give the same records.
@Suite("CSVParser rows read in place")
struct CSVParserFastRowTests {
    func records(_ doc: [UInt8], dialect: CSVParser.Dialect, chunk: Int?, fastRows: Bool) -> [Record]? {
        let source: ByteSource = chunk.map { TrickleByteSource(doc, chunk: $0) } ?? MemoryByteSource(doc)
        var parser = CSVParser(source: source, dialect: dialect, fastRows: fastRows)
        var out: [Record] = []
        do {
            while try parser.next() {
                out.append(Record(line: parser.recordLine, fields: try (0..<parser.fieldCount).map { try parser.field($0) }))
            }
        } catch { return nil }
        return out
    }

    @Test("random documents in other dialects: the same records either way, however the source chunks them",
          arguments: [";'", "\t\"", "|\""])
    func sameRecords(pair: String) {
        let delimiter = Array(pair.utf8)[0], quote = Array(pair.utf8)[1]
        var r = SeededGenerator(seed: 2026_11_30)
        let d = String(UnicodeScalar(delimiter)), q = String(UnicodeScalar(quote))
        let tokens = ["abcdefghij", "SKU-1234567", "x", "1", " ", "é", "中", d, d, d, d, q, "\n", "\n", "\r\n", "\r", ","]
        let dialect = CSVParser.Dialect(delimiter: delimiter, quote: quote)
        var compared = 0
        for _ in 0..<800 {
            var doc: [UInt8] = []
            for _ in 0..<r.below(80) { doc += Array(tokens[r.below(tokens.count)].utf8) }
            let expected = records(doc, dialect: dialect, chunk: nil, fastRows: false)
            for chunk in [nil, 5, 64] as [Int?] {
                let got = records(doc, dialect: dialect, chunk: chunk, fastRows: true)
                #expect(got == expected, "chunk \(String(describing: chunk)): \(String(decoding: doc, as: UTF8.self).debugDescription)")
                if got != expected { return }
            }
            compared += expected?.count ?? 0
        }
        #expect(compared > 1000)
    }

    @Test("a remembered prefix matches only a record read the same way: x,y does not match x,\",y\" read byte by byte")
    func rememberedPrefixAcrossPaths() throws {
        // After a header (the first record of a chunk is read byte by byte: the chunk is filled there), and before a
        // last row (a row among the chunk's last eight bytes is too).
        func secondMatchesFirst(_ text: String) throws -> Bool {
            var parser = CSVParser(source: MemoryByteSource(Array(("h\n" + text + "last,row,of,the,file\n").utf8)))
            let header = try parser.next()
            let first = try parser.next()
            parser.rememberPrefix(fields: 2)
            let second = try parser.next()
            #expect(header && first && second)
            return parser.prefixMatchesRemembered(fields: 2)
        }
        // x,y read in place, and x,",y","""" byte by byte (its doubled quote): both give the bytes x,y with the same
        // field ends for the first two fields, which differ (y and ,y).
        #expect(try !secondMatchesFirst("x,y,z\nx,\",y\",\"\"\"\"\n"))
        #expect(try !secondMatchesFirst("x,\",y\",\"\"\"\"\nx,y,z\n"))
        // Read the same way, equal prefixes match, whether in place (quoted or not) or byte by byte.
        #expect(try secondMatchesFirst("x,y,z\nx,y,w\n"))
        #expect(try secondMatchesFirst("x,\",y\",z\nx,\",y\",w\n"))
        #expect(try secondMatchesFirst("x,\",y\",\"\"\"\"\nx,\",y\",\"\"\"\"\n"))
        #expect(try !secondMatchesFirst("x,\",y\",z\nx,y,z\n"))
    }
}
