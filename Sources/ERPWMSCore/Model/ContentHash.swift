import Crypto
import Foundation

/// SHA-256 content hashes, lower-case hex. Used to recognise the same file or the same order again.
public enum ContentHash {
    public static func hex<D: ContiguousBytes>(_ digest: D) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        digest.withUnsafeBytes { buf in
            for b in buf {
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func sha256(_ text: String) -> String { hex(SHA256.hash(data: Array(text.utf8))) }

    /// Incremental hashing for streams.
    public struct Hasher {
        private var inner = SHA256()
        public init() {}
        public mutating func update(_ bytes: UnsafeRawBufferPointer) { inner.update(bufferPointer: bytes) }
        public mutating func update(_ text: String) {
            var text = text
            text.withUTF8 { inner.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        public mutating func finalize() -> String { ContentHash.hex(inner.finalize()) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

extension Order {
    /// SHA-256 of `canonicalForm`: the fields are gathered into one byte buffer and hashed in one call
    /// (many small digest updates cost more than the copy).
    public var contentHash: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        serialize { v in
            var v = v
            v.withUTF8 { bytes.append(contentsOf: $0) }
            bytes.append(0x1F)
        }
        return ContentHash.hex(SHA256.hash(data: bytes))
    }
}
