import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import ERPWMSCore
@testable import ERPWMSFormats

/// Collects element text and attributes with an independent XML parser (Foundation's), to check that
/// what the writer escapes comes back as the original text.
private final class Collector: NSObject, XMLParserDelegate {
    var texts: [String: [String]] = [:]
    var attributes: [String: [[String: String]]] = [:]
    private var stack: [String] = []
    private var current = ""
    var error: Error?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        stack.append(elementName)
        current = ""
        attributes[elementName, default: []].append(attributeDict)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        texts[elementName, default: []].append(current)
        current = ""
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

    static func parse(_ bytes: [UInt8]) throws -> Collector {
        let c = Collector()
        let p = XMLParser(data: Data(bytes))
        p.delegate = c
        let ok = p.parse()
        try #require(ok && c.error == nil, "XMLParser: \(String(describing: c.error ?? p.parserError))")
        return c
    }
}

private func csvText(_ rows: [[String]]) throws -> String {
    let sink = MemoryByteSink()
    let w = CSVWriter(sink: sink)
    for r in rows { try w.writeRow(r) }
    try w.finish()
    return sink.string
}

@Suite("Writers")
struct WriterTests {
    // MARK: - ShipmentOrderWriter

    @Test("e-mail is written only with includeEmail; phone unless includePhone is off")
    func emailAndPhone() throws {
        let order = try makeOrder([.shipEmail: "anna.secret@example.com", .shipPhone: "+49 30 999"])
        let plain = String(decoding: try shipmentXML([order]), as: UTF8.self)
        #expect(!plain.contains("<Email>"))
        #expect(!plain.contains("anna.secret@example.com"))
        #expect(plain.contains("<Phone>+49 30 999</Phone>"))

        let withEmail = String(decoding: try shipmentXML([order], includeEmail: true), as: UTF8.self)
        #expect(withEmail.contains("<Email>anna.secret@example.com</Email>"))

        let noPhone = String(decoding: try shipmentXML([order], includePhone: false), as: UTF8.self)
        #expect(!noPhone.contains("<Phone>"))
        #expect(!noPhone.contains("+49 30 999"))
        for doc in [plain, withEmail, noPhone] {
            #expect(try wmsSchemaErrors(Array(doc.utf8)).isEmpty)
        }
    }

    @Test("empty optional values are omitted, not written empty")
    func emptyOmitted() throws {
        let order = try makeOrder([.shipCompany: "", .giftNote: "", .store: "", .incoterm: "", .iossNumber: "",
                                   .eoriNumber: "", .priority: ""],
                                  lines: [[.description: "", .taxRate: "", .uom: ""]])
        let text = String(decoding: try shipmentXML([order]), as: UTF8.self)
        for absent in ["<Company>", "<GiftNote>", "<Store>", "<Customs", "<Priority>", "<Description>", "<TaxRate>",
                       "uom=", "<Address2>", "<Region>", "codAmount="] {
            #expect(!text.contains(absent), "\(absent) written")
        }
        #expect(try wmsSchemaErrors(Array(text.utf8)).isEmpty)
    }

    @Test("the WMS item, exact prices, customs and COD are written")
    func content() throws {
        let order = try makeOrder(
            [.currency: "JPY", .paymentMethod: "cod", .codAmount: "9960", .incoterm: "DDP", .eoriNumber: "DE1234"],
            lines: [[.unitPrice: "4980", .quantity: "2", .hsCode: "6109.10", .originCountry: "PT", .taxRate: "0.10"]],
            settings: OrderRuleSettings(skuAliases: ["SKU-1": "WMS-42"]))
        let text = String(decoding: try shipmentXML([order]), as: UTF8.self)
        #expect(text.contains("<Sku>WMS-42</Sku>"))
        #expect(!text.contains("SKU-1"))
        #expect(text.contains("<Quantity uom=\"EA\">2</Quantity><UnitPrice>4980</UnitPrice><TaxRate>0.10</TaxRate>"))
        #expect(text.contains("<Payment method=\"cod\" currency=\"JPY\" codAmount=\"9960\"/>"))
        #expect(text.contains("<Customs incoterm=\"DDP\" eori=\"DE1234\"/>"))
        #expect(text.contains("<HsCode>610910</HsCode><OriginCountry>PT</OriginCountry>"))
        #expect(text.contains("<ShipmentOrder orderId=\"SO1\" version=\"1\" action=\"new\">"))
        #expect(try wmsSchemaErrors(Array(text.utf8)).isEmpty)
    }

