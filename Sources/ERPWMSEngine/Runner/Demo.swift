import ERPWMSCore
import ERPWMSFormats
import Foundation

/// `erpwms demo`: a throw-away workspace fed with the bundled samples, and the whole cycle run over it.
public enum Demo {
    /// The demo workspace's configuration: a channel for every document type, no minimum file age (the
    /// samples were just copied in).
    public static let config = """
    # erpwms demo workspace (made by `erpwms demo`).
    version: 1
    channels:
      erp-items:
        document: items
        format: csv
        pickup: { min_age_seconds: 0 }
      erp-orders:
        format: csv
        pickup: { min_age_seconds: 0 }
        unknown_sku: warn
      erp-orders-xml:
        format: xml
        pickup: { min_age_seconds: 0 }
      erp-orders-cn:
        format: csv
        encoding: gb18030
        pickup: { min_age_seconds: 0 }
      erp-cancellations:
        document: cancellations
        format: csv
        pickup: { min_age_seconds: 0 }
      erp-purchase-orders:
        document: purchase-orders
        format: csv
        pickup: { min_age_seconds: 0 }
        unknown_sku: warn
      erp-purchase-orders-xml:
        document: purchase-orders
        format: xml
        pickup: { min_age_seconds: 0 }
      erp-returns:
        document: returns
        format: csv
        pickup: { min_age_seconds: 0 }
      erp-returns-xml:
        document: returns
        format: xml
        pickup: { min_age_seconds: 0 }
      erp-stock:
        document: stock-snapshots
        format: csv
        pickup: { min_age_seconds: 0 }
      wms-confirmations:
        document: shipment-confirmations
        format: xml
        pickup: { min_age_seconds: 0 }
      wms-cancellations:
        document: cancellation-results
        format: xml
        pickup: { min_age_seconds: 0 }
      wms-receipts:
        document: receipt-confirmations
        format: xml
        pickup: { min_age_seconds: 0 }
      wms-returns:
        document: return-receipts
        format: xml
        pickup: { min_age_seconds: 0 }
      wms-inventory:
        document: inventory-snapshots
        format: xml
        pickup: { min_age_seconds: 0 }
    wms:
      include_email: false
    routing:
      default_warehouse: WH-EU-DE1
      by_country:
        GB: WH-GB-MK1
        US: WH-US-NJ1
        CN: WH-CN-SH1
        NL: WH-EU-NL1
    returns:
      damaged_refund: 50%
    """

    /// Which sample (under `samples/`) goes to which channel's inbox, stage by stage.
    public enum Stage: CaseIterable {
        /// The ERP's item master, orders and purchase orders.
        case orders
        /// The ERP cancels two orders it sent, and one that never reached erpwms.
        case cancellations
        /// The ERP approves returns and an exchange.
        case returns
    }

    public static func placement(_ stage: Stage) -> [(sample: String, channel: String)] {
        switch stage {
        case .orders:
            return [("items/erp-items-2025-02-28.csv", "erp-items"),
                    ("orders/erp-orders-2025-03-01.csv", "erp-orders"),
                    ("orders/erp-orders-2025-03-01.xml", "erp-orders-xml"),
                    ("orders/erp-orders-cn-gb18030.csv", "erp-orders-cn"),
                    ("purchasing/erp-purchase-orders-2025-03-01.csv", "erp-purchase-orders"),
                    ("purchasing/erp-purchase-orders-2025-03-01.xml", "erp-purchase-orders-xml")]
        case .cancellations:
            return [("cancellations/erp-cancellations-2025-03-01.csv", "erp-cancellations")]
        case .returns:
            return [("returns/erp-rmas-2025-03-04.csv", "erp-returns"),
                    ("returns/erp-rmas-2025-03-04.xml", "erp-returns-xml")]
        }
    }

    /// The opening stock of the simulated warehouse (and of the ERP's books).
    public static let openingStock = "inventory/erp-stock-2025-03-05.csv"

    /// Finds `samples/`: the given folder (or its parent when it is `samples/orders`), else under the current
    /// directory, else above the executable.
    public static func locateSamples(_ explicit: String?) -> String? {
        var candidates: [String] = []
        if let explicit {
            candidates.append(explicit)
            candidates.append(FS.parent(explicit))
        }
        let cwd = FileManager.default.currentDirectoryPath
        candidates.append(cwd + "/samples")
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.path + "/samples")
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FS.exists($0 + "/" + placement(.orders)[1].sample) }
    }

    /// Creates the workspace at `root`.
    public static func prepare(root: String, samples: String) throws -> Workspace {
        let ws = try Workspace.initialize(root, configText: config)
        try drop(.orders, into: ws, samples: samples)
        return ws
    }

    /// Copies a stage's samples into their inboxes.
    public static func drop(_ stage: Stage, into ws: Workspace, samples: String) throws {
        for (sample, channel) in placement(stage) {
            guard let c = ws.config.channels.first(where: { $0.name == channel }) else { continue }
            let dest = ws.path(c.inbox) + "/" + FS.name(sample)
            do {
                try FS.makeDirectories(ws.path(c.inbox))
                try FileManager.default.copyItem(atPath: samples + "/" + sample, toPath: dest)
            } catch {
                throw WorkspaceError(message: "cannot copy sample \(sample): \(error.localizedDescription)")
            }
        }
    }

    /// Plays the ERP exporting its stock: for every warehouse and item the simulated warehouse keeps, the
    /// opening stock (`openingFile`, the ERP stock layout; 100 for items not in it) plus what the ERP booked
    /// from erpwms's feedback (`SQLiteLedger.bookedMovements`), as of `asOf`, at the opening file's unit costs,
    /// into the stock-snapshot channel's inbox. Returns the file written.
    public static func writeERPStock(workspace ws: Workspace, openingFile: String, asOf: String) throws -> String? {
        guard let channel = ws.config.channels.first(where: { $0.document == .stockSnapshots }) else { return nil }
        var opening: [String: [String: Int]] = [:]
        var costs: [String: (String, String)] = [:]
        for l in try WMSSimulator.readStockFile(openingFile) {
            opening[l.warehouse, default: [:]][l.sku] = l.quantity
            costs[l.sku] = (l.unitCost, l.currency)
        }
        let stock = WMSSimulator(workspace: ws, mix: .init(), seed: 0, now: Date.init).loadStock()
        let moves = try SQLiteLedger(path: ws.ledgerPath).bookedMovements()
        let path = ws.path(channel.inbox) + "/erp-stock_" + asOf.replacingOccurrences(of: ":", with: "") + ".csv"
        let sink = try FileSink(path: FS.parent(path) + "/." + FS.name(path) + ".tmp")
        let w = try DocumentWriter(sink: sink, layout: .stockSnapshots, format: .csv)
        for warehouse in stock.keys.sorted() {
            let lines = stock[warehouse]!.keys.sorted().map { sku -> [String: String] in
                let qty = (opening[warehouse]?[sku] ?? 100) + (moves[warehouse]?[sku] ?? 0)
                return ["sku": sku, "quantity": String(qty), "unit_cost": costs[sku]?.0 ?? "", "currency": costs[sku]?.1 ?? ""]
            }
            try w.write(["warehouse": warehouse, "as_of": asOf], lines: lines)
        }
        try w.finish()
        try sink.close(sync: true)
        try FS.move(FS.parent(path) + "/." + FS.name(path) + ".tmp", to: path)
        return ws.relative(path)
    }
}
