import Foundation
import Testing
@testable import ERPWMSCore

// Text code that works on bytes (Clean's scans, UTF8Text), checked against the same rules said over Unicode
// scalars or by the standard library.

/// The byte-level scans of `Clean` (eight bytes at a time, UTF-8 decoded by hand) against the same rules said over
/// Unicode scalars, on random texts built from the characters at the edges of each rule.
@Suite("Clean's byte scans against scalar references")
struct CleanScanTests {
    /// Scalars at and around every boundary the scans decide on, with plain text to make long runs.
    static let alphabet: [Unicode.Scalar] = [
        0x09, 0x0A, 0x0D, 0x00, 0x1B, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xA0, 0xEF, 0x2FF, 0x300, 0x301,
        0x3000, 0x3029, 0x302A, 0x302F, 0x3030, 0x3098, 0x3099, 0x309A, 0x309B, 0x30FF, 0x3100, 0x33FF, 0x3400,
        0x9FFF, 0xA000, 0xABFF, 0xAC00, 0xD7A3, 0xD7A4, 0xEFFF, 0xFEFF, 0xFF00, 0xFFEF, 0xFFF0, 0xFFFD, 0xFFFE, 0xFFFF,
        0x1F600, 0x10FFFF,
    ].compactMap(Unicode.Scalar.init) + Array("abcdefgh 12345-中文東京".unicodeScalars)

    static func text(_ r: inout SeededGenerator) -> String {
        var s = String.UnicodeScalarView()
        // Mostly plain runs, so that whole words are passed over, and now and then a scalar from the edges.
        for _ in 0..<r.below(40) {
            if r.below(4) == 0 {
                s.append(alphabet[r.below(alphabet.count)])
            } else {
                s.append(contentsOf: "Müller-Straße 12 ".unicodeScalars.prefix(1 + r.below(16)))
            }
        }
        return String(s)
    }

    @Test("hasControlCharacters: C0 but tab, LF and CR; DEL; U+FFFE and U+FFFF")
    func controlCharacters() {
        var r = SeededGenerator(seed: 2026_11_29)  // seeded, so that a failure can be replayed
        var found = 0
        for _ in 0..<5000 {
            let s = Self.text(&r)
            let expected = s.unicodeScalars.contains { c in
                (c.value < 0x20 && c.value != 0x09 && c.value != 0x0A && c.value != 0x0D) || c.value == 0x7F
                    || c.value == 0xFFFE || c.value == 0xFFFF
            }
            if expected { found += 1 }
            #expect(Clean.hasControlCharacters(s) == expected, "\(s.debugDescription)")
        }
        #expect(found > 500 && found < 4500, "\(found) with control characters")
    }

    @Test("isKnownNFC says yes only within the NFC-stable blocks, and nfc agrees with Foundation")
    func knownNFC() {
        var r = SeededGenerator(seed: 2026_11_30)
        var known = 0
        for _ in 0..<5000 {
            let s = Self.text(&r)
            let expected = s.unicodeScalars.allSatisfy { c in
                switch c.value {
                case 0..<0x300, 0x3000..<0x302A, 0x3030..<0x3099, 0x309B..<0x3100, 0x3400..<0xA000, 0xAC00..<0xD7A4,
                     0xFF00..<0xFFF0:
                    return true
                default:
                    return false
                }
            }
            if expected { known += 1 }
            #expect(Clean.isKnownNFC(s) == expected, "\(s.debugDescription)")
            #expect(Array(Clean.nfc(s).unicodeScalars) == Array(s.precomposedStringWithCanonicalMapping.unicodeScalars))
        }
        #expect(known > 500 && known < 4500, "\(known) known NFC")
    }
}

@Suite("UTF8Text")
struct UTF8TextTests {
    @Test("every length around the small-string limit, ASCII or not, valid or not, as String(validating:) reads it")
    func matchesValidating() {
        var r = SeededGenerator(seed: 2026_11_29)
        // The last five are not UTF-8; the truncated 4-byte sequence is repaired to U+FFFD, three bytes as well, and
        // U+FFFD itself (EF BF BD) is valid.
        let pieces: [[UInt8]] = [Array("a".utf8), Array("Z9-".utf8), Array("é".utf8), Array("中".utf8), [0x7F], [0x00],
                                 [0xEF, 0xBF, 0xBD], [0xFF], [0xC3], [0xE4, 0xB8], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98]]
        var invalid = 0
        for _ in 0..<4000 {
            var bytes: [UInt8] = []
            let length = r.below(40)
            while bytes.count < length { bytes += pieces[r.below(r.below(3) == 0 ? pieces.count : 2)] }
            let expected = String(validating: bytes, as: UTF8.self)
            if expected == nil { invalid += 1 }
            let got = UTF8Text.string(bytes)
            #expect(got == expected && got?.utf8.elementsEqual(bytes) ?? true, "\(bytes)")
        }
        #expect(invalid > 200 && invalid < 3800, "\(invalid) invalid")
        #expect(UTF8Text.string([]) == "")
    }
}

