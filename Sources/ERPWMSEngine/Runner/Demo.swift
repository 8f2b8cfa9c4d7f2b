import Foundation

/// `erpwms demo`: a throw-away workspace fed with the bundled samples, one batch run over it.
public enum Demo {
    /// The demo workspace's configuration: the default one with a third channel for the GB18030 export and
    /// no minimum file age (the samples were just copied in).
    public static let config = """
    # erpwms demo workspace (made by `erpwms demo`).
    version: 1
    channels:
      erp-orders:
        format: csv
        pickup: { min_age_seconds: 0 }
      erp-orders-xml:
        format: xml
        pickup: { min_age_seconds: 0 }
      erp-orders-cn:
        format: csv
        encoding: gb18030
        pickup: { min_age_seconds: 0 }
      wms-confirmations:
        document: shipment-confirmations
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
    """

    /// Which sample goes to which channel's inbox.
    public static let placement: [(sample: String, channel: String)] = [
        ("erp-orders-2025-03-01.csv", "erp-orders"),
        ("erp-orders-2025-03-01.xml", "erp-orders-xml"),
        ("erp-orders-cn-gb18030.csv", "erp-orders-cn"),
    ]

    /// Finds `samples/orders`: the given folder, else under the current directory, else above the executable.
    public static func locateSamples(_ explicit: String?) -> String? {
        var candidates: [String] = []
        if let explicit { candidates.append(explicit) }
        let cwd = FileManager.default.currentDirectoryPath
        candidates.append(cwd + "/samples/orders")
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.path + "/samples/orders")
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { FS.exists($0 + "/" + placement[0].sample) }
    }

    /// Creates the workspace at `root` and drops the samples into its inboxes.
    public static func prepare(root: String, samples: String) throws -> Workspace {
        let ws = try Workspace.initialize(root, configText: config)
        for (sample, channel) in placement {
            guard let c = ws.config.channels.first(where: { $0.name == channel }) else { continue }
            let dest = ws.path(c.inbox) + "/" + sample
            do {
                try FileManager.default.copyItem(atPath: samples + "/" + sample, toPath: dest)
            } catch {
                throw WorkspaceError(message: "cannot copy sample \(sample): \(error.localizedDescription)")
            }
        }
        return ws
    }
}
