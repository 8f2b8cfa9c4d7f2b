import CByteScan
import ERPWMSCore
import ERPWMSFormats
import Testing

/// The C row split the CSV parser reads most rows with (`erpwms_csv_split_row`): what it returns for rows of each
/// kind, and the sixteen-byte scan against the eight-byte one on random rows at every alignment.
@Suite("CSV row split")
struct CSVRowSplitTests {
    struct Split: Equatable, CustomStringConvertible {
        var result: Int
        var fields: [[UInt8]] = []
        var lineEnd = -1
        var description: String {
            "\(result) \(fields.map { String(decoding: $0, as: UTF8.self) }) end \(lineEnd)"
        }
    }

    typealias Splitter = (UnsafeMutablePointer<UInt8>?, Int, Int, UInt8, UInt8, Int, UnsafeMutablePointer<Int>?,
                          UnsafeMutablePointer<Int>?, Int, UnsafeMutablePointer<Int>?) -> Int

    /// Splits a copy of `bytes`; a row not split must leave the copy as it was.
    static func split(_ bytes: [UInt8], from start: Int = 0, end: Int? = nil, delimiter: UInt8 = 0x2C,
                      quote: UInt8 = 0x22, maxBytes: Int = 1 << 20, capacity: Int = 64,
                      with splitter: Splitter = erpwms_csv_split_row) -> Split {
        var starts = [Int](repeating: -7, count: capacity), ends = [Int](repeating: -7, count: capacity)
        var lineEnd = -1
        var row = bytes
        let result = row.withUnsafeMutableBufferPointer { b in
            splitter(b.baseAddress, start, end ?? b.count, delimiter, quote, maxBytes, &starts, &ends, capacity, &lineEnd)
        }
        guard result > 0 else {
            #expect(row == bytes, "a row left to the other way is left as it was")
            return Split(result: result)
        }
        return Split(result: result, fields: (0..<result).map { Array(row[start + starts[$0] ..< start + ends[$0]]) },
                     lineEnd: lineEnd)
    }

    static func split(_ text: String, from start: Int = 0, maxBytes: Int = 1 << 20, capacity: Int = 64) -> Split {
        split(Array(text.utf8), from: start, maxBytes: maxBytes, capacity: capacity)
    }

    /// Padding after a row: the scan reads a row only when a whole block past its end may be read.
    static let tail = String(repeating: "x", count: 40)

    @Test("plain, empty and quoted fields, with LF or CR LF, from any offset")
    func kinds() {
        let row = "SO1,\"Fuchs, Jürgen\",,\"\",Lindenstraße 164,0.19\r\nnext\n"
        let expected = ["SO1", "Fuchs, Jürgen", "", "", "Lindenstraße 164", "0.19"]
        for pad in 0..<20 {
            let got = Self.split(String(repeating: "z", count: pad) + row + Self.tail, from: pad)
            #expect(got.result == expected.count)
            #expect(got.fields.map { String(decoding: $0, as: UTF8.self) } == expected)
            #expect(got.lineEnd == pad + Array(row.utf8).firstIndex(of: 0x0D)!)
        }
        #expect(Self.split("a\n" + Self.tail).fields == [Array("a".utf8)])
        #expect(Self.split("\n" + Self.tail).fields == [[]])  // a blank line is one empty field
        #expect(Self.split("a,\n" + Self.tail).fields == [Array("a".utf8), []])
        // Doubled quotes made single, in the first field, the last, one after another, alone.
        let doubled = Self.split("\"\"\"a\"\"\",b,\"Caf\u{E9} \"\"Le Petit\"\" SARL\",\"\"\"\"\"\",\"\"\"\"\n" + Self.tail)
        #expect(doubled.fields.map { String(decoding: $0, as: UTF8.self) } == ["\"a\"", "b", "Caf\u{E9} \"Le Petit\" SARL", "\"\"", "\""])
    }

    @Test("rows for the other way: a line break or a quote inside a field, text after a closing quote, a lone CR, no line end, over the limit")
    func others() {
        for row in ["a,\"b\nc\",d\n", "a,\"b\rc\",d\n", "a,\"b\"\"\nc\",d\n", "a,b\"c,d\n", "a,\"b\"c,d\n", "a,b\rc\n",
                    "a,\"b\"\"c\"\r" + "c\n", String(repeating: "abc,", count: 30)] {
            #expect(Self.split(row + (row.hasSuffix("\n") ? Self.tail : "")).result == 0, "\(row.debugDescription)")
        }
        // A row over the limit, the other way reports it.
        #expect(Self.split("abc,\"d\"\"e\"\n" + Self.tail, maxBytes: 9).result == 0)
        #expect(Self.split("abc,\"d\"\"e\"\n" + Self.tail, maxBytes: 10).result == 2)
        // A row whose end is among the last bytes that may be read.
        let row = Array("a,b,c\n".utf8) + Array(Self.tail.utf8)
        #expect(Self.split(row, end: 12).result == 0)
        #expect(Self.split(row, end: 30).result == 3)
    }