    @Test("&, <, >, quotes and CR in text round-trip and the file stays valid")
    func textEscaping() throws {
        let name = "Tom & Jerry <Ltd> \"Q\" 'x'"
        let address2 = "Floor 2\r\nRear\rHouse"
        let note = "a]]>b & c\td"
        let description = "24\" x 36\" <poster>\r\nline 2"
        let order = try makeOrder([.shipName: name, .shipAddress2: address2, .giftNote: note],
                                  lines: [[.description: description]])
        let bytes = try shipmentXML([order])
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains("\r"))   // CR always as a character reference
        #expect(text.contains("&amp;"))
        #expect(text.contains("&lt;"))
        #expect(try wmsSchemaErrors(bytes).isEmpty)

        let parsed = try Collector.parse(bytes)
        #expect(parsed.texts["Name"] == [name])
        #expect(parsed.texts["Address2"] == [address2])
        #expect(parsed.texts["GiftNote"] == [note])
        #expect(parsed.texts["Description"] == [description])
    }

    @Test("&, <, >, quotes, CR, LF and tab in attributes round-trip")
    func attributeEscaping() throws {
        let warehouse = "WH&<1>\"2\"\r\n\tend"
        let source = "src\"&"
        let bytes = try shipmentXML([try makeOrder()], warehouse: warehouse, source: source)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("warehouse=\"WH&amp;&lt;1&gt;&quot;2&quot;&#13;&#10;&#9;end\""))
        let parsed = try Collector.parse(bytes)
        let root = try #require(parsed.attributes["ShipmentOrders"]?.first)
        #expect(root["warehouse"] == warehouse)
        #expect(root["source"] == source)
        // Well-formed: the schema validator parses it and only objects to the code pattern.
        let errors = try wmsSchemaErrors(bytes)
        #expect(!errors.isEmpty)
        #expect(errors.allSatisfy { $0.rule == "xml.schema" })
    }

    @Test("the writer drains large batches into the sink")
    func largeBatch() throws {
        let order = try makeOrder(lines: (1...50).map { [.lineNo: String($0), .sku: "SKU-\($0)"] })
        let orders = (1...60).map { i -> Order in
            var o = order
            o.id = "SO\(i)"
            return o
        }
        let bytes = try shipmentXML(orders)
        #expect(bytes.count > 128 << 10)
        #expect(try wmsSchemaErrors(bytes).isEmpty)
        #expect(String(decoding: bytes, as: UTF8.self).components(separatedBy: "<Line lineNo=").count == 60 * 50 + 1)
    }

    @Test("a CSV shipment-order layout with every field: each column holds its own field of the order and the line")
    func csvLayoutEveryField() throws {
        // A distinct value in every order-level field, so that a column reading the wrong field shows.
        let o = try makeOrder([.shipName: "Anna Muster", .shipCompany: "Muster GmbH", .shipAddress1: "Hauptstr. 1",
                               .shipAddress2: "Hinterhaus", .shipAddress3: "2. OG", .shipCity: "Berlin",
                               .shipRegion: "BE", .shipPostcode: "10115", .shipPhone: "030 1234", .shipEmail: "a@b.de",
                               .priority: "high", .giftNote: "Gute Reise", .incoterm: "DAP", .iossNumber: "IM2760000001",
                               .eoriNumber: "DE123", .paymentMethod: "cod", .codAmount: "12.50", .store: "web-de"],
                              lines: [[.hsCode: "610910", .originCountry: "PT", .taxRate: "0.19"]],
                              settings: OrderRuleSettings(skuAliases: ["SKU-1": "WMS-1"]))
        let sink = MemoryByteSink()
        let w = try ShipmentOrderCSVWriter(sink: sink, warehouse: "WH1", columns: WMSCSVField.allCases.map { ($0.rawValue, $0) },
                                           includeEmail: true)
        try w.write(o, version: 2, action: .replace)
        try w.finish()
        let rows = try parseCSV(sink.string).map(\.fields)
        try #require(rows.count == 2)
        let cell = Dictionary(uniqueKeysWithValues: zip(rows[0], rows[1]))
        let l = o.lines[0]
        let expected: [WMSCSVField: String] = [
            .orderId: o.id, .version: "2", .action: "replace", .warehouse: "WH1", .orderDate: o.orderDate, .store: "web-de",
            .customerId: o.customerId, .carrierService: o.carrierService, .priority: "high", .giftNote: "Gute Reise",
            .shipName: "Anna Muster", .shipCompany: "Muster GmbH", .shipAddress1: "Hauptstr. 1", .shipAddress2: "Hinterhaus",
            .shipAddress3: "2. OG", .shipCity: "Berlin", .shipRegion: "BE", .shipPostcode: "10115",
            .shipCountry: o.shipTo.country, .shipPhone: "030 1234", .shipEmail: "a@b.de", .currency: o.currency,
            .paymentMethod: "cod", .codAmount: "12.50", .incoterm: "DAP", .iossNumber: "IM2760000001", .eoriNumber: "DE123",
            .lineNo: String(l.lineNo), .sku: "WMS-1", .description: l.description, .quantity: String(l.quantity),
            .uom: l.uom, .unitPrice: l.unitPrice.description, .taxRate: "0.19", .hsCode: "610910", .originCountry: "PT",
        ]
        for f in WMSCSVField.allCases {
            #expect(cell[f.rawValue] == expected[f], "\(f)")
        }
    }

    // MARK: - CSVWriter

    @Test("CSV fields are quoted when they need it")
    func csvQuoting() throws {
        let text = try csvText([["a", "b,c", "say \"hi\"", "line\nbreak", "cr\rx", "", "plain text"]])
        #expect(text == "a,\"b,c\",\"say \"\"hi\"\"\",\"line\nbreak\",\"cr\rx\",,plain text\r\n")
    }

    @Test("cells a spreadsheet would run as a formula get a leading quote", arguments: [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+49 30 123", "'+49 30 123"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("-1+2", "'-1+2"),
        ("-A1", "'-A1"),
        ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        ("\r=1", "\"'\r=1\""),
        ("-12.5", "-12.5"),
        ("-3", "-3"),
        ("12.5", "12.5"),
        ("a=b", "a=b"),
        ("order.quantity.positive", "order.quantity.positive"),
    ])
    func formulaInjection(cell: String, written: String) throws {
        #expect(try csvText([[cell]]) == written + "\r\n")
    }

    @Test("what CSVWriter writes, CSVParser reads back")
    func csvRoundTrip() throws {
        let rows = [
            ["file", "line", "rule", "message"],
            ["orders.csv", "12", "order.quantity.positive", "'0' is not a positive integer"],
            ["a,b", "say \"hi\"", "two\r\nlines", "中文 Zoë"],
            ["", "-12.5", "x", "last"],
        ]
        let text = try csvText(rows)
        #expect(try parseCSV(text).map(\.fields) == rows)
        #expect(try parseCSV(csvText([["=1+1", "-1-1"]])).map(\.fields) == [["'=1+1", "'-1-1"]])
    }

    @Test("large CSV output is complete after finish")
    func csvLarge() throws {
        let rows = (0..<5000).map { ["row \($0)", String(repeating: "x", count: 30), "\($0)"] }
        let text = try csvText(rows)
        #expect(text.utf8.count > 64 << 10)
        #expect(try parseCSV(text).map(\.fields) == rows)
    }
}

