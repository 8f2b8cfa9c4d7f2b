import Foundation
import Testing
import ERPWMSCore
import ERPWMSFormats

private func xmlReader(_ text: String, limits: InputLimits = .init()) throws -> XMLOrderReader {
    try XMLOrderReader(source: MemoryByteSource(text), file: "orders.xml", limits: limits)
}

/// An `<order>` element with valid content; `extra` goes in before `<lines>`.
private func orderXML(_ id: String, extra: String = "", lines: Int = 1) -> String {
    var s = """
    <order><order_id>\(id)</order_id><order_date>2025-03-01T10:00:00+01:00</order_date>\
    <ship_name>Anna Muster</ship_name><ship_address1>Hauptstraße 1</ship_address1><ship_city>Berlin</ship_city>\
    <ship_postcode>10115</ship_postcode><ship_country>DE</ship_country><currency>EUR</currency>\
    <payment_method>card</payment_method><carrier_service>DHL_PAKET</carrier_service>\(extra)<lines>
    """
    for n in 1...lines {
        s += "<line><line_no>\(n)</line_no><sku>SKU-\(n)</sku><quantity>1</quantity><unit_price>9.99</unit_price></line>"
    }
    return s + "</lines></order>\n"
}

private func document(_ orders: String...) -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<orders>\n" + orders.joined() + "</orders>\n"
}

/// Reads until the end or an error; returns the orders read and the error.
private func readUntilError(_ text: String) -> (orders: [RawOrder], error: FormatError?) {
    var orders: [RawOrder] = []
    let error = formatError {
        let r = try xmlReader(text)
        while let o = try r.next() { orders.append(o) }
    }
    return (orders, error)
}

@Suite("XMLOrderReader")
struct XMLOrderReaderTests {
    @Test("the sample XML yields its 8 orders and 15 lines")
    func sample() throws {
        let url = Fixtures.sample("erp-orders-2025-03-01.xml")
        let r = try XMLOrderReader(source: try FileByteSource(path: url.path), file: url.lastPathComponent)
        let orders = try readOrders(r)
        #expect(orders.map(\.orderId) == (1...8).map { "SO20000000\($0)" })
        #expect(orders.reduce(0) { $0 + $1.lines.count } == 15)
        #expect(r.recordsRead == 8)
        #expect(orders.allSatisfy { $0.codecFindings.isEmpty })
        #expect(orders.allSatisfy { $0.lines.allSatisfy { $0.orderValues == nil } })
        #expect(orders.map(\.location.record) == Array(1...8).map { Optional($0) })

        let v = OrderValidator()
        var acceptedLines = 0
        var rejected: [String: Set<String>] = [:]
        var accepted: [String: Order] = [:]
        for o in orders {
            switch v.validate(o, file: url.lastPathComponent) {
            case .accepted(let order, _):
                accepted[order.id] = order
                acceptedLines += order.lines.count
            case .rejected(let f):
                rejected[o.orderId] = Set(f.map(\.rule))
            }
        }
        #expect(Set(accepted.keys) == Set((1...6).map { "SO20000000\($0)" }))
        #expect(acceptedLines == 12)
        #expect(rejected == ["SO200000007": [OrderRule.quantityPositive], "SO200000008": [OrderRule.currencyISO]])
        // Escaped text comes back unescaped.
        #expect(accepted["SO200000004"]?.shipTo.company == "O'Reilly & Partners, LLP")
        #expect(accepted["SO200000006"]?.shipTo.company == "Café \"Le Petit\" & Fils, SARL")
        #expect(accepted["SO200000004"]?.codAmount == Money(minorUnits: 31433, scale: 2))
        #expect(accepted["SO200000005"]?.currency == "JPY")
        #expect(accepted["SO200000002"]?.shipTo.name == "李秀英")
        // Elements SO200000001 omits read as empty.
        #expect(orders[0][.shipCompany] == "")
        #expect(orders[0][.giftNote] == "")
    }

