import ERPWMSCore
import Foundation
import GRDB
import Testing
@testable import ERPWMSEngine

/// A day whose true figures are known by construction: full, partial, split (arriving out of order),
/// short, over, never confirmed, an unknown reference and a duplicate confirmation. Every figure is
/// asserted in the ledger-driven totals and in all three report formats.
@Suite("Reconciliation scenario")
struct ReconciliationScenarioTests {
    static let config = """
    version: 1
    channels:
      orders: { pickup: { min_age_seconds: 0 } }
      conf: { document: shipment-confirmations, format: xml, pickup: { min_age_seconds: 0 } }
      conf-csv: { document: shipment-confirmations, format: csv, pickup: { min_age_seconds: 0 } }
    routing: { default_warehouse: WH1, by_country: { US: WH2 } }
    """

    static let t0 = "2025-03-01T08:00:00Z"

    /// Orders: id, lines as (qty, price), currency, country.
    static func ordersCSV() -> String {
        func rows(_ id: String, _ lines: [(Int, String)], currency: String = "EUR", country: String = "DE") -> [String] {
            lines.enumerated().map { i, l in
                CSVFixture.row(id, line: i + 1, ["quantity": String(l.0), "unit_price": l.1, "currency": currency,
                                                 "ship_country": country, "order_date": "2025-03-01T07:00:00+01:00"])
            }
        }
        return CSVFixture.file(
            rows("SO-FULL", [(2, "10.00"), (1, "5.50")]) + rows("SO-PART", [(4, "2.50")]) + rows("SO-SPLIT", [(5, "1.00")])
            + rows("SO-SHORT", [(3, "4.00"), (1, "9.99")], currency: "USD", country: "US") + rows("SO-OVER", [(1, "3.00")])
            + rows("SO-OPEN", [(2, "100")], currency: "JPY"))
    }

    static func confirmation(_ shipment: String, _ order: String, date: String, _ lines: [(Int, Int, String?)]) -> String {
        var x = "<ShipmentConfirmation shipmentId=\"\(shipment)\" orderId=\"\(order)\"><ShipDate>\(date)</ShipDate>"
        x += "<Warehouse>WH1</Warehouse><Carrier service=\"STD\">DHL</Carrier><Parcels><Parcel trackingNumber=\"T-\(shipment)\" weightKg=\"1.5\"/></Parcels><Lines>"
        for (no, q, reason) in lines {
            x += "<Line lineNo=\"\(no)\"><Sku>SKU-\(no)</Sku><QuantityShipped>\(q)</QuantityShipped>"
            if let reason { x += "<Reason>\(reason)</Reason>" }
            x += "</Line>"
        }
        return x + "</Lines></ShipmentConfirmation>\n"
    }

    static func file(_ confirmations: [String]) -> String {
        "<?xml version=\"1.0\"?>\n<ShipmentConfirmations>\n" + confirmations.joined() + "</ShipmentConfirmations>\n"
    }

    /// Runs the whole scenario and returns the workspace.
    static func scenario() throws -> TestWorkspace {
        let t = try TestWorkspace(config: config)
        try t.drop("orders.csv", ordersCSV())
        let s1 = try t.run(at: t0)
        #expect(s1.ordersAccepted == 6)
        // First confirmation file: the second half of the split arrives before the first.
        try t.drop("c1.xml", file([
            confirmation("S-FULL", "SO-FULL", date: "2025-03-01T10:00:00Z", [(1, 2, nil), (2, 1, nil)]),
            confirmation("S-SPLIT-2", "SO-SPLIT", date: "2025-03-01T15:00:00Z", [(1, 3, nil)]),
            confirmation("S-PART", "SO-PART", date: "2025-03-01T10:00:00Z", [(1, 1, nil)]),
            confirmation("S-GHOST", "SO-GHOST", date: "2025-03-01T10:00:00Z", [(1, 2, nil)]),
        ]), channel: "conf")
        // Second file, CSV: the split's first half, short, over, and SO-FULL again (a duplicate).
        let csv = """
        shipment_id,order_id,version,ship_date,warehouse,carrier,service,tracking_numbers,parcel_weights_kg,line_no,sku,quantity_shipped,lots,reason_code
        S-SPLIT-1,SO-SPLIT,1,2025-03-01T09:00:00Z,WH1,DHL,STD,T1|T2,0.5|0.7,1,SKU-1,2,LOT-A,
        S-SHORT,SO-SHORT,1,2025-03-01T09:30:00Z,WH2,UPS,,T3,,1,SKU-1,1,,out_of_stock
        S-SHORT,SO-SHORT,1,2025-03-01T09:30:00Z,WH2,UPS,,T3,,2,SKU-2,1,,
        S-OVER,SO-OVER,1,2025-03-01T09:45:00Z,WH1,DHL,,T4,,1,SKU-1,2,,
        S-FULL,SO-FULL,1,2025-03-01T10:00:00Z,WH1,DHL,STD,T-S-FULL,1.5,1,SKU-1,2,,
        S-FULL,SO-FULL,1,2025-03-01T10:00:00Z,WH1,DHL,STD,T-S-FULL,1.5,2,SKU-2,1,,

        """
        try t.drop("c2.csv", csv, channel: "conf-csv")
        let s2 = try t.run(at: "2025-03-01T10:00:00Z")
        #expect(s2.confirmationsAccepted == 7)
        #expect(s2.confirmationsDuplicate == 1)
        #expect(s2.unknownReferences == 1)
        #expect(s2.overShipments == 1)
        #expect(s2.feedbackFiles == 2)
        return t
    }

