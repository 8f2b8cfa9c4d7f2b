import ERPWMSCore
import Foundation
import GRDB
import Testing
@testable import ERPWMSEngine

/// Canonical CSV of a generic document layout: one row per line, document fields repeated.
enum DocCSV {
    static func file(_ layout: DocumentLayout, _ docs: [([String: String], [[String: String]])]) -> String {
        let names = layout.fields.map(\.name) + layout.lineFields.map(\.name)
        var rows = [names.joined(separator: ",")]
        func cell(_ v: String) -> String { v.contains(",") || v.contains("\"") ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v }
        for (values, lines) in docs {
            for l in lines.isEmpty ? [[:]] : lines {
                rows.append(names.map { cell(l[$0] ?? values[$0] ?? "") }.joined(separator: ","))
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }
}

/// Scenarios whose true figures are known by construction, one per flow of issue #4: every figure is
/// asserted in the outputs, the ledger-driven report section, and its CSV and JSON.
@Suite("Flow scenarios")
struct FlowScenarioTests {
    static let config = """
    version: 1
    channels:
      orders: { pickup: { min_age_seconds: 0 } }
      conf: { document: shipment-confirmations, format: csv, pickup: { min_age_seconds: 0 } }
      items: { document: items, pickup: { min_age_seconds: 0 } }
      pos: { document: purchase-orders, pickup: { min_age_seconds: 0 } }
      receipts: { document: receipt-confirmations, pickup: { min_age_seconds: 0 } }
      rmas: { document: returns, pickup: { min_age_seconds: 0 } }
      returns: { document: return-receipts, pickup: { min_age_seconds: 0 } }
      cancel: { document: cancellations, pickup: { min_age_seconds: 0 } }
      answers: { document: cancellation-results, pickup: { min_age_seconds: 0 } }
      erp-stock: { document: stock-snapshots, pickup: { min_age_seconds: 0 } }
      wms-stock: { document: inventory-snapshots, pickup: { min_age_seconds: 0 } }
      wms-stock-xml: { document: inventory-snapshots, format: xml, pickup: { min_age_seconds: 0 } }
    routing: { default_warehouse: WH1 }
    returns: { damaged_refund: 50% }
    sku_aliases: { ERP-C: SKU-C }
    """

    static let confHeader = "shipment_id,order_id,version,ship_date,warehouse,carrier,service,tracking_numbers,parcel_weights_kg,line_no,sku,quantity_shipped,lots,reason_code\n"

    /// One confirmation row: shipment, order, line, sku, quantity, reason.
    static func conf(_ s: String, _ o: String, _ line: Int, _ sku: String, _ q: Int, reason: String = "", date: String = "2025-03-02T09:00:00Z") -> String {
        "\(s),\(o),1,\(date),WH1,DHL,,T-\(s),,\(line),\(sku),\(q),,\(reason)\n"
    }

    static func report(_ t: TestWorkspace, asOf: String) throws -> ReportResult {
        var options = ReportOptions(asOf: ISODate.epochSeconds(asOf)!, formats: [.html, .csv, .json], outDir: t.workspace.path("reports"))
        options.flows = t.workspace.config.flowReportSettings
        return try ReportGenerator(ledger: try SQLiteLedger(path: t.workspace.ledgerPath), options: options).generate()
    }

    static func section(_ r: ReportResult, _ id: String) -> ReportSection { r.sections.first { $0.id == id }! }

    static func figures(_ s: ReportSection) -> [String: String] {
        Dictionary(s.figures.map { ($0.key, $0.value.description) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: - Returns and exchanges

    static func rma(_ id: String, _ order: String, type: String = "return", approved: String = "2025-03-03T10:00:00+01:00",
                    address: Bool = false, _ lines: [[String: String]]) -> ([String: String], [[String: String]]) {
        var v = ["rma_id": id, "order_id": order, "type": type, "reason": "too_small", "approved_at": approved]
        if address {
            v.merge(["ship_name": "Käthe Schröder", "ship_address1": "Hauptstr. 1", "ship_city": "Berlin", "ship_postcode": "10115",
                     "ship_country": "DE", "ship_phone": "+49 30 1234567"]) { $1 }
        }
        return (v, lines)
    }

    static func returnReceipt(_ id: String, _ rma: String, _ lines: [(Int, String, Int, String, String)]) -> ([String: String], [[String: String]]) {
        (["receipt_id": id, "rma_id": rma, "received_at": "2025-03-08T10:00:00+01:00", "warehouse": "WH1"],
         lines.map { ["line_no": String($0.0), "sku": $0.1, "quantity": String($0.2), "inspection": $0.3, "disposition": $0.4] })
    }

    @Test("returns: quantities checked against shipped and earlier RMAs, refunds exact per currency, one replacement per exchange")
    func returnsScenario() throws {
        let t = try TestWorkspace(config: Self.config)
        try t.drop("orders.csv", CSVFixture.file([
            CSVFixture.row("R-1", line: 1, ["sku": "SKU-A", "quantity": "2", "unit_price": "19.95", "tax_rate": "0.19"]),
            CSVFixture.row("R-1", line: 2, ["sku": "SKU-B", "quantity": "3", "unit_price": "4.99", "tax_rate": "0.07"]),
            CSVFixture.row("R-2", line: 1, ["sku": "SKU-J", "quantity": "1", "unit_price": "4980", "tax_rate": "0.10", "currency": "JPY"]),
            CSVFixture.row("R-3", line: 1, ["sku": "SKU-S", "quantity": "1", "unit_price": "54.48", "tax_rate": "0.19"]),
            CSVFixture.row("R-4", line: 1, ["sku": "SKU-H", "quantity": "1", "unit_price": "10.00", "tax_rate": "0.19"]),
        ]))
        _ = try t.run(at: "2025-03-01T10:00:00Z")
        try t.drop("c.csv", Self.confHeader + Self.conf("S1", "R-1", 1, "SKU-A", 2) + Self.conf("S1", "R-1", 2, "SKU-B", 2, reason: "out_of_stock")
                    + Self.conf("S2", "R-2", 1, "SKU-J", 1) + Self.conf("S3", "R-3", 1, "SKU-S", 1) + Self.conf("S4", "R-4", 1, "SKU-H", 1),
                    channel: "conf")
        _ = try t.run(at: "2025-03-02T10:00:00Z")

        try t.drop("rmas.csv", DocCSV.file(.returnAuthorisations, [
            Self.rma("RMA-A", "R-1", [["line_no": "1", "order_line_no": "1", "sku": "SKU-A", "quantity": "2"]]),
            Self.rma("RMA-B", "R-1", [["line_no": "1", "sku": "SKU-B", "quantity": "3"]]),  // 2 shipped
            Self.rma("RMA-C", "R-1", [["line_no": "1", "sku": "SKU-B", "quantity": "2"]]),
            Self.rma("RMA-D", "R-1", [["line_no": "1", "sku": "SKU-B", "quantity": "1"]]),  // both shipped units covered by RMA-C
            Self.rma("RMA-E", "R-2", [["line_no": "1", "sku": "SKU-J", "quantity": "1"]]),
            Self.rma("RMA-F", "R-3", type: "exchange", address: true,
                     [["line_no": "1", "sku": "SKU-S", "quantity": "1", "replacement_sku": "SKU-S2", "replacement_quantity": "1"]]),
            Self.rma("RMA-G", "R-404", [["line_no": "1", "sku": "SKU-A", "quantity": "1"]]),
            Self.rma("RMA-H", "R-4", approved: "2025-02-10T10:00:00+01:00", [["line_no": "1", "sku": "SKU-H", "quantity": "1"]]),
            Self.rma("RMA-X", "R-3", type: "exchange", [["line_no": "1", "sku": "SKU-S", "quantity": "1"]]),  // no address
        ]), channel: "rmas")
        let s1 = try t.run(at: "2025-03-04T10:00:00Z")
        #expect(s1.documentsAccepted == 5)
        #expect(s1.documentsRejected == 4)
        let rejects = t.read("failed/rmas.csv.rejects.csv")
        #expect(rejects.contains("RMA-B,,rma.quantity.exceeds-shipped,quantity,\"returns 3 of order line 2: 2 shipped, 0 already covered by other RMAs, so at most 2\""))
        #expect(rejects.contains("RMA-D,,rma.quantity.exceeds-shipped,quantity,\"returns 1 of order line 2: 2 shipped, 2 already covered by other RMAs, so at most 0\""))
        #expect(rejects.contains("RMA-G,,rma.order.unknown,order_id"))
        #expect(rejects.contains("RMA-X,,rma.ship-name.required") && rejects.contains("rma.ship-country.required"))
        #expect(!rejects.contains("Schröder"), "no personal data in rejects")
        let expected = t.files("outbox/wms").filter { $0.hasPrefix("expected-returns_WH1_") }
        #expect(expected.count == 1)
        let expectedXML = t.read("outbox/wms/" + expected[0])
        #expect(expectedXML.components(separatedBy: "<expected_return>").count - 1 == 5)
        #expect(!expectedXML.contains("Schröder"), "the WMS needs no address to expect a return")

        // The WMS inspects: A one resellable, one damaged; C one resellable, one missing; E resellable; F resellable,
        // sent twice (same receipt id, in a second file) and once more re-scanned under another id.
        try t.drop("ret1.csv", DocCSV.file(.returnReceipts, [
            Self.returnReceipt("RET-A", "RMA-A", [(1, "SKU-A", 1, "resellable", "restock"), (1, "SKU-A", 1, "damaged", "quarantine")]),
            Self.returnReceipt("RET-C", "RMA-C", [(1, "SKU-B", 1, "resellable", "restock"), (1, "SKU-B", 1, "missing", "")]),
            Self.returnReceipt("RET-E", "RMA-E", [(1, "SKU-J", 1, "resellable", "restock")]),
            Self.returnReceipt("RET-F", "RMA-F", [(1, "SKU-S", 1, "resellable", "restock")]),
            Self.returnReceipt("RET-Z", "RMA-ZZZ", [(1, "SKU-A", 1, "resellable", "restock")]),
        ]), channel: "returns")
        try t.drop("ret2.csv", DocCSV.file(.returnReceipts, [
            Self.returnReceipt("RET-F", "RMA-F", [(1, "SKU-S", 1, "resellable", "restock")]),
            Self.returnReceipt("RET-F-2", "RMA-F", [(1, "SKU-S", 1, "resellable", "restock")]),
        ]), channel: "returns")
        let s2 = try t.run(at: "2025-03-08T12:00:00Z")
        #expect(s2.documentsAccepted == 6)
        #expect(s2.documentsDuplicate == 1)
        #expect(s2.findingsByRule["return-receipt.over-quantity"] == 1)
        #expect(s2.findingsByRule["return-receipt.unknown-reference"] == 1)

        // Refunds: A 19.95 x 1.19 = 23.7405 -> 23.74 resellable, half of it for the damaged one -> 11.87; C 4.99 x 1.07
        // = 5.3393 -> 5.34 for the one that arrived, nothing for the missing one; E 4980 x 1.10 = 5478 JPY.
        let refunds = t.files("outbox/erp").filter { $0.hasPrefix("refunds_") }.map { t.read("outbox/erp/" + $0) }.joined()
        #expect(refunds.contains("<rma_id>RMA-A</rma_id><order_id>R-1</order_id><receipt_id>RET-A</receipt_id><currency>EUR</currency><refund_method>original_payment</refund_method><amount>35.61</amount>"))
        #expect(refunds.contains("<quantity_accepted>1</quantity_accepted><quantity_damaged>1</quantity_damaged><quantity_missing>0</quantity_missing><unit_price>23.74</unit_price><line_amount>35.61</line_amount>"))
        #expect(refunds.contains("<rma_id>RMA-C</rma_id>") && refunds.contains("<line_amount>5.34</line_amount>"))
        #expect(refunds.contains("<currency>JPY</currency><refund_method>original_payment</refund_method><amount>5478</amount>"))
        #expect(!refunds.contains("RMA-F"), "an exchange is not refunded")

        // Exactly one replacement order, to the RMA's address, nothing to collect.
        let wms = t.files("outbox/wms").filter { $0.hasPrefix("shipment-orders_") }.map { t.read("outbox/wms/" + $0) }.joined()
        #expect(wms.components(separatedBy: "orderId=\"RMA-F-R").count - 1 == 1)
        #expect(wms.contains("<ShipmentOrder orderId=\"RMA-F-R1\" version=\"1\" action=\"new\">"))
        #expect(wms.contains("<Sku>SKU-S2</Sku>"))
        #expect(wms.contains("method=\"none\""))
        let replacement = t.files("outbox/erp").filter { $0.hasPrefix("replacement-orders_") }.map { t.read("outbox/erp/" + $0) }.joined()
        #expect(replacement.contains("<replacement_order_id>RMA-F-R1</replacement_order_id><rma_id>RMA-F</rma_id><order_id>R-3</order_id>"))
        // The address was kept only until the replacement went out.
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        #expect(try ledger.queue.read { try String.fetchOne($0, sql: "SELECT ship_to FROM rmas WHERE rma_id = 'RMA-F'") } == nil)

        // `erpwms orders show` tells the order's returns too.
        let history = try ledger.orderHistory("R-1").events.map { "\($0.kind): \($0.detail)" }
        #expect(history.contains("rma: return RMA-A (order line x qty 1x2) expected at WH1"))
        #expect(history.contains("returned: return receipt RET-A for RMA-A: RMA line x qty 1x1 resellable, 1x1 damaged; refund 35.61 EUR"))
        #expect(try ledger.orderHistory("R-3").events.contains { $0.detail.hasSuffix("replacement order RMA-F-R1") })

        let r = try Self.report(t, asOf: "2025-03-10T12:00:00Z")
        let f = Self.figures(Self.section(r, "returns"))
        #expect(f["rmas"] == "5")
        #expect(f["exchanges"] == "1")
        #expect(f["approved_not_received"] == "1")
        #expect(f["overdue"] == "1", "RMA-H: approved 28 days ago, nothing received")
        #expect(f["received"] == "4")
        #expect(f["received_not_fully_refunded"] == "1", "RMA-C: one unit missing")
        #expect(f["units_resellable"] == "4")
        #expect(f["units_damaged"] == "1")
        #expect(f["units_missing"] == "1")
        #expect(f["replacement_orders"] == "1")
        #expect(f["refunded_EUR"] == "40.95")
        #expect(f["refunded_JPY"] == "5478")
        #expect(f["unknown_return_receipts"] == "1")
        let csv = t.read("reports/reconciliation_20250310T120000Z_returns.csv")
        #expect(csv.contains("refunded_EUR,40.95"))
        #expect(csv.contains("RMA-F,R-3,exchange,WH1,2025-03-03T10:00:00+01:00,received,1,1,0,0,EUR,,RMA-F-R1,7,no"))
        let json = t.read("reports/reconciliation_20250310T120000Z.json")
        #expect(json.contains("\"refunded_EUR\" : \"40.95\""))
        #expect(t.read("reports/reconciliation_20250310T120000Z.html").contains("Returns and exchanges"))
        // The replacement order is reconciled like any order: open until the WMS ships it.
        #expect(r.totals.all.orders == 5)
        #expect(r.totals.all.ordersOpen == 1)
    }

    @Test("an exchange received one unit at a time still gets its replacement; a line the WMS closed unshipped is not 'too late'")
    func exchangeInParts() throws {
        let t = try TestWorkspace(config: Self.config)
        try t.drop("orders.csv", CSVFixture.file([CSVFixture.row("X-1", line: 1, ["sku": "SKU-S", "quantity": "2"]),
                                                  CSVFixture.row("X-2", line: 1, ["sku": "SKU-T", "quantity": "3"])]))
        _ = try t.run(at: "2025-03-01T10:00:00Z")
        try t.drop("c.csv", Self.confHeader + Self.conf("S1", "X-1", 1, "SKU-S", 2), channel: "conf")
        try t.drop("cancel.csv", DocCSV.file(.cancellations, [(["order_id": "X-2", "reason": "r", "requested_at": "2025-03-01T11:00:00Z"], [])]),
                   channel: "cancel")
        _ = try t.run(at: "2025-03-02T10:00:00Z")
        // Two returned pairs for one new pair.
        try t.drop("rma.csv", DocCSV.file(.returnAuthorisations, [
            Self.rma("RMA-2FOR1", "X-1", type: "exchange", address: true,
                     [["line_no": "1", "sku": "SKU-S", "quantity": "2", "replacement_sku": "SKU-S9", "replacement_quantity": "1"]]),
        ]), channel: "rmas")
        // X-2: the WMS answers cancelled, then closes the line with nothing shipped.
        try t.drop("answers.csv", DocCSV.file(.cancellationResults, [
            (["order_id": "X-2", "result": "cancelled", "answered_at": "2025-03-02T11:00:00Z"], []),
        ]), channel: "answers")
        _ = try t.run(at: "2025-03-03T10:00:00Z")
        try t.drop("c2.csv", Self.confHeader + Self.conf("S2", "X-2", 1, "SKU-T", 0, reason: "cancelled"), channel: "conf")
        try t.drop("r1.csv", DocCSV.file(.returnReceipts, [Self.returnReceipt("RET-A", "RMA-2FOR1", [(1, "SKU-S", 1, "resellable", "restock")])]),
                   channel: "returns")
        let s1 = try t.run(at: "2025-03-04T10:00:00Z")
        #expect(s1.findingsByRule["cancellation.shipped-after-cancel"] == nil, "nothing shipped: still cancelled")
        #expect(!t.outboxXML.contains("RMA-2FOR1-R"), "one of two returned units: no replacement yet")
        try t.drop("r2.csv", DocCSV.file(.returnReceipts, [Self.returnReceipt("RET-B", "RMA-2FOR1", [(1, "SKU-S", 1, "resellable", "restock")])]),
                   channel: "returns")
        _ = try t.run(at: "2025-03-05T10:00:00Z")
        #expect(t.outboxXML.components(separatedBy: "orderId=\"RMA-2FOR1-R1\"").count - 1 == 1)
        #expect(t.outboxXML.contains("<Sku>SKU-S9</Sku><Quantity>1</Quantity>") || t.outboxXML.contains("<Sku>SKU-S9</Sku>"))
        let f = Self.figures(Self.section(try Self.report(t, asOf: "2025-03-06T00:00:00Z"), "cancellations"))
        #expect(f["cancelled"] == "1")
        #expect(f["cancelled_but_shipped"] == "0")
    }

    // MARK: - Purchase orders and receipts

    static func po(_ id: String, expected: String = "2025-03-03", _ lines: [(Int, String, Int)]) -> ([String: String], [[String: String]]) {
        (["po_number": id, "supplier": "SUP-1", "expected_date": expected, "warehouse": "WH1"],
         lines.map { ["line_no": String($0.0), "sku": $0.1, "quantity": String($0.2), "uom": "EA"] })
    }

    static func receipt(_ id: String, _ po: String, _ lines: [(Int, String, Int, Int)]) -> ([String: String], [[String: String]]) {
        (["receipt_id": id, "po_number": po, "receipt_date": "2025-03-04T10:00:00+01:00", "warehouse": "WH1"],
         lines.map { ["line_no": String($0.0), "sku": $0.1, "quantity_received": String($0.2), "quantity_damaged": String($0.3)] })
    }

    @Test("purchase orders: receipts add up; over, short, damaged and overdue are the true figures")
    func purchaseScenario() throws {
        let t = try TestWorkspace(config: Self.config)
        try t.drop("po.csv", DocCSV.file(.purchaseOrders, [
            Self.po("PO-1", [(1, "SKU-A", 10), (2, "SKU-B", 5)]), Self.po("PO-2", [(1, "SKU-C", 8)]), Self.po("PO-3", [(1, "SKU-D", 4)]),
            Self.po("PO-4", [(1, "SKU-E", 0)]), Self.po("PO-5", expected: "2025-04-01", [(1, "SKU-F", 6)]),
            Self.po("PO-6", [(1, "SKU-G", 5), (2, "SKU-H", 5)]),
        ]), channel: "pos")
        let s1 = try t.run(at: "2025-03-01T10:00:00Z")
        #expect(s1.documentsAccepted == 5)
        #expect(s1.documentsRejected == 1)
        #expect(t.read("failed/po.csv.rejects.csv").contains("PO-4,,purchase-order.quantity.positive,quantity"))
        // A change before anything arrived replaces the expected receipt.
        try t.drop("po2.csv", DocCSV.file(.purchaseOrders, [Self.po("PO-5", expected: "2025-04-02", [(1, "SKU-F", 6)])]), channel: "pos")
        _ = try t.run(at: "2025-03-01T11:00:00Z")
        #expect(t.files("outbox/wms").map { t.read("outbox/wms/" + $0) }.joined()
            .contains("<po_number>PO-5</po_number><version>2</version><action>replace</action>"))

        try t.drop("r1.csv", DocCSV.file(.receiptConfirmations, [
            Self.receipt("RC-1", "PO-1", [(1, "SKU-A", 6, 1)]),
            Self.receipt("RC-2", "PO-2", [(1, "SKU-C", 10, 0)]),
            Self.receipt("RC-9", "PO-9", [(1, "SKU-Z", 3, 0)]),
            Self.receipt("RC-6", "PO-6", [(1, "SKU-G", 7, 0), (2, "SKU-H", 2, 0)]),
        ]), channel: "receipts")
        try t.drop("r2.csv", DocCSV.file(.receiptConfirmations, [
            Self.receipt("RC-3", "PO-1", [(1, "SKU-A", 4, 0), (2, "SKU-B", 5, 0)]),
            Self.receipt("RC-1", "PO-1", [(1, "SKU-A", 6, 1)]),  // sent again
        ]), channel: "receipts")
        let s2 = try t.run(at: "2025-03-04T12:00:00Z")
        #expect(s2.documentsAccepted == 5)
        #expect(s2.documentsDuplicate == 1)
        #expect(s2.findingsByRule["receipt.over-receipt"] == 2)
        #expect(s2.findingsByRule["receipt.unknown-reference"] == 1)
        let feedback = t.files("outbox/erp").filter { $0.hasPrefix("goods-receipts_") }.map { t.read("outbox/erp/" + $0) }.joined()
        #expect(feedback.contains("<receipt_id>RC-3</receipt_id><po_number>PO-1</po_number><receipt_date>2025-03-04T10:00:00+01:00</receipt_date><warehouse>WH1</warehouse><po_status>complete</po_status>"))
        #expect(feedback.contains("<line_no>1</line_no><sku>SKU-A</sku><expected>10</expected><received>4</received><damaged>0</damaged><received_total>10</received_total><damaged_total>1</damaged_total><line_status>complete</line_status>"))
        #expect(feedback.contains("<po_number>PO-2</po_number><receipt_date>2025-03-04T10:00:00+01:00</receipt_date><warehouse>WH1</warehouse><po_status>over</po_status>"))
        #expect(!feedback.contains("PO-9"), "no goods receipt for a PO erpwms never sent")
        #expect(feedback.contains("<po_number>PO-6</po_number><receipt_date>2025-03-04T10:00:00+01:00</receipt_date><warehouse>WH1</warehouse><po_status>partial</po_status>"),
                "a line still waiting keeps the PO partial, even with another line over")

        // Changed after goods arrived: rejected.
        try t.drop("po3.csv", DocCSV.file(.purchaseOrders, [Self.po("PO-1", [(1, "SKU-A", 12), (2, "SKU-B", 5)])]), channel: "pos")
        let s3 = try t.run(at: "2025-03-05T10:00:00Z")
        #expect(s3.findingsByRule["purchase-order.changed-after-receipt"] == 1)

        let r = try Self.report(t, asOf: "2025-03-10T00:00:00Z")
        let f = Self.figures(Self.section(r, "purchase-orders"))
        #expect(f["purchase_orders"] == "5")
        #expect(f["complete"] == "1")
        #expect(f["over"] == "1")
        #expect(f["partial"] == "1")
        #expect(f["open"] == "2")
        #expect(f["overdue"] == "2", "PO-3 and PO-6, due 2025-03-03; PO-5 is not due yet")
        #expect(f["units_expected"] == "43")
        #expect(f["units_received"] == "34")
        #expect(f["units_damaged"] == "1")
        #expect(f["units_over"] == "4")
        #expect(f["units_short_overdue"] == "7")
        #expect(f["unknown_receipts"] == "1")
        let csv = t.read("reports/reconciliation_20250310T000000Z_purchase-orders.csv")
        #expect(csv.contains("PO-2,SUP-1,WH1,2025-03-03,1,SKU-C,8,10,0,2,over,over,no"))
        #expect(csv.contains("PO-3,SUP-1,WH1,2025-03-03,1,SKU-D,4,0,0,-4,open,open,yes"))
        #expect(csv.contains("PO-6,SUP-1,WH1,2025-03-03,1,SKU-G,5,7,0,2,over,partial,yes"))
        #expect(csv.contains("PO-6,SUP-1,WH1,2025-03-03,2,SKU-H,5,2,0,-3,partial,partial,yes"))
    }

    // MARK: - Cancellations

    @Test("cancellations: withdrawn before sending, cancelled by the WMS, and cancelled but shipped")
    func cancellationScenario() throws {
        let t = try TestWorkspace(config: Self.config)
        try t.drop("cancel0.csv", DocCSV.file(.cancellations, [
            (["order_id": "C-9", "reason": "customer_request", "requested_at": "2025-03-01T08:00:00+01:00"], []),
        ]), channel: "cancel")
        _ = try t.run(at: "2025-03-01T07:30:00Z")
        try t.drop("orders.csv", CSVFixture.file(["C-1", "C-2", "C-3", "C-4", "C-5", "C-9"].map { CSVFixture.row($0, line: 1, ["quantity": "2"]) }))
        let s1 = try t.run(at: "2025-03-01T10:00:00Z")
        #expect(s1.ordersAccepted == 5)
        #expect(s1.ordersWithdrawn == 1)
        #expect(!t.outboxXML.contains("orderId=\"C-9\""), "a withdrawn order never reaches the WMS")
        try t.drop("c.csv", Self.confHeader + Self.conf("S3", "C-3", 1, "SKU-1", 2), channel: "conf")
        _ = try t.run(at: "2025-03-01T12:00:00Z")

        try t.drop("cancel1.csv", DocCSV.file(.cancellations, ["C-1", "C-2", "C-3", "C-4", "C-5"].map {
            (["order_id": $0, "reason": "customer_request", "requested_at": "2025-03-01T13:00:00+01:00"], [])
        }), channel: "cancel")
        let s2 = try t.run(at: "2025-03-01T13:00:00Z")
        #expect(s2.findingsByRule["cancellation.too-late"] == 1, "C-3 has shipped in full: nothing to cancel")
        let early = try Self.report(t, asOf: "2025-03-01T13:30:00Z")
        let earlyFiles = early.files.filter { !$0.hasSuffix(".html") }.map { t.read("reports/" + FS.name($0)) }
        let instructions = t.files("outbox/wms").filter { $0.hasPrefix("order-cancellations_") }.map { t.read("outbox/wms/" + $0) }.joined()
        #expect(instructions.contains("<order_id>C-1</order_id><version>1</version><reason>customer_request</reason>"))
        #expect(instructions.contains("<order_id>C-2</order_id>"))
        #expect(!instructions.contains("C-3"))

        // The same cancellation again is a duplicate; the WMS answers; C-2 had already left.
        try t.drop("cancel2.csv", DocCSV.file(.cancellations, [
            (["order_id": "C-1", "reason": "customer_request", "requested_at": "2025-03-01T13:00:00+01:00"], []),
        ]), channel: "cancel")
        try t.drop("answers.csv", DocCSV.file(.cancellationResults, [
            (["order_id": "C-1", "result": "cancelled", "answered_at": "2025-03-01T15:00:00+01:00", "warehouse": "WH1"], []),
            (["order_id": "C-2", "result": "too_late", "answered_at": "2025-03-01T15:00:00+01:00", "warehouse": "WH1"], []),
            (["order_id": "C-4", "result": "cancelled", "answered_at": "2025-03-01T15:00:00+01:00", "warehouse": "WH1"], []),
            (["order_id": "C-5", "result": "cancelled", "answered_at": "2025-03-01T15:00:00+01:00", "warehouse": "WH1"], []),
        ]), channel: "answers")
        // C-4: the WMS says cancelled, but its own confirmation (taken first in the run) says it all shipped.
        try t.drop("c2.csv", Self.confHeader + Self.conf("S2", "C-2", 1, "SKU-1", 2) + Self.conf("S4", "C-4", 1, "SKU-1", 2), channel: "conf")
        let s3 = try t.run(at: "2025-03-01T16:00:00Z")
        #expect(s3.documentsDuplicate == 1)
        #expect(s3.findingsByRule["cancellation-result.shipped-anyway"] == 1)
        // C-5: cancelled by the WMS, and its confirmation of shipping all of it arrives a run later.
        try t.drop("c5.csv", Self.confHeader + Self.conf("S5", "C-5", 1, "SKU-1", 2), channel: "conf")
        let s4 = try t.run(at: "2025-03-01T17:00:00Z")
        #expect(s4.findingsByRule["cancellation.shipped-after-cancel"] == 1)
        let status = t.files("outbox/erp").filter { $0.hasPrefix("cancellation-status_") }.map { t.read("outbox/erp/" + $0) }.joined()
        #expect(status.contains("<order_id>C-9</order_id><status>pending</status>"))
        #expect(status.contains("<order_id>C-9</order_id><status>withdrawn</status>"))
        #expect(status.contains("<order_id>C-1</order_id><status>cancelled</status>"))
        #expect(status.contains("<order_id>C-2</order_id><status>too_late</status>"))
        #expect(status.contains("<order_id>C-3</order_id><status>too_late</status>"))
        #expect(status.contains("<order_id>C-4</order_id><status>too_late</status>"))
        #expect(try SQLiteLedger(path: t.workspace.ledgerPath).orderHistory("C-1").events.filter { $0.kind == "cancellation" }
            .map(\.detail) == ["requested (reason customer_request)", "cancelled (reason customer_request)"])
        #expect(status.contains("<order_id>C-5</order_id><status>cancelled</status>"))
        #expect(status.contains("<order_id>C-5</order_id><status>too_late</status><at>2025-03-02T09:00:00Z</at><detail>the WMS shipped it after answering cancelled (shipment S5)</detail>"))
        #expect(status.contains("<order_id>C-9</order_id><status>withdrawn</status><at>2025-03-01T08:00:00+01:00</at>"),
                "withdrawn as of the cancellation, not the order date")

        // The same as-of later gives the same figures: the answers that came since do not count.
        let again = try Self.report(t, asOf: "2025-03-01T13:30:00Z")
        #expect(again.files.filter { !$0.hasSuffix(".html") }.map { t.read("reports/" + FS.name($0)) } == earlyFiles)
        #expect(Self.figures(Self.section(again, "cancellations"))["requested"] == "4")

        let r = try Self.report(t, asOf: "2025-03-02T00:00:00Z")
        let f = Self.figures(Self.section(r, "cancellations"))
        #expect(f["cancellations"] == "6")
        #expect(f["withdrawn"] == "1")
        #expect(f["cancelled"] == "1")
        #expect(f["cancelled_but_shipped"] == "4", "C-2, C-3, C-4 and C-5; each counted once")
        #expect(f["requested"] == "0")
        #expect(f["pending"] == "0")
        // In the order reconciliation: C-1 is closed short (cancelled), not open; C-2 and C-3 are cancelled but shipped.
        #expect(r.totals.all.orders == 5)
        #expect(r.totals.all.ordersOpen == 0)
        #expect(r.totals.all.ordersShort == 1)
        #expect(r.totals.all.ordersCancelledButShipped == 4)
        #expect(r.totals.shortByReason == ["cancelled": 1])
        let details = t.read("reports/reconciliation_20250302T000000Z.csv")
        #expect(details.contains("C-2,1,2025-03-01T10:00:00+01:00,WH1,EUR,cancelled_but_shipped,"))
        #expect(details.contains("C-1,1,2025-03-01T10:00:00+01:00,WH1,EUR,short,1,SKU-1,2,2,0,0,2,0,short,cancelled,"))
    }

    // MARK: - Inventory

    @Test("inventory: WMS against ERP per SKU, movements in flight at the snapshot time, differences valued")
    func inventoryScenario() throws {
        let t = try TestWorkspace(config: Self.config)
        try t.drop("orders.csv", CSVFixture.file([
            CSVFixture.row("I-1", line: 1, ["sku": "SKU-A", "quantity": "3"]), CSVFixture.row("I-1", line: 2, ["sku": "SKU-B", "quantity": "1"]),
        ]))
        _ = try t.run(at: "2025-03-01T08:00:00Z")
        try t.drop("c.csv", Self.confHeader + Self.conf("S1", "I-1", 1, "SKU-A", 3, date: "2025-03-01T10:00:00+01:00"), channel: "conf")
        _ = try t.run(at: "2025-03-01T10:00:00Z")
        // Instructed after the snapshot: not in flight at its time.
        try t.drop("orders2.csv", CSVFixture.file([CSVFixture.row("I-2", line: 1, ["sku": "SKU-A", "quantity": "2"])]))
        _ = try t.run(at: "2025-03-01T13:00:00Z")
        let asOf = "2025-03-01T12:00:00Z"
        try t.drop("wms.csv", DocCSV.file(.inventorySnapshots, [(["warehouse": "WH1", "as_of": asOf], [
            ["sku": "SKU-A", "on_hand": "17", "available": "17", "allocated": "0", "damaged": "0"],
            ["sku": "SKU-B", "on_hand": "9", "available": "8", "allocated": "1", "damaged": "0"],
            ["sku": "SKU-C", "on_hand": "5", "available": "4", "allocated": "0", "damaged": "1"],
        ])]), channel: "wms-stock")
        try t.drop("erp.csv", DocCSV.file(.stockSnapshots, [(["warehouse": "WH1", "as_of": asOf], [
            ["sku": "SKU-A", "quantity": "17", "unit_cost": "3.10", "currency": "EUR"],
            ["sku": "SKU-B", "quantity": "8", "unit_cost": "12.00", "currency": "EUR"],
            ["sku": "ERP-C", "quantity": "7", "unit_cost": "2.50", "currency": "EUR"],  // the ERP's SKU of WMS item SKU-C
            ["sku": "SKU-D", "quantity": "1", "unit_cost": "10.00", "currency": "EUR"],
        ])]), channel: "erp-stock")
        let s = try t.run(at: "2025-03-01T14:00:00Z")
        #expect(s.documentsAccepted == 2)
        let r = try Self.report(t, asOf: "2025-03-02T00:00:00Z")
        let section = Self.section(r, "inventory")
        let f = Self.figures(section)
        #expect(f["skus_compared"] == "4")
        #expect(f["skus_differing"] == "2", "SKU-B: 8 in the ERP + 1 in flight = 9 on hand, no difference")
        #expect(f["units_net"] == "-3")
        #expect(f["units_absolute"] == "3")
        #expect(f["value_EUR"] == "-15.00")
        let csv = t.read("reports/reconciliation_20250302T000000Z_inventory.csv")
        #expect(csv.contains("WH1,SKU-C,\(asOf),\(asOf),5,4,0,1,7,0,7,-2,2.50,EUR,-5.00"))
        #expect(csv.contains("WH1,SKU-D,\(asOf),\(asOf),0,0,0,0,1,0,1,-1,10.00,EUR,-10.00"))
        #expect(!csv.contains("WH1,SKU-B,"))
        // The same snapshot again is a duplicate.
        try t.drop("wms-again.csv", t.read("archive/2025/03/01/wms.csv"), channel: "wms-stock")
        #expect(try t.run(at: "2025-03-01T15:00:00Z").filesDuplicate == 1)
    }

    @Test("a snapshot of thousands of SKUs is read in chunks: recorded once, and a bad line in a late chunk rejects all of it")
    func chunkedSnapshots() throws {
        let t = try TestWorkspace(config: Self.config)
        func lines(_ n: Int, duplicateAt: Int? = nil) -> [[String: String]] {
            (0..<n).map { i in ["sku": "SKU-\(i == duplicateAt ? 7 : i)", "quantity": String(i % 10), "unit_cost": "1.00", "currency": "EUR"] }
        }
        try t.drop("big.csv", DocCSV.file(.stockSnapshots, [
            (["warehouse": "WH1", "as_of": "2025-03-01T12:00:00Z"], lines(2500)),
            (["warehouse": "WH2", "as_of": "2025-03-01T12:00:00Z"], lines(2500, duplicateAt: 2400)),
            (["warehouse": "WH3", "as_of": "2025-03-01T12:00:00Z"], lines(3)),
        ]), channel: "erp-stock")
        // The same snapshot (side, warehouse, time) in another file: the first counts.
        // The same snapshot (side, warehouse, moment: 13:00+01:00 is 12:00Z) in another file: the first counts.
        try t.drop("later.csv", DocCSV.file(.stockSnapshots, [(["warehouse": "WH1", "as_of": "2025-03-01T13:00:00+01:00"], lines(1200))]),
                   channel: "erp-stock")
        var xml = "<?xml version=\"1.0\"?>\n<inventory_snapshots>\n<inventory_snapshot><warehouse>WH1</warehouse><as_of>2025-03-01T12:00:00Z</as_of><lines>\n"
        for i in 0..<2500 { xml += "<line><sku>SKU-\(i)</sku><on_hand>\(i % 10)</on_hand><available>0</available><allocated>0</allocated><damaged>0</damaged></line>\n" }
        xml += "</lines></inventory_snapshot>\n<inventory_snapshot><warehouse>WH2</warehouse><as_of>2025-03-01T12:00:00Z</as_of><lines>\n"
        for i in 0..<1500 { xml += "<line><sku>SKU-\(i)</sku><on_hand>1</on_hand><available>0</available><allocated>0</allocated><damaged>0</damaged>\(i == 1400 ? "<colour>red</colour>" : "")</line>\n" }
        xml += "</lines></inventory_snapshot>\n<inventory_snapshot/>\n</inventory_snapshots>\n"
        try t.drop("big.xml", xml, channel: "wms-stock-xml")
        let s = try t.run(at: "2025-03-01T14:00:00Z")
        #expect(s.documentsAccepted == 3, "ERP WH1 and WH3, WMS WH1")
        #expect(s.documentsRejected == 3, "ERP WH2 (SKU-7 twice, in its third chunk), WMS WH2 (an unknown element in its second chunk), the empty one")
        #expect(s.documentsDuplicate == 1)
        #expect(s.findingsByRule["stock-snapshot.sku.unique"] == 1)
        #expect(s.findingsByRule["stock-snapshot.duplicate"] == 1)
        #expect(s.findingsByRule["xml.schema"] == 1)
        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        let counts = try ledger.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT side || ':' || warehouse, (SELECT COUNT(*) FROM snapshot_lines WHERE snapshot_id = id) FROM snapshots ORDER BY 1")
                .map { "\($0[0] as String)=\($0[1] as Int)" }
        }
        #expect(counts == ["erp:WH1=2500", "erp:WH3=3", "wms:WH1=2500"], "what a rejected snapshot's early chunks recorded is gone")
        let r = try Self.report(t, asOf: "2025-03-02T00:00:00Z")
        let f = Self.figures(Self.section(r, "inventory"))
        #expect(f["skus_compared"] == "2500")
        #expect(f["skus_differing"] == "0")
    }