@Suite("Decimal text")
struct DecimalTextTests {
    /// The text said with integer arithmetic and String padding, independently of DecimalText.
    static func reference(_ units: Int64, scale: Int) -> String {
        let digits = String(units.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let cut = padded.index(padded.endIndex, offsetBy: -scale)
        return (units < 0 ? "-" : "") + padded[..<cut] + (scale > 0 ? "." + padded[cut...] : "")
    }

    @Test("every scale from 0 to 29, the extremes and seeded random values, as integer arithmetic says")
    func matchesReference() {
        var r = SeededGenerator(seed: 2026_11_29)  // seeded, so that a failure can be replayed
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 1250, -1250, 4980, 1_000_000_007, Int64.max, Int64.min, Int64.min + 1]
        for _ in 0..<300 { values.append(Int64.random(in: Int64.min...Int64.max, using: &r) >> Int64.random(in: 0...62, using: &r)) }
        for units in values {
            for scale in 0...29 {
                var out: [UInt8] = []
                DecimalText.append(units, scale: scale, to: &out)
                #expect(String(decoding: out, as: UTF8.self) == Self.reference(units, scale: scale), "\(units) scale \(scale)")
            }
        }
    }

    @Test("byte-level decimal text is FixedDecimal's text", arguments: [Int64(0), 5, -5, 99, 100, 1250, -1250, 4980, 123_456_789_012, Int64.max, Int64.min + 1])
    func matchesFixedDecimal(units: Int64) {
        for scale in [0, 1, 2, 3] {
            var out: [UInt8] = []
            DecimalText.append(units, scale: scale, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == FixedDecimal(units: units, scale: scale).description, "\(units) scale \(scale)")
        }
    }
}

