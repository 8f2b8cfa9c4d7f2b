import Foundation
import Testing
@testable import ERPWMSEngine

/// Broken and hostile files through the whole runner: each is quarantined in `failed/` with the named
/// rule in `NAME.error.json`, nothing from it is sent, and a good file in the same batch still goes through.
@Suite("Bad and hostile input files")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var channel: String
        var bytes: [UInt8]
        var rule: String
        var testDescription: String { name }
    }

    static let header = Array(CSVFixture.header.utf8)

    static let cases: [Case] = [
        Case(name: "xxe.xml", channel: "orders-xml", bytes: Array("""
            <?xml version="1.0"?>
            <!DOCTYPE orders [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <orders><order><order_id>&x;</order_id><lines><line/></lines></order></orders>
            """.utf8), rule: "xml.doctype.forbidden"),
        Case(name: "laughs.xml", channel: "orders-xml", bytes: Array("""
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <orders>&lol3;</orders>
            """.utf8), rule: "xml.doctype.forbidden"),
        Case(name: "doctype-after-comment.xml", channel: "orders-xml", bytes: Array("""
            <?xml version="1.0"?><!-- hi --><!DOCTYPE orders SYSTEM "http://127.0.0.1:9/x.dtd"><orders/>
            """.utf8), rule: "xml.doctype.forbidden"),
        Case(name: "malformed.xml", channel: "orders-xml",
             bytes: Array("<orders><order><order_id>A</order_id></orders>".utf8), rule: "xml.malformed"),
        Case(name: "wrong-root.xml", channel: "orders-xml", bytes: Array("<shipments/>".utf8), rule: "xml.root"),
        Case(name: "latin1.csv", channel: "orders",
             bytes: Array((CSVFixture.file([CSVFixture.row("SO1", ["ship_city": "Koeln"])])).utf8)
                .map { $0 == UInt8(ascii: "K") ? 0xD6 : $0 }, rule: "encoding.invalid-utf8"),
        Case(name: "no-header.csv", channel: "orders", bytes: Array("a,b,c\r\n1,2,3\r\n".utf8),
             rule: "csv.header.missing-column"),
        Case(name: "unterminated.csv", channel: "orders",
             bytes: Array((CSVFixture.file([CSVFixture.row("SO1")]) + "SO2,\"never closed").utf8),
             rule: "csv.quote.unterminated"),
        Case(name: "empty.csv", channel: "orders", bytes: [], rule: "csv.header.missing"),
        Case(name: "truncated.csv.gz", channel: "orders", bytes: [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4B],
             rule: "gzip.truncated"),
    ]

    @Test("quarantined with the named rule", arguments: BadInputTests.cases)
    func quarantined(_ c: Case) throws {
        let t = try TestWorkspace()
        try t.drop(c.name, c.bytes, channel: c.channel)
        try t.drop("good.csv", CSVFixture.file([CSVFixture.row("SO-GOOD")]))
        let start = Date()
        let s = try t.run()
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(s.filesFailed == 1)
        #expect(s.ordersAccepted == 1)
        #expect(t.files("failed").contains(c.name))
        let report = t.read("failed/\(c.name).error.json")
        #expect(report.contains("\"rule\" : \"\(c.rule)\""), "\(report)")
        #expect(!report.contains("root:x:0:0"), "no file content leaks")
        #expect(!t.outboxXML.contains("root:x:0:0"))
        #expect(t.tree("work").isEmpty)
    }

    @Test("a row with the wrong column count rejects its order only")
    func columnCount() throws {
        let t = try TestWorkspace()
        let bad = CSVFixture.row("SO2") + ",extra"
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1"), bad, CSVFixture.row("SO3")]))
        let s = try t.run()
        #expect(s.ordersAccepted == 2)
        #expect(s.ordersRejected == 1)
        #expect(t.read("failed/a.csv.rejects.csv").contains("SO2,,csv.row.column-count"))
    }

    @Test("GB18030 channel reads a Chinese export; the same bytes on a UTF-8 channel are quarantined")
    func gb18030() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          cn: { encoding: gb18030, pickup: { min_age_seconds: 0 } }
          orders: { pickup: { min_age_seconds: 0 } }
        routing: { default_warehouse: WH-CN-SH1 }
        """)
        func gb18030(_ id: String) -> [UInt8] {
        let text = CSVFixture.file([CSVFixture.row(id, ["ship_name": "王芳", "ship_city": "北京", "ship_country": "CN", "currency": "CNY"])])
        // 王 = CD F5, 芳 = B7 BC, 北 = B1 B1, 京 = BE A9 in GB18030 (as in GB2312).
        var gb: [UInt8] = []
        for ch in text.unicodeScalars {
            switch ch {
            case "王": gb += [0xCD, 0xF5]
            case "芳": gb += [0xB7, 0xBC]
            case "北": gb += [0xB1, 0xB1]
            case "京": gb += [0xBE, 0xA9]
            case "ä": gb += [0x81, 0x30, 0x86, 0x30]  // four-byte GB18030 form of U+00E4
            case "ö": gb += [0x81, 0x30, 0x8B, 0x32]  // U+00F6
            default: gb.append(UInt8(ch.value))
            }
        }
        return gb
        }
        try t.drop("cn.csv", gb18030("SO1"), channel: "cn")
        try t.drop("cn-as-utf8.csv", gb18030("SO2"), channel: "orders")
        let s = try t.run()
        #expect(s.ordersAccepted == 1)
        #expect(s.filesFailed == 1)
        #expect(t.outboxXML.contains("<Name>王芳</Name>"))
        #expect(t.outboxXML.contains("<City>北京</City>"))
        #expect(t.read("failed/cn-as-utf8.csv.error.json").contains("encoding.invalid-utf8"))
    }
}

/// More of the hostile corpus, built in the test (some are megabytes): each with the outcome it must get,
/// in bounded time.
@Suite("Hostile corpus")
struct HostileCorpusTests {
    static func xml(_ body: String) -> [UInt8] { Array(("<?xml version=\"1.0\"?>\n" + body).utf8) }

    static let cases: [BadInputTests.Case] = [
        .init(name: "parameter-entity.xml", channel: "orders-xml",
              bytes: xml("<!DOCTYPE orders [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><orders/>"), rule: "xml.doctype.forbidden"),
        .init(name: "quadratic.xml", channel: "orders-xml",
              bytes: xml("<!DOCTYPE o [<!ENTITY a \"\(String(repeating: "x", count: 50_000))\">]><orders>\(String(repeating: "&a;", count: 5_000))</orders>"),
              rule: "xml.doctype.forbidden"),
        // Text comes in pieces as it streams: erpwms's own field limit stops it long before libxml2's 10 MB one.
        .init(name: "huge-text.xml", channel: "orders-xml",
              bytes: xml("<orders><order><order_id>\(String(repeating: "A", count: 12 << 20))</order_id><lines><line/></lines></order></orders>"),
              rule: "xml.text.too-long"),
        // Below that, erpwms's own field limit (limits.max_field_kb).
        .init(name: "long-text.xml", channel: "orders-xml",
              bytes: xml("<orders><order><order_id>\(String(repeating: "A", count: 1 << 20))</order_id><lines><line/></lines></order></orders>"),
              rule: "xml.text.too-long"),
        .init(name: "deep.xml", channel: "orders-xml",
              bytes: xml("<orders><order>" + String(repeating: "<a>", count: 20_000) + String(repeating: "</a>", count: 20_000) + "</order></orders>"),
              rule: "xml.malformed"),
        .init(name: "attributes.xml", channel: "orders-xml",
              bytes: xml("<orders><order " + (0..<50_000).map { "a\($0)=\"1\"" }.joined(separator: " ") + "/></orders>"),
              rule: "xml.attributes.too-many"),
        .init(name: "xinclude.xml", channel: "orders-xml",
              bytes: xml("<orders xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"/etc/passwd\" parse=\"text\"/></orders>"),
              rule: "xml.schema"),
        .init(name: "huge-field.csv", channel: "orders",
              bytes: Array((CSVFixture.header + "\r\nSO1," + String(repeating: "x", count: 10 << 20) + "\r\n").utf8), rule: "csv.field.too-long"),
    ]

    @Test("quarantined with the named rule, quickly", arguments: HostileCorpusTests.cases)
    func quarantined(_ c: BadInputTests.Case) throws {
        try BadInputTests().quarantined(c)
    }

    @Test("NUL bytes and formula payloads: the order is rejected or escaped, never executed")
    func nulAndFormula() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          orders: { pickup: { min_age_seconds: 0 } }
        wms: { format: csv, csv_columns: [order_id, description] }
        routing: { default_warehouse: WH1 }
        """)
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1", ["ship_name": "Anna\u{0}Muster"]),
                                             CSVFixture.row("SO2", ["description": "=HYPERLINK(\"http://x\")"])]))
        let s = try t.run()
        #expect(s.ordersRejected == 1)
        #expect(t.read("failed/a.csv.rejects.csv").contains("SO1,,order.field.control-characters,ship_name"))
        let csv = t.files("outbox/wms").map { t.read("outbox/wms/" + $0) }.joined()
        #expect(csv.contains("SO2,\"'=HYPERLINK(\"\"http://x\"\")\""), "\(csv)")
    }

    @Test("a FIFO and a hard link in a drop folder are never taken, and the run does not hang")
    func fifoAndHardLink() throws {
        let t = try TestWorkspace()
        let inbox = t.workspace.path("inbox/orders")
        #expect(mkfifo(inbox + "/pipe.csv", 0o600) == 0)
        let outside = Scratch.path("secret-")
        try "order_id\nsecret\n".write(toFile: outside, atomically: true, encoding: .utf8)
        #expect(link(outside, inbox + "/linked.csv") == 0)
        let s = try t.run()
        #expect(s.filesSeen == 0)
        #expect(Set(t.files("inbox/orders")) == ["linked.csv", "pipe.csv"])
        #expect(t.tree("failed").isEmpty && t.tree("archive").isEmpty)
    }
}

