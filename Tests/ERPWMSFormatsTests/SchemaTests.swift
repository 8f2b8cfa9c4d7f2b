import Foundation
import Testing
import ERPWMSCore
import ERPWMSFormats

@Suite("Schemas")
struct SchemaTests {
    @Test("the embedded schemas are byte for byte the files in schemas/")
    func embeddedMatchFiles() throws {
        let dir = Fixtures.packageRoot.appendingPathComponent("schemas")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".xsd") }
        #expect(Set(names) == Set(EmbeddedSchemas.files.keys))
        #expect(Set(names).isSuperset(of: [ShipmentOrderWriter.schemaName, XMLOrderReader.schemaName]))
        for name in names {
            let onDisk = try Fixtures.bytes(dir.appendingPathComponent(name))
            let embedded = try #require(EmbeddedSchemas.files[name])
            #expect(Array(embedded.utf8) == onDisk, "\(name) differs; run scripts/embed-schemas.sh")
        }
    }

    @Test("the WMS file for the accepted sample orders is valid")
    func samplesValidate() throws {
        let csv = try acceptedSampleOrders("erp-orders-2025-03-01.csv")
        let xml = try acceptedSampleOrders("erp-orders-2025-03-01.xml")
        let cn = try acceptedSampleOrders("erp-orders-cn-gb18030.csv", encoding: .gb18030)
        #expect(csv.count == 11)
        #expect(xml.count == 6)
        #expect(cn.count == 3)
        for (label, orders) in [("csv", csv), ("xml", xml), ("gb18030", cn)] {
            for includeEmail in [false, true] {
                let bytes = try shipmentXML(orders, includeEmail: includeEmail)
                let errors = try wmsSchemaErrors(bytes)
                #expect(errors.isEmpty, "\(label): \(errors.map(\.description))")
            }
        }
    }

    @Test("the same orders give the same bytes")
    func deterministic() throws {
        let orders = try acceptedSampleOrders("erp-orders-2025-03-01.xml")
        let a = try shipmentXML(orders)
        let b = try shipmentXML(orders)
        #expect(a == b)
        #expect(!a.isEmpty)
        // One order per line between the root's start and end tags.
        let text = String(decoding: a, as: UTF8.self)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("<ShipmentOrder ") }.count == orders.count)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ShipmentOrders warehouse=\"WH-EU-DE1\""))
        #expect(text.hasSuffix("</ShipmentOrders>\n"))
    }

    @Test("the validator finds errors: an empty batch is valid, a broken one is not")
    func validatorIsNotVacuous() throws {
        #expect(try wmsSchemaErrors(try shipmentXML([])).isEmpty)
        let order = try makeOrder()
        let good = String(decoding: try shipmentXML([order]), as: UTF8.self)
        #expect(try wmsSchemaErrors(Array(good.utf8)).isEmpty)
        let broken = [
            good.replacingOccurrences(of: "<Carrier>DHL_PAKET</Carrier>", with: ""),           // required element
            good.replacingOccurrences(of: "<Country>DE</Country>", with: "<Country>de</Country>"),
            good.replacingOccurrences(of: "<Quantity uom=\"EA\">1</Quantity>", with: "<Quantity uom=\"EA\">0</Quantity>"),
            good.replacingOccurrences(of: "currency=\"EUR\"", with: "currency=\"EURO\""),
            good.replacingOccurrences(of: "warehouse=\"WH-EU-DE1\"", with: "warehouse=\"WH EU\""),
        ]
        for doc in broken {
            #expect(doc != good)
            #expect(try !wmsSchemaErrors(Array(doc.utf8)).isEmpty, "\(doc)")
        }
    }

    @Test("schema errors name their line, redact values, and stop at the limit")
    func schemaErrorsLineAndLimit() throws {
        let order = try makeOrder()
        let good = String(decoding: try shipmentXML(Array(repeating: order, count: 30)), as: UTF8.self)
        let bad = good.replacingOccurrences(of: "<Country>DE</Country>", with: "<Country>de</Country>")
        let errors = try XMLSchemaValidator.validate(MemoryByteSource(Array(bad.utf8)), schema: ShipmentOrderWriter.schemaName, limit: 5)
        #expect(errors.count == 5)
        let firstLine = bad.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("<Country>de</Country>") }.map { $0 + 1 }
        #expect(errors.first?.location.line == firstLine)
        #expect(errors.allSatisfy { $0.rule == "xml.schema" && !$0.message.contains("'de'") })
    }

    @Test("a batch may carry several versions of one order")
    func severalVersions() throws {
        // (orderId, version) uniqueness is the ledger's job, not the schema's (no xs:unique, so that
        // streaming validation keeps memory flat); the file itself is valid.
        let order = try makeOrder()
        let sink = MemoryByteSink()
        let writer = ShipmentOrderWriter(sink: sink, warehouse: "WH-EU-DE1", source: "abc")
        try writer.write(order, version: 1, action: .new)
        try writer.write(order, version: 2, action: .replace)
        try writer.finish()
        let text = sink.string
        #expect(text.contains("<ShipmentOrder orderId=\"SO1\" version=\"1\" action=\"new\">"))
        #expect(text.contains("<ShipmentOrder orderId=\"SO1\" version=\"2\" action=\"replace\">"))
        #expect(try wmsSchemaErrors(sink.bytes).isEmpty)
        #expect(writer.ordersWritten == 2)
        #expect(writer.linesWritten == 2 * order.lines.count)
    }

    @Test("the schema validator refuses a DOCTYPE and malformed XML")
    func validatorRefuses() throws {
        let doctype = "<?xml version=\"1.0\"?><!DOCTYPE ShipmentOrders [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<ShipmentOrders warehouse=\"W\">&x;</ShipmentOrders>"
        let e = try #require(formatError { _ = try wmsSchemaErrors(Array(doctype.utf8)) })
        #expect(["xml.doctype.forbidden", "xml.malformed"].contains(e.rule), "got \(e.rule)")
        #expect(!e.description.contains("root:"))
        let m = try #require(formatError { _ = try wmsSchemaErrors(Array("<ShipmentOrders warehouse=\"W\">".utf8)) })
        #expect(m.rule == "xml.malformed")
    }

    @Test("the attribute guard watches any document, and is left off only for our own outputs")
    func attributeGuardOnlyForForeignDocuments() throws {
        let attributes = (1...300).map { " a\($0)=\"x\"" }.joined()
        let doc = Array("<ShipmentOrders warehouse=\"W\"><ShipmentOrder\(attributes)/></ShipmentOrders>".utf8)
        let e = try #require(formatError {
            _ = try XMLSchemaValidator.validate(MemoryByteSource(doc), schema: ShipmentOrderWriter.schemaName)
        })
        #expect(e.rule == "xml.attributes.too-many")
        // As our own output the same bytes reach the schema, which names what is wrong with them.
        let errors = try XMLSchemaValidator.validate(MemoryByteSource(doc), schema: ShipmentOrderWriter.schemaName, ownOutput: true)
        #expect(!errors.isEmpty)
        #expect(errors.allSatisfy { $0.rule == "xml.schema" })
    }

    @Test("a Code is 1 to 40 of [A-Za-z0-9_.-], surrounding spaces collapsed (as the {1,40} pattern said)")
    func codeType() throws {
        let good = String(decoding: try shipmentXML([try makeOrder()]), as: UTF8.self)
        func errors(carrier: String) throws -> Int {
            let doc = good.replacingOccurrences(of: "<Carrier>DHL_PAKET</Carrier>", with: "<Carrier>\(carrier)</Carrier>")
            #expect(doc != good || carrier == "DHL_PAKET")
            return try wmsSchemaErrors(Array(doc.utf8)).count
        }
        for ok in ["A", String(repeating: "x", count: 40), "a-Z_0.9", " DHL ", "\nDHL\t", "DHL_PAKET"] {
            #expect(try errors(carrier: ok) == 0, "\(ok)")
        }
        for bad in ["", " ", String(repeating: "x", count: 41), " \(String(repeating: "x", count: 41)) ", "DHL PAKET", "DHL/1",
                    "Ä", "DHL+", "DH\u{00A0}L"] {
            #expect(try errors(carrier: bad) > 0, "\(bad)")
        }
        // The ERP feedback schema says the same.
        let status = try #require(EmbeddedSchemas.files["erp-order-status.xsd"])
        let shipment = try #require(EmbeddedSchemas.files["wms-shipment-order.xsd"])
        let code = #"<xs:simpleType name="Code"><xs:restriction base="xs:token"><xs:pattern value="[A-Za-z0-9_.\-]+"/><xs:maxLength value="40"/></xs:restriction></xs:simpleType>"#
        #expect(status.contains(code) && shipment.contains(code))
    }

    @Test("an unknown schema name is an error")
    func unknownSchema() throws {
        let e = try #require(formatError {
            _ = try XMLSchemaValidator.validate(MemoryByteSource("<a/>"), schema: "nope.xsd")
        })
        #expect(e.rule == "xml.schema.missing")
    }

    /// Orders the validator accepts must always give a WMS file that passes the WMS schema: the engine
    /// treats a failing output file as a bug in erpwms (`output.schema`). An edge case is either accepted
    /// and gives a valid file, or rejected by the named rule before it gets that far.
    struct EdgeCase: Sendable, CustomTestStringConvertible {
        let name: String
        let overrides: [OrderField: String]
        var rejectedBy: String? = nil
        var testDescription: String { name }
    }

    static let edgeCases: [EdgeCase] = [
        EdgeCase(name: "CJK, Greek, quotes, ampersand, newline", overrides: [
            .shipName: "李秀英 & Ελένη \"Λ\"", .shipAddress2: "Floor 2\nRear", .giftNote: "<3 & \"hugs\"",
        ]),
        EdgeCase(name: "KWD cash on delivery", overrides: [.currency: "KWD", .paymentMethod: "cod", .codAmount: "1.250"]),
        EdgeCase(name: "200 ASCII characters", overrides: [.giftNote: String(repeating: "g", count: 200)]),
        EdgeCase(name: "gift note of 200 characters with emoji",
                 overrides: [.giftNote: String(repeating: "g", count: 195) + String(repeating: "👍🏽", count: 5)],
                 rejectedBy: OrderRule.fieldTooLong),
        EdgeCase(name: "gift note of 200 code points with emoji",
                 overrides: [.giftNote: String(repeating: "g", count: 190) + String(repeating: "👍🏽", count: 5)]),
        EdgeCase(name: "offset +14:00", overrides: [.orderDate: "2025-03-01T10:00:00+14:00"]),
        EdgeCase(name: "offset +14:30", overrides: [.orderDate: "2025-03-01T10:00:00+14:30"],
                 rejectedBy: OrderRule.orderDateFormat),
        EdgeCase(name: "EORI number with a space", overrides: [.incoterm: "DDP", .eoriNumber: "GB 123456789000"]),
        EdgeCase(name: "IOSS number with a slash", overrides: [.incoterm: "DDP", .iossNumber: "IM2760000001/1"],
                 rejectedBy: OrderRule.codeFormat),
        EdgeCase(name: "noncharacter U+FFFF in a name", overrides: [.shipName: "Anna\u{FFFF} Muster"],
                 rejectedBy: OrderRule.controlCharacters),
    ]

    @Test("an accepted order always gives a schema-valid WMS file", arguments: edgeCases)
    func acceptedOrdersGiveValidOutput(c: EdgeCase) throws {
        if let rule = c.rejectedBy {
            let findings = try rejectedFindings(c.overrides)
            #expect(findings.contains { $0.rule == rule }, "\(findings.map(\.summary))")
            return
        }
        let order = try makeOrder(c.overrides)
        let bytes = try shipmentXML([order], includeEmail: true)
        do {
            let errors = try wmsSchemaErrors(bytes)
            #expect(errors.isEmpty, "\(errors.map(\.description))")
        } catch let e as FormatError {
            Issue.record("the WMS file is not even well-formed: \(e)")
        }
    }
}
