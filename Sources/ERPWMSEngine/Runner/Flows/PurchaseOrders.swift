import ERPWMSCore
import ERPWMSFormats

enum PurchaseRule {
    static let repeated = "purchase-order.repeated-in-file"
    static let changedAfterReceipt = "purchase-order.changed-after-receipt"
    static let warehouseChanged = "purchase-order.warehouse.changed"
    static let unknownSKU = "purchase-order.sku.unknown"
    static let conflictingDuplicate = "receipt.conflicting-duplicate"
    static let unknownReference = "receipt.unknown-reference"
    static let unknownLine = "receipt.line.unknown"
    static let skuMismatch = "receipt.sku.mismatch"
    static let overReceipt = "receipt.over-receipt"
}

extension BatchRunner {
    /// ERP purchase orders -> WMS expected receipts, one file per warehouse.
    func purchaseOrder(_ raw: RawDocument, _ ctx: inout FlowContext) throws {
        var (po, findings) = PurchaseOrder.validate(raw, file: ctx.file)
        let id = Clean.code(raw["po_number"])
        if let p = po {
            findings += try unknownSKUs(zip(p.lines, raw.lines).map { ($0.sku, $1.location) }, rule: PurchaseRule.unknownSKU, id: id, &ctx)
            if findings.contains(where: { $0.severity == .error }) { po = nil }
        }
        guard let po else { return try rejectDocument(findings, id: id, &ctx) }
        try warn(findings, &ctx)
        var version = 1
        var action = "new"
        if let known = try ctx.flows.purchaseOrder(po.poNumber) {
            if known.contentHash == po.contentHash {
                ctx.counts.documentsDuplicate += 1
                plan?(PlanEntry(id: po.poNumber, action: .unchanged, detail: "version \(known.version) is what the WMS has"))
                return
            }
            var rule: (String, String)?
            if known.fileId == ctx.fileId {
                rule = (PurchaseRule.repeated, "appears again in this file with other content; a purchase order appears once per file")
            } else if known.status != "instructed" {
                rule = (PurchaseRule.changedAfterReceipt, "changed after the WMS received goods against version \(known.version); send a new purchase order")
            } else if known.warehouse != po.warehouse {
                rule = (PurchaseRule.warehouseChanged, "version \(known.version) went to \(known.warehouse); a change cannot move it to \(po.warehouse)")
            }
            if let (r, m) = rule {
                return try rejectDocument([Finding(rule: r, message: m, file: ctx.file, location: raw.location, orderId: po.poNumber)],
                                          id: po.poNumber, &ctx)
            }
            version = known.version + 1
            action = "replace"
        }
        let w = try ctx.outputs.wms(.expectedReceipts, prefix: "expected-receipts", warehouse: po.warehouse)
        try w.write(["po_number": po.poNumber, "version": String(version), "action": action, "supplier": po.supplier,
                     "expected_date": po.expectedDate],
                    lines: po.lines.map { ["line_no": String($0.lineNo), "sku": config.rules.skuAliases[$0.sku] ?? $0.sku,
                                           "quantity": String($0.quantity), "uom": $0.uom] })
        ctx.outputs.count(w)
        try ctx.flows.savePurchaseOrder(po, version: version, fileId: ctx.fileId, at: ctx.now)
        plan?(PlanEntry(id: po.poNumber, action: version == 1 ? .new : .replace, detail: "version \(version) to \(po.warehouse), \(po.lines.count) line(s)"))
        ctx.counts.documentsAccepted += 1
    }

    /// WMS receipt confirmations -> ledger, and goods-receipt feedback for the ERP.
    func receipt(_ raw: RawDocument, _ ctx: inout FlowContext) throws {
        let (r, findings) = ReceiptConfirmation.validate(raw, file: ctx.file)
        guard let r else { return try rejectDocument(findings, id: Clean.code(raw["receipt_id"]), &ctx) }
        if let earlier = try ctx.flows.receiptHash(r.receiptId) {
            ctx.counts.documentsDuplicate += 1
            if earlier != r.contentHash {
                try warning(PurchaseRule.conflictingDuplicate, "receipt \(r.receiptId) was recorded before with other content; the first counts",
                            id: r.poNumber, &ctx)
            }
            plan?(PlanEntry(id: r.receiptId, action: .unchanged, detail: "receipt already recorded"))
            return
        }
        let known = try ctx.flows.purchaseOrder(r.poNumber)
        try ctx.flows.saveReceipt(r, knownPO: known != nil, fileId: ctx.fileId, at: ctx.now)
        ctx.counts.documentsAccepted += 1
        plan?(PlanEntry(id: r.receiptId, action: .new, detail: "purchase order \(r.poNumber), \(r.lines.count) line(s)"))
        guard known != nil else {
            return try warning(PurchaseRule.unknownReference, "purchase order \(r.poNumber) was never sent by erpwms (receipt \(r.receiptId))",
                               id: r.poNumber, &ctx)
        }
        let poLines = try ctx.flows.purchaseOrderLines(r.poNumber)
        let totals = try ctx.flows.received(r.poNumber)
        var states: [ReceiptLineState] = []
        for l in poLines {
            states.append(ReceiptLineState.of(expected: l.quantity, received: totals[l.lineNo]?.received ?? 0))
        }
        var lines: [[String: String]] = []
        for l in r.lines {
            guard let pl = poLines.first(where: { $0.lineNo == l.lineNo }) else {
                try warning(PurchaseRule.unknownLine, "purchase order \(r.poNumber) has no line \(l.lineNo)", id: r.poNumber,
                            field: "line \(l.lineNo)", &ctx)
                continue
            }
            if pl.sku != l.sku && (config.rules.skuAliases[pl.sku] ?? pl.sku) != l.sku {
                try warning(PurchaseRule.skuMismatch, "line \(l.lineNo) was expected as \(pl.sku), received as \(l.sku)", id: r.poNumber,
                            field: "line \(l.lineNo)", &ctx)
            }
            let total = totals[l.lineNo] ?? (0, 0)
            let state = ReceiptLineState.of(expected: pl.quantity, received: total.received)
            if state == .over {
                try warning(PurchaseRule.overReceipt, "line \(l.lineNo): \(total.received) received, \(pl.quantity) expected", id: r.poNumber,
                            field: "line \(l.lineNo)", &ctx)
            }
            lines.append(["line_no": String(l.lineNo), "sku": l.sku, "expected": String(pl.quantity), "received": String(l.received),
                          "damaged": String(l.damaged), "received_total": String(total.received), "damaged_total": String(total.damaged),
                          "line_status": state.rawValue, "lot": l.lot])
        }
        let w = try ctx.outputs.erp(.goodsReceipts, prefix: "goods-receipts")
        try w.write(["receipt_id": r.receiptId, "po_number": r.poNumber, "receipt_date": r.receiptDate, "warehouse": r.warehouse,
                     "po_status": ReceiptLineState.of(states).rawValue], lines: lines)
        ctx.outputs.count(w)
    }
}