    @Test("XML and CSV of the same order give the same validated order")
    func sameAsCSV() throws {
        let xml = document(orderXML("SO1", lines: 2))
        let fromXML = try #require(try xmlReader(xml).next())
        var r1 = Fixtures.row("SO1", line: 1)
        var r2 = Fixtures.row("SO1", line: 2)
        for key in r1.keys where !xml.contains("<\(key)>") {
            r1[key] = ""
            r2[key] = ""
        }
        let csv = Fixtures.csv(rows: [r1, r2])
        let fromCSV = try #require(try CSVOrderReader(source: MemoryByteSource(csv), file: "x").next())
        let v = OrderValidator()
        guard case .accepted(let a, _) = v.validate(fromXML, file: "x"),
              case .accepted(let b, _) = v.validate(fromCSV, file: "x") else {
            Issue.record("both must be accepted")
            return
        }
        #expect(a.contentHash == b.contentHash)
    }

    @Test("a DOCTYPE with an external entity is refused and nothing of the file leaks")
    func xxe() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE orders [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <orders>
        \(orderXML("SO1", extra: "<gift_note>&xxe;</gift_note>"))</orders>
        """
        let (orders, error) = readUntilError(xml)
        let e = try #require(error)
        #expect(e.rule == "xml.doctype.forbidden")
        #expect(orders.isEmpty)
        #expect(!e.description.contains("root:"))
        #expect(!e.message.contains("/bin/"))
        for o in orders {
            #expect(!o.orderValues.joined().contains("root:"))
        }
    }

    @Test("a parameter entity pointing at a local file is refused")
    func xxeParameterEntity() throws {
        let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE orders [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
        <orders>\(orderXML("SO1"))</orders>
        """
        let (orders, error) = readUntilError(xml)
        let e = try #require(error)
        #expect(["xml.doctype.forbidden", "xml.malformed"].contains(e.rule), "got \(e.rule)")
        #expect(orders.isEmpty)
        #expect(!e.description.contains("root:"))
    }

