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
public final class TranscodingByteSource: ByteSource {
    private let inner: ByteSource
    private let encoding: TextEncoding
    private let cd: iconv_t
    private var input: [UInt8] = []
    private var inputStart = 0
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
        guard buffer.count >= 16 else { return 0 }
        while true {
            if inputStart == input.count || (!eof && input.count - inputStart < 16) {
                if !eof { try refill() }
            }
            if inputStart == input.count { return 0 }
            let available = input.count - inputStart
            var inLeft = available
            var outLeft = buffer.count
            let rc: Int = input.withUnsafeMutableBytes { inBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = (inBuf.baseAddress! + inputStart)
                    .assumingMemoryBound(to: CChar.self)
                var outPtr: UnsafeMutablePointer<CChar>? = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
                return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
            }
            let err = errno
            let used = available - inLeft
            inputStart += used
            consumed += Int64(used)
            let produced = buffer.count - outLeft
            if rc == -1 {
                switch err {
                case E2BIG:
                    return produced
                case EINVAL:
                    // Incomplete sequence at the end of what we have.
                    if eof {
                        throw FormatError(rule: "encoding.invalid",
                                          message: "incomplete \(encoding.rawValue) sequence at byte offset \(consumed)")
                    }
                    if produced > 0 { return produced }
                    try refill()
                    continue
                default:
                    throw FormatError(rule: "encoding.invalid",
                                      message: "byte offset \(consumed) is not valid \(encoding.rawValue)")
                }
            }
            if produced > 0 { return produced }
        }
    }

    private func refill() throws {
        if inputStart > 0 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
        let old = input.count
        input.append(contentsOf: repeatElement(0, count: 64 << 10))
        let n = try input.withUnsafeMutableBytes { buf in
            try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buf[old...]))
        }
        input.removeLast((64 << 10) - n)
        if n == 0 { eof = true }
    }
}
