import Crypto
import Foundation

/// Encryption at rest for archived inputs: AES-256-GCM in 64 KiB chunks, so a file of any size streams
/// through in constant memory, and every chunk is authenticated.
///
/// Layout: the 16-byte magic `ERPWMS-AESGCM-1\n`, a 12-byte random base nonce, then records of
/// `[4-byte big-endian plaintext length][ciphertext][16-byte tag]`. Chunk `i` uses the base nonce with its
/// last 8 bytes XOR `i`, and authenticates `i` and a final-chunk flag as associated data: reordered,
/// dropped, truncated or altered chunks all fail to decrypt.
public enum ArchiveCipher {
    public static let magic = Array("ERPWMS-AESGCM-1\n".utf8)
    static let chunkSize = 64 << 10

    public enum Failure: Error, CustomStringConvertible {
        case notEncrypted
        case tampered(chunk: Int)
        case truncated
        case badKey(String)

        public var description: String {
            switch self {
            case .notEncrypted: return "not an erpwms encrypted file"
            case .tampered(let i): return "chunk \(i) fails authentication: the file was altered or the key is wrong"
            case .truncated: return "the file ends before its last chunk: it was truncated"
            case .badKey(let why): return "archive key: \(why)"
            }
        }
    }

    /// A key from 32 raw bytes or their base64 text (what `erpwms` reads from the key file or variable).
    public static func key(from data: [UInt8]) throws -> SymmetricKey {
        if data.count == 32 { return SymmetricKey(data: data) }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let decoded = Data(base64Encoded: text), decoded.count == 32 else {
            throw Failure.badKey("must be 32 bytes, raw or base64 (openssl rand -base64 32)")
        }
        return SymmetricKey(data: decoded)
    }

    static func nonce(_ base: [UInt8], _ index: UInt64) throws -> AES.GCM.Nonce {
        var n = base
        for i in 0..<8 { n[4 + i] ^= UInt8(truncatingIfNeeded: index >> (56 - 8 * UInt64(i))) }
        return try AES.GCM.Nonce(data: n)
    }

    static func aad(_ index: UInt64, final: Bool) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: index >> (56 - 8 * UInt64($0))) } + [final ? 1 : 0]
    }

    /// Reads `source` to the end, writing its encryption to `sink`.
    public static func encrypt(_ source: ByteSource, to sink: ByteSink, key: SymmetricKey) throws {
        var base = [UInt8](repeating: 0, count: 12)
        var rng = SystemRandomNumberGenerator()
        for i in base.indices { base[i] = UInt8.random(in: 0...255, using: &rng) }
        try (magic + base).withUnsafeBytes { try sink.write($0) }
        var current = try readChunk(source)
        var index: UInt64 = 0
        while true {
            let next = current.count == chunkSize ? try readChunk(source) : []
            let final = next.isEmpty
            let box = try AES.GCM.seal(current, using: key, nonce: try nonce(base, index), authenticating: aad(index, final: final))
            let n = UInt32(current.count)
            var record: [UInt8] = [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
            record += box.ciphertext
            record += box.tag
            try record.withUnsafeBytes { try sink.write($0) }
            if final { break }
            current = next
            index += 1
        }
    }

    /// Reads an encrypted stream, writing the plaintext to `sink`; throws on any alteration or truncation.
    public static func decrypt(_ source: ByteSource, to sink: ByteSink, key: SymmetricKey) throws {
        let head = try readExactly(source, magic.count + 12)
        guard head.count == magic.count + 12, Array(head.prefix(magic.count)) == magic else { throw Failure.notEncrypted }
        let base = Array(head.suffix(12))
        var index: UInt64 = 0
        while true {
            let lengthBytes = try readExactly(source, 4)
            guard lengthBytes.count == 4 else { throw Failure.truncated }
            let n = Int(lengthBytes[0]) << 24 | Int(lengthBytes[1]) << 16 | Int(lengthBytes[2]) << 8 | Int(lengthBytes[3])
            guard n <= chunkSize else { throw Failure.tampered(chunk: Int(index)) }
            let body = try readExactly(source, n + 16)
            guard body.count == n + 16 else { throw Failure.truncated }
            let box = try AES.GCM.SealedBox(nonce: try nonce(base, index), ciphertext: body.prefix(n), tag: body.suffix(16))
            // The final flag is not stored: try "not final" first, then "final".
            var plain: Data
            var final = false
            if let p = try? AES.GCM.open(box, using: key, authenticating: aad(index, final: false)) {
                plain = p
            } else if let p = try? AES.GCM.open(box, using: key, authenticating: aad(index, final: true)) {
                plain = p
                final = true
            } else {
                throw Failure.tampered(chunk: Int(index))
            }
            try plain.withUnsafeBytes { try sink.write($0) }
            if final {
                guard try readExactly(source, 1).isEmpty else { throw Failure.tampered(chunk: Int(index) + 1) }
                return
            }
            index += 1
        }
    }

    /// True when the stream starts with the magic (an encrypted archive file).
    public static func isEncrypted(_ source: ByteSource) throws -> Bool {
        try readExactly(source, magic.count) == magic
    }

    static func readChunk(_ source: ByteSource) throws -> [UInt8] { try readExactly(source, chunkSize) }

    static func readExactly(_ source: ByteSource, _ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try out.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if n == 0 { break }
            filled += n
        }
        out.removeLast(count - filled)
        return out
    }
}
