import Foundation

/// Text cleaning applied before validation and emission.
public enum Clean {
    /// Trims spaces, tabs, CR/LF and other Unicode whitespace at both ends (not inside).
    ///
    /// The cleaning functions look at the bytes through `withUTF8Bytes` (and once where they can): `String.UTF8View`'s
    /// `first`, `last` and iteration cost tens of instructions a byte, and these run for every field of every order.
    @inline(__always)
    public static func trim(_ s: String) -> String {
        // Fast path: neither end can start or end whitespace (the usual case).
        s.withUTF8Bytes(endsCannotBeWhitespace) ? s : s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// True when the first byte cannot start whitespace and the last cannot end it (empty: true). Unicode
    /// whitespace outside ASCII begins with C2 (U+0085, U+00A0), E1 (U+1680, U+180E), E2 (U+2000...) or E3
    /// (U+3000) and ends in a continuation byte; a last byte that is an ASCII letter or a lead byte cannot end one.
    static func endsCannotBeWhitespace(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let f = u.first, let l = u.last else { return true }
        if mayStartWhitespace(f) || l <= 0x20 || l == 0x7F { return false }
        if l < 0x80 { return true }
        var i = u.count - 1
        while i > 0 && u[i] & 0xC0 == 0x80 { i -= 1 }
        return !mayStartWhitespace(u[i])
    }

    @inline(__always)
    static func mayStartWhitespace(_ b: UInt8) -> Bool {
        b <= 0x20 || b == 0x7F || b == 0xC2 || b == 0xE1 || b == 0xE2 || b == 0xE3
    }

    /// Unicode NFC, so that `e` + combining acute and `é` are the same text for the WMS and for hashing.
    public static func nfc(_ s: String) -> String {
        if isASCII(s) || isKnownNFC(s) { return s }
        return s.precomposedStringWithCanonicalMapping
    }

    /// True when every scalar is in a block whose characters are all NFC-stable (Unicode NFC_Quick_Check
    /// = Yes): below U+0300 (Latin, no combining marks), CJK symbols and kana without the combining voicing
    /// marks, CJK unified ideographs, Hangul syllables, half- and full-width forms. Lets most text skip the
    /// costly Foundation normalisation; anything else is normalised.
    /// Decodes the UTF-8 itself: iterating `unicodeScalars` cost three times as much, for every non-ASCII text.
    static func isKnownNFC(_ s: String) -> Bool {
        s.withUTF8Bytes(isKnownNFC)
    }

    static func isKnownNFC(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = u.count
        var i = 0
        while i < n {
            let lead = u[i]
            if lead < 0x80 {
                i += 1
            } else if lead < 0xE0 {
                // Two bytes: U+0080...U+07FF. Below U+0300 is lead byte C2...CB.
                if lead >= 0xCC { return false }
                i += 2
            } else if lead < 0xF0 && i + 2 < n {
                let scalar = UInt32(lead & 0x0F) << 12 | UInt32(u[i + 1] & 0x3F) << 6 | UInt32(u[i + 2] & 0x3F)
                switch scalar {
                case 0x3000..<0x302A, 0x3030..<0x3099, 0x309B..<0x3100, 0x3400..<0xA000, 0xAC00..<0xD7A4, 0xFF00..<0xFFF0:
                    i += 3
                default:
                    return false
                }
            } else {
                return false  // four bytes (beyond U+FFFF): none of the blocks above
            }
        }
        return true
    }

    /// Full-width ASCII variants (U+FF01...U+FF5E) and the ideographic space to their half-width forms,
    /// as Chinese and Japanese ERP exports often write digits and Latin letters in codes and phones.
    public static func halfWidth(_ s: String) -> String {
        if isASCII(s) { return s }
        var scalars = String.UnicodeScalarView()
        var changed = false
        for sc in s.unicodeScalars {
            switch sc.value {
            case 0xFF01...0xFF5E:
                scalars.append(Unicode.Scalar(sc.value - 0xFEE0)!)
                changed = true
            case 0x3000:
                scalars.append(" ")
                changed = true
            default:
                scalars.append(sc)
            }
        }
        return changed ? String(scalars) : s
    }

    /// Trim + NFC: what every free-text field gets.
    public static func text(_ s: String) -> String { nfc(trim(s)) }

    /// Trim + NFC + half-width: codes, postcodes, phones. (ASCII, the usual case, needs the trim only.)
    public static func code(_ s: String) -> String {
        // One look at the bytes for the usual case: ASCII with nothing to trim is the same String.
        let ascii = s.withUTF8Bytes { u -> (ascii: Bool, plain: Bool) in
            guard UTF8Text.isASCII(u) else { return (false, false) }
            return (true, endsCannotBeWhitespace(u))
        }
        if ascii.plain { return s }
        return ascii.ascii ? trim(s) : trim(halfWidth(nfc(s)))
    }

    /// What one pass over a field's bytes tells the validator about the usual field: ASCII with nothing to trim
    /// at either end (`plain`). Such a field is its own cleaned value (`code` and `text` hand back the same
    /// String), and the checks that would each take another pass over it (control characters, the Code pattern,
    /// letter case, length) are read from here. Any other field (non-ASCII, blanks at an end) goes the general way.
    public struct Look: Sendable {
        /// ASCII with no whitespace or control character at either end (the empty string too).
        public let plain: Bool
        /// Bytes; for a plain field also its length in characters.
        public let count: Int
        fileprivate let flags: UInt8

        /// Meaningful for a plain field only.
        public var hasControlCharacters: Bool { flags & ByteClass.control != 0 }
        /// `OrderValidator.isCode` of a plain field: 1-40 of A-Z a-z 0-9 _ . -
        public var isCode: Bool { flags & ByteClass.notCode == 0 && count >= 1 && count <= 40 }
        public var hasLower: Bool { flags & ByteClass.lower != 0 }
        public var hasUpper: Bool { flags & ByteClass.upper != 0 }
        /// Meaningful for a plain field only: a byte XML escapes (`Clean.hasXMLSpecial`).
        public var hasXMLSpecial: Bool { flags & ByteClass.xml != 0 }
    }

    /// Whether any byte is one XML escapes in text or in an attribute: & < > " tab LF CR.
    public static func hasXMLSpecial(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        ByteClass.gather(u) & ByteClass.xml != 0
    }

    /// One pass over `s` (a table look-up per byte) instead of one per check: the cleaning and checks of a field
    /// took three to five, each a call that borrowed the String's bytes again.
    public static func look(_ s: String) -> Look {
        s.withUTF8Bytes(look)
    }

    /// `look` of a text's UTF-8 bytes.
    public static func look(_ u: UnsafeBufferPointer<UInt8>) -> Look {
        guard let first = u.first, let last = u.last else { return Look(plain: true, count: 0, flags: 0) }
        // An end byte that is ASCII and neither blank nor a control character; a non-ASCII one may start or end
        // Unicode whitespace (see `endsCannotBeWhitespace`): the general way.
        guard first > 0x20, first < 0x7F, last > 0x20, last < 0x7F else {
            return Look(plain: false, count: u.count, flags: 0)
        }
        let flags = ByteClass.gather(u)
        return Look(plain: flags & ByteClass.nonASCII == 0, count: u.count, flags: flags)
    }

    /// `s.replacingOccurrences(of: String(byte), with: "")` for an ASCII `byte`, byte-wise where `s` is ASCII (the
    /// same String when it has none of it): Foundation's `replacingOccurrences` went through NSString for every value,
    /// a tenth of an item-master run for the HS codes alone. Other text goes to Foundation, which compares whole
    /// characters: a byte followed by a combining mark is part of another character there, and stays.
    public static func removing(_ byte: UInt8, from s: String) -> String {
        precondition(byte < 0x80, "only an ASCII byte can be taken out of UTF-8 without breaking it")
        return s.withUTF8Bytes { u -> String? in
            guard u.contains(byte) else { return nil }
            guard UTF8Text.isASCII(u) else {
                return s.replacingOccurrences(of: String(UnicodeScalar(byte)), with: "")
            }
            return String(unsafeUninitializedCapacity: u.count) { out in
                var n = 0
                for b in u where b != byte {
                    out[n] = b
                    n += 1
                }
                return n
            }
        } ?? s
    }

    /// `s.replacingOccurrences(of: String(byte), with: String(replacement))` for ASCII bytes, byte-wise where `s` is
    /// ASCII (the same String when it has none of it); other text as Foundation does it (see `removing`).
    public static func replacing(_ byte: UInt8, with replacement: UInt8, in s: String) -> String {
        precondition(byte < 0x80 && replacement < 0x80, "only ASCII bytes can be swapped in UTF-8 without breaking it")
        return s.withUTF8Bytes { u -> String? in
            guard u.contains(byte) else { return nil }
            guard UTF8Text.isASCII(u) else {
                return s.replacingOccurrences(of: String(UnicodeScalar(byte)), with: String(UnicodeScalar(replacement)))
            }
            return String(unsafeUninitializedCapacity: u.count) { out in
                for i in u.indices { out[i] = u[i] == byte ? replacement : u[i] }
                return u.count
            }
        } ?? s
    }

    /// `s.lowercased()`, without making a new String when `s` is ASCII with no capital letter (the usual code).
    public static func lower(_ s: String) -> String {
        let look = look(s)
        return look.plain && !look.hasUpper ? s : s.lowercased()
    }

    /// `s.uppercased()`, without making a new String when `s` is ASCII with no small letter.
    public static func upper(_ s: String) -> String {
        let look = look(s)
        return look.plain && !look.hasLower ? s : s.uppercased()
    }

    /// `code(s)`, `text(s)`, `upperCode(s)` and `code(s).lowercased()` for a value whose `look` is at hand: a plain
    /// value is its own clean value (with its letters' case changed where it has any to change), known without another
    /// pass over it.
    public static func code(_ s: String, _ look: Look) -> String { look.plain ? s : code(s) }
    public static func text(_ s: String, _ look: Look) -> String { look.plain ? s : text(s) }
    public static func upperCode(_ s: String, _ look: Look) -> String {
        look.plain ? (look.hasLower ? s.uppercased() : s) : upperCode(s)
    }
    public static func lowerCode(_ s: String, _ look: Look) -> String {
        look.plain ? (look.hasUpper ? s.lowercased() : s) : code(s).lowercased()
    }

    /// `[A-Za-z0-9_.-]{1,40}`, the WMS schema's Code type, from the same table as `look`.
    public static func isCode(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !u.isEmpty, u.count <= 40 else { return false }
        return ByteClass.gather(u) & ByteClass.notCode == 0
    }

    /// A code that is upper case by definition (country, currency).
    public static func upperCode(_ s: String) -> String {
        let c = code(s)
        // Already upper case (the usual case): the same String, no new one.
        let lower = c.withUTF8Bytes { u in UTF8Text.isASCII(u) && u.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) }
        return lower ? c.uppercased() : c
    }

