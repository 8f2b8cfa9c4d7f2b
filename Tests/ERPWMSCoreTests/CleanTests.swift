import Foundation
import Testing
import ERPWMSCore

/// Compares by Unicode scalars: Swift's `==` on `String` already treats canonically equivalent text as
/// equal, so it cannot tell whether NFC was applied.
private func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

@Suite("Clean")
struct CleanTests {
    @Test("trim removes whitespace and line breaks at both ends only", arguments: [
        ("  abc  ", "abc"),
        ("\tabc\r\n", "abc"),
        ("a b  c", "a b  c"),
        (" a b ", "a b"),
        ("", ""),
        ("   ", ""),
        ("\u{3000}東京\u{3000}", "東京"),     // ideographic space is Unicode whitespace
        ("\u{00A0}x\u{00A0}", "x"),          // no-break space
        ("abc", "abc"),
        ("\nline1\nline2\n", "line1\nline2"),
    ])
    func trim(input: String, expected: String) {
        #expect(scalars(Clean.trim(input)) == scalars(expected))
    }

    @Test("NFC: e + U+0301 becomes the single scalar é")
    func nfc() {
        let decomposed = "e\u{0301}"
        #expect(decomposed.unicodeScalars.count == 2)
        let cleaned = Clean.nfc(decomposed)
        #expect(scalars(cleaned) == [0xE9])
        #expect(scalars(cleaned) == scalars("é"))
        #expect(scalars(Clean.nfc("Zoe\u{0308} Cafe\u{0301}")) == scalars("Zo\u{00EB} Caf\u{00E9}"))
        // Already composed and ASCII text stays as is.
        #expect(scalars(Clean.nfc("Zoë")) == scalars("Zo\u{00EB}"))
        #expect(Clean.nfc("plain") == "plain")
    }

    @Test("nfc agrees with Foundation's NFC", arguments: [
        "e\u{0301}", "Zoë", "A\u{030A}ngstro\u{0308}m", "ḱ\u{0323}", "q\u{0307}\u{0323}",
        "\u{1100}\u{1161}\u{11A8}",        // Hangul jamo compose to 각
        "\u{AC00}\u{11A8}",                 // a syllable and a trailing jamo compose to 각
        "\u{304B}\u{3099}",                 // か + combining voiced mark = が
        "\u{F900}",                          // CJK compatibility ideograph maps to U+8C48
        "\u{302B}\u{302A}",                 // tone marks out of canonical order are reordered
        "中文 ｶﾀｶﾅ ＡＢ", "Ελληνικά", "Ω\u{2126}", "\u{212B}",
    ])
    func nfcMatchesFoundation(input: String) {
        #expect(scalars(Clean.nfc(input)) == scalars(input.precomposedStringWithCanonicalMapping))
    }

    @Test("text = trim + NFC")
    func text() {
        #expect(scalars(Clean.text("  Ange\u{0301}lique \n")) == scalars("Ang\u{00E9}lique"))
        // Inner line breaks of free text survive.
        #expect(Clean.text(" a\nb ") == "a\nb")
        // Full-width characters in free text are left alone (only codes are narrowed).
        #expect(scalars(Clean.text("ＡＢＣ")) == scalars("ＡＢＣ"))
    }

    @Test("halfWidth maps full-width ASCII and the ideographic space", arguments: [
        ("１２３４５６７８９０", "1234567890"),
        ("ＡＢＣｘｙｚ", "ABCxyz"),
        ("＋８６\u{3000}１３８", "+86 138"),
        ("！～", "!~"),                    // the ends of the range U+FF01...U+FF5E
        ("中文１号", "中文1号"),            // other characters untouched
        ("already ASCII", "already ASCII"),
        ("ｶﾀｶﾅ", "ｶﾀｶﾅ"),                 // half-width katakana is outside the range
    ])
    func halfWidth(input: String, expected: String) {
        #expect(scalars(Clean.halfWidth(input)) == scalars(expected))
    }

    @Test("code = NFC + half-width + trim")
    func code() {
        #expect(Clean.code("\u{3000}１０００２２\u{3000}") == "100022")
        #expect(Clean.code(" ＋８６ １３８ ００１３ ８０００ ") == "+86 138 0013 8000")
        #expect(Clean.code(" SKU-1 ") == "SKU-1")
        // Case is kept for codes that are not upper case by definition.
        #expect(Clean.code("shop-de") == "shop-de")
    }

