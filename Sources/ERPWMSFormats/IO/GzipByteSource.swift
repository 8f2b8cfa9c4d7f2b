internal import CZlib

/// Decompresses a gzip stream through zlib as it is read, with a size and a ratio limit so that a gzip
/// bomb is refused after at most `maxDecompressedBytes` of work. Concatenated gzip members are read on.
public final class GzipByteSource: ByteSource {
    private let inner: ByteSource
    private let limits: InputLimits
    private var stream = z_stream()
    private var input: UnsafeMutableRawBufferPointer
    private var finished = false
    private var inputExhausted = false
    private var totalIn: Int64 = 0
    private var totalOut: Int64 = 0

    public init(_ inner: ByteSource, limits: InputLimits) throws {
        self.inner = inner
        self.limits = limits
        self.input = .allocate(byteCount: 64 << 10, alignment: 8)
        let rc = erpwms_inflate_init_gzip(&stream)
        guard rc == Z_OK else {
            input.deallocate()
            throw FormatError(rule: "gzip.init", message: "zlib inflateInit2 failed (\(rc))")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        while true {
            if stream.avail_in == 0 && !inputExhausted {
                let n = try inner.read(into: input)
                if n == 0 {
                    inputExhausted = true
                } else {
                    totalIn += Int64(n)
                    stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = uInt(n)
                }
            }
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(buffer.count)
            let rc = inflate(&stream, Z_NO_FLUSH)
            let produced = buffer.count - Int(stream.avail_out)
            totalOut += Int64(produced)
            if totalOut > limits.maxDecompressedBytes {
                throw FormatError(rule: "gzip.size-limit",
                                  message: "decompressed size exceeds \(limits.maxDecompressedBytes) bytes")
            }
            if totalOut > 1 << 20 && totalOut > totalIn * limits.maxCompressionRatio {
                throw FormatError(rule: "gzip.ratio-limit",
                                  message: "compression ratio exceeds \(limits.maxCompressionRatio):1 (gzip bomb?)")
            }
            switch rc {
            case Z_STREAM_END:
                // Another gzip member may follow (`cat a.gz b.gz`).
                if stream.avail_in > 0 || !inputExhausted {
                    if stream.avail_in == 0 {
                        let n = try inner.read(into: input)
                        if n == 0 {
                            finished = true
                            return produced
                        }
                        totalIn += Int64(n)
                        stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        stream.avail_in = uInt(n)
                    }
                    inflateReset(&stream)
                } else {
                    finished = true
                }
                if produced > 0 || finished { return produced }
            case Z_OK:
                if produced > 0 { return produced }
            case Z_BUF_ERROR:
                if produced > 0 { return produced }
                if inputExhausted {
                    throw FormatError(rule: "gzip.truncated", message: "gzip stream ends before its end marker")
                }
            default:
                let msg = stream.msg.map { String(cString: $0) } ?? "code \(rc)"
                throw FormatError(rule: "gzip.corrupt", message: "gzip data is corrupt: \(msg)")
            }
        }
    }
}
