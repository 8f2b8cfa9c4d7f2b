import Foundation
import Testing

/// The operator's commands through the built binary: reprocess, trace, validate, config check, metrics,
/// logging and help.
@Suite("Operations through the binary")
struct OperationsTests {
    static let samples = Binary.packageRoot + "/samples"

    /// A workspace from `erpwms init`, no minimum file age, the given error policy for CSV orders.
    static func workspace(policy: String = "reject-order") throws -> String {
        try Binary.initWorkspace { $0.replacingOccurrences(of: "error_policy: reject-order ", with: "error_policy: \(policy) ") }
    }

    static func setPolicy(_ root: String, _ policy: String) throws {
        var config = try String(contentsOfFile: root + "/erpwms.yaml", encoding: .utf8)
        for p in ["reject-order", "reject-file"] {
            config = config.replacingOccurrences(of: "error_policy: \(p) ", with: "error_policy: \(policy) ")
        }
        try config.write(toFile: root + "/erpwms.yaml", atomically: true, encoding: .utf8)
    }

    /// Every file under `root` with its bytes (the whole tree, state included).
    /// Every file's bytes but SQLite's working files beside the ledger: a run keeps its WAL (see
    /// `SQLiteLedger.finishRun`), and any other command's closing of the ledger copies it into the database (the
    /// same pages, so the database's bytes do not change) and removes it.
    static func snapshot(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: root) else { return out }
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if p.hasSuffix(".sqlite-wal") || p.hasSuffix(".sqlite-shm") { continue }
            if fm.fileExists(atPath: root + "/" + p, isDirectory: &isDir), !isDir.boolValue {
                out[p] = fm.contents(atPath: root + "/" + p)
            }
        }
        return out
    }

    /// orderId -> instructions across the WMS outbox.
    static func instructed(_ root: String) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for f in try FileManager.default.contentsOfDirectory(atPath: root + "/outbox/wms") {
            let text = try String(contentsOfFile: root + "/outbox/wms/" + f, encoding: .utf8)
            for part in text.components(separatedBy: "<ShipmentOrder orderId=\"").dropFirst() {
                counts[String(part.prefix { $0 != "\"" }), default: 0] += 1
            }
        }
        return counts
    }

    @Test("a purchase-order file that failed under reject-file: dry run writes nothing, reprocess sends it once")
    func reprocessPurchaseOrders() throws {
        let root = try Binary.initWorkspace {
            $0.replacingOccurrences(of: "channels:\n", with: "channels:\n  pos: { document: purchase-orders, error_policy: reject-file, pickup: { min_age_seconds: 0 } }\n")
        }
        try FileManager.default.createDirectory(atPath: root + "/inbox/pos", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.samples + "/purchasing/erp-purchase-orders-2025-03-01.csv",
                                         toPath: root + "/inbox/pos/po.csv")
        #expect(try Binary.run(["run", "-w", root]).status == 2)
        #expect(FileManager.default.fileExists(atPath: root + "/failed/po.csv"), "PO-2025-0004 is bad and the policy is reject-file")
        let before = Self.snapshot(root)
        let dry = try Binary.run(["reprocess", "po.csv", "--dry-run", "-w", root])
        #expect(dry.status == 2, "\(dry.stdout)\(dry.stderr)")
        #expect(dry.stdout.contains("3 new, 0 replacement(s), 0 unchanged, 1 rejected"), "\(dry.stdout)")
        #expect(Self.snapshot(root) == before, "a dry run writes nothing")
        try String(contentsOfFile: root + "/erpwms.yaml", encoding: .utf8)
            .replacingOccurrences(of: "error_policy: reject-file", with: "error_policy: reject-order")
            .write(toFile: root + "/erpwms.yaml", atomically: true, encoding: .utf8)
        let fix = try Binary.run(["reprocess", "po.csv", "-w", root])
        #expect(fix.status == 2, "archived, one PO still rejected: \(fix.stdout)\(fix.stderr)")
        let expected = try FileManager.default.contentsOfDirectory(atPath: root + "/outbox/wms").filter { $0.hasPrefix("expected-receipts_") }
        #expect(expected.count == 2, "WH-EU-DE1 and WH-GB-MK1")
    }

    @Test("reprocess after a configuration fix publishes the orders exactly once; its dry run writes nothing")
    func reprocessAfterConfigFix() throws {
        let root = try Self.workspace(policy: "reject-file")
        try FileManager.default.copyItem(atPath: Self.samples + "/orders/erp-orders-2025-03-01.csv",
                                         toPath: root + "/inbox/erp-orders/orders.csv")
        let first = try Binary.run(["run", "-w", root])
        #expect(first.status == 2)
        #expect(FileManager.default.fileExists(atPath: root + "/failed/orders.csv"))
        #expect(try Self.instructed(root).isEmpty)

        // Dry run: says what would happen, changes not one byte.
        let before = Self.snapshot(root)
        let dry = try Binary.run(["reprocess", "orders.csv", "--dry-run", "-w", root])
        #expect(dry.status == 2, "it would still fail under reject-file")
        #expect(dry.stdout.contains("11 new, 0 replacement(s), 1 unchanged, 5 rejected"), "\(dry.stdout)")
        #expect(dry.stdout.contains("would fail again"))
        #expect(Self.snapshot(root) == before, "a dry run writes nothing")

        // Fix the configuration, dry-run again, then reprocess for real.
        try Self.setPolicy(root, "reject-order")
        let dry2 = try Binary.run(["reprocess", "--channel", "erp-orders", "--dry-run", "--json", "-w", root])
        #expect(dry2.stdout.contains("\"action\" : \"new\""))
        #expect(!dry2.stdout.contains("would fail"))
        let fix = try Binary.run(["reprocess", "--channel", "erp-orders", "-w", root])
        #expect(fix.status == 2, "archived, but five orders are still rejected: \(fix.stdout)\(fix.stderr)")
        #expect(fix.stdout.contains("archived; 5 document(s) rejected"))
        let counts = try Self.instructed(root)
        #expect(counts.count == 11)
        #expect(counts.values.allSatisfy { $0 == 1 })
        #expect(!FileManager.default.fileExists(atPath: root + "/failed/orders.csv"))
        #expect(!FileManager.default.fileExists(atPath: root + "/failed/orders.csv.error.json"))
        #expect(FileManager.default.fileExists(atPath: root + "/failed/orders.csv.rejects.csv"))

        // The ledger keeps both attempts; a second reprocess is refused; a run sends nothing again.
        let show = try Binary.run(["files", "show", "1", "--json", "-w", root])
        #expect(show.stdout.contains("\"kind\" : \"run\"") && show.stdout.contains("\"kind\" : \"reprocess\""))
        #expect(try Binary.run(["reprocess", "1", "-w", root]).status == 64)
        #expect(try Binary.run(["run", "-w", root]).status == 0)
        #expect(try Self.instructed(root) == counts)
    }

    @Test("reprocess --with a corrected file: changed orders go as replacements, unchanged ones are not re-sent")
    func reprocessWithReplacement() throws {
        let root = try Self.workspace()
        let header = "order_id,order_date,ship_name,ship_address1,ship_city,ship_postcode,ship_country,currency,payment_method,carrier_service,line_no,sku,quantity,unit_price"
        func row(_ id: String, _ qty: Int) -> String {
            "\(id),2025-03-01T10:00:00+01:00,Anna Muster,Hauptstr. 1,Berlin,10115,DE,EUR,card,DHL_PAKET,1,SKU-1,\(qty),9.99"
        }
        try ([header, row("SO1", 1)].joined(separator: "\n") + "\n").write(toFile: root + "/inbox/erp-orders/a.csv", atomically: true, encoding: .utf8)
        #expect(try Binary.run(["run", "-w", root]).status == 0)
        // b.csv is broken (an unterminated quote): quarantined.
        try ([header, row("SO1", 1), row("SO2", 1) + ",\"oops"].joined(separator: "\n") + "\n")
            .write(toFile: root + "/inbox/erp-orders/b.csv", atomically: true, encoding: .utf8)
        #expect(try Binary.run(["run", "-w", root]).status == 2)
        #expect(FileManager.default.fileExists(atPath: root + "/failed/b.csv.error.json"))
        // The corrected b.csv changes SO1 and adds SO2.
        let fixed = Binary.tempDir() + "/b-fixed.csv"
        try ([header, row("SO1", 3), row("SO2", 1)].joined(separator: "\n") + "\n").write(toFile: fixed, atomically: true, encoding: .utf8)
        let dry = try Binary.run(["reprocess", "b.csv", "--with", fixed, "--dry-run", "-w", root])
        #expect(dry.stdout.contains("0 new") == false)
        #expect(dry.stdout.contains("1 new, 1 replacement(s), 0 unchanged, 0 rejected"), "\(dry.stdout)")
        let r = try Binary.run(["reprocess", "b.csv", "--with", fixed, "-w", root])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let xml = try FileManager.default.contentsOfDirectory(atPath: root + "/outbox/wms")
            .map { try String(contentsOfFile: root + "/outbox/wms/" + $0, encoding: .utf8) }.joined()
        #expect(xml.contains("orderId=\"SO1\" version=\"2\" action=\"replace\""))
        #expect(xml.contains("orderId=\"SO2\" version=\"1\" action=\"new\""))
        #expect(xml.components(separatedBy: "orderId=\"SO1\" version=\"1\"").count == 2, "version 1 sent once, never again")
        let archived = try FileManager.default.subpathsOfDirectory(atPath: root + "/archive")
        #expect(archived.contains { $0.hasSuffix("/b.csv") })
        #expect(archived.contains { $0.hasSuffix("/b.csv.superseded") }, "the original is kept for audit")
        #expect(FileManager.default.fileExists(atPath: fixed), "the operator's file is left where it was")
    }

    @Test("files list, files show and orders show trace a document, as tables and as JSON")
    func trace() throws {
        let root = Binary.tempDir() + "/demo"
        _ = try Binary.run(["demo", "--at", root], env: ["ERPWMS_NOW": "2025-03-02T12:00:00Z"], cwd: Binary.packageRoot)
        let list = try Binary.run(["files", "list", "-w", root])
        #expect(list.status == 0)
        #expect(list.stdout.hasPrefix("ID  RECEIVED"))
        #expect(list.stdout.contains("erp-orders-2025-03-01.csv"))
        #expect(!list.stdout.contains("\u{1B}"), "no control characters without a terminal")
        let failed = try Binary.run(["files", "list", "--status", "failed", "--json", "-w", root])
        #expect(failed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || failed.stdout.contains("[]"))
        let show = try Binary.run(["files", "show", "erp-orders-2025-03-01.csv", "-w", root])
        #expect(show.stdout.contains("order.quantity.positive"))
        #expect(show.stdout.contains("wms-shipment-orders"))
        #expect(!show.stdout.contains("Käthe"), "no customer data")
        let order = try Binary.run(["orders", "show", "SO200000002", "-w", root])
        #expect(order.status == 0)
        for event in ["received", "instructed", "confirmed", "feedback"] { #expect(order.stdout.contains(event), "\(event)") }
        let rejected = try Binary.run(["orders", "show", "SO100000012", "--json", "-w", root])
        #expect(rejected.stdout.contains("\"kind\" : \"rejected\""))
        #expect(rejected.stdout.contains("order.quantity.positive"))
        // Unknown: an error, and the ledger closed on the way out (no -wal or -shm file left behind).
        for (args, message) in [(["orders", "show", "NOPE"], "order NOPE is not in the ledger"),
                                (["files", "show", "nope.csv"], "no file 'nope.csv' in the ledger")] {
            let r = try Binary.run(args + ["-w", root])
            #expect(r.status == 1)
            #expect(r.stderr.contains(message))
            let state = try FileManager.default.contentsOfDirectory(atPath: root + "/state")
            #expect(!state.contains { $0.hasSuffix("-wal") || $0.hasSuffix("-shm") }, "\(args): \(state)")
        }
    }

    @Test("validate prints every finding and touches nothing; config check shows the effective settings")
    func validateAndConfigCheck() throws {
        let dir = Binary.tempDir()
        let bad = try Binary.run(["validate", Self.samples + "/orders/erp-orders-2025-03-01.csv"], cwd: dir)
        #expect(bad.status == 2)
        #expect(bad.stdout.contains("11 document(s) would be accepted, 5 rejected, 1 repeated within the file"))
        for rule in ["order.quantity.positive", "order.currency.iso4217", "order.country.iso3166", "order.sku.required",
                     "order.unit-price.decimal"] {
            #expect(bad.stdout.contains(rule))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "nothing written")
        let conf = try Binary.run(["validate", Self.samples + "/confirmations/wms-confirmations-2025-03-03.csv",
                                   "--as", "shipment-confirmations", "--json"], cwd: dir)
        #expect(conf.status == 0, "\(conf.stdout)")
        #expect(conf.stdout.contains("\"accepted\" : 4"))
        let gb = try Binary.run(["validate", Self.samples + "/orders/erp-orders-cn-gb18030.csv"], cwd: dir)
        #expect(gb.stdout.contains("encoding.invalid-utf8"))
        let root = Binary.tempDir() + "/demo"
        _ = try Binary.run(["demo", "--at", root], cwd: Binary.packageRoot)
        let gbChannel = try Binary.run(["validate", Self.samples + "/orders/erp-orders-cn-gb18030.csv", "--channel", "erp-orders-cn", "-w", root])
        #expect(gbChannel.status == 0, "read as its channel declares: GB18030")
        let check = try Binary.run(["config", "check", "-w", root])
        #expect(check.status == 0)
        let cnRow = check.stdout.split(separator: "\n").first { $0.hasPrefix("erp-orders-cn ") }.map { $0.split(separator: " ") }
        #expect(cnRow?.prefix(4) == ["erp-orders-cn", "orders", "csv", "gb18030"], "\(check.stdout)")
        #expect(check.stdout.contains("Returns:   damaged units refund 50%; unit prices exclude tax; overdue after 14 days"))
        #expect(check.stdout.contains("gb18030"))
        #expect(check.stdout.contains("Retention: 90 days"))
        let root2 = Binary.tempDir() + "/broken"
        _ = try Binary.run(["init", root2])
        try "version: 1\nchannels:\n  a: { fromat: csv }\n".write(toFile: root2 + "/erpwms.yaml", atomically: true, encoding: .utf8)
        let broken = try Binary.run(["config", "check", "-w", root2])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("erpwms.yaml:3: channels.a.fromat: unknown key"))
    }

    @Test("after each run: a Prometheus metrics file; --log-format json logs one object per line; --quiet is quiet")
    func cronFeatures() throws {
        let root = try Self.workspace()
        try "garbage".write(toFile: root + "/inbox/erp-orders-xml/bad.xml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Self.samples + "/orders/erp-orders-2025-03-01.csv",
                                         toPath: root + "/inbox/erp-orders/orders.csv")
        let r = try Binary.run(["run", "-w", root, "--log-format", "json", "--quiet"])
        #expect(r.status == 2)
        let logLines = r.stderr.split(separator: "\n")
        #expect(!logLines.isEmpty)
        for line in logLines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            #expect(object?["level"] != nil && object?["message"] != nil, "\(line)")
        }
        #expect(!r.stderr.contains("Anna"), "no customer data in logs")
        let metrics = try String(contentsOfFile: root + "/state/erpwms.prom", encoding: .utf8)
        #expect(metrics.contains("erpwms_runs_total 1\n"))
        #expect(metrics.contains("erpwms_last_run_files{outcome=\"failed\"} 1\n"))
        #expect(metrics.contains("erpwms_last_run_orders{result=\"accepted\"} 11\n"))
        #expect(metrics.contains("erpwms_last_run_findings{rule=\"order.currency.iso4217\"} 1\n"))
        #expect(metrics.contains("erpwms_last_run_needs_attention 1\n"))
        #expect(!metrics.contains("erpwms_last_success_timestamp_seconds 1"), "no successful run yet")
        let quiet = try Binary.run(["run", "-w", root, "--quiet"])
        #expect(quiet.status == 0)
        #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty)
        let metrics2 = try String(contentsOfFile: root + "/state/erpwms.prom", encoding: .utf8)
        #expect(metrics2.contains("erpwms_runs_total 2\n"))
        #expect(metrics2.contains("erpwms_last_success_timestamp_seconds 1"))
    }

    @Test("help reads well and shell completion is generated")
    func helpAndCompletion() throws {
        let help = try Binary.run(["--help"])
        #expect(help.status == 0)
        for command in ["init", "run", "report", "files", "orders", "validate", "reprocess", "purge", "config", "simulate-wms", "demo"] {
            #expect(help.stdout.contains("  \(command)"), "\(command) listed")
        }
        #expect(help.stdout.contains("Exit codes"))
        let reprocessHelp = try Binary.run(["reprocess", "--help"])
        #expect(reprocessHelp.stdout.contains("--dry-run"))
        for shell in ["bash", "zsh", "fish"] {
            let c = try Binary.run(["--generate-completion-script", shell])
            #expect(c.status == 0)
            #expect(c.stdout.contains("reprocess"))
        }
    }
}
