import Foundation
import Testing

/// Personal data stays where it must be: unique canary values in every personal field of 2,000 orders (some
/// of them invalid) go through run, the warehouse simulator, a second run and the report; then every file of
/// the workspace and everything the commands printed is searched. Canaries may appear only in the inputs
/// (archive/, failed/ inputs) and in the WMS instructions, which must carry name, address and phone to ship
/// (not the e-mail, unless configured).
@Suite("Personal data canary")
struct CanaryTests {
    static let orders = 2000

    static func ordersCSV() -> String {
        var rows = ["order_id,order_date,store,customer_id,ship_name,ship_company,ship_address1,ship_address2,ship_city,ship_region,ship_postcode,ship_country,ship_phone,ship_email,currency,payment_method,cod_amount,carrier_service,warehouse,gift_note,line_no,sku,description,quantity,uom,unit_price,tax_rate"]
        for n in 1...orders {
            let c = "canary\(n)x"
            let bad = n % 97 == 0
            let qty = bad ? "0" : "2"
            let currency = n % 89 == 0 ? "EURO" : "EUR"
            for line in 1...2 {
                rows.append("SO\(n),2025-03-01T10:00:00+01:00,shop-de,CUST\(c),Name \(c),Company \(c),Street \(c),Floor \(c),City \(c),Region \(c),PC\(n),DE,+49 \(n)0\(n),\(c)@example.invalid,\(currency),card,,DHL_PAKET,,Gift \(c),\(line),SKU-\(line),Item \(line),\(line == 2 ? qty : "1"),EA,9.99,0.19")
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    @Test("canaries appear only in inputs and WMS instructions, never in logs, errors, feedback, reports or the ledger")
    func canary() throws {
        let root = try Binary.initWorkspace { $0.replacingOccurrences(of: "after_run: none", with: "after_run: html,csv,json") }
        try Self.ordersCSV().write(toFile: root + "/inbox/erp-orders/orders.csv", atomically: true, encoding: .utf8)
        // A file that fails as a whole, with personal data in it.
        try "order_id,ship_name\nSO-X,Name canaryFAILx\n".write(toFile: root + "/inbox/erp-orders/broken.csv", atomically: true, encoding: .utf8)

        var printed = ""
        for args in [["run", "-w", root, "--verbose"], ["simulate-wms", "-w", root, "--unknown", "5"],
                     ["run", "-w", root, "--verbose", "--log-format", "json"], ["report", "-w", root],
                     ["files", "list", "-w", root], ["files", "show", "1", "-w", root], ["files", "show", "2", "-w", root],
                     ["orders", "show", "SO97", "-w", root], ["orders", "show", "SO5", "--json", "-w", root]] {
            let r = try Binary.run(args)
            printed += r.stdout + r.stderr
        }
        #expect(!printed.lowercased().contains("canary"), "nothing printed shows personal data")

        let fm = FileManager.default
        let e = try #require(fm.enumerator(atPath: root))
        var checked = 0
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: root + "/" + p, isDirectory: &isDir), !isDir.boolValue else { continue }
            let data = try #require(fm.contents(atPath: root + "/" + p))
            let text = String(decoding: data, as: UTF8.self).lowercased()
            let isInput = p.hasPrefix("archive/") || p == "failed/broken.csv"
            let isInstruction = p.hasPrefix("outbox/wms/") || p.hasPrefix("simulator/consumed/")
            if isInput { continue }
            checked += 1
            if isInstruction {
                #expect(!text.contains("@example.invalid"), "\(p): the e-mail is not sent to the WMS")
                continue
            }
            #expect(!text.contains("canary"), "\(p) shows personal data")
        }
        #expect(checked > 10, "ledger, reports, feedback, rejects, error files and metrics were searched")
        #expect(fm.fileExists(atPath: root + "/failed/orders.csv.rejects.csv"))
        #expect(fm.fileExists(atPath: root + "/failed/broken.csv.error.json"))
    }

    @Test("an exchange's ship-to reaches only its replacement order, and the ledger forgets it once that is sent")
    func exchangeCanary() throws {
        let root = try Binary.initWorkspace {
            $0.replacingOccurrences(of: "channels:\n", with: """
            channels:
              rmas: { document: returns, pickup: { min_age_seconds: 0 } }
              returns: { document: return-receipts, format: xml, pickup: { min_age_seconds: 0 } }

            """)
        }
        var orders = ["order_id,order_date,ship_name,ship_address1,ship_city,ship_postcode,ship_country,currency,payment_method,carrier_service,line_no,sku,quantity,unit_price,tax_rate"]
        var rmas = ["rma_id,order_id,type,reason,approved_at,ship_name,ship_company,ship_address1,ship_city,ship_postcode,ship_country,ship_phone,ship_email,line_no,sku,quantity,replacement_sku"]
        for n in 1...40 {
            orders.append("SO\(n),2025-03-01T10:00:00+01:00,Anna Muster,Weg 1,Berlin,10115,DE,EUR,card,DHL_PAKET,1,SKU-1,2,9.99,0.19")
            let c = "rmacanary\(n)x"
            // Every fifth RMA returns more than was shipped: rejected, with its address in the input only.
            rmas.append("RMA-\(n),SO\(n),exchange,too_small,2025-03-03T10:00:00+01:00,Name \(c),Co \(c),Street \(c),City \(c),PC\(c),DE,+49 \(n)77,\(c)@example.invalid,1,SKU-1,\(n % 5 == 0 ? 3 : 1),SKU-2")
        }
        try (orders.joined(separator: "\n") + "\n").write(toFile: root + "/inbox/erp-orders/orders.csv", atomically: true, encoding: .utf8)
        let quiet = ["--short", "0", "--split", "0", "--delayed", "0", "--duplicate", "0", "--unknown", "0", "--late-returns", "0"]
        var printed = ""
        for args in [["run", "-w", root], ["simulate-wms", "-w", root] + quiet, ["run", "-w", root]] {
            let r = try Binary.run(args)
            printed += r.stdout + r.stderr
        }
        try (rmas.joined(separator: "\n") + "\n").write(toFile: root + "/inbox/rmas/rmas.csv", atomically: true, encoding: .utf8)
        for args in [["run", "-w", root, "--verbose"], ["simulate-wms", "-w", root] + quiet, ["run", "-w", root, "--verbose"],
                     ["report", "-w", root], ["files", "show", "rmas.csv", "-w", root]] {
            let r = try Binary.run(args)
            printed += r.stdout + r.stderr
        }
        #expect(!printed.lowercased().contains("rmacanary"), "nothing printed shows the address")
        let fm = FileManager.default
        var replacements = 0
        for p in try fm.subpathsOfDirectory(atPath: root) {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: root + "/" + p, isDirectory: &isDir), !isDir.boolValue,
                  !p.hasPrefix("archive/"), p != "inbox/rmas/rmas.csv" else { continue }
            let text = String(decoding: try #require(fm.contents(atPath: root + "/" + p)), as: UTF8.self).lowercased()
            if (p.hasPrefix("outbox/wms/") || p.hasPrefix("simulator/consumed/")) && p.contains("shipment-orders_") {
                replacements += text.components(separatedBy: "street rmacanary").count - 1
                #expect(!text.contains("@example.invalid"), "the e-mail is not sent to the WMS")
                continue
            }
            #expect(!text.contains("rmacanary"), "\(p) shows the exchange's address")
        }
        #expect(replacements == 32, "one replacement order per accepted exchange, and only there")
    }

    @Test("the ledger and the archive are owner-only; nothing the workspace creates is world-readable")
    func permissions() throws {
        let root = Binary.tempDir() + "/demo"
        _ = try Binary.run(["demo", "--at", root], cwd: Binary.packageRoot)
        func mode(_ p: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: root + "/" + p)[.posixPermissions] as? Int) ?? -1
        }
        #expect(try mode("state") == 0o700)
        #expect(try mode("archive") == 0o700)
        #expect(try mode("state/ledger.sqlite") & 0o077 == 0)
        for dir in ["outbox/wms", "outbox/erp", "failed", "reports", "work"] { #expect(try mode(dir) & 0o007 == 0, "\(dir)") }
        for f in try FileManager.default.contentsOfDirectory(atPath: root + "/outbox/erp") {
            #expect(try mode("outbox/erp/" + f) & 0o007 == 0, "\(f)")
        }
    }
}