    @Test("upperCode upper-cases country and currency codes after narrowing", arguments: [
        ("ｄｅ", "DE"),
        (" gb ", "GB"),
        ("ｅｕｒ", "EUR"),
        ("Eur", "EUR"),
        ("\u{3000}ｐｌ\u{3000}", "PL"),
        ("DE", "DE"),
    ])
    func upperCode(input: String, expected: String) {
        #expect(Clean.upperCode(input) == expected)
    }

    @Test("control characters: C0 other than tab/LF/CR, and DEL")
    func controlCharacters() {
        #expect(Clean.hasControlCharacters("a\u{0}b"))
        #expect(Clean.hasControlCharacters("\u{1B}[31m"))
        #expect(Clean.hasControlCharacters("x\u{7F}"))
        #expect(Clean.hasControlCharacters("\u{0C}"))
        #expect(!Clean.hasControlCharacters("tab\there\r\nand line"))
        #expect(!Clean.hasControlCharacters("Zoë 中文 €"))
        #expect(!Clean.hasControlCharacters(""))
    }

    @Test("isASCII")
    func isASCII() {
        #expect(Clean.isASCII("abc 123 ~"))
        #expect(Clean.isASCII(""))
        #expect(!Clean.isASCII("é"))
        #expect(!Clean.isASCII("１"))
    }

    @Test("removing and replacing an ASCII byte, and the case helpers, agree with Foundation and the standard library")
    func byteEdits() {
        // With a combining mark after the byte, the two are one character, which Foundation leaves whole.
        let samples = ["", ".", "6404.11.00", "64 04 11", "no dots here", "Łódź.Königsallee 24.", "..a..", "中.文", "a-b-c", "ABC-def", "Ærø",
                       "6404.\u{301}11.00", "a-\u{301}b", "GB \u{301}123", "İß-ǅ"]
        for s in samples {
            #expect(Clean.removing(UInt8(ascii: "."), from: s) == s.replacingOccurrences(of: ".", with: ""))
            #expect(Clean.removing(UInt8(ascii: " "), from: s) == s.replacingOccurrences(of: " ", with: ""))
            #expect(Clean.replacing(UInt8(ascii: "-"), with: UInt8(ascii: "_"), in: s) == s.replacingOccurrences(of: "-", with: "_"))
            #expect(Clean.lower(s) == s.lowercased())
            #expect(Clean.upper(s) == s.uppercased())
        }
    }

    /// `Clean.look` stands in for `code`, `text`, `hasControlCharacters`, `isCode`, `isLonger` and the case
    /// checks on a plain field: it must say exactly what they say, for every value it calls plain.
    @Test("look agrees with the cleaning and checks it replaces, over every byte and 20,000 random fields")
    func lookAgrees() {
        // Every single byte (as a scalar below 0x80, and the first 256 scalars beyond), short and long fields, then
        // random ones from an alphabet of edge characters: blanks and controls, DEL, code characters, letters of
        // both cases, Unicode whitespace, full-width and combining characters, U+FFFE.
        let scalars = (0..<UInt32(0x180)).compactMap(UnicodeScalar.init).map { String(Character($0)) }
        var samples: [String] = [""] + scalars + scalars.map { "a\($0)b" }
        samples += [String(repeating: "A", count: 40), String(repeating: "A", count: 41), String(repeating: "x", count: 300)]
        let alphabet: [String] = [" ", "\t", "\n", "\r", "\u{0}", "\u{1B}", "\u{7F}", "a", "z", "A", "Z", "0", "9",
                                  "_", ".", "-", "/", "@", "+", "~", "é", "\u{A0}", "\u{3000}", "Ａ", "１", "e\u{301}",
                                  "\u{FFFE}", "中"]
        var rng = SeededGenerator(seed: 7)  // seeded, so that a failure can be replayed
        for _ in 0..<20_000 {
            let n = Int(rng.next() % 45)
            samples.append((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined())
        }
        var plain = 0
        for s in samples {
            let look = Clean.look(s)
            // Plain: ASCII with a printable character at each end (a control character there is left to the
            // general way, though trimming keeps it).
            let printableEnds = s.utf8.first.map { (0x21..<0x7F).contains($0) } ?? true
                && s.utf8.last.map { (0x21..<0x7F).contains($0) } ?? true
            #expect(look.plain == (Clean.isASCII(s) && printableEnds), "\(s.unicodeScalars.map(\.value))")
            // With the look at hand, the same cleaned value as the general way, plain or not.
            #expect(Clean.upperCode(s, look) == Clean.upperCode(s) && Clean.lowerCode(s, look) == Clean.code(s).lowercased(),
                    "\(s.unicodeScalars.map(\.value))")
            guard look.plain else { continue }
            #expect(Clean.trim(s) == s)
            plain += 1
            #expect(Clean.code(s) == s && Clean.text(s) == s)
            #expect(look.hasControlCharacters == Clean.hasControlCharacters(s), "\(s.unicodeScalars.map(\.value))")
            #expect(look.isCode == OrderValidator.isCode(s), "\(s.unicodeScalars.map(\.value))")
            #expect(look.count == Clean.length(s))
            #expect(look.hasLower == (s.uppercased() != s))
            #expect(look.hasUpper == (s.lowercased() != s))
            #expect((look.hasLower ? s.uppercased() : s) == Clean.upperCode(s))
        }
        #expect(plain > 1_000, "the random fields must reach the plain path often")
    }
}