    // MARK: - Items

    @Test("item master: only new or changed items go to the WMS; unknown SKUs warn or reject as the channel says")
    func itemScenario() throws {
        let config = Self.config.replacingOccurrences(of: "  orders: { pickup: { min_age_seconds: 0 } }",
                                                      with: "  orders: { pickup: { min_age_seconds: 0 }, unknown_sku: reject }\n  orders-warn: { pickup: { min_age_seconds: 0 }, unknown_sku: warn }")
        let t = try TestWorkspace(config: config)
        func item(_ sku: String, _ description: String, gtin: String = "4006381333931") -> ([String: String], [[String: String]]) {
            (["sku": sku, "description": description, "gtin": gtin, "uom": "ea", "weight_kg": "0.5", "origin_country": "de",
              "lot_tracked": "yes"], [])
        }
        try t.drop("items1.csv", DocCSV.file(.items, [item("SKU-1", "One"), item("SKU-2", "Two"), item("SKU-3", "Bad", gtin: "4006381333932")]),
                   channel: "items")
        let s1 = try t.run(at: "2025-03-01T08:00:00Z")
        #expect(s1.documentsAccepted == 2)
        #expect(t.read("failed/items1.csv.rejects.csv").contains("SKU-3,,item.gtin.check-digit,gtin,\"check digit is 2, the GS1 check digit of the other digits is 1\""))
        try t.drop("items2.csv", DocCSV.file(.items, [item("SKU-1", "One"), item("SKU-2", "Two, now blue")]), channel: "items")
        let s2 = try t.run(at: "2025-03-01T09:00:00Z")
        #expect(s2.documentsAccepted == 1)
        #expect(s2.documentsDuplicate == 1)
        let master = t.files("outbox/wms").filter { $0.hasPrefix("item-master_") }.map { t.read("outbox/wms/" + $0) }
        #expect(master.count == 2)
        #expect(master.joined().contains("<item><action>new</action><version>1</version><sku>SKU-1</sku><description>One</description><gtin>4006381333931</gtin><uom>EA</uom><weight_kg>0.5</weight_kg><origin_country>DE</origin_country><lot_tracked>true</lot_tracked><serial_tracked>false</serial_tracked></item>"))
        #expect(master.joined().contains("<item><action>change</action><version>2</version><sku>SKU-2</sku><description>Two, now blue</description>"))
        #expect(master.joined().components(separatedBy: "<sku>SKU-1</sku>").count - 1 == 1, "an unchanged item is not sent again")

        try t.drop("o1.csv", CSVFixture.file([CSVFixture.row("U-1", line: 1, ["sku": "SKU-1"]), CSVFixture.row("U-2", line: 1, ["sku": "SKU-404"])]))
        try t.drop("o2.csv", CSVFixture.file([CSVFixture.row("U-3", line: 1, ["sku": "SKU-404"])]), channel: "orders-warn")
        let s3 = try t.run(at: "2025-03-01T10:00:00Z")
        #expect(s3.ordersAccepted == 2)
        #expect(s3.ordersRejected == 1)
        #expect(t.read("failed/o1.csv.rejects.csv").contains("U-2,,order.sku.unknown,sku,SKU-404 is not in the item master"))
        #expect(s3.findingsByRule["order.sku.unknown"] == 2, "one rejection, one warning")
        let r = try Self.report(t, asOf: "2025-03-02T00:00:00Z")
        let f = Self.figures(Self.section(r, "items"))
        #expect(f["items"] == "2")
        #expect(f["changed"] == "1")
        #expect(f["unknown_sku_findings"] == "2")
    }
}