@Suite("Awkward file names")
struct FileNameTests {
    @Test("names that look like paths, options or carry control characters stay inside the workspace folders")
    func names() throws {
        let t = try TestWorkspace()
        let names = ["..evil.csv", "-rf.csv", "new\nline.csv", "spaces and ünïcode .csv", "..%2F..%2Fetc%2Fpasswd.csv"]
        for (i, n) in names.enumerated() {
            try t.drop(n, CSVFixture.file([CSVFixture.row("SO\(i)"), CSVFixture.row("SX\(i)", ["quantity": "0"])]))
        }
        let s = try t.run()
        // Names starting with a dot are hidden files by the pickup rule: left alone in the inbox.
        let taken = names.filter { !$0.hasPrefix(".") }
        #expect(s.filesArchived == taken.count)
        #expect(s.ordersAccepted == taken.count)
        #expect(Set(t.files("failed")) == Set(taken.map { $0 + ".rejects.csv" }))
        #expect(t.tree("archive").count == taken.count)
        #expect(Set(t.files("inbox/orders")) == Set(names.filter { $0.hasPrefix(".") }))
        // Nothing was written outside the workspace's folders.
        let parent = FS.parent(t.root)
        let siblings = try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.contains("passwd") || $0.hasPrefix("-rf") }
        #expect(siblings.isEmpty)
        #expect(t.files("outbox/wms").allSatisfy { $0.hasPrefix("shipment-orders_WH-") })
        let findings = try SQLiteLedger(path: t.workspace.ledgerPath).findings(fileId: 2)
        #expect(findings.first.map { !$0.summary.contains("\n") } == true, "a line break in a name cannot forge a log line")
    }
}