@Suite("XML escaping of every ASCII byte")
struct EscapeTableTests {
    /// The rule written out byte by byte, as the writer had it before the bit-mask form.
    static func reference(_ b: UInt8, attribute: Bool) -> String {
        switch b {
        case UInt8(ascii: "&"): return "&amp;"
        case UInt8(ascii: "<"): return "&lt;"
        case UInt8(ascii: ">"): return "&gt;"
        case UInt8(ascii: "\"") where attribute: return "&quot;"
        case 0x0D: return "&#13;"
        case 0x0A where attribute: return "&#10;"
        case 0x09 where attribute: return "&#9;"
        default: return String(decoding: [b], as: UTF8.self)
        }
    }

    @Test("each byte alone, and all of them in one run, in text and in attributes", arguments: [false, true])
    func everyByte(attribute: Bool) throws {
        var all = "", expected = ""
        for b in UInt8(0)..<0x80 {
            let sink = MemoryByteSink()
            let out = OutputBuffer(sink: sink)
            let s = "a" + String(decoding: [b], as: UTF8.self) + "é"
            out.appendEscaped(s, attribute: attribute)
            try out.drain()
            #expect(sink.string == "a" + Self.reference(b, attribute: attribute) + "é", "byte \(b)")
            all += s
            expected += "a" + Self.reference(b, attribute: attribute) + "é"
        }
        let sink = MemoryByteSink()
        let out = OutputBuffer(sink: sink)
        out.appendEscaped(all, attribute: attribute)
        try out.drain()
        #expect(sink.string == expected)
    }

    @Test("an element is its tags around its value, escaped or copied; nothing for an empty value; one-character tags too")
    func elements() throws {
        let sink = MemoryByteSink()
        let out = OutputBuffer(sink: sink, capacity: 8)  // small: the buffer grows inside an element
        let values = ["Mug", "", "a&b", "Großes Zelt, 4 Personen", String(repeating: "x", count: 40)]
        var expected = ""
        for v in values {
            for escape in [false, true] where escape || !v.contains("&") {
                v.withUTF8Bytes { out.element("<Description>", "</Description>", $0, escape: escape) }
                v.withUTF8Bytes { out.element("<", ">", $0, escape: escape) }
                let text = escape ? v.replacingOccurrences(of: "&", with: "&amp;") : v
                if !v.isEmpty { expected += "<Description>" + text + "</Description>" + "<" + text + ">" }
            }
        }
        try out.drain()
        #expect(sink.string == expected)
    }

