import Crypto
import Foundation

/// SHA-256 content hashes, lower-case hex. Used to recognise the same file or the same order again.
public enum ContentHash {
    public static func hex<D: ContiguousBytes>(_ digest: D) -> String {
        digest.withUnsafeBytes { buf in
            String(unsafeUninitializedCapacity: buf.count * 2) { out in
                for (i, b) in buf.enumerated() {
                    out[2 * i] = hexDigit(b >> 4)
                    out[2 * i + 1] = hexDigit(b & 0x0F)
                }
                return buf.count * 2
            }
        }
    }

    public static func sha256(_ text: String) -> String { hex(SHA256.hash(data: Array(text.utf8))) }

    /// Incremental hashing for streams.
    public struct Hasher {
        private var inner = SHA256()
        public init() {}
        public mutating func update(_ bytes: UnsafeRawBufferPointer) { inner.update(bufferPointer: bytes) }
        public mutating func update(_ text: String) {
            text.withUTF8Bytes { inner.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        public mutating func finalize() -> String { ContentHash.hex(inner.finalize()) }
        public mutating func finalizeDigest() -> SHA256.Digest { inner.finalize() }
    }

    @inline(__always)
    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }  // 0-9, a-f
}

extension Order {
    /// SHA-256 of `canonicalForm`, the digest itself: 32 bytes held inline, which the ledger stores as they are (the
    /// hex String it was before cost an allocation, its 64 digits and their decoding for every order). The fields
    /// are gathered in a buffer on the stack and hashed a buffer at a time (many small digest updates cost more
    /// than the copy), without an intermediate array or String.
    public var contentDigest: SHA256.Digest {
        withUnsafeTemporaryAllocation(byteCount: HashingSink.capacity, alignment: 8) { buffer in
            var sink = HashingSink(buffer: buffer)
            serialize(into: &sink)
            return sink.finalize()
        }
    }

    /// `contentDigest` in lower-case hex.
    public var contentHash: String { ContentHash.hex(contentDigest) }
}

/// Feeds an order's canonical form to SHA-256 through a fixed buffer.
private struct HashingSink: CanonicalSink {
    /// `withUnsafeTemporaryAllocation` stays on the stack up to 1 KiB (above, it may allocate); a typical order's
    /// form is 400-600 bytes, so one update.
    static let capacity = 1024
    private var hasher = ContentHash.Hasher()
    private let buffer: UnsafeMutableRawBufferPointer
    private var count = 0

    init(buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    mutating func text(_ s: String) {
        s.withUTF8Bytes { put(UnsafeRawBufferPointer($0)) }
    }

    mutating func decimal(_ units: Int64, scale: Int) {
        DecimalText.withDigits(units, scale: scale) { put($0) }
    }

    /// The field's bytes and the unit separator.
    private mutating func put(_ bytes: UnsafeRawBufferPointer) {
        if count + bytes.count + 1 > buffer.count {
            flush()
            if bytes.count + 1 > buffer.count {
                hasher.update(bytes)
                append(0x1F)
                return
            }
        }
        if let src = bytes.baseAddress, bytes.count > 0 {
            SmallCopy.copy(to: buffer.baseAddress!.advanced(by: count), from: src, count: bytes.count)
            count += bytes.count
        }
        append(0x1F)
    }

    private mutating func append(_ byte: UInt8) {
        buffer[count] = byte
        count += 1
    }

    private mutating func flush() {
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        count = 0
    }

    mutating func finalize() -> SHA256.Digest {
        flush()
        return hasher.finalizeDigest()
    }
}