/// `SmallCopy` against a byte-by-byte copy: every length from 0 to 80 at every source and destination offset
/// within a word, with guard bytes around the destination that must stay as they were.
@Suite("SmallCopy")
struct SmallCopyTests {
    @Test("copies exactly the bytes asked for, whatever the length and alignment")
    func lengthsAndOffsets() {
        let source = (0..<128).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for n in 0...80 {
            for srcOffset in 0..<8 {
                for dstOffset in 0..<8 {
                    var destination = [UInt8](repeating: 0xA5, count: 128)
                    source.withUnsafeBytes { src in
                        destination.withUnsafeMutableBytes { dst in
                            SmallCopy.copy(to: dst.baseAddress! + 16 + dstOffset, from: src.baseAddress! + srcOffset, count: n)
                        }
                    }
                    var expected = [UInt8](repeating: 0xA5, count: 128)
                    for i in 0..<n { expected[16 + dstOffset + i] = source[srcOffset + i] }
                    #expect(destination == expected, "length \(n), source offset \(srcOffset), destination offset \(dstOffset)")
                    if destination != expected { return }
                }
            }
        }
    }
}

@Suite("UTF-8 validation without a String")
struct UTF8ValidityTests {
    @Test("isASCII finds a byte at or above 0x80 at any place of a text of any length, at any alignment")
    func isASCIIEveryPlace() {
        var buffer = [UInt8](repeating: 0x41, count: 64 + 8)
        for n in 0...64 {
            for offset in 0..<8 {
                // None (-1), or one high byte at each place; the bytes around the text are high, and must not count.
                for place in -1..<n {
                    for i in buffer.indices { buffer[i] = 0xC3 }
                    for i in 0..<n { buffer[offset + i] = 0x41 &+ UInt8(i % 26) }
                    if place >= 0 { buffer[offset + place] = place % 2 == 0 ? 0x80 : 0xFF }
                    let got = buffer.withUnsafeBufferPointer { UTF8Text.isASCII(UnsafeBufferPointer(rebasing: $0[offset..<(offset + n)])) }
                    #expect(got == (place < 0), "length \(n), offset \(offset), high byte at \(place)")
                    if got != (place < 0) { return }
                }
            }
        }
    }

    @Test("isValid agrees with the standard library's validation: edges of every sequence length and random bytes")
    func agreesWithStandardLibrary() {
        func check(_ bytes: [UInt8]) {
            let expected = String(validating: bytes, as: UTF8.self) != nil
            let got = bytes.withUnsafeBufferPointer { UTF8Text.isValid($0) }
            #expect(got == expected, "\(bytes.map { String($0, radix: 16) })")
        }
        // Every lead byte with every second byte, then a continuation or not: overlongs, surrogates, above U+10FFFF,
        // truncated sequences.
        for lead in 0x00...0xFF {
            for second in [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF] {
                check([UInt8(lead)])
                check([UInt8(lead), UInt8(second)])
                check([UInt8(lead), UInt8(second), 0x80])
                check([UInt8(lead), UInt8(second), 0x80, 0x80])
                check([0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, UInt8(lead), UInt8(second), 0xBF, 0xBF])
            }
        }
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x41, 0x7A, 0x80, 0xBF, 0xC2, 0xC3, 0xDF, 0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0x00, 0x9F, 0xA0, 0x8F, 0x90]
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...24, using: &rng)
            check((0..<n).map { _ in Bool.random(using: &rng) ? 0x61 : alphabet.randomElement(using: &rng)! })
        }
        for s in ["", "abc", "Größe 42", "żółty", "Mug \u{2615}", "😀 emoji", String(repeating: "é", count: 33)] {
            check(Array(s.utf8))
        }
    }
}