    @Test("billion laughs is refused at the DOCTYPE, fast")
    func billionLaughs() throws {
        var dtd = "<!ENTITY lol0 \"lol\">"
        for i in 1...9 {
            dtd += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">"
        }
        let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE orders [\(dtd)]>
        <orders>\(orderXML("SO1", extra: "<gift_note>&lol9;</gift_note>"))</orders>
        """
        let start = ContinuousClock.now
        let (orders, error) = readUntilError(xml)
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(error?.rule == "xml.doctype.forbidden")
        #expect(orders.isEmpty)
    }

    @Test("malformed XML fails the file with a line")
    func malformed() throws {
        let xml = "<?xml version=\"1.0\"?>\n<orders>\n<order>\n<order_id>SO1</order_id>\n<lines>\n</order>\n</orders>\n"
        let (_, error) = readUntilError(xml)
        let e = try #require(error)
        #expect(e.rule == "xml.malformed")
        let line = try #require(e.location.line)
        #expect((5...7).contains(line), "line \(line)")
    }

    @Test("the orders before a well-formedness error are read, then the error comes")
    func ordersBeforeMalformed() throws {
        let xml = document(orderXML("SO1"), orderXML("SO2"), "<order><order_id>SO3</order_id></wrong>\n")
        let (orders, error) = readUntilError(xml)
        #expect(orders.map(\.orderId) == ["SO1", "SO2"])
        #expect(error?.rule == "xml.malformed")
    }

    @Test("an element nested inside a field neither ends the field nor empties it")
    func nestedInField() throws {
        let o = try #require(try xmlReader(document(orderXML("SO1").replacingOccurrences(of: "<ship_city>Berlin</ship_city>",
                                                                                        with: "<ship_city>Ber<x><y/></x>lin</ship_city>"))).next())
        #expect(o[.shipCity] == "Berlin")
        #expect(o.orderId == "SO1")
        #expect(o.codecFindings.contains { $0.rule == "xml.schema" })
        #expect(o.lines.count == 1)
    }

    @Test("a channel's declared encoding decodes the XML: UTF-16 with or without a byte order mark, windows-1252")
    func channelEncodings() throws {
        let body = "<orders>" + orderXML("SO1").replacingOccurrences(of: "Berlin", with: "Köln") + "</orders>"
        func utf16(_ t: String, bom: Bool) -> [UInt8] {
            var b: [UInt8] = bom ? [0xFF, 0xFE] : []
            for u in t.utf16 { b += [UInt8(u & 0xFF), UInt8(u >> 8)] }
            return b
        }
        let cases: [([UInt8], TextEncoding)] = [
            (utf16("<?xml version=\"1.0\" encoding=\"UTF-16\"?>" + body, bom: true), .utf16),
            (utf16("<?xml version=\"1.0\" encoding=\"UTF-16\"?>" + body, bom: true), .utf8),  // the BOM says it all
            (utf16(body, bom: false), .utf16le),
            (body.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }, .windows1252),
        ]
        for (bytes, encoding) in cases {
            let r = try XMLOrderReader(source: TrickleByteSource(bytes, chunk: 5), file: "x.xml", encoding: encoding)
            let o = try #require(try r.next(), "\(encoding)")
            #expect(o[.shipCity] == "Köln", "\(encoding)")
            #expect(o.codecFindings.isEmpty, "\(encoding)")
            #expect(try r.next() == nil)
        }
    }

    @Test("a DOCTYPE is refused whatever the encoding (the byte guard sees only ASCII)")
    func doctypeInUTF16() throws {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE orders [<!ENTITY x \"y\">]><orders>\(orderXML("SO1"))</orders>"
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let e = try #require(formatError {
            let r = try XMLOrderReader(source: MemoryByteSource(bytes), file: "utf16.xml", encoding: .utf16)
            while try r.next() != nil {}
        })
        #expect(e.rule == "xml.doctype.forbidden", "got \(e.rule): \(e.message)")
    }

    @Test("a document without a root element is malformed", arguments: ["", "<?xml version=\"1.0\"?>\n"])
    func noRoot(text: String) throws {
        #expect(readUntilError(text).error?.rule == "xml.malformed")
    }

    @Test("a schema violation inside one order marks that order only", arguments: [1, 200])
    func schemaViolationInOneOrder(linesPerOrder: Int) throws {
        let xml = document(orderXML("SO1", lines: linesPerOrder),
                           orderXML("SO2", extra: "<bogus>x</bogus>", lines: linesPerOrder),
                           orderXML("SO3", lines: 2))
        let (orders, error) = readUntilError(xml)
        #expect(error == nil)
        #expect(orders.map(\.orderId) == ["SO1", "SO2", "SO3"])
        #expect(orders[0].codecFindings.isEmpty)
        #expect(orders[2].codecFindings.isEmpty)
        #expect(!orders[1].codecFindings.isEmpty)
        #expect(orders[1].codecFindings.allSatisfy { $0.rule == "xml.schema" && $0.file == "orders.xml" })
        #expect(orders[2].lines.count == 2)
        let v = OrderValidator()
        if case .rejected(let f) = v.validate(orders[1], file: "orders.xml") {
            #expect(f.contains { $0.rule == "xml.schema" })
        } else {
            Issue.record("SO2 must be rejected")
        }
        if case .rejected = v.validate(orders[0], file: "orders.xml") { Issue.record("SO1 must be accepted") }
        if case .rejected = v.validate(orders[2], file: "orders.xml") { Issue.record("SO3 must be accepted") }
    }

    @Test("bytes in any pieces give the same orders, lines, values and findings", arguments: [1, 3, 13, 4096])
    func trickled(chunk: Int) throws {
        let bad = "<order><order_id>SO2</order_id><currency>EUR</currency><bogus/></order>\n"
        let text = document(orderXML("SO1", extra: "<gift_note>a &amp; b <![CDATA[<c>]]> ü</gift_note>", lines: 3), bad,
                            orderXML("SO3", lines: 40))
        func read(_ source: ByteSource) throws -> [RawOrder] {
            let r = try XMLOrderReader(source: source, file: "orders.xml")
            var all: [RawOrder] = []
            while let o = try r.next() { all.append(o) }
            return all
        }
        let whole = try read(MemoryByteSource(Array(text.utf8)))
        let pieces = try read(TrickleByteSource(Array(text.utf8), chunk: chunk))
        #expect(whole.map(\.orderId) == ["SO1", "SO2", "SO3"])
        #expect(whole[0][.giftNote] == "a & b <c> ü")
        #expect(whole[2].lines.count == 40)
        #expect(whole[2].lines[39][.sku] == "SKU-40")
        #expect(pieces.map(\.orderValues) == whole.map(\.orderValues))
        #expect(pieces.map { $0.lines.map(\.values) } == whole.map { $0.lines.map(\.values) })
        #expect(pieces.map { $0.codecFindings.map(\.rule) } == whole.map { $0.codecFindings.map(\.rule) })
        #expect(!whole[1].codecFindings.isEmpty)
        #expect(whole[1].codecFindings.allSatisfy { $0.orderId == "SO2" && $0.location.record == 2 })
        #expect(whole[0].codecFindings.isEmpty && whole[2].codecFindings.isEmpty)
        #expect(whole[2].location.record == 3)
    }

    @Test("an order missing its lines gets the schema finding, the next one does not")
    func missingLines() throws {
        let bad = "<order><order_id>SO2</order_id><currency>EUR</currency></order>\n"
        let (orders, error) = readUntilError(document(orderXML("SO1"), bad, orderXML("SO3")))
        #expect(error == nil)
        #expect(orders.map(\.orderId) == ["SO1", "SO2", "SO3"])
        #expect(orders[1].codecFindings.contains { $0.rule == "xml.schema" })
        #expect(orders[0].codecFindings.isEmpty)
        #expect(orders[2].codecFindings.isEmpty)
    }

    @Test("a schema message does not quote a customer's name")
    func schemaMessageRedacted() throws {
        let name = "Secret " + String(repeating: "x", count: 200)
        let (orders, error) = readUntilError(document(orderXML("SO1", extra: "<ship_name>\(name)</ship_name>")
            .replacingOccurrences(of: "<ship_name>Anna Muster</ship_name>", with: "")))
        #expect(error == nil)
        let o = try #require(orders.first)
        #expect(o.codecFindings.contains { $0.rule == "xml.schema" })
        for f in o.codecFindings {
            #expect(!f.message.contains("Secret"), "\(f.message)")
        }
    }

    @Test("a wrong root element fails the file", arguments: ["shipments", "order"])
    func wrongRoot(root: String) throws {
        let xml = "<?xml version=\"1.0\"?>\n<\(root)>\(orderXML("SO1"))</\(root)>\n"
        let e = try #require(readUntilError(xml).error)
        #expect(["xml.root", "xml.schema"].contains(e.rule), "got \(e.rule)")
    }

    @Test("an empty <orders/> has no orders")
    func emptyRoot() throws {
        let (orders, error) = readUntilError("<?xml version=\"1.0\"?><orders source=\"x\"/>")
        #expect(error == nil)
        #expect(orders.isEmpty)
    }

    @Test("a text node over the byte limit fails the file")
    func textTooLong() throws {
        let xml = document(orderXML("SO1", extra: "<gift_note>" + String(repeating: "g", count: 100) + "</gift_note>"))
        let e = try #require(formatError {
            _ = try readOrders(try xmlReader(xml, limits: InputLimits(maxFieldBytes: 50)))
        })
        #expect(e.rule == "xml.text.too-long")
    }

    @Test("character references and predefined entities are read as text")
    func textForms() throws {
        let extra = "<gift_note>x&#13;y&#x20AC;&lt;&amp;&gt;&quot;&apos;</gift_note>"
        let o = try #require(try xmlReader(document(orderXML("SO1", extra: extra))).next())
        #expect(o[.giftNote] == "x\ry€<&>\"'")
        #expect(o.codecFindings.isEmpty)
    }

    @Test("CDATA sections are read as text")
    func cdata() throws {
        let extra = "<ship_company><![CDATA[A & B <C>]]></ship_company><gift_note>pre <![CDATA[mid]]> post</gift_note>"
        let o = try #require(try xmlReader(document(orderXML("SO1", extra: extra))).next())
        #expect(o[.shipCompany] == "A & B <C>")
        #expect(o[.giftNote] == "pre mid post")
        #expect(o.codecFindings.isEmpty)
    }

    @Test("an XML file in another declared encoding is decoded")
    func declaredEncoding() throws {
        let text = document(orderXML("SO1"))
            .replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"ISO-8859-1\"")
            .replacingOccurrences(of: "Hauptstraße", with: "Hauptstra#e")
        let bytes = Array(text.utf8).map { $0 == UInt8(ascii: "#") ? 0xDF : $0 }   // ß in Latin-1
        let r = try XMLOrderReader(source: MemoryByteSource(bytes), file: "latin1.xml")
        let o = try #require(try r.next())
        #expect(o[.shipAddress1] == "Hauptstraße 1")
    }
}
