import ERPWMSEngine
import Foundation
import Testing

/// Golden-file tests over `samples/`: the built binary runs the demo workspace and every output is compared
/// with `Tests/EndToEndTests/Golden/`. `ERPWMS_RECORD_GOLDEN=1 swift test` rewrites the golden files.
@Suite("Samples through the binary")
struct SampleRunTests {
    static let goldenDir = Binary.packageRoot + "/Tests/EndToEndTests/Golden"

    /// The demo's fixed clock: archive folders, ledger times, simulated ship dates and the report's as-of.
    static let now = "2025-03-02T12:00:00Z"

    @Test("erpwms demo: the whole cycle, every output matches the golden files, and a second run sends nothing again")
    func demoGolden() throws {
        let root = Binary.tempDir() + "/demo"
        let r = try Binary.run(["demo", "--at", root], env: ["ERPWMS_NOW": Self.now], cwd: Binary.packageRoot)
        #expect(r.status == 0, "demo itself succeeds: \(r.stderr)")
        #expect(r.stdout.contains("Orders:       20 accepted (44 lines), 7 rejected, 1 duplicate, 0 replaced"), "\(r.stdout)")
        #expect(r.stdout.contains("21 confirmations accepted, 0 rejected, 2 duplicate; 2 unknown reference(s)"), "\(r.stdout)")
        // The other flows, step by step.
        #expect(r.stdout.contains("Also: 2 cancelled and 0 too late of 2 cancel instruction(s); 5 receipt(s) for 5 purchase order(s)"), "\(r.stdout)")
        #expect(r.stdout.contains("4 return receipt(s) for 5 expected return(s) (1 not arrived yet)"), "\(r.stdout)")
        #expect(r.stdout.contains("Documents:    4 accepted, 0 rejected, 1 duplicate"), "the resent return receipt counts once: \(r.stdout)")
        #expect(r.stdout.contains("Returns and exchanges: rmas 5, exchanges 1, approved, not received 1"), "\(r.stdout)")
        #expect(r.stdout.contains("Cancellations: cancellations 3, withdrawn before sending 0, awaiting the wms 0, cancelled by the wms 2"), "\(r.stdout)")
        #expect(r.stdout.contains("Inventory: WMS vs ERP: warehouses compared 5, skus compared 38, skus that differ 5, net difference (units) -5"),
                "exactly the five units the simulated warehouse lost: \(r.stdout)")
        #expect(r.stdout.contains("Open the report: \(root)/reports/reconciliation_20250302T120000Z.html"), "\(r.stdout)")
        let state = FolderState(root: root)
        #expect(state.archived.count == 23, "6 ERP files, 1 cancellation file, 8 WMS answers, ERP stock and 2 RMA files, 5 WMS answers")
        #expect(state.failed.isEmpty)
        #expect(state.leftovers.isEmpty, "\(state.leftovers)")
        for prefix in ["order-status_", "goods-receipts_", "refunds_", "replacement-orders_", "cancellation-status_"] {
            #expect(state.outputs.keys.contains { $0.hasPrefix("outbox/erp/" + prefix) }, "\(prefix)")
        }
        #expect(state.outputs.keys.filter { $0.hasPrefix("reports/") }.count == 9)
        // The exchange's replacement order went to the WMS exactly once.
        let replacements = state.outputs.filter { $0.key.hasPrefix("outbox/wms/shipment-orders_") }.values
            .map { String(decoding: $0, as: UTF8.self).components(separatedBy: "orderId=\"RMA-0003-R").count - 1 }.reduce(0, +)
        #expect(replacements == 1)

        Self.compareWithGolden(state.outputs, goldenDir: Self.goldenDir)

        // A second run over the same workspace sends nothing again.
        let again = try Binary.run(["run", "--workspace", root, "--json"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("\"ordersAccepted\":0"))
        #expect(FolderState(root: root).outputs == state.outputs)
    }