    /// True when `s` has a character XML 1.0 cannot carry (C0 controls other than tab, LF and CR;
    /// U+FFFE and U+FFFF), or DEL.
    public static func hasControlCharacters(_ s: String) -> Bool {
        s.withUTF8Bytes(hasControlCharacters)
    }

    /// `hasControlCharacters` of a text's UTF-8 bytes.
    public static func hasControlCharacters(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        // Eight bytes at a time up to the first word with a byte below 0x20, a DEL or an EF (the lead byte of
        // U+FFFE and U+FFFF): nearly all text has none. From there, byte by byte (tab, LF and CR are allowed).
        if let base = buf.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= buf.count {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if SWAR.bytesBelow(w, 0x20) | SWAR.zeroBytes(w ^ Self.del) | SWAR.zeroBytes(w ^ Self.ef) != 0 { break }
                i += 8
            }
        }
        while i < buf.count {
            let b = buf[i]
            if (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D) || b == 0x7F { return true }
            // U+FFFE / U+FFFF are EF BF BE / EF BF BF.
            if b == 0xEF && i + 2 < buf.count && buf[i + 1] == 0xBF && buf[i + 2] >= 0xBE { return true }
            i += 1
        }
        return false
    }

    private static let del = SWAR.broadcast(0x7F)
    private static let ef = SWAR.broadcast(0xEF)

    /// Length as XML Schema counts it (Unicode scalars), for the WMS schema's limits.
    public static func length(_ s: String) -> Int { s.unicodeScalars.count }

    /// Whether `s` has more than `limit` Unicode scalars; a text with no more UTF-8 bytes than that (almost
    /// every one) is not counted.
    @inline(__always)
    public static func isLonger(_ s: String, than limit: Int) -> Bool {
        s.utf8.count > limit && length(s) > limit
    }

    /// `isLonger` of a text's UTF-8 bytes (the scalars are the bytes that do not continue one).
    public static func isLonger(_ u: UnsafeBufferPointer<UInt8>, than limit: Int) -> Bool {
        guard u.count > limit else { return false }
        var scalars = 0
        for b in u where b & 0xC0 != 0x80 { scalars += 1 }
        return scalars > limit
    }

    /// Whether `text(s)` leaves a text's bytes as they are (nothing to trim, known to be NFC: most text in the scripts
    /// `isKnownNFC` covers), told without making a String.
    public static func isOwnText(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        endsCannotBeWhitespace(u) && isKnownNFC(u)
    }

    @inline(__always)
    public static func isASCII(_ s: String) -> Bool {
        s.withUTF8Bytes { UTF8Text.isASCII($0) }
    }
}