@Suite("File names for people")
struct FileNamesTests {
    @Test("control characters, bidi overrides and backslashes are escaped; ordinary names stay as they are")
    func printable() {
        #expect(FileNames.printable("orders-2025-03-01.csv") == "orders-2025-03-01.csv")
        #expect(FileNames.printable("Bestellungen für März.csv") == "Bestellungen für März.csv")
        #expect(FileNames.printable("a\nERROR forged line.csv") == "a\\u{A}ERROR forged line.csv")
        #expect(FileNames.printable("x\u{1B}[2Jy") == "x\\u{1B}[2Jy")
        #expect(FileNames.printable("evil\u{202E}vsc.exe") == "evil\\u{202E}vsc.exe")
        #expect(FileNames.printable("a\\u{A}") == "a\\\\u{A}", "an escape-looking name cannot pass for an escaped one")
    }
}

@Suite("Clean on bytes")
struct CleanOnBytesTests {
    static let samples: [String] = [
        "", "a", "Hauptstraße 1", " Köln", "Köln ", "Zoë", "Cafe\u{0301}", "Café", "żółty", "Größe 42", "東京都渋谷区",
        "서울", "Ελλάδα", "Москва", "\u{00A0}x", "x\u{3000}", "ｄｅ", "Mug \u{2615}", "😀", "e\u{0301}", "\u{212B}",
        "Å", "line\u{0085}", "tab\there", String(repeating: "é", count: 40), String(repeating: "x", count: 41),
    ]

    @Test("isOwnText says yes only where text(s) is s itself, byte for byte")
    func ownText() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "é", "e\u{0301}", " ", "\u{00A0}", "東", "ß", "\u{3000}", "Z", "ｄ", "\u{2615}", "\u{0300}"]
        let random = (0..<3000).map { _ in (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() }
        var yes = 0
        for s in Self.samples + random {
            let own = s.withUTF8Bytes(Clean.isOwnText)
            if own {
                yes += 1
                #expect(Array(Clean.text(s).utf8) == Array(s.utf8), "\(s.unicodeScalars.map(\.value))")
            }
        }
        #expect(yes > 100)  // the fast path is taken for real text, not only ASCII
        #expect(!" Köln".withUTF8Bytes(Clean.isOwnText) && !"Cafe\u{0301}".withUTF8Bytes(Clean.isOwnText))
        #expect("Köln".withUTF8Bytes(Clean.isOwnText) && "東京都渋谷区".withUTF8Bytes(Clean.isOwnText))
    }

    @Test("isLonger counts scalars on bytes as on a String")
    func longer() {
        for s in Self.samples {
            for limit in [0, 1, 3, 5, 10, 39, 40, 41, 80] {
                #expect(s.withUTF8Bytes { Clean.isLonger($0, than: limit) } == Clean.isLonger(s, than: limit), "\(s) \(limit)")
            }
        }
    }
}
