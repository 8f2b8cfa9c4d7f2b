import Foundation
import Testing
import ERPWMSCore
import ERPWMSFormats

private func decode(_ bytes: [UInt8], from encoding: TextEncoding, bufferSize: Int = 4096,
                    chunk: Int? = nil) throws -> String {
    let inner: ByteSource = chunk.map { TrickleByteSource(bytes, chunk: $0) } ?? MemoryByteSource(bytes)
    let out = try readAll(TranscodingByteSource(inner, from: encoding), bufferSize: bufferSize)
    return try #require(String(validating: out, as: UTF8.self), "output is not UTF-8")
}

private func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

@Suite("TranscodingByteSource")
struct EncodingTests {
    @Test("windows-1252: 0x80 is the euro sign, 0xE4 is ä")
    func windows1252() throws {
        #expect(try decode([0x80, 0x31, 0x32, 0x2C, 0x39, 0x39], from: .windows1252) == "€12,99")
        #expect(try decode([0x4D, 0xE4, 0x72, 0x7A, 0x20, 0x93, 0x71, 0x94], from: .windows1252) == "März \u{201C}q\u{201D}")
    }

    @Test("ISO-8859-1: every byte is its code point")
    func latin1() throws {
        #expect(scalars(try decode([0xE9, 0x80, 0xFF], from: .latin1)) == [0xE9, 0x80, 0xFF])
    }

    @Test("UTF-16 with a BOM in either byte order, BOM dropped")
    func utf16BOM() throws {
        let text = "Grüße €, 中文 😀"
        let le: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let be: [UInt8] = [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(scalars(try decode(le, from: .utf16)) == scalars(text))
        #expect(scalars(try decode(be, from: .utf16)) == scalars(text))
        let noBOM: [UInt8] = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(scalars(try decode(noBOM, from: .utf16le)) == scalars(text))
    }

    @Test("a UTF-16 CSV reads as orders")
    func utf16CSV() throws {
        let csv = Fixtures.csv(rows: [Fixtures.row("SO1", line: 1)])
        let bytes: [UInt8] = [0xFF, 0xFE] + csv.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let source = try TranscodingByteSource(MemoryByteSource(bytes), from: .utf16)
        let orders = try readOrders(CSVOrderReader(source: source, file: "utf16.csv"))
        #expect(orders.map(\.orderId) == ["SO1"])
        #expect(orders.first?[.shipAddress1] == "Hauptstraße 1")
    }

    @Test("GB18030 decodes, also when multi-byte sequences straddle reads")
    func gb18030() throws {
        // 中 = D6 D0, 文 = CE C4 in GB2312/GBK/GB18030. A leading ASCII byte puts every pair off the
        // even byte boundaries, and 40 000 pairs cross the 64 KiB refill boundary.
        let bytes: [UInt8] = [0x41] + Array(repeating: [0xD6, 0xD0, 0xCE, 0xC4], count: 20_000).flatMap { $0 }
        let expected = "A" + String(repeating: "中文", count: 20_000)
        #expect(try decode(bytes, from: .gb18030) == expected)
        #expect(try decode(bytes, from: .gb18030, bufferSize: 16) == expected)
        // A source that hands out 3 bytes at a time splits every other character (kept small: each
        // refill of the transcoder costs a 64 KiB buffer).
        let small: [UInt8] = [0x41] + Array(repeating: [0xD6, 0xD0, 0xCE, 0xC4], count: 300).flatMap { $0 }
        #expect(try decode(small, from: .gb18030, chunk: 3) == "A" + String(repeating: "中文", count: 300))
    }

    @Test("invalid GB18030 bytes are encoding.invalid", arguments: [
        [UInt8]([0x41, 0x81, 0x20, 0x42]),   // lead byte followed by a space
        [0x41, 0xFF, 0x42],                  // 0xFF is never valid
    ])
    func invalidGB18030(bytes: [UInt8]) throws {
        let e = try #require(formatError { _ = try decode(bytes, from: .gb18030) })
        #expect(e.rule == "encoding.invalid")
    }

    @Test("a multi-byte sequence cut off at the end is encoding.invalid")
    func truncatedSequence() throws {
        let e = try #require(formatError { _ = try decode([0x41, 0xD6], from: .gb18030) })
        #expect(e.rule == "encoding.invalid")
        #expect(formatError { _ = try decode([0xFF, 0xFE, 0x41], from: .utf16) }?.rule == "encoding.invalid")
    }

    @Test("declared UTF-8 passes valid text and refuses invalid bytes")
    func utf8() throws {
        #expect(try decode(Array("Zoë 中文".utf8), from: .utf8) == "Zoë 中文")
        #expect(formatError { _ = try decode([0x61, 0xC3, 0x28], from: .utf8) }?.rule == "encoding.invalid")
    }

    @Test("every declared encoding is one iconv knows")
    func allSupported() throws {
        for enc in TextEncoding.allCases {
            _ = try TranscodingByteSource(MemoryByteSource([]), from: enc)
        }
        #expect(TextEncoding(rawValue: "windows-1252") == .windows1252)
        #expect(TextEncoding(rawValue: "gb18030") == .gb18030)
    }
}