/// The classes of a byte that `Clean.look` gathers, one table entry per byte value.
private enum ByteClass {
    static let nonASCII: UInt8 = 1
    /// What `Clean.hasControlCharacters` reports among ASCII bytes: C0 controls but tab, LF and CR; DEL.
    static let control: UInt8 = 2
    /// Outside `[A-Za-z0-9_.-]`.
    static let notCode: UInt8 = 4
    static let lower: UInt8 = 8
    static let upper: UInt8 = 16
    /// What XML escapes in text or in an attribute: & < > " and tab, LF, CR (`OutputBuffer.appendEscaped`).
    static let xml: UInt8 = 32

    /// The classes of all of `u`'s bytes together.
    @inline(__always)
    static func gather(_ u: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var flags: UInt8 = 0
        let table = table  // once, not a check of the lazy global per byte
        for b in u { flags |= table[Int(b)] }
        return flags
    }

    /// Made once and never written after; a pointer, so that a look-up is a load (an Array's would check its
    /// bounds per byte).
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 {
            var c: UInt8 = 0
            if b >= 0x80 { c |= nonASCII | notCode }
            if (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D) || b == 0x7F { c |= control }
            let isCode = (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
                || b == 0x5F || b == 0x2E || b == 0x2D
            if !isCode { c |= notCode }
            if (0x61...0x7A).contains(b) { c |= lower }
            if (0x41...0x5A).contains(b) { c |= upper }
            if [0x09, 0x0A, 0x0D, 0x22, 0x26, 0x3C, 0x3E].contains(b) { c |= xml }
            t[b] = c
        }
        return UnsafePointer(t)
    }()
}

