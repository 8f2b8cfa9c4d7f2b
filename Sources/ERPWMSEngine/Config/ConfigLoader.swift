import Crypto
import ERPWMSCore
import ERPWMSFormats
import Foundation
import Yams

/// Reads and validates `erpwms.yaml`. Every error names the file, the key path and the line, and says
/// what is allowed; unknown keys are errors too (a typo must not be silently ignored).
public struct ConfigLoader {
    public let file: String
    /// Top-level `lookups:`, shared by every channel's mapping.
    private var sharedLookups: [String: [String: String]] = [:]

    public init(file: String) {
        self.file = file
    }

    /// Parses `text` (the content of `file`).
    public mutating func load(text: String) throws -> Configuration {
        let root: Node
        do {
            // Every value is read as its text and converted here (`Section.int`, `bool`, ...), so no scalar needs
            // YAML's implicit types: without them (`Resolver.basic`) Yams compiles none of its type regexes, which
            // took ~9 million instructions, about 3 ms of every run.
            guard let n = try Yams.compose(yaml: text, .basic) else {
                throw ConfigError(file: file, key: "", line: 1, message: "the file is empty; run `erpwms init` for a commented example")
            }
            root = n
        } catch let e as ConfigError {
            throw e
        } catch let e as YamlError {
            throw ConfigError(file: file, key: "", line: Self.line(of: e), message: "not valid YAML: \(e)")
        }
        let top = try Section(node: root, path: "", file: file)
        try top.allow(["version", "channels", "folders", "wms", "erp", "report", "retention", "metrics", "routing", "sku_aliases", "limits",
                       "validation", "lookups", "privacy", "returns", "purchasing"])
        sharedLookups = try Self.lookupTables(top.section("lookups"))
        if let v = try top.int("version"), v != 1 {
            throw top.error("version", "unsupported version \(v); this erpwms reads version 1")
        }

        let folders = try top.section("folders")
        try folders?.allow(["work", "archive", "failed", "reports", "state"])
        let wms = try top.section("wms")
        try wms?.allow(["outbox", "include_email", "include_phone", "format", "csv_columns"])
        let wmsFormat = try wms?.enumValue("format", InputFormat.self) ?? .xml
        var wmsColumns: [(header: String, field: WMSCSVField)] = []
        if let w = wms, let n = w.node("csv_columns") {
            guard wmsFormat == .csv else { throw w.error("csv_columns", "only with wms.format: csv") }
            guard let items = n.sequence, !items.isEmpty else {
                throw w.error("csv_columns", "a list of fields, or of { name: HEADER, field: FIELD }")
            }
            let allowed = WMSCSVField.allCases.map(\.rawValue).joined(separator: ", ")
            for item in items {
                var header: String?
                var fieldName: String?
                if let s = item.scalar?.string {
                    header = s
                    fieldName = s
                } else if let m = item.mapping {
                    header = m[.key("name")]?.string
                    fieldName = m[.key("field")]?.string
                }
                guard let h = header, let f = fieldName.flatMap(WMSCSVField.init(rawValue:)) else {
                    throw ConfigError(file: file, key: w.key("csv_columns"), line: item.mark?.line,
                                      message: "each column is a field or { name: HEADER, field: FIELD }; fields: \(allowed)")
                }
                wmsColumns.append((h, f))
            }
        } else if wmsFormat == .csv {
            wmsColumns = WMSCSVField.allCases.filter { $0 != .shipEmail }.map { ($0.rawValue, $0) }
        }
        let erp = try top.section("erp")
        try erp?.allow(["outbox", "feedback_format"])
        let report = try top.section("report")
        try report?.allow(["service_level_hours", "after_run"])
        var serviceLevel = [24, 48]
        if let r = report, let n = r.node("service_level_hours") {
            guard let seq = n.sequence, !seq.isEmpty else {
                throw r.error("service_level_hours", "must be a list of hours, such as [24, 48]")
            }
            serviceLevel = try seq.map { item in
                guard let v = item.int, v > 0 else {
                    throw r.error("service_level_hours", "'\(item.string ?? "?")' is not a positive number of hours")
                }
                return v
            }
            guard serviceLevel == serviceLevel.sorted(), Set(serviceLevel).count == serviceLevel.count else {
                throw r.error("service_level_hours", "hours must be ascending, such as [24, 48]")
            }
        }
        var afterRun: [String] = []
        if let r = report, let s = try r.string("after_run"), !s.isEmpty, s != "none" {
            afterRun = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            for f in afterRun where !["html", "csv", "json"].contains(f) {
                throw r.error("after_run", "'\(f)' is not a report format; allowed: html, csv, json (comma-separated) or none")
            }
        }
        let privacy = try top.section("privacy")
        try privacy?.allow(["archive_encryption", "archive_key_file", "pseudonym_key_file"])
        var pseudonymizer: Pseudonymizer?
        var pseudonymKey: [UInt8]?
        if let env = ProcessInfo.processInfo.environment["ERPWMS_PSEUDONYM_KEY"], !env.isEmpty {
            pseudonymKey = Array(env.utf8)
        } else if let path = try privacy?.string("pseudonym_key_file") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw privacy!.error("pseudonym_key_file", "cannot read \(path)")
            }
            pseudonymKey = Array(data)
        }
        if let k = pseudonymKey {
            guard let p = Pseudonymizer(key: k) else {
                throw ConfigError(file: file, key: "privacy.pseudonym_key_file", line: privacy?.node("pseudonym_key_file")?.mark?.line,
                                  message: "the pseudonym key must be at least 16 bytes (openssl rand -base64 32)")
            }
            pseudonymizer = p
        }
        var archiveKey: [UInt8]?
        if try privacy?.bool("archive_encryption") == true {
            // The key lives outside the workspace: in a file named here, or in ERPWMS_ARCHIVE_KEY.
            var keyBytes: [UInt8]?
            if let env = ProcessInfo.processInfo.environment["ERPWMS_ARCHIVE_KEY"], !env.isEmpty {
                keyBytes = Array(env.utf8)
            } else if let path = try privacy?.string("archive_key_file") {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw privacy!.error("archive_key_file", "cannot read \(path)")
                }
                keyBytes = Array(data)
            }
            guard let keyBytes else {
                throw privacy!.error("archive_encryption", "needs a key: privacy.archive_key_file or the ERPWMS_ARCHIVE_KEY variable (32 bytes, base64)")
            }
            do {
                archiveKey = try ArchiveCipher.key(from: keyBytes).withUnsafeBytes { Array($0) }
            } catch {
                throw privacy!.error("archive_key_file", "\(error)")
            }
        }
        let retention = try top.section("retention")
        try retention?.allow(["days"])
        let metrics = try top.section("metrics")
        try metrics?.allow(["file"])
        var metricsFile: String? = "state/erpwms.prom"
        if let m = metrics, let f = try m.string("file") {
            metricsFile = (f.isEmpty || f == "none") ? nil : f
        }
        let validation = try top.section("validation")
        try validation?.allow(["validate_output", "max_text_length", "max_description_length"])

        let routing = try top.section("routing")
        try routing?.allow(["default_warehouse", "by_country"])
        var byCountry: [String: String] = [:]
        if let m = try routing?.section("by_country") {
            for (key, value, line) in try m.stringPairs() {
                let c = key.uppercased()
                guard ISO3166.alpha2.contains(c) else {
                    throw ConfigError(file: file, key: m.path + "." + key, line: line,
                                      message: "'\(key)' is not an ISO 3166-1 alpha-2 country code")
                }
                guard OrderValidator.isCode(value) else {
                    throw ConfigError(file: file, key: m.path + "." + key, line: line,
                                      message: "warehouse '\(value)' must be 1-40 of A-Z a-z 0-9 _ . -")
                }
                byCountry[c] = value
            }
        }
        let defaultWarehouse = try routing?.string("default_warehouse")
        if let d = defaultWarehouse, !OrderValidator.isCode(d) {
            throw routing!.error("default_warehouse", "warehouse '\(d)' must be 1-40 of A-Z a-z 0-9 _ . -")
        }

        var aliases: [String: String] = [:]
        if let m = try top.section("sku_aliases") {
            for (k, v, _) in try m.stringPairs() { aliases[k] = v }
        }

        let limitsSection = try top.section("limits")
        try limitsSection?.allow(["max_file_mb", "max_decompressed_mb", "max_compression_ratio", "max_field_kb",
                                  "max_record_kb"])
        var limits = InputLimits()
        if let l = limitsSection {
            if let v = try l.int("max_file_mb", min: 1) { limits.maxFileBytes = Int64(v) << 20 }
            if let v = try l.int("max_decompressed_mb", min: 1) { limits.maxDecompressedBytes = Int64(v) << 20 }
            if let v = try l.int("max_compression_ratio", min: 2) { limits.maxCompressionRatio = Int64(v) }
            if let v = try l.int("max_field_kb", min: 1) { limits.maxFieldBytes = v << 10 }
            if let v = try l.int("max_record_kb", min: 1) { limits.maxRecordBytes = v << 10 }
        }

        var rules = OrderRuleSettings(skuAliases: aliases)
        if let v = try validation?.int("max_text_length", min: 1, max: 200) { rules.maxTextLength = v }
        if let v = try validation?.int("max_description_length", min: 1, max: 500) { rules.maxDescriptionLength = v }

        guard let channelsSection = try top.section("channels") else {
            throw top.error("channels", "at least one channel is required (see `erpwms init`)")
        }
        var channels: [Channel] = []
        for (name, line) in channelsSection.keys {
            guard OrderValidator.isCode(name) else {
                throw ConfigError(file: file, key: "channels.\(name)", line: line,
                                  message: "a channel name is 1-40 of A-Z a-z 0-9 _ . -")
            }
            guard let c = try channelsSection.section(name) else {
                throw ConfigError(file: file, key: "channels.\(name)", line: line, message: "must be a mapping")
            }
            channels.append(try channel(name: name, c))
        }
        if channels.isEmpty { throw top.error("channels", "at least one channel is required") }

        var config = Configuration(
            channels: channels,
            wmsOutbox: try wms?.string("outbox") ?? "outbox/wms",
            workDir: try folders?.string("work") ?? "work",
            archiveDir: try folders?.string("archive") ?? "archive",
            failedDir: try folders?.string("failed") ?? "failed",
            reportsDir: try folders?.string("reports") ?? "reports",
            stateDir: try folders?.string("state") ?? "state",
            erpOutbox: try erp?.string("outbox") ?? "outbox/erp",
            feedbackFormat: try erp?.enumValue("feedback_format", FeedbackFormat.self) ?? .xml,
            serviceLevelHours: serviceLevel,
            reportAfterRun: afterRun,
            retentionDays: try retention?.int("days", min: 1) ?? 90,
            metricsFile: metricsFile,
            includeEmail: try wms?.bool("include_email") ?? false,
            includePhone: try wms?.bool("include_phone") ?? true,
            router: WarehouseRouter(byCountry: byCountry, defaultWarehouse: defaultWarehouse),
            rules: rules, limits: limits,
            validateOutput: try validation?.bool("validate_output") ?? true)
        config.archiveKeyBytes = archiveKey
        config.pseudonymizer = pseudonymizer
        config.wmsFormat = wmsFormat
        config.wmsCSVColumns = wmsColumns
        if let r = try top.section("returns") {
            try r.allow(["damaged_refund", "prices_include_tax", "overdue_days", "warehouse", "replacement_carrier"])
            if let c = try r.string("replacement_carrier") {
                guard OrderValidator.isCode(c) else { throw r.error("replacement_carrier", "'\(c)' must be 1-40 of A-Z a-z 0-9 _ . -") }
                config.returns.replacementCarrier = c
            }
            if let t = try r.string("damaged_refund") {
                guard let p = DamagedRefundPolicy(t) else {
                    throw r.error("damaged_refund", "'\(t)' is not allowed; full, none, or a percentage such as 50%")
                }
                config.returns.damagedRefund = p
            }
            if let v = try r.bool("prices_include_tax") { config.returns.pricesIncludeTax = v }
            if let v = try r.int("overdue_days", min: 0) { config.returns.overdueDays = v }
            if let w = try r.string("warehouse") {
                guard OrderValidator.isCode(w) else { throw r.error("warehouse", "warehouse '\(w)' must be 1-40 of A-Z a-z 0-9 _ . -") }
                config.returns.warehouse = w
            }
        }
        if let p = try top.section("purchasing") {
            try p.allow(["overdue_days"])
            if let v = try p.int("overdue_days", min: 0) { config.purchaseOverdueDays = v }
        }
        return config
    }

    private func channel(name: String, _ c: Section) throws -> Channel {
        try c.allow(["document", "inbox", "format", "encoding", "delimiter", "quote", "header_row", "pickup", "error_policy",
                     "layout", "mapping", "lookups", "skip_if", "xml", "unknown_sku"])
        let document = try c.enumValue("document", DocumentType.self) ?? .orders
        let format = try c.enumValue("format", InputFormat.self) ?? .csv
        let encoding = try c.enumValue("encoding", TextEncoding.self) ?? .utf8
        var delimiter = UInt8(ascii: ",")
        if let d = try c.string("delimiter") {
            switch d {
            case ",": delimiter = UInt8(ascii: ",")
            case ";": delimiter = UInt8(ascii: ";")
            case "\t", "tab": delimiter = 0x09
            case "|": delimiter = UInt8(ascii: "|")
            default: throw c.error("delimiter", "'\(d)' is not allowed; allowed: ',' ';' '|' 'tab'")
            }
        }
        var pickup = PickupRule()
        if let p = try c.section("pickup") {
            try p.allow(["min_age_seconds", "done_marker"])
            if let v = try p.int("min_age_seconds", min: 0) { pickup.minAgeSeconds = v }
            if let m = try p.string("done_marker") {
                guard m.hasPrefix("."), m.count > 1, !m.contains("/") else {
                    throw p.error("done_marker", "'\(m)' must be a suffix starting with '.', such as .done")
                }
                pickup.doneMarkerSuffix = m
            }
        }
        var channel = Channel(name: name, document: document, inbox: try c.string("inbox") ?? "inbox/\(name)",
                              format: format, encoding: encoding, delimiter: delimiter, pickup: pickup,
                              errorPolicy: try c.enumValue("error_policy", ErrorPolicy.self) ?? .rejectOrder)
        if let q = try c.string("quote") {
            guard q.utf8.count == 1 else { throw c.error("quote", "'\(q)' must be one character, such as '\"' or \"'\"") }
            channel.quote = q.utf8.first!
        }
        channel.headerRow = try c.int("header_row", min: 0, max: 1000) ?? 1
        if channel.headerRow != 1 && document != .orders {
            throw c.error("header_row", "only for order channels in this version; \(document.rawValue) files have their header in the first row")
        }
        if let policy = try c.enumValue("unknown_sku", UnknownSKUPolicy.self) {
            guard [.orders, .purchaseOrders, .returns].contains(document) else {
                throw c.error("unknown_sku", "only for orders, purchase-orders and returns channels")
            }
            channel.unknownSKU = policy
        }
        if c.node("mapping") != nil {
            guard document == .orders else {
                throw c.error("mapping", "mappings are for order channels in this version; \(document.rawValue) must use the canonical layout")
            }
            channel.mapping = try MappingLoader(file: file, lookups: sharedLookups.merging(try Self.lookupTables(c.section("lookups"))) { $1 },
                                                isXML: format == .xml).mapping(c)
        } else {
            for key in ["layout", "skip_if", "xml", "lookups"] where c.node(key) != nil {
                throw c.error(key, "only means something with a mapping: add `mapping:` to this channel")
            }
        }
        return channel
    }

    static func lookupTables(_ section: Section?) throws -> [String: [String: String]] {
        guard let section else { return [:] }
        var tables: [String: [String: String]] = [:]
        for (name, line) in section.keys {
            guard let t = try section.section(name) else {
                throw ConfigError(file: section.file, key: section.key(name), line: line, message: "a lookup table is a mapping of KEY: VALUE")
            }
            var values: [String: String] = [:]
            for (k, v, _) in try t.stringPairs() { values[k] = v }
            tables[name] = values
        }
        return tables
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return mark.line
        default:
            return nil
        }
    }
}

