import Foundation
import Testing
import ERPWMSCore
import ERPWMSFormats

/// Text that compresses like real CSV (a few times, not a thousand times).
private func sampleText(bytes: Int, seed: UInt64 = 42) -> [UInt8] {
    var state = seed
    var out: [UInt8] = []
    out.reserveCapacity(bytes)
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,.;\"-\n äöü€".utf8)
    while out.count < bytes {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        out.append(alphabet[Int((state >> 33) % UInt64(alphabet.count))])
    }
    return out
}

private func gunzip(_ bytes: [UInt8], limits: InputLimits = .init(), bufferSize: Int = 64 << 10) throws -> [UInt8] {
    try readAll(GzipByteSource(MemoryByteSource(bytes), limits: limits), bufferSize: bufferSize)
}

@Suite("GzipByteSource")
struct GzipTests {
    @Test("round trip through /bin/gzip", arguments: [0, 1, 1000, 300_000])
    func roundTrip(size: Int) throws {
        let original = sampleText(bytes: size)
        let compressed = try gzip(original)
        #expect(compressed.starts(with: [0x1F, 0x8B]))
        #expect(try gunzip(compressed) == original)
        // Small reads and a source that trickles give the same bytes.
        #expect(try gunzip(compressed, bufferSize: 100) == original)
        let trickled = try readAll(GzipByteSource(TrickleByteSource(compressed, chunk: 7), limits: .init()))
        #expect(trickled == original)
    }

    @Test("concatenated gzip members read as one stream")
    func concatenatedMembers() throws {
        let a = Array("order_id,sku\nSO1,A\n".utf8)
        let b = sampleText(bytes: 100_000, seed: 7)
        let c = Array("SO3,C\n".utf8)
        let joined = try gzip(a) + gzip(b) + gzip(c)
        #expect(try gunzip(joined) == a + b + c)
        #expect(try readAll(GzipByteSource(TrickleByteSource(joined, chunk: 5), limits: .init())) == a + b + c)
    }

    @Test("a gzip CSV reads as orders")
    func gzipCSV() throws {
        let csv = Fixtures.csv(rows: [Fixtures.row("SO1", line: 1), Fixtures.row("SO2", line: 1)])
        let source = try GzipByteSource(MemoryByteSource(try gzip(Array(csv.utf8))), limits: .init())
        let orders = try readOrders(CSVOrderReader(source: source, file: "orders.csv.gz"))
        #expect(orders.map(\.orderId) == ["SO1", "SO2"])
    }

    @Test("a truncated stream is an error, never a silent short read", arguments: [8, 20, 200, 5000])
    func truncated(cut: Int) throws {
        let original = sampleText(bytes: 50_000)
        let compressed = try gzip(original)
        try #require(compressed.count > cut + 20)
        let e = try #require(formatError { _ = try gunzip(Array(compressed.dropLast(cut))) })
        #expect(["gzip.truncated", "gzip.corrupt"].contains(e.rule), "got \(e.rule)")
    }

    @Test("a damaged checksum is an error")
    func badChecksum() throws {
        var compressed = try gzip(sampleText(bytes: 10_000))
        compressed[compressed.count - 6] ^= 0xFF   // inside the CRC-32 of the trailer
        let e = try #require(formatError { _ = try gunzip(compressed) })
        #expect(e.rule == "gzip.corrupt")
    }

    @Test("data that is not gzip is corrupt")
    func notGzip() throws {
        let e = try #require(formatError { _ = try gunzip(Array("order_id,sku\nSO1,A\n".utf8)) })
        #expect(e.rule == "gzip.corrupt")
    }

    @Test("a gzip bomb stops at the size limit")
    func sizeLimit() throws {
        try withTempDirectory { dir in
            try shell("head -c 52428800 /dev/zero | /bin/gzip -c -n > bomb.gz", in: dir)
            let bomb = try Fixtures.bytes(dir.appendingPathComponent("bomb.gz"))
            #expect(bomb.count < 200_000)   // 50 MB of zeros is about 50 KB compressed
            let limits = InputLimits(maxDecompressedBytes: 1 << 20, maxCompressionRatio: 1_000_000)
            let source = try GzipByteSource(MemoryByteSource(bomb), limits: limits)
            var produced = 0
            let e = try #require(formatError {
                var buffer = [UInt8](repeating: 0, count: 64 << 10)
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                    if n == 0 { break }
                    produced += n
                }
            })
            #expect(e.rule == "gzip.size-limit")
            #expect(produced <= 1 << 20)
        }
    }

    @Test("a gzip bomb stops at the ratio limit with the default size limit")
    func ratioLimit() throws {
        try withTempDirectory { dir in
            try shell("head -c 52428800 /dev/zero | /bin/gzip -c -n > bomb.gz", in: dir)
            let bomb = try Fixtures.bytes(dir.appendingPathComponent("bomb.gz"))
            let limits = InputLimits()
            #expect(limits.maxDecompressedBytes > 50 << 20)
            let start = ContinuousClock.now
            let e = try #require(formatError { _ = try gunzip(bomb, limits: limits) })
            #expect(e.rule == "gzip.ratio-limit")
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test("ordinary CSV stays under the default ratio limit")
    func ordinaryRatio() throws {
        let original = sampleText(bytes: 3 << 20)
        #expect(try gunzip(try gzip(original)) == original)
    }
}