    static func report(_ t: TestWorkspace, asOf: String, formats: [ReportOptions.Format] = [.html, .csv, .json]) throws -> ReportResult {
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        return try ReportGenerator(ledger: ledger, options: ReportOptions(
            asOf: ISODate.epochSeconds(asOf)!, formats: formats, outDir: t.workspace.path("reports"))).generate()
    }

    @Test("the totals are the true figures")
    func totals() throws {
        let t = try Self.scenario()
        let r = try Self.report(t, asOf: "2025-03-02T14:00:00Z")  // 30 h after the orders were instructed
        let a = r.totals.all
        #expect(a.orders == 6)
        #expect(a.ordersComplete == 2)
        #expect(a.ordersOpen == 2)
        #expect(a.ordersShort == 1)
        #expect(a.ordersOver == 1)
        #expect(a.lines == 8)
        #expect(a.instructed == 19)
        #expect(a.shipped == 13)
        #expect(a.open == 5)
        #expect(a.short == 2)
        #expect(a.over == 1)
        #expect(a.fillRateBasisPoints == 8461)  // 11 of 13 units on finished lines
        #expect(r.totals.byCurrency["EUR"]?.openValue == "7.50")
        #expect(r.totals.byCurrency["EUR"]?.shortValue == "0.00")
        #expect(r.totals.byCurrency["USD"]?.shortValue == "8.00")
        #expect(r.totals.byCurrency["JPY"]?.openValue == "200")
        #expect(r.totals.unknownReferences == 1)
        #expect(r.totals.unknownReferenceUnits == 2)
        #expect(r.totals.ageBuckets == ["under 24 h": 0, "24-48 h": 1, "over 48 h": 0])
        #expect(r.totals.shortByReason == ["out_of_stock": 1])
        #expect(r.totals.byWarehouse["WH2"]?.orders == 1)
        #expect(r.totals.byWarehouse["WH1"]?.orders == 5)
    }

