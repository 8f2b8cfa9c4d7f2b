import Foundation
import Logging
@testable import ERPWMSEngine
import ERPWMSCore

/// This test process's scratch folder under the system temp directory, removed when the process exits: every
/// test's workspace and files go inside it (`Scratch.path`). Left behind one by one, a test run's workspaces
/// had come to ~500 MB, and about 35 GB of /tmp over many runs.
enum Scratch {
    static let root: String = {
        let r = FileManager.default.temporaryDirectory.path + "/erpwms-engine-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: r, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.root) }
        return r
    }()

    /// A fresh path in the scratch folder, its name starting with `prefix` (nothing is created there).
    static func path(_ prefix: String) -> String { root + "/" + prefix + UUID().uuidString }

    /// A fresh empty folder in the scratch folder (gone with it at exit).
    static func directory(_ prefix: String) throws -> String {
        let d = path(prefix)
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}

/// A workspace in a fresh temporary directory, for one test.
struct TestWorkspace {
    let root: String
    let workspace: Workspace

    static let baseConfig = """
    version: 1
    channels:
      orders:
        format: csv
        pickup: { min_age_seconds: 0 }
      orders-xml:
        format: xml
        pickup: { min_age_seconds: 0 }
    routing:
      default_warehouse: WH-EU-DE1
      by_country: { US: WH-US-NJ1 }
    """

    init(config: String = TestWorkspace.baseConfig) throws {
        root = Scratch.path("workspace-")
        workspace = try Workspace.initialize(root, configText: config)
    }

    /// Drops `text` as `name` into the inbox of `channel`.
    func drop(_ name: String, _ text: String, channel: String = "orders") throws {
        try drop(name, Array(text.utf8), channel: channel)
    }

    func drop(_ name: String, _ bytes: [UInt8], channel: String = "orders") throws {
        let c = workspace.config.channels.first { $0.name == channel }!
        try Data(bytes).write(to: URL(fileURLWithPath: workspace.path(c.inbox) + "/" + name))
    }

    func run(at time: String? = nil) throws -> RunSummary {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let ledger = try SQLiteLedger(path: workspace.ledgerPath)
        let date = time.flatMap(ISODate.epochSeconds).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        return try BatchRunner(workspace: workspace, ledger: ledger, logger: logger, now: { date ?? Date() }).run()
    }

    func files(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: workspace.path(relative))) ?? []).sorted()
    }

    func read(_ relative: String) -> String {
        (try? String(contentsOfFile: workspace.path(relative), encoding: .utf8)) ?? ""
    }

    /// All files under `relative`, recursively, relative to it.
    func tree(_ relative: String) -> [String] {
        let base = workspace.path(relative)
        guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + p, isDirectory: &isDir), !isDir.boolValue {
                out.append(p)
            }
        }
        return out.sorted()
    }

    /// Every shipment-order XML text in the WMS outbox, concatenated.
    var outboxXML: String {
        files("outbox/wms").map { read("outbox/wms/" + $0) }.joined()
    }
}

/// A canonical CSV order file.
enum CSVFixture {
    static let header = "order_id,order_date,store,customer_id,ship_name,ship_company,ship_address1,ship_address2,ship_city,ship_region,ship_postcode,ship_country,ship_phone,ship_email,currency,payment_method,cod_amount,carrier_service,warehouse,line_no,sku,description,quantity,uom,unit_price,tax_rate"

    /// One row. Override fields by name.
    static func row(_ id: String, line: Int = 1, _ overrides: [String: String] = [:]) -> String {
        var f: [String: String] = [
            "order_id": id, "order_date": "2025-03-01T10:00:00+01:00", "store": "shop-de", "customer_id": "C1",
            "ship_name": "Käthe Schröder", "ship_company": "", "ship_address1": "Hauptstr. 1", "ship_address2": "",
            "ship_city": "Berlin", "ship_region": "", "ship_postcode": "10115", "ship_country": "DE",
            "ship_phone": "+49 30 1234567", "ship_email": "k@example.de", "currency": "EUR",
            "payment_method": "card", "cod_amount": "", "carrier_service": "DHL_PAKET", "warehouse": "",
            "line_no": String(line), "sku": "SKU-\(line)", "description": "Thing \(line)", "quantity": "1",
            "uom": "EA", "unit_price": "9.99", "tax_rate": "0.19",
        ]
        for (k, v) in overrides { f[k] = v }
        return header.split(separator: ",").map { name -> String in
            let v = f[String(name)]!
            return v.contains(",") || v.contains("\"") ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
        }.joined(separator: ",")
    }

    static func file(_ rows: [String]) -> String {
        ([header] + rows).joined(separator: "\r\n") + "\r\n"
    }
}
