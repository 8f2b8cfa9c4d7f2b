import Crypto
import ERPWMSFormats
import Foundation
import Testing

@Suite("Archive encryption")
struct ArchiveCipherTests {
    let key = SymmetricKey(size: .bits256)

    func encrypt(_ bytes: [UInt8]) throws -> [UInt8] {
        let sink = MemoryByteSink()
        try ArchiveCipher.encrypt(MemoryByteSource(bytes), to: sink, key: key)
        return sink.bytes
    }

    func decrypt(_ bytes: [UInt8], key: SymmetricKey? = nil) throws -> [UInt8] {
        let sink = MemoryByteSink()
        try ArchiveCipher.decrypt(MemoryByteSource(bytes), to: sink, key: key ?? self.key)
        return sink.bytes
    }

    @Test("round trip for empty, small, exactly one chunk and multi-chunk inputs", arguments: [0, 5, 65_536, 200_001])
    func roundTrip(size: Int) throws {
        let plain = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let sealed = try encrypt(plain)
        #expect(Array(sealed.prefix(16)) == ArchiveCipher.magic)
        #expect(try decrypt(sealed) == plain)
        #expect(try encrypt(plain) != sealed, "a fresh nonce every time")
    }

    @Test("tampering, truncation, reordering, extra bytes and a wrong key are all detected")
    func tamper() throws {
        let plain = [UInt8](repeating: 7, count: 150_000)
        let sealed = try encrypt(plain)
        var flipped = sealed
        flipped[40] ^= 1
        #expect(throws: ArchiveCipher.Failure.self) { try decrypt(flipped) }
        #expect(throws: ArchiveCipher.Failure.self) { try decrypt(Array(sealed.prefix(sealed.count - 10))) }
        // Drop the final chunk: everything before it still authenticates, but the end is missing.
        let recordSize = 4 + 65_536 + 16
        #expect(throws: ArchiveCipher.Failure.self) { try decrypt(Array(sealed.prefix(28 + 2 * recordSize))) }
        // Swap the first two chunks.
        var swapped = Array(sealed.prefix(28))
        swapped += sealed[(28 + recordSize)..<(28 + 2 * recordSize)]
        swapped += sealed[28..<(28 + recordSize)]
        swapped += sealed[(28 + 2 * recordSize)...]
        #expect(throws: ArchiveCipher.Failure.self) { try decrypt(swapped) }
        #expect(throws: ArchiveCipher.Failure.self) { try decrypt(sealed + [0]) }
        #expect(throws: ArchiveCipher.Failure.self) { try decrypt(sealed, key: SymmetricKey(size: .bits256)) }
        #expect(throws: ArchiveCipher.Failure.self) { try decrypt(Array("plain text".utf8)) }
    }

    @Test("keys are 32 bytes, raw or base64")
    func keys() throws {
        _ = try ArchiveCipher.key(from: [UInt8](repeating: 1, count: 32))
        _ = try ArchiveCipher.key(from: Array((Data(repeating: 2, count: 32).base64EncodedString() + "\n").utf8))
        #expect(throws: ArchiveCipher.Failure.self) { _ = try ArchiveCipher.key(from: Array("short".utf8)) }
    }
}
