import Testing
@testable import ERPWMSEngine

@Suite("Configuration")
struct ConfigTests {
    func load(_ text: String) throws -> Configuration {
        var loader = ConfigLoader(file: "erpwms.yaml")
        return try loader.load(text: text)
    }

    @Test("the default configuration written by init is valid")
    func defaultConfig() throws {
        let c = try load(Workspace.defaultConfig)
        #expect(c.channels.map(\.name) == ["erp-orders", "erp-orders-xml", "wms-confirmations"])
        #expect(c.channels[1].format == .xml)
        #expect(c.channels[2].document == .shipmentConfirmations)
        #expect(c.serviceLevelHours == [24, 48])
        #expect(c.reportAfterRun.isEmpty)
        #expect(c.feedbackFormat == .xml)
        #expect(c.includeEmail == false)
        #expect(c.router.byCountry["GB"] == "WH-GB-MK1")
        #expect(c.returns.damagedRefund == .full)
        #expect(c.returns.pricesIncludeTax == false)
        #expect(c.purchaseOverdueDays == 0)
        // Every commented example channel, uncommented, is valid, and together they carry every document type.
        let all = Workspace.defaultConfig.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let t = line.drop { $0 == " " }
            guard t.hasPrefix("# "), t.contains("document:") else { return String(line) }
            return String(line.prefix(line.count - t.count)) + t.dropFirst(2)
        }.joined(separator: "\n")
        let full = try load(all)
        #expect(Set(full.channels.map(\.document)) == Set(DocumentType.allCases))
    }

    @Test("returns, purchasing and unknown_sku settings are read and checked")
    func flowSettings() throws {
        let c = try load("""
        version: 1
        channels:
          o: { unknown_sku: reject }
          r: { document: returns, unknown_sku: warn }
        returns: { damaged_refund: 12.5%, prices_include_tax: true, overdue_days: 30, warehouse: WH-R, replacement_carrier: UPS }
        purchasing: { overdue_days: 2 }
        """)
        #expect(c.channels.map(\.unknownSKU) == [.reject, .warn])
        #expect(c.returns.damagedRefund == .percent(hundredths: 1250))
        #expect(c.returns.pricesIncludeTax)
        #expect(c.returns.overdueDays == 30)
        #expect(c.returns.warehouse == "WH-R")
        #expect(c.returns.replacementCarrier == "UPS")
        #expect(c.purchaseOverdueDays == 2)
        for (text, message) in [
            ("returns: { damaged_refund: half }", "returns.damaged_refund: 'half' is not allowed; full, none, or a percentage such as 50%"),
            ("returns: { refund: full }", "returns.refund: unknown key"),
        ] {
            #expect { try load("version: 1\nchannels:\n  o: {}\n" + text + "\n") } throws: { e in
                (e as? ConfigError).map { "\($0)".contains(message) } ?? false
            }
        }
        #expect { try load("version: 1\nchannels:\n  p: { document: purchase-orders, header_row: 2 }\n") } throws: { e in
            (e as? ConfigError).map { "\($0)".contains("header_row: only for order channels in this version") } ?? false
        }
        #expect { try load("version: 1\nchannels:\n  c: { document: shipment-confirmations, unknown_sku: warn }\n") } throws: { e in
            (e as? ConfigError).map { "\($0)".contains("only for orders, purchase-orders and returns channels") } ?? false
        }
    }

    @Test("an unknown key names the file, the key path, the line and what is allowed")
    func unknownKey() {
        let text = "version: 1\nchannels:\n  a:\n    format: csv\n    fromat: xml\n"
        #expect {
            try load(text)
        } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.file == "erpwms.yaml" && e.key == "channels.a.fromat" && e.line == 5
                && e.description.contains("allowed here: document, inbox, format")
        }
    }

    @Test("a bad value names the key, the line and the allowed values")
    func badValue() {
        let text = "version: 1\nchannels:\n  a:\n    encoding: latin-9\n"
        #expect {
            try load(text)
        } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.key == "channels.a.encoding" && e.line == 4 && e.message.contains("gb18030")
        }
    }

    @Test("values and keys that YAML could read as booleans, numbers or null are read as the text written")
    func plainText() throws {
        // NO is Norway, not false; 007 a SKU, not 7; `yes` and `on` are booleans only where a boolean is asked for.
        let c = try load("""
        version: 1
        channels:
          o: { pickup: { min_age_seconds: 010 } }
        routing:
          by_country: { NO: WH-NO, "DE": WH-DE }
        sku_aliases: { 007: null, true: "1.0" }
        validation: { validate_output: yes }
        wms: { include_email: on, include_phone: off }
        """)
        #expect(c.router.byCountry["NO"] == "WH-NO")
        #expect(c.router.byCountry["DE"] == "WH-DE")
        #expect(c.rules.skuAliases["007"] == "null")
        #expect(c.rules.skuAliases["true"] == "1.0")
        #expect(c.channels[0].pickup.minAgeSeconds == 10)
        #expect(c.validateOutput && c.includeEmail && !c.includePhone)
    }

    @Test("routing by_country keys must be ISO countries")
    func badCountry() {
        #expect(throws: ConfigError.self) {
            try load("version: 1\nchannels: { a: {} }\nrouting:\n  by_country: { UK: WH1 }\n")
        }
    }

    @Test("YAML syntax errors carry the line")
    func syntax() {
        #expect {
            try load("version: 1\nchannels:\n  a: [\n")
        } throws: { error in
            (error as? ConfigError)?.line != nil
        }
    }

    @Test("no channels is an error")
    func noChannels() {
        #expect(throws: ConfigError.self) { try load("version: 1\n") }
    }

    @Test("init refuses to overwrite an existing workspace")
    func initRefuses() throws {
        let t = try TestWorkspace()
        #expect(throws: WorkspaceError.self) { try Workspace.initialize(t.root) }
    }
}
