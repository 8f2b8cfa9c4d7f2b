/// An exact decimal number: `units / 10^scale`. Used for tax rates and anything not tied to a currency.
public struct FixedDecimal: Sendable, Hashable, CustomStringConvertible {
    public var units: Int64
    public var scale: Int

    public init(units: Int64, scale: Int) {
        self.units = units
        self.scale = scale
    }

    /// Parses `123`, `123.45`, `-0.5`. No exponent, no thousands separator, no decimal comma.
    /// Returns nil for anything else or on overflow (more than 18 significant digits).
    public init?(parsing text: Substring, allowNegative: Bool = false) {
        var text = text
        guard let d = text.withUTF8({ Self.parse($0, allowNegative: allowNegative) }) else { return nil }
        self = d
    }

    /// `init(parsing:)` over a whole String.
    public init?(parsing text: String, allowNegative: Bool = false) {
        guard let d = text.withUTF8Bytes({ Self.parse($0, allowNegative: allowNegative) }) else { return nil }
        self = d
    }

    /// The parse itself, on the UTF-8 bytes (the String views' per-byte iteration costs several times more:
    /// this runs for every price and tax rate of every order line).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, allowNegative: Bool) -> FixedDecimal? {
        var units: Int64 = 0
        var scale = 0
        var seenDot = false
        var digits = 0
        var i = 0
        let n = bytes.count
        var negative = false
        if n > 0 && bytes[0] == UInt8(ascii: "-") {
            guard allowNegative else { return nil }
            negative = true
            i = 1
        }
        guard i < n else { return nil }
        // "5." and ".5" are not money as any ERP writes it.
        if bytes[i] == UInt8(ascii: ".") { return nil }
        while i < n {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: ".") {
                guard !seenDot else { return nil }
                seenDot = true
                continue
            }
            guard b >= 0x30, b <= 0x39 else { return nil }
            digits += 1
            guard digits <= 18 else { return nil }
            units = units * 10 + Int64(b - 0x30)
            if seenDot { scale += 1 }
        }
        if seenDot && scale == 0 { return nil }
        guard digits > 0 else { return nil }
        return FixedDecimal(units: negative ? -units : units, scale: scale)
    }

    /// The value with `scale` decimals, or nil when that would drop non-zero digits.
    public func rescaled(to newScale: Int) -> Int64? {
        if newScale == scale { return units }
        if newScale > scale {
            var u = units
            for _ in scale..<newScale {
                let (m, o) = u.multipliedReportingOverflow(by: 10)
                if o { return nil }
                u = m
            }
            return u
        }
        var div: Int64 = 1
        for _ in newScale..<scale { div *= 10 }
        return units % div == 0 ? units / div : nil
    }

    /// Canonical text: no trailing zeros beyond the scale it was given, `.` as decimal point.
    public var description: String { Self.format(units: units, scale: scale) }

    static func format(units: Int64, scale: Int) -> String {
        DecimalText.withDigits(units, scale: scale) { String(decoding: $0, as: UTF8.self) }
    }
}

/// Exact decimal text from integer units, without intermediate Strings: the digits are written from the right
/// into a stack buffer (this runs for every price of every order line: content hashes, ledger rows, outputs).
public enum DecimalText {
    /// `units / 10^scale` with exactly `scale` decimals (`1250, 2` -> `12.50`, `-5, 2` -> `-0.05`, `4980, 0` ->
    /// `4980`) as UTF-8 bytes, handed to `body`. `scale` from 0 to 29 (`FixedDecimal` parses at most 18).
    ///
    /// Inlinable, so that each caller's `R` is specialised: called across modules (the XML writer, the ledger's
    /// row buffer) the generic form went through the runtime for every number, ~150 instructions each, and an
    /// order writes about 14 numbers. The decimals are written first, then the integer part: no test per digit
    /// for where the point goes.
    @inlinable
    public static func withDigits<R>(_ units: Int64, scale: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        // The magnitude's 20 digits at most, or `scale` decimals and a 0; a point and a sign: 32 bytes hold any
        // scale up to 29 (FixedDecimal parses at most 18, currencies have at most 4).
        precondition(scale >= 0 && scale <= 29, "a decimal scale is 0 to 29")
        var d: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &d) { buf in
            let p = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var at = buf.count
            var m = units.magnitude
            if scale > 0 {
                for _ in 0..<scale {
                    at -= 1
                    p[at] = UInt8(truncatingIfNeeded: 48 &+ m % 10)
                    m /= 10
                }
                at -= 1
                p[at] = UInt8(ascii: ".")
            }
            repeat {
                at -= 1
                p[at] = UInt8(truncatingIfNeeded: 48 &+ m % 10)
                m /= 10
            } while m > 0
            if units < 0 {
                at -= 1
                p[at] = UInt8(ascii: "-")
            }
            return body(UnsafeRawBufferPointer(start: p + at, count: buf.count - at))
        }
    }

    /// Appends the text of `units / 10^scale` to `out`.
    public static func append(_ units: Int64, scale: Int, to out: inout [UInt8]) {
        withDigits(units, scale: scale) { out.append(contentsOf: $0) }
    }
}

/// An exact amount of money in integer minor units of an ISO 4217 currency.
public struct Money: Sendable, Hashable, CustomStringConvertible {
    /// Amount in minor units (cents for EUR, yen for JPY, fils for KWD).
    public var minorUnits: Int64
    /// Number of decimals of the currency (ISO 4217 minor unit).
    public var scale: Int

    public init(minorUnits: Int64, scale: Int) {
        self.minorUnits = minorUnits
        self.scale = scale
    }

    /// Parses a decimal amount with at most `scale` decimals, exactly. Nil when not a plain decimal,
    /// negative, or more precise than the currency allows.
    public init?(parsing text: Substring, scale: Int) {
        guard let d = FixedDecimal(parsing: text) else { return nil }
        self.init(d, scale: scale)
    }

    /// The decimal in minor units of `scale` decimals; nil when it has more decimals than that.
    public init?(_ d: FixedDecimal, scale: Int) {
        guard d.scale <= scale, let u = d.rescaled(to: scale) else { return nil }
        self.minorUnits = u
        self.scale = scale
    }

    /// Decimal text with exactly the currency's decimals: `12.50`, `4980`, `1.250`.
    public var description: String { FixedDecimal.format(units: minorUnits, scale: scale) }
}
