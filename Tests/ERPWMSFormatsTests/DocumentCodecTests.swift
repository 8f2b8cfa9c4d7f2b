import Foundation
import Testing
import ERPWMSCore
import ERPWMSFormats

@Suite("Generic document codecs")
struct DocumentCodecTests {
    /// A document with a value in every field and two lines.
    static func full(_ layout: DocumentLayout) -> ([String: String], [[String: String]]) {
        var v: [String: String] = [:]
        for f in layout.fields { v[f.name] = "v-\(f.name) & <x>" }
        let lines = layout.hasLines ? (1...2).map { n in Dictionary(uniqueKeysWithValues: layout.lineFields.map { ($0.name, "\($0.name)-\(n)") }) } : []
        return (v, lines)
    }

    @Test("for every layout, the XML writer's output passes its XSD and the readers read back what was written", arguments: DocumentLayout.all.indices)
    func roundTrip(index: Int) throws {
        let layout = DocumentLayout.all[index]
        #expect(Set(layout.fields.map(\.name)).isDisjoint(with: layout.lineFields.map(\.name)), "one CSV column per field")
        let (values, lines) = Self.full(layout)
        let sink = MemoryByteSink()
        let w = try DocumentWriter(sink: sink, layout: layout, format: .xml, rootAttributes: [("source", "abc")])
        try w.write(values, lines: lines)
        try w.write(values.merging([layout.fields[0].name: "second"]) { $1 }, lines: lines)
        try w.finish()
        #expect(try XMLSchemaValidator.validate(MemoryByteSource(sink.bytes), schema: layout.schema).isEmpty, "\(layout.name)")
        let reader = try XMLDocumentReader(source: MemoryByteSource(sink.bytes), file: "x.xml", layout: layout)
        let first = try #require(try reader.next())
        #expect(first.codecFindings.isEmpty)
        #expect(first.values == values)
        #expect(first.lines.map(\.values) == lines)
        #expect(try reader.next()?[layout.fields[0].name] == "second")
        #expect(try reader.next() == nil)

        let csvSink = MemoryByteSink()
        let c = try DocumentWriter(sink: csvSink, layout: layout, format: .csv)
        try c.write(values, lines: lines)
        try c.write(values.merging([layout.key[0]: "second"]) { $1 }, lines: lines)
        try c.finish()
        let csv = try CSVDocumentReader(source: MemoryByteSource(csvSink.bytes), file: "x.csv", layout: layout)
        let a = try #require(try csv.next())
        #expect(a.values == values)
        #expect(a.lines.map(\.values) == lines)
        #expect(try csv.next()?[layout.key[0]] == "second")
        #expect(try csv.next() == nil)
    }

    @Test("CSV: columns in any order, unknown columns ignored, contiguous rows with one key form a document")
    func csvGrouping() throws {
        let text = """
        extra,quantity,sku,uom,line_no,po_number,supplier,expected_date,warehouse
        x,5,SKU-1,EA,1,PO-1,S,2025-03-03,WH1
        x,6,SKU-2,EA,2,PO-1,S,2025-03-03,WH1
        x,7,SKU-3,EA,1,PO-2,S,2025-03-03,WH1
        x,8,SKU-4,EA,1,PO-1,S,2025-03-03,WH1

        """
        let r = try CSVDocumentReader(source: MemoryByteSource(Array(text.utf8)), file: "p.csv", layout: .purchaseOrders)
        let docs = try (0..<3).map { _ in try #require(try r.next()) }
        #expect(docs.map { $0["po_number"] } == ["PO-1", "PO-2", "PO-1"], "not contiguous: a second document")
        #expect(docs[0].lines.map { $0["quantity"] } == ["5", "6"])
        #expect(docs[0].lines[1].location.line == 3)
        #expect(try r.next() == nil)
    }

    @Test("CSV: a missing required column fails the file, naming the columns; a short row is a finding of its document")
    func csvStructure() throws {
        let missing = "po_number,supplier,warehouse,line_no,sku,quantity\nPO-1,S,WH1,1,SKU-1,5\n"
        let e = try formatError { _ = try CSVDocumentReader(source: MemoryByteSource(Array(missing.utf8)), file: "p.csv", layout: .purchaseOrders) }
        #expect(e?.rule == "csv.header.missing-column")
        #expect(e?.message.contains("expected_date, uom") == true)
        let short = "order_id,reason,requested_at\nSO-1,customer_request\n"
        let r = try CSVDocumentReader(source: MemoryByteSource(Array(short.utf8)), file: "c.csv", layout: .cancellations)
        #expect(try r.next()?.codecFindings.map(\.rule) == ["csv.row.column-count"])
    }

    @Test("XML: a record that breaks the schema is rejected alone, the file goes on")
    func xmlSchemaPerRecord() throws {
        let xml = """
        <?xml version="1.0"?>
        <cancellations>
          <cancellation><order_id>SO-1</order_id><reason>r</reason><requested_at>2025-03-01T10:00:00Z</requested_at></cancellation>
          <cancellation><reason>r</reason><order_id>SO-2</order_id></cancellation>
          <cancellation><order_id>SO-3</order_id><reason>r</reason><requested_at>2025-03-01T10:00:00Z</requested_at></cancellation>
        </cancellations>
        """
        let r = try XMLDocumentReader(source: MemoryByteSource(Array(xml.utf8)), file: "c.xml", layout: .cancellations)
        var findings: [[String]] = []
        while let d = try r.next() { findings.append(d.codecFindings.map(\.rule)) }
        #expect(findings == [[], ["xml.schema"], []])
    }
}

@Suite("Generic document limits")
struct DocumentLimitTests {
    @Test("a document not read in chunks holds at most 10,000 lines in memory; past that it carries a finding")
    func tooManyLines() throws {
        var text = "po_number,supplier,expected_date,warehouse,line_no,sku,quantity,uom\n"
        for i in 1...10_005 { text += "PO-1,S,2025-03-03,WH1,\(i),SKU-\(i),1,EA\n" }
        text += "PO-2,S,2025-03-03,WH1,1,SKU-1,1,EA\n"
        let r = try CSVDocumentReader(source: MemoryByteSource(Array(text.utf8)), file: "p.csv", layout: .purchaseOrders)
        let first = try #require(try r.next())
        #expect(first.lines.count == 10_000)
        #expect(first.codecFindings.map(\.rule) == ["csv.document.too-many-lines"])
        #expect(try r.next()?["po_number"] == "PO-2", "the next document is read as usual")
    }
}
