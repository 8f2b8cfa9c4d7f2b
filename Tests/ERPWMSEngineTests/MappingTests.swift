import ERPWMSCore
import ERPWMSFormats
import Foundation
import Testing
@testable import ERPWMSEngine

/// Column mappings, transforms, layouts and the WMS CSV layout, through configuration and the runner.
@Suite("Mapping")
struct MappingTests {
    func load(_ text: String) throws -> Configuration {
        var loader = ConfigLoader(file: "erpwms.yaml")
        return try loader.load(text: text)
    }

    static let header = "Nr;Datum;Name;Strasse;Ort;PLZ;Land;Zahlung;Versand;Artikel;Menge;Preis\r\n"
    static func row(_ nr: String, date: String = "01.07.2025 10:00", land: String = "Deutschland", menge: String = "2",
                    preis: String = "1.234,50", artikel: String = "4711") -> String {
        "\(nr);\(date);Anna Muster;Hauptstr. 1;Berlin;10115;\(land);Karte;DHL;\(artikel);\(menge);\(preis)\r\n"
    }

    static let config = """
    version: 1
    lookups:
      countries: { Deutschland: DE, Österreich: AT }
    channels:
      de:
        delimiter: ";"
        pickup: { min_age_seconds: 0 }
        lookups: { pay: { Karte: card } }
        mapping:
          order_id: Nr
          order_date: { column: Datum, transform: [{ date: { pattern: "dd.MM.yyyy HH:mm", time_zone: Europe/Berlin } }] }
          ship_name: Name
          ship_address1: Strasse
          ship_city: Ort
          ship_postcode: PLZ
          ship_country: { column: Land, transform: [{ lookup: countries }] }
          currency: { constant: EUR }
          payment_method: { column: Zahlung, transform: [{ lookup: pay }] }
          carrier_service: { column: Versand, transform: [upper, { replace: { pattern: "^DHL$", with: "DHL_PAKET" } }] }
          sku: { column: Artikel, transform: [{ prefix: "SKU-" }] }
          quantity: Menge
          unit_price: { column: Preis, transform: [{ decimal: { decimal: ",", thousands: "." } }] }
    routing: { default_warehouse: WH1 }
    """

    @Test("a flat foreign export with semicolons, decimal commas, lookups and local dates goes through by configuration")
    func flatExport() throws {
        let t = try TestWorkspace(config: Self.config)
        try t.drop("x.csv", Self.header + Self.row("A1") + Self.row("A1", menge: "1", preis: "9,99", artikel: "4712")
                   + Self.row("A2", date: "15.01.2025 23:30", land: "Österreich"), channel: "de")
        let s = try t.run()
        #expect(s.ordersAccepted == 2)
        let xml = t.outboxXML
        #expect(xml.contains("<OrderDate>2025-07-01T10:00:00+02:00</OrderDate>"), "summer time in Berlin")
        #expect(xml.contains("<OrderDate>2025-01-15T23:30:00+01:00</OrderDate>"), "winter time")
        #expect(xml.contains("<Country>AT</Country>"))
        #expect(xml.contains("<Carrier>DHL_PAKET</Carrier>"))
        #expect(xml.contains("<Sku>SKU-4711</Sku>"))
        #expect(xml.contains("<UnitPrice>1234.50</UnitPrice>"))
        #expect(xml.contains("<Line lineNo=\"2\"><Sku>SKU-4712</Sku>"), "lines numbered in file order when line_no is not mapped")
        #expect(xml.contains("<Payment method=\"card\" currency=\"EUR\"/>"))
    }

