import ERPWMSCore
import Foundation
import Testing
@testable import ERPWMSEngine

/// Failure paths found in review: errors after the commit, orders split inside a file, replacements that
/// would move warehouse, and reprocess interrupted half-way.
@Suite("Robustness")
struct RobustnessTests {
    @Test("an I/O error after the commit loses nothing: the next run publishes what was committed")
    func errorAfterCommit() throws {
        let t = try TestWorkspace()
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2", ["ship_country": "US"])]))
        // Block the US file's final name with a folder: its rename fails after the commit.
        let wms = t.workspace.path("outbox/wms")
        let content = CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2", ["ship_country": "US"])])
        let (hash, _) = try BatchRunner.hashFile(try {
            let p = Scratch.path("h-")
            try content.write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }())
        let blocked = wms + "/shipment-orders_WH-US-NJ1_\(hash.prefix(16)).xml"
        try FileManager.default.createDirectory(atPath: blocked + "/x", withIntermediateDirectories: true)
        #expect(throws: (any Error).self) { _ = try t.run() }
        try FileManager.default.removeItem(atPath: blocked)
        let s = try t.run()
        #expect(s.filesArchived == 1)
        let xml = t.outboxXML
        #expect(xml.contains("orderId=\"SO1\""))
        #expect(xml.contains("orderId=\"SO2\""), "the committed US instruction is published, not lost")
    }

    @Test("a file sink starts writeback in steps as it goes, covers every byte by the end, and writes them all in order")
    func fileSinkWriteback() throws {
        let dir = try Scratch.directory("sink-")
        #if os(Linux)
        #expect(FileSink.hasSyncFileRange)  // glibc has it (elsewhere writeback is left to the fsync)
        #endif
        let step: Int64 = 256 << 10
        let sink = try FileSink(path: dir + "/out", writebackEvery: step)
        var expected: [UInt8] = []
        var generator = SeededGenerator(seed: 7)
        var started: [Int64] = []
        // Small writes (buffered) and 64 KiB+ writes (straight to the kernel).
        while expected.count < Int(step) * 8 + 12345 {
            let n = [17, 4096, 70_000, 300_000][Int.random(in: 0..<4, using: &generator)]
            let seed = Int.random(in: 0..<251, using: &generator)
            let chunk = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
            try sink.write(chunk)
            expected += chunk
            // Never ahead of what was written, never more than a step behind what the kernel has (and the sink's
            // buffer, under 256 KiB, holds the rest).
            #expect(sink.writebackStarted <= sink.bytesWritten)
            #expect(sink.bytesWritten - sink.writebackStarted < step + (256 << 10))
            if sink.writebackStarted != started.last { started.append(sink.writebackStarted) }
        }
        #expect(started.count >= 4, "writeback started in steps: \(started)")
        try sink.flush()
        sink.startWriteback()
        #expect(sink.writebackStarted == sink.bytesWritten)
        try sink.close(sync: true)
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/out")))
        #expect(written.count == expected.count)
        #expect(written == expected)

        // Off by default: a file that is read back soon is left to the kernel.
        let plain = try FileSink(path: dir + "/plain")
        try plain.write([UInt8](repeating: 1, count: 1 << 20))
        try plain.flush()
        #expect(plain.writebackStarted == 0)
        try plain.close(sync: false)
    }

    @Test("an atomic file appears at its place whole at the commit, or not at all when discarded; a discard after the commit keeps it")
    func atomicFile() throws {
        let dir = try Scratch.directory("erpwms-atomic-")
        let kept = try AtomicFile(temp: dir + "/.a.tmp")
        try kept.sink.write(Array("first".utf8))
        #expect(!FileManager.default.fileExists(atPath: dir + "/a"), "not there before the commit")
        try kept.commit(to: dir + "/a")
        kept.discard()
        #expect(FileManager.default.contents(atPath: dir + "/a") == Data("first".utf8))
        let dropped = try AtomicFile(temp: dir + "/.b.tmp")
        try dropped.sink.write(Array("second".utf8))
        dropped.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a"], "the temporary file is gone, nothing else came")
    }

    @Test("the background writeback runs its action every period until stopped, and never after")
    func backgroundWriteback() throws {
        final class Count: @unchecked Sendable {
            let lock = NSLock()
            var n = 0
            func add() { lock.lock(); n += 1; lock.unlock() }
            var value: Int { lock.lock(); defer { lock.unlock() }; return n }
        }
        let count = Count()
        let writeback = BackgroundWriteback(period: 0.01) { count.add() }
        // Waits up to 5 s for three runs (a busy machine may be slow to schedule the thread).
        let deadline = Date().addingTimeInterval(5)
        while count.value < 3 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(count.value >= 3)
        writeback.stop()
        let atStop = count.value
        Thread.sleep(forTimeInterval: 0.05)
        #expect(count.value == atStop, "no run after stop()")
        writeback.stop()  // a second stop returns at once

        // The ledger's use of it: by path, for a file another library writes.
        let dir = try Scratch.directory("wb-")
        try Data(repeating: 7, count: 1 << 20).write(to: URL(fileURLWithPath: dir + "/f"))
        #if os(Linux)
        #expect(FileSink.startWriteback(path: dir + "/f"))
        #endif
        #expect(!FileSink.startWriteback(path: dir + "/missing"))
    }

