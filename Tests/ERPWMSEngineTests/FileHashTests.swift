import Foundation
import GRDB
import Testing
@testable import ERPWMSEngine
import ERPWMSCore

/// A claimed file is hashed on a thread of its own while it is processed, unless a processed file has its size
/// (`FileHash`, `BatchRunner.claimed`): whichever way, its ledger row, its outputs' names and their `source`
/// attribute end up with its SHA-256, as when it was hashed first.
@Suite("File hash beside processing")
struct FileHashTests {
    static func hash(_ t: TestWorkspace, fileId: Int64) throws -> String {
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        return try ledger.file(id: fileId)?.hash ?? "no such file"
    }

    /// Every WMS output's name and `source` attribute carry `source`, and nothing of the placeholder is left.
    static func expectOutputs(_ t: TestWorkspace, source: String, count: Int) {
        let names = t.files("outbox/wms")
        #expect(names.count == count)
        for name in names {
            #expect(name.hasSuffix("_\(source).xml"), "\(name)")
            let xml = t.read("outbox/wms/" + name)
            #expect(xml.contains(" source=\"\(source)\">"), "\(name)")
            #expect(!xml.contains(Staging.pendingSource))
        }
        #expect(t.tree("work").isEmpty, "no temporary output left")
    }

    @Test("a file hashed while it is processed: its ledger row, its outputs' names and their source carry its SHA-256")
    func hashedBeside() throws {
        let t = try TestWorkspace()
        let content = CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2", ["ship_country": "US"])])
        try t.drop("a.csv", content)
        let s = try t.run()
        #expect(s.ordersAccepted == 2)
        let sha = ContentHash.sha256(content)
        #expect(try Self.hash(t, fileId: 1) == sha)
        Self.expectOutputs(t, source: String(sha.prefix(16)), count: 2)
    }

    @Test("a file the size of a processed one is hashed first: the same bytes are a duplicate, other bytes are processed")
    func sameSize() throws {
        let t = try TestWorkspace()
        let a = CSVFixture.file([CSVFixture.row("SO1")])
        let b = CSVFixture.file([CSVFixture.row("SO2")])
        #expect(a.utf8.count == b.utf8.count)
        try t.drop("a.csv", a)
        _ = try t.run()
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        #expect(try ledger.processedFile(ofSize: Int64(a.utf8.count)))
        #expect(try !ledger.processedFile(ofSize: Int64(a.utf8.count) + 1))
        try t.drop("b.csv", b)
        let s = try t.run()
        #expect(s.ordersAccepted == 1)
        #expect(s.filesDuplicate == 0)
        #expect(try Self.hash(t, fileId: 2) == ContentHash.sha256(b))
        #expect(t.files("outbox/wms").contains("shipment-orders_WH-EU-DE1_\(ContentHash.sha256(b).prefix(16)).xml"))
        try t.drop("a-again.csv", a)
        let again = try t.run()
        #expect(again.filesDuplicate == 1)
        #expect(again.ordersAccepted == 0)
        #expect(try Self.hash(t, fileId: 3) == ContentHash.sha256(a))
    }

    @Test("a file that fails while it is hashed has its hash in its ledger row and its error report")
    func failedWhileHashed() throws {
        let t = try TestWorkspace()
        let bad = "order_id\r\nSO1,\"unterminated\r\n"
        try t.drop("bad.csv", bad)
        #expect(try t.run().filesFailed == 1)
        let sha = ContentHash.sha256(bad)
        #expect(try Self.hash(t, fileId: 1) == sha)
        #expect(t.read("failed/bad.csv.error.json").contains("\"sha256\" : \"\(sha)\""))
    }

    @Test("a file claimed while it was hashed, whose run stopped before the commit, is hashed when it is resumed")
    func resumed() throws {
        let t = try TestWorkspace()
        let content = CSVFixture.file([CSVFixture.row("SO1")])
        // What such a run leaves: the file in work/, its row claimed with no hash yet.
        let work = t.workspace.path(t.workspace.config.workDir) + "/orders"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try Data(content.utf8).write(to: URL(fileURLWithPath: work + "/a.csv"))
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        let id = try ledger.recordClaim(name: "a.csv", channel: "orders", hash: "", size: Int64(content.utf8.count),
                                        path: t.workspace.relative(work + "/a.csv"), at: "2026-11-29T00:00:00Z")
        let s = try t.run()
        #expect(s.filesRecovered == 1)
        #expect(s.ordersAccepted == 1)
        let sha = ContentHash.sha256(content)
        #expect(try Self.hash(t, fileId: id) == sha)
        Self.expectOutputs(t, source: String(sha.prefix(16)), count: 1)
        // And the same bytes dropped again are known.
        try t.drop("a-again.csv", content)
        #expect(try t.run().filesDuplicate == 1)
    }
}
