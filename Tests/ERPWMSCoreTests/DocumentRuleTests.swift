import Testing
import ERPWMSCore

@Suite("Rules of the other documents")
struct DocumentRuleTests {
    @Test("GTIN check digits (GS1 mod 10) for EAN-8, UPC-A, EAN-13 and GTIN-14")
    func gtin() {
        for good in ["96385074", "036000291452", "4006381333931", "5901234123457", "10012345678902"] {
            #expect(GTIN.problem(good) == nil, "\(good)")
        }
        #expect(GTIN.problem("4006381333932")?.rule == "check-digit")
        #expect(GTIN.problem("400638133393")?.rule == "check-digit")
        #expect(GTIN.problem("40063813339")?.rule == "format")
        #expect(GTIN.problem("40063813339a1")?.rule == "format")
    }

    @Test("refunds are exact to the minor unit: tax added once per line total, half away from zero")
    func refundArithmetic() {
        // 19.95 + 19 % = 23.7405 -> 23.74; two units: 47.481 -> 47.48 (not 2 x 23.74 by accident: equal here).
        #expect(Refund.amount(unitMinor: 1995, taxRate: FixedDecimal(units: 19, scale: 2), pricesIncludeTax: false, quantity: 1) == 2374)
        #expect(Refund.amount(unitMinor: 1995, taxRate: FixedDecimal(units: 19, scale: 2), pricesIncludeTax: false, quantity: 2) == 4748)
        // 64.45 PLN + 23 % = 79.2735 per unit: 2 units 158.547 -> 158.55, one unit 79.27.
        #expect(Refund.amount(unitMinor: 6445, taxRate: FixedDecimal(units: 23, scale: 2), pricesIncludeTax: false, quantity: 2) == 15855)
        #expect(Refund.amount(unitMinor: 6445, taxRate: FixedDecimal(units: 23, scale: 2), pricesIncludeTax: false, quantity: 1) == 7927)
        // Prices with tax included: the price itself.
        #expect(Refund.amount(unitMinor: 1995, taxRate: FixedDecimal(units: 19, scale: 2), pricesIncludeTax: true, quantity: 3) == 5985)
        // JPY has no minor unit: 4980 + 10 % = 5478.
        #expect(Refund.amount(unitMinor: 4980, taxRate: FixedDecimal(units: 10, scale: 2), pricesIncludeTax: false, quantity: 1) == 5478)
        // Damaged: 12.5 % of 10.01 = 1.25125 -> 1.25; 50 % of 0.05 = 0.025 -> 0.03 (half away from zero).
        #expect(Refund.damaged(unitMinor: 1001, taxRate: nil, pricesIncludeTax: true, quantity: 1, policy: .percent(hundredths: 1250)) == 125)
        #expect(Refund.damaged(unitMinor: 5, taxRate: nil, pricesIncludeTax: true, quantity: 1, policy: .percent(hundredths: 5000)) == 3)
        #expect(Refund.damaged(unitMinor: 5, taxRate: nil, pricesIncludeTax: true, quantity: 4, policy: .none) == 0)
        #expect(Refund.damaged(unitMinor: 5, taxRate: nil, pricesIncludeTax: true, quantity: 4, policy: .full) == 20)
        // Large amounts do not overflow: 9,999,999.99 x 9999 units x (1 + 0.2500).
        #expect(Refund.amount(unitMinor: 999_999_999, taxRate: FixedDecimal(units: 2500, scale: 4), pricesIncludeTax: false, quantity: 9999)
                == 12_498_749_987_501)
    }

    @Test("the damaged-refund policy reads full, none and percentages")
    func damagedPolicy() {
        #expect(DamagedRefundPolicy("full") == .full)
        #expect(DamagedRefundPolicy("NONE") == DamagedRefundPolicy.none)
        #expect(DamagedRefundPolicy("50%") == .percent(hundredths: 5000))
        #expect(DamagedRefundPolicy("12.5%") == .percent(hundredths: 1250))
        #expect(DamagedRefundPolicy("12.5%")?.description == "12.5%")
        #expect(DamagedRefundPolicy("101%") == nil)
        #expect(DamagedRefundPolicy("half") == nil)
        #expect(DamagedRefundPolicy("12.345%") == nil)
    }

    static func raw(_ layout: DocumentLayout, _ values: [String: String], lines: [[String: String]] = []) -> RawDocument {
        RawDocument(location: SourceLocation(line: 2, record: 1), values: values,
                    lines: lines.enumerated().map { RawDocument.Line(location: SourceLocation(line: 2 + $0.offset, record: 1), values: $0.element) })
    }

    @Test("an RMA: type, approval time, lines, and for an exchange the address and the replacement")
    func rmaRules() {
        let line = ["line_no": "1", "sku": "SKU-1", "quantity": "2"]
        let (ok, _) = ReturnAuthorisation.validate(Self.raw(.returnAuthorisations, [
            "rma_id": "R1", "order_id": "SO1", "type": "Exchange", "reason": "too_small", "approved_at": "2025-03-01T10:00:00Z",
            "ship_name": "A B", "ship_address1": "S 1", "ship_city": "C", "ship_postcode": "1", "ship_country": "de"], lines: [line]), file: "f")
        #expect(ok?.kind == .exchange)
        #expect(ok?.lines.first?.replacementSku == "SKU-1", "an exchange without a replacement SKU sends the same SKU")
        #expect(ok?.lines.first?.replacementQuantity == 2)
        #expect(ok?.refundMethod == "none")
        #expect(ok?.shipTo?.country == "DE")
        let long = String(repeating: "R", count: 36)
        let (tooLong, longFindings) = ReturnAuthorisation.validate(Self.raw(.returnAuthorisations, [
            "rma_id": long, "order_id": "SO1", "type": "exchange", "reason": "too_small", "approved_at": "2025-03-01T10:00:00Z",
            "ship_name": "A\u{7}B", "ship_address1": "S 1", "ship_city": "C", "ship_postcode": "1", "ship_country": "DE"], lines: [line]), file: "f")
        #expect(tooLong == nil)
        #expect(Set(longFindings.map(\.rule)) == ["rma.rma-id.length", "rma.ship-name.control-characters"],
                "its replacement order id would not fit the WMS schema; control characters would not either")
        let (bad, findings) = ReturnAuthorisation.validate(Self.raw(.returnAuthorisations, [
            "rma_id": "R1", "order_id": "SO1", "type": "swap", "reason": "r", "approved_at": "yesterday"],
            lines: [["line_no": "1", "sku": "SKU-1", "quantity": "0", "replacement_sku": "X"]]), file: "f")
        #expect(bad == nil)
        #expect(Set(findings.map(\.rule)) == ["rma.type.known", "rma.approved-at.iso8601", "rma.quantity.positive"])
        let (ret, retFindings) = ReturnAuthorisation.validate(Self.raw(.returnAuthorisations, [
            "rma_id": "R1", "order_id": "SO1", "type": "return", "reason": "r", "approved_at": "2025-03-01T10:00:00Z"],
            lines: [line.merging(["replacement_sku": "X"]) { $1 }]), file: "f")
        #expect(ret == nil)
        #expect(retFindings.map(\.rule) == ["rma.replacement-sku.exchange-only"])
    }

    @Test("a return receipt needs a disposition for what arrived and none for what is missing")
    func returnReceiptRules() {
        func check(_ inspection: String, _ disposition: String) -> [String] {
            ReturnReceipt.validate(Self.raw(.returnReceipts, ["receipt_id": "X", "rma_id": "R", "received_at": "2025-03-01", "warehouse": "WH1"],
                                            lines: [["line_no": "1", "sku": "S", "quantity": "1", "inspection": inspection, "disposition": disposition]]),
                                   file: "f").1.map(\.rule)
        }
        #expect(check("resellable", "restock").isEmpty)
        #expect(check("missing", "").isEmpty)
        #expect(check("damaged", "") == ["return-receipt.disposition.required"])
        #expect(check("missing", "scrap") == ["return-receipt.disposition.not-for-missing"])
        #expect(check("broken", "restock") == ["return-receipt.inspection.known"])
    }

    @Test("receipts count damaged units within the received ones; snapshots name each SKU once")
    func receiptAndSnapshotRules() {
        let (_, f) = ReceiptConfirmation.validate(Self.raw(.receiptConfirmations, ["receipt_id": "X", "po_number": "P", "receipt_date": "2025-03-01",
                                                                                   "warehouse": "WH1"],
                                                           lines: [["line_no": "1", "sku": "S", "quantity_received": "2", "quantity_damaged": "3"]]), file: "f")
        #expect(f.map(\.rule) == ["receipt.quantity-damaged.within-received"])
        let (_, g) = StockSnapshot.validate(Self.raw(.inventorySnapshots, ["warehouse": "WH1", "as_of": "2025-03-01T00:00:00Z"],
                                                     lines: [["sku": "S", "on_hand": "1", "available": "1", "allocated": "0", "damaged": "0"],
                                                             ["sku": "S", "on_hand": "1", "available": "1", "allocated": "0", "damaged": "-1"]]),
                                            side: .wms, file: "f")
        #expect(g.map(\.rule) == ["inventory-snapshot.sku.unique", "inventory-snapshot.damaged.non-negative"])
        let (e, h) = StockSnapshot.validate(Self.raw(.stockSnapshots, ["warehouse": "WH1", "as_of": "2025-03-01T00:00:00Z"],
                                                     lines: [["sku": "S", "quantity": "-2", "unit_cost": "1.5"]]), side: .erp, file: "f")
        #expect(e == nil)
        #expect(h.map(\.rule) == ["stock-snapshot.currency.iso4217"], "a cost needs its currency; a negative book quantity is allowed")
    }
}