    @Test("an order whose rows are not contiguous fails the file; nothing from it is sent")
    func splitOrder() throws {
        let t = try TestWorkspace()
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("X1"), CSVFixture.row("Y1"), CSVFixture.row("X1", line: 2)]))
        let s = try t.run()
        #expect(s.filesFailed == 1)
        #expect(t.files("outbox/wms").isEmpty)
        #expect(t.read("failed/a.csv.error.json").contains("order.rows.contiguous"))
        // An identical repeat in one file is only a counted duplicate.
        try t.drop("b.csv", CSVFixture.file([CSVFixture.row("X1"), CSVFixture.row("Y1"), CSVFixture.row("X1")]))
        let s2 = try t.run()
        #expect(s2.ordersAccepted == 2)
        #expect(s2.ordersDuplicate == 1)
    }

    @Test("a replacement that would move the order to another warehouse is rejected")
    func replacementMovesWarehouse() throws {
        let t = try TestWorkspace()
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("X1")]))
        _ = try t.run()
        try t.drop("b.csv", CSVFixture.file([CSVFixture.row("X1", ["ship_country": "US"])]))
        let s = try t.run()
        #expect(s.ordersRejected == 1)
        #expect(t.read("failed/b.csv.rejects.csv").contains("X1,,order.warehouse.changed,warehouse"))
        #expect(!t.outboxXML.contains("action=\"replace\""))
    }

    @Test("a reprocess interrupted after recording its claim is finished by the next run")
    func reprocessInterrupted() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          orders: { pickup: { min_age_seconds: 0 }, error_policy: reject-file }
        routing: { default_warehouse: WH1 }
        """)
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2", ["quantity": "0"])]))
        _ = try t.run()
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        let failed = try #require(try ledger.file(named: "a.csv"))
        #expect(failed.status == .failed)
        // A corrected file was copied next to work/ and the claim recorded; then the process died.
        let fixed = CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2")])
        try FileManager.default.createDirectory(atPath: t.workspace.path("work/orders"), withIntermediateDirectories: true)
        try fixed.write(toFile: t.workspace.path("work/orders/.a.csv.part"), atomically: true, encoding: .utf8)
        let (hash, size) = try BatchRunner.hashFile(t.workspace.path("work/orders/.a.csv.part"))
        try ledger.reclaim(fileId: failed.id, path: "work/orders/a.csv", hash: hash, size: size, origin: "failed/a.csv")
        let s = try t.run()
        #expect(s.ordersAccepted == 2)
        #expect(try ledger.file(id: failed.id)?.status == .archived)
        #expect(t.tree("work").isEmpty)
    }

    @Test("a stale copy left by an interrupted reprocess --with is removed, not processed")
    func stalePart() throws {
        let t = try TestWorkspace()
        try FileManager.default.createDirectory(atPath: t.workspace.path("work/orders"), withIntermediateDirectories: true)
        try "order_id\nhalf".write(toFile: t.workspace.path("work/orders/.b.csv.part"), atomically: true, encoding: .utf8)
        let s = try t.run()
        #expect(s.filesSeen == 0)
        #expect(t.tree("work").isEmpty)
    }
}

@Suite("Pseudonyms")
struct PseudonymTests {
    @Test("with a pseudonym key, rejects and reports carry a keyed pseudonym of the customer, never the customer or a plain hash")
    func pseudonyms() throws {
        let keyFile = Scratch.path("pk-")
        try "0123456789abcdef0123456789abcdef".write(toFile: keyFile, atomically: true, encoding: .utf8)
        let t = try TestWorkspace(config: TestWorkspace.baseConfig + "\nprivacy: { pseudonym_key_file: \(keyFile) }\n")
        try t.drop("a.csv", CSVFixture.file([
            CSVFixture.row("SO1", ["customer_id": "C42", "quantity": "0"]),
            CSVFixture.row("SO2", ["customer_id": "C42", "currency": "XXX1"]),
            CSVFixture.row("SO3", ["customer_id": "C43", "quantity": "0"]),
            CSVFixture.row("SO4", ["customer_id": "C42"]),
        ]))
        _ = try t.run()
        let rejects = t.read("failed/a.csv.rejects.csv").split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rejects[0][4] == "customer")
        let c42 = Pseudonymizer(key: Array("0123456789abcdef0123456789abcdef".utf8))!.pseudonym("C42")
        #expect(c42.hasPrefix("cu_") && c42.count == 19)
        #expect(String(rejects[1][4]) == c42 && String(rejects[2][4]) == c42, "the same customer, the same pseudonym")
        #expect(String(rejects[3][4]) != c42)
        let text = t.read("failed/a.csv.rejects.csv")
        #expect(!text.contains("C42"))
        #expect(!text.contains(ContentHash.sha256("C42").prefix(16)), "not a plain hash")
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        let r = try ReportGenerator(ledger: ledger, options: ReportOptions(asOf: Int64(Date().timeIntervalSince1970) + 60,
                                                                          formats: [.csv], outDir: t.workspace.path("reports"))).generate()
        let csv = try String(contentsOfFile: r.files[0], encoding: .utf8)
        #expect(csv.contains(",\(c42)\r\n"), "\(csv)")
        // Another key gives other pseudonyms: they cannot be matched across integrations.
        #expect(Pseudonymizer(key: Array("another key, 16+ bytes long".utf8))!.pseudonym("C42") != c42)
    }
}