@Suite("Encryption at rest")
struct EncryptionAtRestTests {
    @Test("with privacy.archive_encryption the archive holds only ciphertext; archive cat reads it back")
    func encryptedArchive() throws {
        let keyFile = Binary.tempDir() + "/archive.key"
        try (Data((0..<32).map { UInt8($0) }).base64EncodedString() + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        let root = try Binary.initWorkspace { $0 + "\nprivacy:\n  archive_encryption: true\n  archive_key_file: \(keyFile)\n" }
        let input = try String(contentsOfFile: Binary.packageRoot + "/samples/orders/erp-orders-2025-03-01.csv", encoding: .utf8)
        try input.write(toFile: root + "/inbox/erp-orders/orders.csv", atomically: true, encoding: .utf8)
        let r = try Binary.run(["run", "-w", root])
        #expect(r.status == 2)
        let archived = try FileManager.default.subpathsOfDirectory(atPath: root + "/archive").filter { $0.hasSuffix(".enc") }
        #expect(archived.count == 1)
        let path = "archive/" + archived[0]
        let sealed = try #require(FileManager.default.contents(atPath: root + "/" + path))
        #expect(!String(decoding: sealed, as: UTF8.self).contains("Schröder"), "no plaintext in the archive")
        let cat = try Binary.run(["archive", "cat", path, "-w", root])
        #expect(cat.status == 0)
        #expect(cat.stdout == input)
        // Tampered: detected, nothing printed as if it were fine.
        var bad = [UInt8](sealed)
        bad[bad.count / 2] ^= 0x40
        try Data(bad).write(to: URL(fileURLWithPath: root + "/" + path))
        let tampered = try Binary.run(["archive", "cat", path, "-w", root])
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("fails authentication"))
        // Without the key the configuration says so.
        try FileManager.default.removeItem(atPath: keyFile)
        let nokey = try Binary.run(["run", "-w", root])
        #expect(nokey.status == 1)
        #expect(nokey.stderr.contains("privacy.archive_key_file: cannot read"))
    }
}
