#if canImport(Glibc)
import Glibc
#endif

/// Text encodings a channel can declare. Everything is turned into UTF-8 before parsing.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16 = "utf-16"
    case utf16le = "utf-16le"
    case utf16be = "utf-16be"
    case windows1252 = "windows-1252"
    case gb18030 = "gb18030"
    case latin1 = "iso-8859-1"

    /// The name glibc's iconv knows.
    var iconvName: String {
        switch self {
        case .utf8: return "UTF-8"
        case .utf16: return "UTF-16"
        case .utf16le: return "UTF-16LE"
        case .utf16be: return "UTF-16BE"
        case .windows1252: return "CP1252"
        case .gb18030: return "GB18030"
        case .latin1: return "ISO-8859-1"
        }
    }
}

/// Converts a stream in another encoding to UTF-8 through glibc's iconv, chunk by chunk (an incomplete
/// multi-byte sequence at a chunk end is carried over). Invalid input stops with its byte offset.
/// Converted bytes go through an internal buffer, so callers may read with buffers of any size.
public final class TranscodingByteSource: ByteSource {
    private let inner: ByteSource
    private let encoding: TextEncoding
    private let cd: iconv_t
    private static let capacity = 64 << 10
    /// Undecoded input: `input[inStart..<inEnd]`.
    private var input = [UInt8](repeating: 0, count: TranscodingByteSource.capacity)
    private var inStart = 0
    private var inEnd = 0
    /// Decoded output not yet handed out: `output[outStart..<outEnd]`.
    private var output = [UInt8](repeating: 0, count: TranscodingByteSource.capacity * 4)
    private var outStart = 0
    private var outEnd = 0
    private var eof = false
    private var consumed: Int64 = 0

    public init(_ inner: ByteSource, from encoding: TextEncoding) throws {
        self.inner = inner
        self.encoding = encoding
        let cd = iconv_open("UTF-8", encoding.iconvName)
        guard let cd, cd != iconv_t(bitPattern: -1) else {
            throw FormatError(rule: "encoding.unsupported", message: "iconv cannot convert from \(encoding.rawValue)")
        }
        self.cd = cd
    }

    deinit { iconv_close(cd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while outStart == outEnd {
            guard try convert() else { return 0 }
        }
        let n = min(buffer.count, outEnd - outStart)
        output.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + outStart, byteCount: n)
        }
        outStart += n
        return n
    }

    /// Refills `output` from the input. Returns false at the end of the stream.
    private func convert() throws -> Bool {
        outStart = 0
        outEnd = 0
        while true {
            if inStart == inEnd || !eof {
                try refill()
            }
            if inStart == inEnd { return false }
            var inLeft = inEnd - inStart
            var outLeft = output.count
            let before = inLeft
            let rc: Int = input.withUnsafeMutableBytes { inBuf in
                output.withUnsafeMutableBytes { outBuf in
                    var inPtr: UnsafeMutablePointer<CChar>? = (inBuf.baseAddress! + inStart).assumingMemoryBound(to: CChar.self)
                    var outPtr: UnsafeMutablePointer<CChar>? = outBuf.baseAddress!.assumingMemoryBound(to: CChar.self)
                    return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                }
            }
            let err = errno
            inStart += before - inLeft
            consumed += Int64(before - inLeft)
            outEnd = output.count - outLeft
            if rc == -1 {
                switch err {
                case E2BIG:
                    return true
                case EINVAL:
                    // An incomplete sequence at the end of what we have: read on, unless there is no more.
                    if eof {
                        throw FormatError(rule: "encoding.invalid",
                                          message: "incomplete \(encoding.rawValue) sequence at byte offset \(consumed)")
                    }
                    if outEnd > 0 { return true }
                    continue
                default:
                    throw FormatError(rule: "encoding.invalid",
                                      message: "byte offset \(consumed) is not valid \(encoding.rawValue)")
                }
            }
            if outEnd > 0 { return true }
        }
    }

    /// Moves the unconsumed input to the front and reads more behind it.
    private func refill() throws {
        if eof { return }
        if inStart > 0 {
            let remaining = inEnd - inStart
            if remaining > 0 {
                input.withUnsafeMutableBytes { buf in
                    buf.baseAddress!.copyMemory(from: buf.baseAddress! + inStart, byteCount: remaining)
                }
            }
            inStart = 0
            inEnd = remaining
        }
        guard inEnd < input.count else { return }
        let n = try input.withUnsafeMutableBytes { buf in
            try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buf[inEnd...]))
        }
        if n == 0 { eof = true }
        inEnd += n
    }
}
