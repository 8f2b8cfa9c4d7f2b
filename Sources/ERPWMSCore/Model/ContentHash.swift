import Crypto

/// SHA-256 content hashes, lower-case hex. Used to recognise the same file or the same order again.
public enum ContentHash {
    public static func hex<D: Digest>(_ digest: D) -> String {
        var s = ""
        s.reserveCapacity(64)
        for b in digest {
            s.append(Self.hexDigits[Int(b >> 4)])
            s.append(Self.hexDigits[Int(b & 0x0F)])
        }
        return s
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

    private static let hexDigits: [Character] = Array("0123456789abcdef")
}

extension Order {
    /// SHA-256 of `canonicalForm`, computed without building the string.
    public var contentHash: String {
        var h = ContentHash.Hasher()
        serialize { v in
            h.update(v)
            h.update("\u{1F}")
        }
        return h.finalize()
    }
}