/// A YAML mapping with its key path, for precise errors.
struct Section {
    let mapping: Node.Mapping
    let path: String
    let file: String
    let line: Int?

    init(node: Node, path: String, file: String) throws {
        guard let m = node.mapping else {
            throw ConfigError(file: file, key: path, line: node.mark?.line, message: "must be a mapping of keys to values")
        }
        self.mapping = m
        self.path = path
        self.file = file
        self.line = node.mark?.line
    }

    func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    func error(_ k: String, _ message: String) -> ConfigError {
        ConfigError(file: file, key: key(k), line: node(k)?.mark?.line ?? line, message: message)
    }

    func node(_ k: String) -> Node? { mapping[.key(k)] }

    /// Keys in document order, with their lines.
    var keys: [(String, Int?)] {
        mapping.map { ($0.key.string ?? "", $0.key.mark?.line) }
    }

    func allow(_ allowed: [String]) throws {
        for (k, line) in keys where !allowed.contains(k) {
            throw ConfigError(file: file, key: key(k), line: line,
                              message: "unknown key; allowed here: \(allowed.joined(separator: ", "))")
        }
    }

    func section(_ k: String) throws -> Section? {
        guard let n = node(k) else { return nil }
        if n.scalar != nil && (n.string == "" || n.null != nil) { return nil }
        return try Section(node: n, path: key(k), file: file)
    }