    @Test("more fields than room: -1, and with room all of them")
    func capacity() {
        let row = (0..<40).map(String.init).joined(separator: ",") + "\n" + Self.tail
        #expect(Self.split(row, capacity: 39).result == -1)
        #expect(Self.split(row, capacity: 40).result == 40)
        #expect(Self.split(row, capacity: 40).fields.last == Array("39".utf8))
    }

    @Test("random rows: the sixteen-byte scan finds what the eight-byte scan finds, in other dialects too",
          arguments: [",\"", ";'", "\t\""])
    func wideAgainstPortable(pair: String) {
        let delimiter = Array(pair.utf8)[0], quote = Array(pair.utf8)[1]
        var r = SeededGenerator(seed: 2026_11_30)  // seeded, so that a failure can be replayed
        let d = String(UnicodeScalar(delimiter)), q = String(UnicodeScalar(quote))
        let tokens = ["abcdefghij", "SKU-1234567", "x", "1", " ", "é", "中", d, d, d, d, d + q + "a b" + q + d, q,
                      d + q + q + q + "a" + q + q + " b" + q + d, "\n", "\r\n", "\r"]
        var fast = 0
        for _ in 0..<3000 {
            var row: [UInt8] = []
            for _ in 0..<r.below(60) { row += Array(tokens[r.below(tokens.count)].utf8) }
            row += Array("\n".utf8) + Array(Self.tail.utf8).prefix(r.below(40))
            let start = r.below(min(row.count, 17))
            let capacity = 1 + r.below(40)
            let wide = Self.split(row, from: start, delimiter: delimiter, quote: quote, capacity: capacity)
            let portable = Self.split(row, from: start, delimiter: delimiter, quote: quote, capacity: capacity,
                                      with: erpwms_csv_split_row_portable)
            // Both read a row whose end is a whole block before the last byte; nearer the end either may decline it.
            let inReach = [wide, portable].contains { $0.result > 0 && $0.lineEnd + 16 <= row.count }
            if wide.result != 0 && portable.result != 0 || inReach {
                #expect(wide == portable, "\(String(decoding: row, as: UTF8.self).debugDescription) from \(start)")
            }
            if wide.result > 0 { fast += 1 }
        }
        #expect(fast > 500)
    }

    @Test("a record's fields packed: the texts asked for, empty ones past the end, a column twice, the non-ASCII ones flagged, rows read either way")
    func packing() throws {
        // The first row is read byte by byte (it fills the chunk), the second in place, the third has a doubled
        // quote and the last is among the chunk's last bytes: both ways.
        let doc = "h1,h2,h3,h4\n" + "SO1,Fuchs,\"Lindenstraße 164, Berlin\",0.19\n" + "SO2,\"Jürgen \"\"J\"\"\",,x\n"
            + "SO3,a,b,c\n" + Self.tail.replacingOccurrences(of: "x", with: "y,") + "\n" + "é,ok\n"
        let columns = [2, 0, -1, 9, 1, 2, 3]  // 9: past the end; 2 twice, which outgrows the record's own bytes
        var parser = CSVParser(source: MemoryByteSource(Array(doc.utf8)))
        var rows = 0
        while try parser.next() {
            rows += 1
            let fields = try (0..<parser.fieldCount).map { try parser.field($0) }
            let expected = columns.map { $0 >= 0 && $0 < fields.count ? fields[$0] : "" }
            let (texts, nonASCII) = parser.packFields(columns)
            #expect(texts == PackedTexts(expected), "row \(rows): \(fields)")
            let flagged = columns.indices.filter { nonASCII & (1 << $0) != 0 }
            #expect(flagged == expected.indices.filter { !expected[$0].utf8.allSatisfy { $0 < 0x80 } }, "row \(rows)")
            // Every text of a long field copied whole (the copy goes sixteen bytes at a time).
            #expect(parser.packFields([0]).texts == PackedTexts([fields[0]]))
        }
        #expect(rows == 6)
        // A long field with a high byte only in its last eight, and one only in its first.
        for text in [String(repeating: "a", count: 37) + "é", "é" + String(repeating: "a", count: 37)] {
            var p = CSVParser(source: MemoryByteSource(Array((text + ",b\n" + Self.tail + "\n").utf8)))
            #expect(try p.next())
            let (texts, nonASCII) = p.packFields([1, 0])
            #expect(texts == PackedTexts(["b", text]) && nonASCII == 0b10)
        }
    }
}