    @Test("every published WMS and ERP file validates against its schema with xmllint too")
    func xmllintAgrees() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint") else {
            Issue.record("xmllint is not installed (libxml2-utils); .ci/run installs it")
            return
        }
        let root = Binary.tempDir() + "/demo"
        _ = try Binary.run(["demo", "--at", root], cwd: Binary.packageRoot)
        // Every XML file the cycle produced, on both sides, by the schema of its kind.
        let schemas: [(prefix: String, schema: String)] = [
            ("shipment-orders_", "wms-shipment-order.xsd"), ("item-master_", "wms-instructions.xsd"),
            ("expected-receipts_", "wms-instructions.xsd"), ("expected-returns_", "wms-instructions.xsd"),
            ("order-cancellations_", "wms-instructions.xsd"), ("order-status_", "erp-order-status.xsd"),
            ("goods-receipts_", "erp-feedback.xsd"), ("refunds_", "erp-feedback.xsd"), ("replacement-orders_", "erp-feedback.xsd"),
            ("cancellation-status_", "erp-feedback.xsd"), ("confirmations_", "wms-shipment-confirmation.xsd"),
            ("receipts_", "wms-documents.xsd"), ("return-receipts_", "wms-documents.xsd"),
            ("cancellation-results_", "wms-documents.xsd"), ("inventory_", "wms-documents.xsd"),
        ]
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".xml") && !$0.contains("/inbox/") }
        var byName: [String: [String]] = [:]
        for f in files where f.hasPrefix("outbox/") || f.hasPrefix("simulator/consumed/") || f.hasPrefix("archive/") {
            let name = (f as NSString).lastPathComponent
            guard let kind = schemas.first(where: { name.hasPrefix($0.prefix) }) else { continue }
            byName[kind.prefix, default: []].append(root + "/" + f)
        }
        for (prefix, schema) in schemas {
            let group = byName[prefix] ?? []
            #expect(!group.isEmpty, "the demo makes \(prefix) files")
            guard !group.isEmpty else { continue }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
            p.arguments = ["--noout", "--schema", Binary.packageRoot + "/schemas/" + schema] + group.sorted()
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(prefix) files against \(schema)")
        }
    }

    @Test("exit codes: 0 clean, 2 rejects, 75 locked, 64 usage, 1 no workspace")
    func exitCodes() throws {
        let root = Binary.tempDir() + "/ws"
        #expect(try Binary.run(["init", root]).status == 0)
        #expect(try Binary.run(["init", root]).status == 1, "init refuses an existing workspace")
        #expect(try Binary.run(["run", "--workspace", root]).status == 0, "empty inbox is all good")
        #expect(try Binary.run(["run", "--bogus"]).status == 64)
        #expect(try Binary.run(["run", "--workspace", root + "/nope"]).status == 1)

        // Rejects -> 2.
        let csv = try String(contentsOfFile: Binary.packageRoot + "/samples/orders/erp-orders-2025-03-01.csv", encoding: .utf8)
        try csv.write(toFile: root + "/inbox/erp-orders/a.csv", atomically: true, encoding: .utf8)
        let old = Date(timeIntervalSinceNow: -60)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: root + "/inbox/erp-orders/a.csv")
        let r = try Binary.run(["run", "--workspace", root])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("5 rejected"))

        // Locked -> 75, at once.
        let lock = try RunLock(path: root + "/state/run.lock")
        let start = Date()
        let locked = try Binary.run(["run"], env: ["ERPWMS_WORKSPACE": root])
        #expect(locked.status == 75)
        #expect(Date().timeIntervalSince(start) < 5)
        withExtendedLifetime(lock) {}
    }

    @Test("quiet: nothing on stdout when all is good")
    func quiet() throws {
        let root = Binary.tempDir() + "/ws"
        _ = try Binary.run(["init", root])
        let r = try Binary.run(["run", "--workspace", root, "--quiet"])
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
    }

    /// Compares `outputs` (relative path -> bytes) with the files under `goldenDir`, recording an issue with a
    /// diff for each difference; `ERPWMS_RECORD_GOLDEN=1` rewrites the golden files instead.
    static func compareWithGolden(_ outputs: [String: Data], goldenDir: String,
                                  sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let fm = FileManager.default
        if ProcessInfo.processInfo.environment["ERPWMS_RECORD_GOLDEN"] == "1" {
            try? fm.removeItem(atPath: goldenDir)
            for (name, data) in outputs {
                let dest = goldenDir + "/" + name
                try? fm.createDirectory(atPath: (dest as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try? data.write(to: URL(fileURLWithPath: dest))
            }
        }
        var golden: [String: Data] = [:]
        if let e = fm.enumerator(atPath: goldenDir) {
            while let p = e.nextObject() as? String {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: goldenDir + "/" + p, isDirectory: &isDir), !isDir.boolValue {
                    golden[p] = fm.contents(atPath: goldenDir + "/" + p)
                }
            }
        }
        #expect(!golden.isEmpty, "no golden files: run ERPWMS_RECORD_GOLDEN=1 swift test", sourceLocation: sourceLocation)
        #expect(Set(golden.keys) == Set(outputs.keys), sourceLocation: sourceLocation)
        for (name, data) in outputs where golden[name] != data {
            Issue.record("\(name) differs from the golden file:\n\(diff(golden[name].map { String(decoding: $0, as: UTF8.self) } ?? "", String(decoding: data, as: UTF8.self)))",
                         sourceLocation: sourceLocation)
        }
    }

    @Test("two foreign exports (Shopware flat with ';' and decimal commas, Shopify first-row with gift cards) go through by configuration only")
    func foreignGolden() throws {
        let root = Binary.tempDir() + "/foreign"
        #expect(try Binary.run(["init", root]).status == 0)
        try FileManager.default.removeItem(atPath: root + "/erpwms.yaml")
        try FileManager.default.copyItem(atPath: Binary.packageRoot + "/samples/foreign/erpwms.yaml", toPath: root + "/erpwms.yaml")
        for (file, channel) in [("shopware-de-2025-03-01.csv", "shopware-de"), ("shopify-2025-03-01.csv", "shopify")] {
            try FileManager.default.createDirectory(atPath: root + "/inbox/" + channel, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Binary.packageRoot + "/samples/foreign/" + file, toPath: root + "/inbox/" + channel + "/" + file)
        }
        let r = try Binary.run(["run", "-w", root], env: ["ERPWMS_NOW": Self.now])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("Orders:       9 accepted (20 lines), 3 rejected, 0 duplicate, 0 replaced"), "\(r.stdout)")
        let state = FolderState(root: root)
        #expect(state.leftovers.isEmpty)
        Self.compareWithGolden(state.outputs, goldenDir: Binary.packageRoot + "/Tests/EndToEndTests/GoldenForeign")
        let test = try Binary.run(["mapping", "test", Binary.packageRoot + "/samples/foreign/shopify-2025-03-01.csv",
                                   "--channel", "shopify", "--rows", "6", "-w", root])
        #expect(test.status == 2, "one of the six is rejected")
        #expect(test.stdout.contains("Order SHOP-1006"))
        #expect(test.stdout.contains("order.country.iso3166"))
        #expect(!test.stdout.contains("Megan"), "personal data masked unless --show-personal")
    }

    static func diff(_ a: String, _ b: String) -> String {
        let al = a.split(separator: "\n", omittingEmptySubsequences: false)
        let bl = b.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for i in 0..<max(al.count, bl.count) where out.count < 20 {
            let x = i < al.count ? String(al[i]) : "<none>"
            let y = i < bl.count ? String(bl[i]) : "<none>"
            if x != y { out.append("line \(i + 1):\n- \(x.prefix(300))\n+ \(y.prefix(300))") }
        }
        return out.joined(separator: "\n")
    }
}