    @Test("a report that fails leaves no temporary file beside the reports, and what it committed stays")
    func failedReportLeavesNothing() throws {
        let t = try Self.scenario()
        let reports = t.workspace.path("reports")
        // A folder where the CSV goes: its commit (the rename) fails, after the JSON's orders were written.
        try FS.makeDirectories(reports + "/reconciliation_20250302T140000Z.csv")
        #expect(throws: (any Error).self) { try Self.report(t, asOf: "2025-03-02T14:00:00Z") }
        let left = try FileManager.default.contentsOfDirectory(atPath: reports)
        #expect(left == ["reconciliation_20250302T140000Z.csv"], "\(left)")
        // A folder where the HTML goes, the last file written: the others are committed and stay; the HTML's
        // temporary file goes.
        try FileManager.default.removeItem(atPath: reports + "/reconciliation_20250302T140000Z.csv")
        try FS.makeDirectories(reports + "/reconciliation_20250302T140000Z.html")
        #expect(throws: (any Error).self) { try Self.report(t, asOf: "2025-03-02T14:00:00Z") }
        let committed = try FileManager.default.contentsOfDirectory(atPath: reports).sorted()
        #expect(committed == ["reconciliation_20250302T140000Z.csv", "reconciliation_20250302T140000Z.html",
                              "reconciliation_20250302T140000Z.json", "reconciliation_20250302T140000Z_totals.csv"], "\(committed)")
        // Without the obstacle the same report is written whole.
        try FileManager.default.removeItem(atPath: reports + "/reconciliation_20250302T140000Z.html")
        let r = try Self.report(t, asOf: "2025-03-02T14:00:00Z")
        #expect(r.files.count == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: reports).allSatisfy { !$0.hasPrefix(".") })
    }

    @Test("every figure is the same in CSV, JSON and HTML")
    func formats() throws {
        let t = try Self.scenario()
        let r = try Self.report(t, asOf: "2025-03-02T14:00:00Z")
        #expect(r.files.map { FS.name($0) } == [
            "reconciliation_20250302T140000Z.csv", "reconciliation_20250302T140000Z_totals.csv",
            "reconciliation_20250302T140000Z.json", "reconciliation_20250302T140000Z.html",
        ])
        // CSV totals: the "all" row.
        let totals = t.read("reports/reconciliation_20250302T140000Z_totals.csv").split(separator: "\r\n").map(String.init)
        #expect(totals.contains("all,all,6,2,2,1,1,8,19,19,13,5,2,1,84.61 %,,,"))
        #expect(totals.contains("currency,EUR,4,,,,,,,,,,,,,EUR,7.50,0.00"))
        #expect(totals.contains("currency,USD,1,,,,,,,,,,,,,USD,0.00,8.00"))
        #expect(totals.contains("currency,JPY,1,,,,,,,,,,,,,JPY,200,0"))
        #expect(totals.contains("unknown_reference,all,1,,,,,,,,2,,,2,,,,"))
        // CSV details: one row per line plus the unknown reference.
        let details = t.read("reports/reconciliation_20250302T140000Z.csv").split(separator: "\r\n").map(String.init)
        #expect(details.count == 1 + 8 + 1)
        #expect(details.contains { $0.hasPrefix("SO-SHORT,1,2025-03-01T07:00:00+01:00,WH2,USD,short,1,SKU-1,3,3,1,0,2,0,short,out_of_stock,4.00,0.00,8.00,1,,,") })
        #expect(details.contains { $0.hasPrefix("SO-OPEN,1,2025-03-01T07:00:00+01:00,WH1,JPY,open,1,SKU-1,2,2,0,2,0,0,open,,100,200,0,0,30,24-48 h,") })
        #expect(details.contains { $0.hasPrefix("SO-GHOST,,,WH1,,unknown_reference,") && $0.hasSuffix(",S-GHOST,") })
        // JSON.
        let data = try #require(FileManager.default.contents(atPath: t.workspace.path("reports/reconciliation_20250302T140000Z.json")))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["layout"] as? String == "erpwms.reconciliation")
        #expect(json["version"] as? Int == 1)
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["orders"] as? Int == 6)
        #expect(summary["shipped"] as? Int == 13)
        #expect(summary["open"] as? Int == 5)
        #expect(summary["short"] as? Int == 2)
        #expect(summary["over"] as? Int == 1)
        #expect(summary["fillRateBasisPoints"] as? Int == 8461)
        let orders = try #require(json["orders"] as? [[String: Any]])
        #expect(orders.count == 6)
        let over = try #require(orders.first { $0["orderId"] as? String == "SO-OVER" })
        #expect(over["status"] as? String == "over")
        let byCurrency = try #require(json["byCurrency"] as? [[String: Any]])
        #expect(byCurrency.first { $0["currency"] as? String == "USD" }?["shortValue"] as? String == "8.00")
        #expect((json["unknownReferences"] as? [[String: Any]])?.first?["orderId"] as? String == "SO-GHOST")
        #expect((json["unconfirmedByAge"] as? [String: Int])?["24-48 h"] == 1)
        // HTML: summary cards and the tables.
        let html = t.read("reports/reconciliation_20250302T140000Z.html")
        for (value, label) in [("6", "Orders"), ("2", "Complete"), ("2", "Open"), ("1", "Short"), ("1", "Over"),
                               ("1", "Unknown references"), ("84.61 %", "Fill rate"), ("0.00 / 8.00", "USD open / short")] {
            #expect(html.contains("<div class=\"v\">\(value)</div><div class=\"l\">\(label)</div>"), "card \(label)")
        }
        #expect(html.contains("8 lines · 19 units instructed · 13 shipped · 5 open · 2 short · 1 over"))
        #expect(html.contains("<td class=\"id\">SO-GHOST</td><td>S-GHOST</td>"))
        #expect(html.contains("Exceptions <span class=\"n\">4</span>"))
        #expect(!html.contains("Käthe") && !html.contains("Hauptstr") && !html.contains("@example"), "no personal data")
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"), "self-contained, no external assets")
    }

    /// The unknown references as one query says them (the report ran it before the walk found them on the way):
    /// shipments received by `asOf` whose order was not instructed by then, with their lines and units.
    static func unknownReferencesByQuery(_ ledger: SQLiteLedger, asOf: String) throws -> [UnknownReference] {
        try ledger.queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT sh.shipment_id, sh.order_id, sh.warehouse, sh.ship_date,
                       (SELECT COUNT(*) FROM shipment_lines sl WHERE sl.shipment_id = sh.shipment_id),
                       (SELECT COALESCE(SUM(quantity), 0) FROM shipment_lines sl WHERE sl.shipment_id = sh.shipment_id)
                FROM shipments sh
                WHERE sh.received_at <= ?
                  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = sh.order_id AND \(SQLiteLedger.firstInstructedAt("o")) <= ?)
                ORDER BY sh.order_id, sh.shipment_id
                """, arguments: [asOf, asOf]).map {
                UnknownReference(shipmentId: $0[0], orderId: $0[1], warehouse: $0[2], shipDate: $0[3], lines: $0[4], units: $0[5])
            }
        }
    }

    @Test("the unknown references found on the report's walk are those a query over the ledger finds, at every as-of")
    func unknownReferencesOnTheWalk() throws {
        let t = try Self.scenario()
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        var seen = 0
        for asOf in ["2025-03-01T07:59:59Z", "2025-03-01T09:00:00Z", "2025-03-02T12:00:00Z", "2025-03-05T00:00:00Z", "2030-01-01T00:00:00Z"] {
            let walked = try ledger.forEachReconRecord(asOf: asOf) { _ in }
            #expect(walked == (try Self.unknownReferencesByQuery(ledger, asOf: asOf)), "as of \(asOf)")
            seen += walked.count
        }
        #expect(seen > 0)
    }

    @Test("as-of: the report shows the ledger as it stood then")
    func asOf() throws {
        let t = try Self.scenario()
        // Before any confirmation was received: everything open and unconfirmed, no unknown reference.
        let early = try Self.report(t, asOf: "2025-03-01T09:00:00Z", formats: [.json])
        #expect(early.totals.all.shipped == 0)
        #expect(early.totals.all.ordersOpen == 6)
        #expect(early.totals.unknownReferences == 0)
        #expect(early.totals.ageBuckets["under 24 h"] == 6)
        // Before the orders were instructed: nothing.
        let none = try Self.report(t, asOf: "2025-03-01T07:59:59Z", formats: [.json])
        #expect(none.totals.all.orders == 0)
        // The same as-of twice: byte-identical files.
        let a = try Self.report(t, asOf: "2025-03-02T14:00:00Z")
        let first = a.files.map { FileManager.default.contents(atPath: $0) }
        let b = try Self.report(t, asOf: "2025-03-02T14:00:00Z")
        #expect(b.files.map { FileManager.default.contents(atPath: $0) } == first)
    }

    @Test("ERP feedback: status per order after each confirmation, exactly once")
    func feedback() throws {
        let t = try Self.scenario()
        let files = t.files("outbox/erp")
        #expect(files.count == 2)
        let xml = files.map { t.read("outbox/erp/" + $0) }.joined()
        #expect(xml.contains("orderId=\"SO-FULL\" status=\"shipped\" shipmentId=\"S-FULL\""))
        #expect(xml.contains("orderId=\"SO-PART\" status=\"partially_shipped\""))
        #expect(xml.contains("orderId=\"SO-SPLIT\" status=\"partially_shipped\" shipmentId=\"S-SPLIT-2\""))
        #expect(xml.contains("orderId=\"SO-SPLIT\" status=\"shipped\" shipmentId=\"S-SPLIT-1\""), "out of order, still lands right")
        #expect(xml.contains("<Line lineNo=\"1\" sku=\"SKU-1\" ordered=\"3\" shipped=\"1\" shippedTotal=\"1\" state=\"short_closed\" reason=\"out_of_stock\"/>"))
        #expect(xml.contains("orderId=\"SO-SHORT\" status=\"short_closed\""))
        #expect(xml.contains("state=\"over\""))
        #expect(!xml.contains("SO-GHOST"), "an unknown reference is not fed back")
        #expect(xml.components(separatedBy: "shipmentId=\"S-FULL\"").count == 2, "the duplicate confirmation is not fed back")
        #expect(xml.contains("<Tracking>T1</Tracking><Tracking>T2</Tracking>"))
        // The confirmed order can no longer be replaced.
        try t.drop("orders2.csv", CSVFixture.file([CSVFixture.row("SO-FULL", ["quantity": "9"])]))
        let s = try t.run(at: "2025-03-01T11:00:00Z")
        #expect(s.ordersRejected == 1)
        #expect(t.read("failed/orders2.csv.rejects.csv").contains("order.version.confirmed"))
    }

    @Test("erp.feedback_format csv: one row per order line and confirmation")
    func csvFeedback() throws {
        let t = try TestWorkspace(config: Self.config + "\nerp: { feedback_format: csv }\n")
        try t.drop("orders.csv", Self.ordersCSV())
        _ = try t.run(at: Self.t0)
        try t.drop("c1.xml", Self.file([
            Self.confirmation("S-SHORT", "SO-SHORT", date: "2025-03-01T10:00:00Z", [(1, 1, "damaged"), (2, 1, nil)]),
        ]), channel: "conf")
        _ = try t.run(at: "2025-03-01T10:00:00Z")
        let files = t.files("outbox/erp")
        #expect(files.count == 1)
        #expect(files.first?.hasSuffix(".csv") == true)
        let rows = t.read("outbox/erp/" + files[0]).split(separator: "\r\n").map(String.init)
        #expect(rows == [
            "order_id,status,shipment_id,ship_date,warehouse,carrier,tracking_numbers,line_no,sku,quantity_ordered,quantity_shipped,quantity_shipped_total,line_state,reason_code",
            "SO-SHORT,short_closed,S-SHORT,2025-03-01T10:00:00Z,WH1,DHL,T-S-SHORT,1,SKU-1,3,1,1,short_closed,damaged",
            "SO-SHORT,short_closed,S-SHORT,2025-03-01T10:00:00Z,WH1,DHL,T-S-SHORT,2,SKU-2,1,1,1,complete,",
        ])
    }

    @Test("report.after_run writes the report at the end of every run")
    func afterRun() throws {
        let t = try TestWorkspace(config: Self.config + "\nreport: { after_run: \"html,json\" }\n")
        try t.drop("orders.csv", Self.ordersCSV())
        let s = try t.run(at: Self.t0)
        #expect(s.reports == ["reports/reconciliation_20250301T080000Z.json", "reports/reconciliation_20250301T080000Z.html"])
        #expect(t.read("reports/reconciliation_20250301T080000Z.json").contains("\"orders\" : 6"))
    }

    @Test("a bad confirmation is rejected with its rule; a malformed file is quarantined")
    func badConfirmations() throws {
        let t = try Self.scenario()
        try t.drop("bad.xml", Self.file([
            Self.confirmation("S-X", "SO-OPEN", date: "yesterday", [(1, 1, nil)]),
            Self.confirmation("S-Y", "SO-OPEN", date: "2025-03-01T12:00:00Z", [(1, 1, "lost")]),
            Self.confirmation("S-Z", "SO-OPEN", date: "2025-03-01T12:00:00Z", [(1, 1, nil)]),
        ]), channel: "conf")
        try t.drop("broken.xml", "<ShipmentConfirmations><ShipmentConfirmation", channel: "conf")
        let s = try t.run(at: "2025-03-01T12:00:00Z")
        #expect(s.confirmationsRejected == 2)
        #expect(s.confirmationsAccepted == 1)
        #expect(s.filesFailed == 1)
        let rejects = t.read("failed/bad.xml.rejects.csv")
        #expect(rejects.contains("confirmation.ship-date.iso8601"))
        #expect(rejects.contains("confirmation.reason.known"))
        #expect(t.read("failed/broken.xml.error.json").contains("xml.malformed"))
    }
}