    @Test("random texts: special bytes anywhere in and between the eight-byte words", arguments: [false, true])
    func randomTexts(attribute: Bool) throws {
        var r = SeededGenerator(seed: 2026_11_29)  // seeded, so that a failure can be replayed
        let pieces = ["abcdefgh", "x", "é", "中", "&", "<", ">", "\"", "\r", "\n", "\t", "'", "=", "0123", " "]
        for _ in 0..<3000 {
            var s = ""
            for _ in 0..<r.below(30) { s += pieces[r.below(r.below(4) == 0 ? pieces.count : 2)] }
            let expected = s.unicodeScalars.map { $0.isASCII ? Self.reference(UInt8($0.value), attribute: attribute) : String($0) }.joined()
            let sink = MemoryByteSink()
            let out = OutputBuffer(sink: sink)
            out.appendEscaped(s, attribute: attribute)
            try out.drain()
            #expect(sink.string == expected, "\(s.debugDescription)")
            if sink.string != expected { return }
        }
    }
}

@Suite("Shipment orders rendered ahead")
struct RenderedShipmentOrderTests {
    @Test("an order rendered ahead by a renderer is written byte for byte as the writer writes it",
          arguments: [(false, true), (true, false), (true, true)])
    func sameBytes(includeEmail: Bool, includePhone: Bool) throws {
        let orders = [
            try makeOrder(),
            try makeOrder([.orderId: "SO2", .paymentMethod: "cod", .codAmount: "12.50", .shipName: "A & <B> \"C\"",
                           .incoterm: "DAP", .giftNote: "Für dich\r\n", .shipEmail: "a@example.com"]),
            try makeOrder([.orderId: "SO3"], lines: (1...40).map { [.lineNo: String($0), .sku: "SKU-\($0)", .description: "Line \($0) & more"] }),
        ]
        let renderer = ShipmentOrderRenderer(includeEmail: includeEmail, includePhone: includePhone)
        let rendered = orders.map { renderer.render($0) }
        var outputs: [[UInt8]] = []
        for ahead in [false, true] {
            let sink = MemoryByteSink()
            let writer = ShipmentOrderWriter(sink: sink, warehouse: "WH-EU-DE1", source: "0123456789abcdef",
                                             includeEmail: includeEmail, includePhone: includePhone)
            for (i, o) in orders.enumerated() {
                let action: ShipmentOrderWriter.Action = i == 1 ? .replace : .new
                if ahead {
                    try writer.write(o, version: i + 1, action: action, rendered: rendered[i])
                } else {
                    try writer.write(o, version: i + 1, action: action)
                }
            }
            try writer.finish()
            #expect(writer.ordersWritten == 3 && writer.linesWritten == orders.reduce(0) { $0 + $1.lines.count })
            outputs.append(sink.bytes)
        }
        #expect(outputs[0] == outputs[1])
        #expect(try wmsSchemaErrors(outputs[1]).isEmpty)
        // The e-mail only when asked for, in both forms.
        #expect(String(decoding: outputs[1], as: UTF8.self).contains("a@example.com") == includeEmail)

        // A body rendered with other settings is not used: the writer writes the order itself.
        let other = ShipmentOrderRenderer(includeEmail: !includeEmail, includePhone: includePhone).render(orders[1])
        let sink = MemoryByteSink()
        let writer = ShipmentOrderWriter(sink: sink, warehouse: "WH-EU-DE1", source: "0123456789abcdef",
                                         includeEmail: includeEmail, includePhone: includePhone)
        try writer.write(orders[1], version: 2, action: .replace, rendered: other)
        try writer.finish()
        #expect(String(decoding: sink.bytes, as: UTF8.self).contains("a@example.com") == includeEmail)
    }
}
