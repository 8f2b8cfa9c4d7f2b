import ERPWMSEngine
import Foundation
import Testing

/// Stops the batch at every durable step (failpoints end the process like SIGKILL), reruns it, and checks
/// with the folders alone, not the ledger, that the result equals an uninterrupted run: no instruction
/// lost, none duplicated, every input in exactly one terminal place, no temporary file visible.
@Suite("Crash at every durable step")
struct CrashTests {
    /// Every flow's samples in one batch (items, cancellations, orders, purchase orders, confirmations, receipts,
    /// RMAs, return receipts sent twice, snapshots), good and bad, plus one malformed XML file, so both the
    /// archive and the quarantine paths are crossed by every document type.
    static func prepare() throws -> String {
        let root = Binary.tempDir() + "/ws"
        let samples = Binary.packageRoot + "/samples"
        _ = try Demo.prepare(root: root, samples: samples)
        try "<orders><order><order_id>X1</order_id>".write(toFile: root + "/inbox/erp-orders-xml/broken.xml",
                                                              atomically: true, encoding: .utf8)
        // Answers for documents of the same batch: the run processes them after what they answer, so the
        // crash points are crossed by every kind of feedback too.
        for (sample, channel) in [("confirmations/wms-confirmations-2025-03-02.xml", "wms-confirmations"),
                                  ("cancellations/erp-cancellations-2025-03-01.csv", "erp-cancellations"),
                                  ("purchasing/wms-receipts-2025-03-05.xml", "wms-receipts"),
                                  ("returns/erp-rmas-2025-03-04.csv", "erp-returns"),
                                  ("returns/erp-rmas-2025-03-04.xml", "erp-returns-xml"),
                                  ("returns/wms-return-receipts-2025-03-10.xml", "wms-returns"),
                                  ("returns/wms-return-receipts-2025-03-10-resent.xml", "wms-returns"),
                                  ("inventory/erp-stock-2025-03-05.csv", "erp-stock"),
                                  ("inventory/wms-inventory-2025-03-05.xml", "wms-inventory")] {
            try FileManager.default.copyItem(atPath: samples + "/" + sample,
                                             toPath: root + "/inbox/\(channel)/" + (sample as NSString).lastPathComponent)
        }
        return root
    }

    static let reference: FolderState = {
        let root = try! prepare()
        _ = try! Binary.run(["run", "--workspace", root])
        return FolderState(root: root)
    }()

    static var cases: [(String, Int)] {
        Failpoint.all.flatMap { fp in [(fp, 1), (fp, 2)] } + [("mid-orders", 7), ("mid-orders", 15), ("mid-documents", 20), ("mid-documents", 40)]
    }

