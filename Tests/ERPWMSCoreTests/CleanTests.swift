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