    @Test("a value a transform cannot map rejects its order, naming the column, the transform and the row")
    func mappingFailure() throws {
        let t = try TestWorkspace(config: Self.config)
        try t.drop("x.csv", Self.header + Self.row("A1", date: "31.02.2025 10:00") + Self.row("A2", land: "Atlantis") + Self.row("A3"), channel: "de")
        let s = try t.run()
        #expect(s.ordersAccepted == 1)
        #expect(s.ordersRejected == 2)
        let rejects = t.read("failed/x.csv.rejects.csv")
        #expect(rejects.contains("x.csv,2,1,A1,,mapping.date,order_date,\"column 'Datum', transform date(dd.MM.yyyy HH:mm, Europe/Berlin): '31.02.2025 10:00' does not match the pattern\""), "\(rejects)")
        #expect(rejects.contains("A2,,mapping.lookup,ship_country,\"column 'Land', transform lookup(countries): 'Atlantis' is not in the table; add it to the channel's lookups\""),
                "\(rejects)")
        #expect(!rejects.contains("A3"))
    }

    @Test("a mapped column missing from the header fails the file with the column and the field")
    func missingColumn() throws {
        let t = try TestWorkspace(config: Self.config)
        try t.drop("x.csv", "Nr;Datum\r\nA1;01.07.2025 10:00\r\n", channel: "de")
        let s = try t.run()
        #expect(s.filesFailed == 1)
        let report = t.read("failed/x.csv.error.json")
        #expect(report.contains("mapping.column"))
        #expect(report.contains("the mapping of ship_name reads column 'Name'"))
    }

    @Test("first-row layout with skipped lines, a title line above the header, and a file without a header")
    func firstRowAndPositions() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          fr:
            header_row: 2
            layout: first-row
            pickup: { min_age_seconds: 0 }
            skip_if: [{ column: ship, equals: "no" }]
            mapping:
              order_id: id
              order_date: { constant: "2025-03-01T10:00:00Z" }
              ship_name: { constant: X }
              ship_address1: { constant: X }
              ship_city: { constant: X }
              ship_postcode: { constant: "1" }
              ship_country: { constant: DE }
              currency: { constant: EUR }
              payment_method: { constant: card }
              carrier_service: { constant: DHL }
              sku: sku
              quantity: qty
              unit_price: price
          pos:
            header_row: 0
            pickup: { min_age_seconds: 0 }
            mapping:
              order_id: { position: 1 }
              order_date: { constant: "2025-03-01T10:00:00Z" }
              ship_name: { concat: [{ position: 2 }, " ", { position: 3 }] }
              ship_address1: { position: 4, transform: [{ split: { separator: "|", index: 1 } }] }
              ship_address2: { position: 4, transform: [{ split: { separator: "|", index: -1 } }] }
              ship_city: { constant: X }
              ship_postcode: { constant: "1" }
              ship_country: { constant: DE }
              currency: { constant: EUR }
              payment_method: { constant: card }
              carrier_service: { constant: DHL }
              sku: { position: 5 }
              quantity: { position: 6 }
              unit_price: { position: 7 }
              tax_rate: { position: 8, transform: [percent] }
        routing: { default_warehouse: WH1 }
        """)
        try t.drop("f.csv", "Export of 2025-03-01\nid,sku,qty,price,ship\nO1,A,1,1.00,yes\n,GIFT,1,50.00,no\n,B,2,2.00,yes\nO2,GIFT,1,50.00,no\nO3,C,1,3.00,yes\n", channel: "fr")
        try t.drop("p.csv", "P1,Anna,Muster,Hauptstr. 1|Hinterhaus,S1,1,1.00,19\nP1,Anna,Muster,Hauptstr. 1|Hinterhaus,S2,2,2.00,7\n", channel: "pos")
        let s = try t.run()
        #expect(s.ordersAccepted == 3, "O1, O3 and P1; O2 had only a gift card")
        let xml = t.outboxXML
        #expect(xml.contains("orderId=\"O1\""))
        #expect(!xml.contains("GIFT"))
        #expect(xml.contains("<Line lineNo=\"2\"><Sku>B</Sku>"))
        #expect(!xml.contains("orderId=\"O2\""))
        #expect(xml.contains("<Name>Anna Muster</Name><Address1>Hauptstr. 1</Address1><Address2>Hinterhaus</Address2>"))
        #expect(xml.contains("<TaxRate>0.19</TaxRate>"))
    }

    @Test("an XML export of another shape: element and attribute paths")
    func foreignXML() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          x:
            format: xml
            pickup: { min_age_seconds: 0 }
            xml: { order_path: Export/Orders/Order, line_path: Items/Item }
            skip_if: [{ path: "@type", equals: "service" }]
            mapping:
              order_id: { path: "@no" }
              order_date: Head/Date
              ship_name: Head/Customer/Name
              ship_address1: Head/Customer/Street
              ship_city: Head/Customer/City
              ship_postcode: Head/Customer/Zip
              ship_country: { path: "Head/Customer/@country" }
              currency: { path: "@currency" }
              payment_method: { constant: card }
              carrier_service: { constant: DHL_PAKET }
              sku: "@sku"
              quantity: Qty
              unit_price: Price
        routing: { default_warehouse: WH1 }
        """)
        try t.drop("e.xml", """
        <?xml version="1.0"?>
        <Export><Meta/><Orders>
          <Order no="X-1" currency="EUR"><Head><Date>2025-03-01T10:00:00+01:00</Date>
            <Customer country="DE"><Name>Anna Muster</Name><Street>Hauptstr. 1</Street><City>Berlin</City><Zip>10115</Zip></Customer></Head>
            <Items><Item sku="S1"><Qty>2</Qty><Price>9.99</Price></Item><Item sku="FEE" type="service"><Qty>1</Qty><Price>4.99</Price></Item>
                   <Item sku="S2"><Qty>1</Qty><Price>5.00</Price></Item></Items></Order>
          <Order no="X-2" currency="EUR"><Head><Date>2025-03-01T11:00:00+01:00</Date>
            <Customer country="FR"><Name>Jean</Name><Street>Rue 1</Street><City>Paris</City><Zip>75001</Zip></Customer></Head>
            <Items><Item sku="S3"><Qty>0</Qty><Price>1.00</Price></Item></Items></Order>
        </Orders></Export>
        """, channel: "x")
        let s = try t.run()
        #expect(s.ordersAccepted == 1)
        #expect(s.ordersRejected == 1)
        let xml = t.outboxXML
        #expect(xml.contains("orderId=\"X-1\""))
        #expect(xml.contains("<Line lineNo=\"1\"><Sku>S1</Sku>") && xml.contains("<Line lineNo=\"2\"><Sku>S2</Sku>"))
        #expect(!xml.contains("FEE"))
        #expect(t.read("failed/e.xml.rejects.csv").contains("X-2,,order.quantity.positive"))
    }

    @Test("the WMS side in a configured CSV layout")
    func wmsCSV() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          orders: { pickup: { min_age_seconds: 0 } }
        wms:
          format: csv
          csv_columns: [{ name: OrderNo, field: order_id }, { name: Pos, field: line_no }, { name: Item, field: sku }, quantity, { name: Mail, field: ship_email }, ship_country]
        routing: { default_warehouse: WH1 }
        """)
        try t.drop("a.csv", CSVFixture.file([CSVFixture.row("SO1"), CSVFixture.row("SO1", line: 2, ["quantity": "3"])]))
        _ = try t.run()
        let files = t.files("outbox/wms")
        #expect(files.count == 1 && files[0].hasSuffix(".csv"))
        #expect(t.read("outbox/wms/" + files[0]) == "OrderNo,Pos,Item,quantity,Mail,ship_country\r\nSO1,1,SKU-1,1,,DE\r\nSO1,2,SKU-2,3,,DE\r\n")
    }

    @Test("mapping errors in the configuration name the key, the line and what is allowed")
    func configErrors() {
        func error(_ text: String) -> ConfigError? {
            do { _ = try load(text) } catch let e as ConfigError { return e } catch {}
            return nil
        }
        let base = "version: 1\nchannels:\n  c:\n    mapping:\n      order_id: Nr\n"
        let e1 = error(base + "      shipname: Name\n")
        #expect(e1?.key == "channels.c.mapping.shipname" && e1?.line == 6 && e1?.message.contains("ship_name") == true)
        let e2 = error(base + "      sku: { column: A, transform: [capitalize] }\n")
        #expect(e2?.message.contains("'capitalize' is not a transform; allowed: trim") == true)
        let e3 = error(base + "      sku: { column: A, transform: [{ lookup: nope }] }\n")
        #expect(e3?.message.contains("no lookup table 'nope'") == true)
        let e4 = error(base + "      order_date: { column: D, transform: [{ date: { pattern: x, time_zone: Mars/Base } }] }\n")
        #expect(e4?.message.contains("not an IANA time zone") == true)
        let e5 = error(base + "      sku: { column: A, path: B }\n")
        #expect(e5 != nil)
        let e6 = error("version: 1\nchannels:\n  c:\n    layout: first-row\n")
        #expect(e6?.message.contains("only means something with a mapping") == true)
        let e7 = error("version: 1\nchannels:\n  c:\n    mapping:\n      sku: A\n")
        #expect(e7?.message.contains("order_id must be mapped") == true)
    }
}
