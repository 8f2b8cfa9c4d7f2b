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
    /// hex String it was before cost an allocation, its 64 digits and their decoding for every order). The order
    /// holds its canonical form as it is (`Order.text`): one update, nothing gathered.
    public var contentDigest: SHA256.Digest {
        withCanonicalForm {
            var h = SHA256()
            h.update(bufferPointer: UnsafeRawBufferPointer($0))
            return h.finalize()
        }
    }

    /// `contentDigest` in lower-case hex.
    public var contentHash: String { ContentHash.hex(contentDigest) }
}
