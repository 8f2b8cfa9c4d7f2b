import ERPWMSCore

/// A push stream of bytes. Encoders write through this; they never open files themselves.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Collects bytes in memory (tests, small outputs).
public final class MemoryByteSink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// A byte buffer that text is appended to and that drains into a sink in large chunks. Its own memory rather
/// than an `[UInt8]`: every `Array.append(contentsOf:)` went through a generic copy of about 80 instructions,
/// a few per cent of a whole run with hundreds of thousands of small appends.
final class OutputBuffer {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0
    /// Where `drain` writes; nil for a buffer whose bytes are only ever taken out (`takeBytes`).
    let sink: ByteSink?

    init(sink: ByteSink?, capacity: Int = 128 << 10) {
        self.sink = sink
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `n` more bytes (one order can be larger than the initial capacity).
    @inline(__always)
    private func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    private func grow(to needed: Int) {
        // Through locals: an inout access to the class's own properties made the compiler check exclusivity at
        // run time on every access to them (+4 % of all instructions).
        var newBase = base, newCapacity = capacity
        newBase.grow(count: count, capacity: &newCapacity, toHold: needed)
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        SmallCopy.copy(to: base + count, from: src, count: bytes.count)
        count += bytes.count
    }

    /// A signed integer's decimal digits.
    func append(signed value: Int64) { append(decimal: value, scale: 0) }

    /// `units / 10^scale` with exactly `scale` decimals (`1250, 2` -> `12.50`).
    func append(decimal units: Int64, scale: Int) { DecimalText.withDigits(units, scale: scale) { append($0) } }

    @inline(__always)
    func append(_ s: String) {
        s.withUTF8Bytes { append(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    /// Appends a literal without creating a String.
    @inline(__always)
    func append(_ s: StaticString) {
        s.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends a non-negative integer's decimal digits without creating a String.
    func append(int value: Int) { append(decimal: Int64(value), scale: 0) }

    /// Appends `s` escaped for XML text (`attribute`: also `"`). CR and tab are written as character
    /// references so that they survive XML line-end and attribute normalisation.
    func appendEscaped(_ s: String, attribute: Bool = false) {
        s.withUTF8Bytes { appendEscaped($0, attribute: attribute) }
    }

    /// `appendEscaped` for UTF-8 bytes.
    func appendEscaped(_ buf: UnsafeBufferPointer<UInt8>, attribute: Bool = false) {
        // The bytes that need an escape are all below 0x40: one compare rules out letters and most UTF-8, and
        // a bit mask answers for the rest (instead of a switch per byte).
        let special: UInt64 = attribute ? Self.attributeSpecial : Self.textSpecial
        // Runs of bytes that need no escape (nearly all text) are copied at once.
        var start = 0
        var i = 0
        while i < buf.count {
            let b = buf[i]
            if b < 0x40 && (special >> UInt64(b)) & 1 != 0 {
                if i > start { append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[start..<i])) }
                append(Self.escape(b))
                start = i + 1
            }
            i += 1
        }
        if buf.count > start { append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[start..<buf.count])) }
    }

    private static let textSpecial: UInt64 = 1 << 0x26 | 1 << 0x3C | 1 << 0x3E | 1 << 0x0D
    private static let attributeSpecial: UInt64 = textSpecial | 1 << 0x22 | 1 << 0x0A | 1 << 0x09

    private static func escape(_ b: UInt8) -> StaticString {
        switch b {
        case UInt8(ascii: "&"): return "&amp;"
        case UInt8(ascii: "<"): return "&lt;"
        case UInt8(ascii: ">"): return "&gt;"
        case UInt8(ascii: "\""): return "&quot;"
        case 0x0D: return "&#13;"
        case 0x0A: return "&#10;"
        case 0x09: return "&#9;"
        default: preconditionFailure("byte \(b) is in an escape mask without an escape")
        }
    }

    /// ` name="value"`, escaped; nothing when `value` is empty (optional attributes are omitted).
    func attribute(_ name: StaticString, _ value: String) {
        value.withUTF8Bytes { attribute(name, $0) }
    }

    func attribute(_ name: StaticString, _ value: UnsafeBufferPointer<UInt8>, escape: Bool = true) {
        guard !value.isEmpty else { return }
        append(" " as StaticString)
        append(name)
        append("=\"" as StaticString)
        appendValue(value, escape: escape)
        append("\"" as StaticString)
    }

    /// An attribute's value, escaped unless the caller knows it holds nothing to escape.
    @inline(__always)
    func appendValue(_ value: UnsafeBufferPointer<UInt8>, escape: Bool) {
        if escape { appendEscaped(value, attribute: true) } else { append(UnsafeRawBufferPointer(value)) }
    }

    /// `<Name>value</Name>`, escaped; nothing when `value` is empty (optional elements are omitted).
    func element(_ open: StaticString, _ close: StaticString, _ value: String) {
        value.withUTF8Bytes { element(open, close, $0) }
    }

    func element(_ open: StaticString, _ close: StaticString, _ value: UnsafeBufferPointer<UInt8>) {
        element(open, close, value, escape: true)
    }

    /// `element`, the value copied as it is when the caller knows it holds nothing to escape (`escape: false`).
    @inline(__always)
    func element(_ open: StaticString, _ close: StaticString, _ value: UnsafeBufferPointer<UInt8>, escape: Bool) {
        guard let v = value.baseAddress, !value.isEmpty else { return }
        if escape {
            append(open)
            appendEscaped(value)
            append(close)
            return
        }
        // Room for all three at once, and one update of the count: three appends each checked the room and
        // stored the count (the tags' lengths are constants here, so each copy is a load and a store or two).
        open.withUTF8Buffer { o in
            close.withUTF8Buffer { c in
                let n = value.count, total = o.count + n + c.count
                reserve(total)
                let p = base + count
                SmallCopy.copy(to: p, from: o.baseAddress!, count: o.count)
                SmallCopy.copy(to: p + o.count, from: v, count: n)
                SmallCopy.copy(to: p + o.count + n, from: c.baseAddress!, count: c.count)
                count += total
            }
        }
    }

    func drainIfLarge() throws {
        if count >= 64 << 10 { try drain() }
    }

    /// The bytes appended so far, taken out (the buffer is empty after).
    func takeBytes() -> [UInt8] {
        defer { count = 0 }
        return Array(UnsafeBufferPointer(start: base, count: count))
    }

    func drain() throws {
        guard count > 0 else { return }
        guard let sink else { preconditionFailure("a buffer without a sink is emptied with takeBytes") }
        try sink.write(UnsafeRawBufferPointer(start: base, count: count))
        count = 0
    }
}
