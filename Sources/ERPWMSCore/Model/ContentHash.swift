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
        public mutating func finalize() -> String { ContentHash.hex(inner.finalize()) }
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")
}

extension Order {
    /// SHA-256 of `canonicalForm`.
    public var contentHash: String { ContentHash.sha256(canonicalForm) }
}
