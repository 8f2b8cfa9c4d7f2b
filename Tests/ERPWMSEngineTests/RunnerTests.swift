import Foundation
import GRDB
import Testing
@testable import ERPWMSEngine

@Suite("Batch runner")
struct RunnerTests {
    @Test("a file with good and bad orders: good ones instructed, bad ones in a rejects file, input archived")
    func mixedFile() throws {
        let t = try TestWorkspace()
        try t.drop("a.csv", CSVFixture.file([
            CSVFixture.row("SO1"), CSVFixture.row("SO1", line: 2),
            CSVFixture.row("SO2", ["quantity": "0"]),
            CSVFixture.row("SO3", ["ship_country": "US"]),
        ]))
        let s = try t.run()
        #expect(s.ordersAccepted == 2)
        #expect(s.ordersRejected == 1)
        #expect(s.filesArchived == 1)
        #expect(t.files("inbox/orders").isEmpty)
        #expect(t.tree("work").isEmpty)
        #expect(t.tree("archive").count == 1)
        #expect(t.tree("archive").first?.hasSuffix("/a.csv") == true)
        let outbox = t.files("outbox/wms")
        #expect(outbox.count == 2)  // DE default warehouse and US by country
        #expect(outbox.contains { $0.hasPrefix("shipment-orders_WH-EU-DE1_") })
        #expect(outbox.contains { $0.hasPrefix("shipment-orders_WH-US-NJ1_") })
        let rejects = t.read("failed/a.csv.rejects.csv")
        #expect(rejects.contains("SO2,,order.quantity.positive,quantity"))
        #expect(!rejects.contains("Schröder"))
        #expect(!t.outboxXML.contains("SO2"))
        #expect(!t.outboxXML.contains("k@example.de"), "e-mail is not sent unless configured")
    }

    @Test("every instructed order has its instruction row and its lines, whatever the batch size of the inserts")
    func instructionRows() throws {
        let t = try TestWorkspace()
        let n = RowBuffer.perStatement * 2 + 5
        let ids = (1...n).map { String(format: "SO%03d", $0) }
        // 1 to 3 lines per order: the line inserts' batches end in the middle of orders.
        let rows = ids.enumerated().flatMap { i, id in (1...(i % 3 + 1)).map { CSVFixture.row(id, line: $0) } }
        try t.drop("a.csv", CSVFixture.file(rows))
        #expect(try t.run().ordersAccepted == n)
        try t.drop("b.csv", CSVFixture.file([CSVFixture.row("SO001", ["quantity": "7"])]))
        #expect(try t.run().ordersReplaced == 1)
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        let instructions = try ledger.queue.read { try Row.fetchAll($0, sql: "SELECT order_id, version, action FROM instructions ORDER BY file_id, order_id, version") }
        #expect(instructions.map { $0["order_id"] as String } == ids + ["SO001"])
        #expect(instructions.last.map { ($0["version"] as Int, $0["action"] as String) } ?? (0, "") == (2, "replace"))
        let lines = try ledger.queue.read { try Row.fetchAll($0, sql: "SELECT order_id, line_no, quantity FROM order_lines ORDER BY order_id, line_no") }
        #expect(lines.count == rows.count)
        #expect(lines.filter { $0["order_id"] as String == "SO001" }.map { $0["quantity"] as Int } == [7])
        #expect(lines.filter { $0["order_id"] as String == "SO003" }.map { $0["line_no"] as Int } == [1, 2, 3])
    }