    func string(_ k: String) throws -> String? {
        guard let n = node(k) else { return nil }
        guard let s = n.scalar?.string else { throw error(k, "must be a single value, not a list or mapping") }
        return s
    }

    func int(_ k: String, min: Int = Int.min, max: Int = Int.max) throws -> Int? {
        guard let s = try string(k) else { return nil }
        guard let v = Int(s), v >= min, v <= max else {
            let range = max == Int.max ? "an integer >= \(min)" : "an integer from \(min) to \(max)"
            throw error(k, "'\(s)' is not allowed; must be \(range)")
        }
        return v
    }

    func bool(_ k: String) throws -> Bool? {
        guard let s = try string(k) else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(k, "'\(s)' is not allowed; must be true or false")
        }
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ k: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let s = try string(k) else { return nil }
        guard let v = E(rawValue: s.lowercased()) else {
            throw error(k, "'\(s)' is not allowed; allowed: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    func stringPairs() throws -> [(String, String, Int?)] {
        try mapping.map { pair in
            guard let k = pair.key.string, let v = pair.value.scalar?.string else {
                throw ConfigError(file: file, key: path, line: pair.key.mark?.line, message: "entries must be KEY: VALUE")
            }
            return (k, v, pair.key.mark?.line)
        }
    }
}

extension Node {
    /// A mapping key to look `k` up with. Keys parsed with `Resolver.basic` are strings (`str`); `Node(k)` would
    /// resolve its type with the default resolver, compiling its regexes.
    static func key(_ k: String) -> Node { Node(k, Tag(.str, .basic)) }
}
