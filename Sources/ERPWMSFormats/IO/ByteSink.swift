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

/// A byte buffer that text is appended to and that drains into a sink in large chunks.
struct OutputBuffer {
    private(set) var bytes: [UInt8] = []
    let sink: ByteSink

    init(sink: ByteSink) {
        self.sink = sink
        bytes.reserveCapacity(128 << 10)
    }

    /// A signed integer's decimal digits.
    mutating func append(signed value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        append(int: Int(value.magnitude))
    }

    /// `units / 10^scale` with exactly `scale` decimals (`1250, 2` -> `12.50`).
    mutating func append(decimal units: Int64, scale: Int) { DecimalText.append(units, scale: scale, to: &bytes) }

    @inline(__always)
    mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func append(_ b: UInt8) { bytes.append(b) }

    /// Appends a literal without creating a String.
    @inline(__always)
    mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends a non-negative integer's decimal digits without creating a String.
    mutating func append(int value: Int) {
        if value < 10 {
            bytes.append(UInt8(48 + value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while n > 0 {
                buf[count] = UInt8(48 + n % 10)
                n /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buf[i]) }
        }
    }

    /// Appends `s` escaped for XML text (`attribute`: also `"`). CR and tab are written as character
    /// references so that they survive XML line-end and attribute normalisation.
    mutating func appendEscaped(_ s: String, attribute: Bool = false) {
        var s = s
        s.withUTF8 { buf in
            // Runs of bytes that need no escape (nearly all text) are copied at once.
            var start = 0
            var i = 0
            while i < buf.count {
                let b = buf[i]
                let escape: StaticString?
                switch b {
                case UInt8(ascii: "&"): escape = "&amp;"
                case UInt8(ascii: "<"): escape = "&lt;"
                case UInt8(ascii: ">"): escape = "&gt;"
                case UInt8(ascii: "\"") where attribute: escape = "&quot;"
                case 0x0D: escape = "&#13;"
                case 0x0A where attribute: escape = "&#10;"
                case 0x09 where attribute: escape = "&#9;"
                default: escape = nil
                }
                if let escape {
                    if i > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<i])) }
                    append(escape)
                    start = i + 1
                }
                i += 1
            }
            if buf.count > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<buf.count])) }
        }
    }

    /// ` name="value"`, escaped; nothing when `value` is empty (optional attributes are omitted).
    mutating func attribute(_ name: StaticString, _ value: String) {
        guard !value.isEmpty else { return }
        append(" " as StaticString)
        append(name)
        append("=\"" as StaticString)
        appendEscaped(value, attribute: true)
        append("\"" as StaticString)
    }

    /// `<Name>value</Name>`, escaped; nothing when `value` is empty (optional elements are omitted).
    mutating func element(_ open: StaticString, _ close: StaticString, _ value: String) {
        guard !value.isEmpty else { return }
        append(open)
        appendEscaped(value)
        append(close)
    }

    mutating func drainIfLarge() throws {
        if bytes.count >= 64 << 10 { try drain() }
    }

    mutating func drain() throws {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes { try sink.write($0) }
        bytes.removeAll(keepingCapacity: true)
    }
}