    @Test("an order's history names the output file each of its versions went out in")
    func instructionOutputs() throws {
        let t = try TestWorkspace()
        // SO1 to the default warehouse, SO2 to the US one: each instruction's output is its warehouse's file.
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2", ["ship_country": "US"])]))
        #expect(try t.run().ordersAccepted == 2)
        let first = Set(t.files("outbox/wms"))
        try t.drop("b.csv", CSVFixture.file([CSVFixture.row("SO1", ["quantity": "7"])]))
        #expect(try t.run().ordersReplaced == 1)
        let second = Set(t.files("outbox/wms")).subtracting(first)
        let de1 = try #require(first.first { $0.hasPrefix("shipment-orders_WH-EU-DE1_") })
        let nj1 = try #require(first.first { $0.hasPrefix("shipment-orders_WH-US-NJ1_") })
        let replaced = try #require(second.first)
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        func instructed(_ id: String) throws -> [String] {
            try ledger.orderHistory(id).events.filter { $0.kind == "instructed" }.map(\.detail)
        }
        #expect(try instructed("SO1") == ["version 1 (new) to WH-EU-DE1 in outbox/wms/\(de1)",
                                          "version 2 (replace) to WH-EU-DE1 in outbox/wms/\(replaced)"])
        #expect(try instructed("SO2") == ["version 1 (new) to WH-US-NJ1 in outbox/wms/\(nj1)"])
    }

    /// A ledger migrated up to `migration` with one archived file (id 1) and `rows` (SQL) in it, then opened as
    /// today's ledger (migrated to the end).
    static func ledgerFrom(_ migration: String, rows: String) throws -> SQLiteLedger {
        let path = try Scratch.directory("old-ledger-") + "/ledger.sqlite"
        do {
            let old = try DatabaseQueue(path: path)
            try SQLiteLedger.stepwiseMigrator.migrate(old, upTo: migration)
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO files (id, name, channel, hash, size, status, path, received_at)
                        VALUES (1, 'a.csv', 'orders', 'h', 1, 'archived', 'archive/a.csv', '2025-01-01T00:00:00Z');
                    """ + rows)
            }
        }
        return try SQLiteLedger(path: path)
    }

    @Test("a ledger from before instructions were keyed by order keeps them, and the path each names")
    func instructionsMigrated() throws {
        let ledger = try Self.ledgerFrom("v8-lean-instructions", rows: """
            INSERT INTO instructions (order_id, version, action, warehouse, output, file_id) VALUES
                ('SO1', 1, 'new', 'WH1', 'outbox/wms/old-1.xml', 1),
                ('SO1', 2, 'replace', 'WH1', 'outbox/wms/old-2.xml', 1),
                ('SO2', 1, 'new', 'WH2', 'outbox/wms/old-3.xml', 1);
            """)
        #expect(try ledger.orderHistory("SO1").events.filter { $0.kind == "instructed" }.map(\.detail)
                == ["version 1 (new) to WH1 in outbox/wms/old-1.xml", "version 2 (replace) to WH1 in outbox/wms/old-2.xml"])
        #expect(try ledger.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM instructions") } == 3)
        // Keyed by order and version now: the same version twice is refused.
        #expect(throws: (any Error).self) {
            try ledger.queue.write { try $0.execute(sql: "INSERT INTO instruction_rows (order_id, version, action, warehouse, file_id) VALUES ('SO2', 1, 'new', 'WH2', 1)") }
        }
    }

    @Test("an order's first instruction is its order row until a replacement keeps it as a row; `instructions` has every version")
    func firstInstructionInOrder() throws {
        let t = try TestWorkspace()
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2")]))
        _ = try t.run()
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        func rows(_ table: String) throws -> [String] {
            try ledger.queue.read { db in
                try String.fetchAll(db, sql: "SELECT order_id || ' v' || version || ' ' || action || ' file ' || file_id FROM \(table) ORDER BY order_id, version")
            }
        }
        #expect(try rows("instruction_rows").isEmpty)
        #expect(try rows("instructions") == ["SO1 v1 new file 1", "SO2 v1 new file 1"])
        try t.drop("b.csv", CSVFixture.file([CSVFixture.row("SO1", ["quantity": "3"])]))
        #expect(try t.run().ordersReplaced == 1)
        #expect(try rows("instruction_rows") == ["SO1 v1 new file 1", "SO1 v2 replace file 2"])
        #expect(try rows("instructions") == ["SO1 v1 new file 1", "SO1 v2 replace file 2", "SO2 v1 new file 1"])
        let outputs = try ledger.orderHistory("SO1").events.filter { $0.kind == "instructed" }.map(\.detail)
        #expect(outputs.count == 2)
        #expect(outputs.first?.hasPrefix("version 1 (new) to WH-EU-DE1 in outbox/wms/shipment-orders_WH-EU-DE1_") == true)
        #expect(outputs.first != nil && outputs.first?.suffix(30) != outputs.last?.suffix(30), "each version names its own file")
    }

    @Test("a ledger from before first instructions were kept in their order row lists each of them once")
    func firstInstructionsMigrated() throws {
        let ledger = try Self.ledgerFrom("v10-files-size", rows: """
            INSERT INTO orders (order_id, version, status, content_hash, warehouse, currency, ship_country, order_date, file_id, line_count)
                VALUES ('SO1', 1, 'instructed', x'00', 'WH1', 'EUR', 'DE', '2025-01-01T00:00:00Z', 1, 1);
            INSERT INTO instructions (order_id, version, action, warehouse, file_id) VALUES ('SO1', 1, 'new', 'WH1', 1);
            """)
        #expect(try ledger.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM instructions") } == 1)
        #expect(try ledger.orderHistory("SO1").events.filter { $0.kind == "instructed" }.count == 1)
    }

    @Test("the same bytes again are a duplicate file: archived, nothing re-sent")
    func duplicateFile() throws {
        let t = try TestWorkspace()
        let content = CSVFixture.file([CSVFixture.row("SO1")])
        try t.drop("a.csv", content)
        _ = try t.run()
        let before = t.files("outbox/wms")
        try t.drop("a-again.csv", content)
        let s = try t.run()
        #expect(s.filesDuplicate == 1)
        #expect(s.ordersAccepted == 0)
        #expect(t.files("outbox/wms") == before)
        #expect(t.tree("archive").count == 2)
    }

    @Test("same order in another file: identical is a counted duplicate, changed is a replacement version 2")
    func orderVersions() throws {
        let t = try TestWorkspace()
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2")]))
        _ = try t.run()
        try t.drop("b.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2", ["quantity": "3"]),
                                             CSVFixture.row("SO3")]))
        let s = try t.run()
        #expect(s.ordersDuplicate == 1)
        #expect(s.ordersReplaced == 1)
        #expect(s.ordersAccepted == 2)
        let xml = t.outboxXML
        #expect(xml.components(separatedBy: "orderId=\"SO1\"").count == 2, "SO1 sent once")
        #expect(xml.contains("orderId=\"SO2\" version=\"2\" action=\"replace\""))
        #expect(xml.contains("orderId=\"SO3\" version=\"1\" action=\"new\""))
    }

    @Test("a changed order the WMS already confirmed is rejected with a reason")
    func changedAfterConfirmation() throws {
        let t = try TestWorkspace()
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1")]))
        _ = try t.run()
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        try ledger.queue.write { db in try db.execute(sql: "UPDATE orders SET status = 'confirmed'") }
        try t.drop("b.csv", CSVFixture.file([CSVFixture.row("SO1", ["quantity": "2"])]))
        let s = try t.run()
        #expect(s.ordersRejected == 1)
        #expect(t.read("failed/b.csv.rejects.csv").contains("order.version.confirmed"))
    }

    @Test("error_policy reject-file: one bad order fails the whole file and nothing is sent")
    func rejectFilePolicy() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          orders:
            pickup: { min_age_seconds: 0 }
            error_policy: reject-file
        routing: { default_warehouse: WH1 }
        """)
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2", ["currency": "EURO"])]))
        let s = try t.run()
        #expect(s.filesFailed == 1)
        #expect(t.files("outbox/wms").isEmpty)
        #expect(t.files("failed") == ["a.csv", "a.csv.error.json"])
        #expect(t.read("failed/a.csv.error.json").contains("channel.error-policy"))
        // A corrected file goes through later: the order rejected with the file was never recorded.
        try t.drop("a2.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2")]))
        #expect(try t.run().ordersAccepted == 2)
    }

    @Test("an unreadable file is quarantined with its reason; the rest of the batch goes on")
    func quarantine() throws {
        let t = try TestWorkspace()
        try t.drop("bad.csv", [0x6F, 0x72, 0x64] + Array("er_id\r\nSO1,\"unterminated\r\n".utf8))
        try t.drop("good.csv", CSVFixture.file([CSVFixture.row("SO1")]))
        let s = try t.run()
        #expect(s.filesFailed == 1)
        #expect(s.ordersAccepted == 1)
        #expect(t.files("failed").contains("bad.csv"))
        let report = t.read("failed/bad.csv.error.json")
        #expect(report.contains("csv.header.missing-column") || report.contains("csv.quote.unterminated"))
        #expect(report.contains("\"file\" : \"bad.csv\""))
    }

    @Test("no warehouse and no routing rule: the order is rejected as unroutable")
    func unroutable() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          orders: { pickup: { min_age_seconds: 0 } }
        routing: { by_country: { US: WH-US } }
        """)
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO2", ["warehouse": "WH-X"])]))
        let s = try t.run()
        #expect(s.ordersAccepted == 1)
        #expect(t.read("failed/a.csv.rejects.csv").contains("order.warehouse.unroutable"))
    }

    @Test("pickup ignores dot files, temporary suffixes, symlinks, young files and files without done-marker")
    func pickupRules() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          orders: { pickup: { min_age_seconds: 0 } }
          marked: { pickup: { min_age_seconds: 0, done_marker: .done } }
          slow: { pickup: { min_age_seconds: 3600 } }
        routing: { default_warehouse: WH1 }
        """)
        let good = CSVFixture.file([CSVFixture.row("SO1")])
        try t.drop(".hidden.csv", good)
        try t.drop("upload.csv.part", good)
        try t.drop("x.csv.tmp", good)
        let inbox = t.workspace.path("inbox/orders")
        try FileManager.default.createSymbolicLink(atPath: inbox + "/link.csv", withDestinationPath: "/etc/passwd")
        try t.drop("m.csv", CSVFixture.file([CSVFixture.row("SO2")]), channel: "marked")
        try t.drop("young.csv", CSVFixture.file([CSVFixture.row("SO3")]), channel: "slow")
        var s = try t.run()
        #expect(s.filesSeen == 0)
        #expect(s.filesWaiting == 2, "the unmarked and the too young file are reported as waiting")
        #expect(t.files("inbox/orders").count == 4)
        try t.drop("m.csv.done", "", channel: "marked")
        s = try t.run()
        #expect(s.filesSeen == 1)
        #expect(s.ordersAccepted == 1)
        #expect(t.files("inbox/marked").isEmpty, "file and marker both gone")
        #expect(t.files("inbox/slow") == ["young.csv"])
    }

    @Test("same inputs give byte-identical outputs")
    func deterministic() throws {
        let content = CSVFixture.file((1...20).map { CSVFixture.row("SO\($0)", ["ship_country": $0 % 3 == 0 ? "US" : "DE"]) })
        var snapshots: [[String: String]] = []
        for _ in 0..<2 {
            let t = try TestWorkspace()
            try t.drop("a.csv", content)
            _ = try t.run()
            snapshots.append(Dictionary(uniqueKeysWithValues: t.files("outbox/wms").map { ($0, t.read("outbox/wms/" + $0)) }))
        }
        #expect(snapshots[0] == snapshots[1])
        #expect(snapshots[0].count == 2)
    }

    @Test("gzip input is read through zlib; a gzip bomb is quarantined")
    func gzip() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          orders: { pickup: { min_age_seconds: 0 } }
        routing: { default_warehouse: WH1 }
        limits: { max_decompressed_mb: 1 }
        """)
        let dir = try Scratch.directory("gz-")
        try CSVFixture.file([CSVFixture.row("SO1")]).write(toFile: dir + "/a.csv", atomically: true, encoding: .utf8)
        try Data(repeating: 0x0A, count: 8 << 20).write(to: URL(fileURLWithPath: dir + "/bomb.csv"))
        for f in ["a.csv", "bomb.csv"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/gzip")
            p.arguments = ["-n", dir + "/" + f]
            try p.run()
            p.waitUntilExit()
            try FileManager.default.copyItem(atPath: dir + "/" + f + ".gz", toPath: t.workspace.path("inbox/orders/" + f + ".gz"))
        }
        let s = try t.run()
        #expect(s.ordersAccepted == 1)
        #expect(s.filesFailed == 1)
        #expect(t.read("failed/bomb.csv.gz.error.json").contains("gzip.size-limit"))
    }
}