    @Test("reference run: every input in exactly one place, each accepted order instructed once")
    func referenceRun() throws {
        let r = Self.reference
        #expect(r.archived.count == 15)
        #expect(r.outputs.keys.filter { $0.hasPrefix("outbox/erp/") }.map { ($0 as NSString).lastPathComponent.prefix { $0 != "_" } }.sorted()
                == ["cancellation-status", "cancellation-status", "goods-receipts", "order-status", "refunds", "replacement-orders"])
        #expect(r.failed == ["broken.xml"])
        #expect(r.errorReports == ["broken.xml.error.json"])
        #expect(r.leftovers.isEmpty)
        #expect(Self.orderIdCounts(r).values.allSatisfy { $0 == 1 })
        // 20 valid orders, two withdrawn by the cancellations that came with them, and the exchange's replacement.
        #expect(Self.orderIdCounts(r).count == 19)
        #expect(Self.orderIdCounts(r)["RMA-0003-R1"] == 1)
    }

    @Test("crash, then rerun: same folders as an uninterrupted run", arguments: CrashTests.cases)
    func crashAndRerun(failpoint: String, count: Int) throws {
        let root = try Self.prepare()
        let crashed = try Binary.run(["run", "--workspace", root], env: ["ERPWMS_FAILPOINT": "\(failpoint):\(count)"])
        // Every step is reached in this batch (the quarantine steps once, as there is one broken file).
        let reached = count == 1 || !failpoint.hasPrefix("after-fail")
        #expect(crashed.status == (reached ? Failpoint.exitCode : 2), "\(crashed.stderr)")
        // A second crash at the same step during recovery, where it applies, then a clean run.
        _ = try Binary.run(["run", "--workspace", root], env: ["ERPWMS_FAILPOINT": "\(failpoint):1"])
        let rerun = try Binary.run(["run", "--workspace", root])
        #expect([0, 2].contains(rerun.status), "\(rerun.stderr)")
        let state = FolderState(root: root)
        #expect(state.leftovers.isEmpty, "\(state.leftovers)")
        #expect(state.archived.sorted() == Self.reference.archived.sorted())
        #expect(state.failed == Self.reference.failed)
        #expect(state.errorReports == Self.reference.errorReports)
        #expect(state.outputs == Self.reference.outputs, "\(failpoint):\(count)\n\(state)\nvs\n\(Self.reference)")
        #expect(Self.orderIdCounts(state) == Self.orderIdCounts(Self.reference))
        #expect(try Self.integrityCheck(root) == "ok")
    }

    /// orderId -> number of instructions across all outbox files.
    static func orderIdCounts(_ s: FolderState) -> [String: Int] {
        var counts: [String: Int] = [:]
        for (name, data) in s.outputs where name.hasPrefix("outbox/wms/") {
            let text = String(decoding: data, as: UTF8.self)
            for part in text.components(separatedBy: "<ShipmentOrder orderId=\"").dropFirst() {
                counts[String(part.prefix { $0 != "\"" }), default: 0] += 1
            }
        }
        return counts
    }

    static func integrityCheck(_ root: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
                       root + "/state/ledger.sqlite"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite("Crash during recovery-sensitive steps")
struct RecoveryCrashTests {
    @Test("a resent file interrupted after its claim is still recognised as a duplicate: no stale replacement")
    func duplicateAfterCrash() throws {
        let root = try Binary.initWorkspace()
        let header = "order_id,order_date,ship_name,ship_address1,ship_city,ship_postcode,ship_country,currency,payment_method,carrier_service,line_no,sku,quantity,unit_price\n"
        func file(_ qty: Int) -> String {
            header + "X1,2025-03-01T10:00:00+01:00,A B,Street 1,Berlin,10115,DE,EUR,card,DHL_PAKET,1,SKU-1,\(qty),9.99\n"
        }
        try file(1).write(toFile: root + "/inbox/erp-orders/a.csv", atomically: true, encoding: .utf8)
        #expect(try Binary.run(["run", "-w", root]).status == 0)
        try file(5).write(toFile: root + "/inbox/erp-orders/b.csv", atomically: true, encoding: .utf8)
        #expect(try Binary.run(["run", "-w", root]).status == 0)
        try file(1).write(toFile: root + "/inbox/erp-orders/a-again.csv", atomically: true, encoding: .utf8)
        let crashed = try Binary.run(["run", "-w", root], env: ["ERPWMS_FAILPOINT": "after-claim-record"])
        #expect(crashed.status == Failpoint.exitCode)
        let rerun = try Binary.run(["run", "-w", root, "--json"])
        #expect(rerun.status == 0)
        #expect(rerun.stdout.contains("\"filesDuplicate\":1"), "\(rerun.stdout)")
        let xml = try FileManager.default.contentsOfDirectory(atPath: root + "/outbox/wms")
            .map { try String(contentsOfFile: root + "/outbox/wms/" + $0, encoding: .utf8) }.joined()
        #expect(xml.contains("orderId=\"X1\" version=\"1\""))
        #expect(xml.contains("orderId=\"X1\" version=\"2\""))
        #expect(!xml.contains("version=\"3\""), "the stale content is not sent again")
    }
}