/// A cleaned text on its way into an order: the bytes the codec read when cleaning left them as they were (valid while
/// the raw line is borrowed), or the String cleaning made.
enum CleanedText {
    case bytes(UnsafeBufferPointer<UInt8>)
    case string(String)

    @inline(__always)
    func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        switch self {
        case .bytes(let b): return body(b)
        case .string(let s): return s.withUTF8Bytes(body)
        }
    }

    /// As a String (messages, alias look-ups).
    var string: String {
        switch self {
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .string(let s): return s
        }
    }

    /// (Inlined, and a String's own count: it had been a call, taking the bytes, at each of the validator's 18 uses;
    /// 10,000 orders 1,080.1 -> 1,076.2 M instructions.)
    @inline(__always)
    var isEmpty: Bool {
        switch self {
        case .bytes(let b): return b.isEmpty
        case .string(let s): return s.isEmpty
        }
    }

    /// `Clean.code`, `text`, `upperCode` and `lowerCode` of a field's bytes, given the `look` taken at them: the bytes
    /// themselves where cleaning leaves them as they are, else the String the general way makes (the ones
    /// `Clean.code(s, look)` and its siblings make for a String).
    @inline(__always)
    static func code(_ b: UnsafeBufferPointer<UInt8>, _ look: Clean.Look) -> CleanedText {
        look.plain ? .bytes(b) : .string(Clean.code(String(decoding: b, as: UTF8.self)))
    }

    /// Free text: non-ASCII text with nothing to trim, already NFC, is its own clean value too.
    @inline(__always)
    static func text(_ b: UnsafeBufferPointer<UInt8>, _ look: Clean.Look) -> CleanedText {
        look.plain || Clean.isOwnText(b) ? .bytes(b) : .string(Clean.text(String(decoding: b, as: UTF8.self)))
    }

    @inline(__always)
    static func upperCode(_ b: UnsafeBufferPointer<UInt8>, _ look: Clean.Look) -> CleanedText {
        look.plain && !look.hasLower ? .bytes(b) : .string(Clean.upperCode(String(decoding: b, as: UTF8.self), look))
    }

    @inline(__always)
    static func lowerCode(_ b: UnsafeBufferPointer<UInt8>, _ look: Clean.Look) -> CleanedText {
        look.plain && !look.hasUpper ? .bytes(b) : .string(Clean.lowerCode(String(decoding: b, as: UTF8.self), look))
    }

    /// Whether the cleaned value holds a byte XML escapes: for a plain value the look saw it (cleaning only changes
    /// its letters' case or drops spaces), any other is scanned.
    @inline(__always)
    func hasXMLSpecial(_ look: Clean.Look) -> Bool {
        look.plain ? look.hasXMLSpecial : withUTF8(Clean.hasXMLSpecial)
    }
}
