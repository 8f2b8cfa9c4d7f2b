import ERPWMSCore
import Testing
@testable import ERPWMSFormats

/// The attribute guard scans every byte of every XML input; its word-at-a-time scan is checked here against the
/// plain byte-by-byte reading of the same rule, over random documents cut into random chunks.
@Suite("XML attribute guard")
struct AttributeGuardTests {
    /// The rule, byte by byte: `=` outside quotes inside a tag counts one attribute; more than the limit refuses.
    static func reference(_ bytes: [UInt8], limit: Int) -> Bool {
        var inTag = false, quote: UInt8 = 0, attributes = 0
        for b in bytes {
            if quote != 0 {
                if b == quote { quote = 0 }
            } else if !inTag {
                if b == UInt8(ascii: "<") {
                    inTag = true
                    attributes = 0
                }
            } else {
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = b
                case UInt8(ascii: "="):
                    attributes += 1
                    if attributes > limit { return false }
                case UInt8(ascii: ">"): inTag = false
                default: break
                }
            }
        }
        return true
    }

    static func document(_ r: inout SeededGenerator) -> [UInt8] {
        let alphabet = Array("<>='\"ab x\n".utf8)
        var out: [UInt8] = []
        for _ in 0..<(1 + r.below(40)) {
            switch r.below(4) {
            case 0:  // an element with many attributes, near the limit
                out += Array("<e".utf8)
                for k in 0..<(IOContext.maxAttributes - 3 + r.below(7)) {
                    out += Array(" a\(k)=".utf8)
                    out += Array((r.below(2) == 0 ? "\"v=>'\"" : "'w\"=>'").utf8)
                }
                out += Array(">".utf8)
            case 1:  // text
                out += Array(repeating: UInt8(ascii: "t"), count: r.below(30))
            default:  // random bytes from the characters that matter
                for _ in 0..<r.below(60) { out.append(alphabet[r.below(alphabet.count)]) }
            }
        }
        return out
    }

    @Test("the fast scan decides as the byte-by-byte rule does, however the input is cut into chunks")
    func matchesReference() {
        var r = SeededGenerator(seed: 2026_11_29)  // seeded, so that a failure can be replayed
        var refused = 0
        for _ in 0..<3000 {
            let doc = Self.document(&r)
            let expected = Self.reference(doc, limit: IOContext.maxAttributes)
            if !expected { refused += 1 }
            let context = IOContext(source: MemoryByteSource(doc))
            var ok = true
            var start = 0
            while start < doc.count && ok {
                let end = min(doc.count, start + 1 + r.below(40))
                ok = doc[start..<end].withUnsafeBytes { context.scanTags($0) }
                start = end
            }
            #expect(ok == expected, "document of \(doc.count) bytes: \(String(decoding: doc.prefix(200), as: UTF8.self))")
            if ok != expected { return }
        }
        // Both outcomes were exercised.
        #expect(refused > 100 && refused < 2900, "\(refused) refused")
    }
}
