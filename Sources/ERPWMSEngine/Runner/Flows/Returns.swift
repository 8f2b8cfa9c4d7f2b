import ERPWMSCore
import ERPWMSFormats

enum ReturnRule {
    static let orderUnknown = "rma.order.unknown"
    static let orderLineUnknown = "rma.order-line.unknown"
    static let skuMismatch = "rma.sku.mismatch"
    static let exceedsShipped = "rma.quantity.exceeds-shipped"
    static let changedAfterReceipt = "rma.changed-after-receipt"
    static let unknownSKU = "rma.sku.unknown"
    static let conflictingDuplicate = "return-receipt.conflicting-duplicate"
    static let unknownReference = "return-receipt.unknown-reference"
    static let unknownLine = "return-receipt.line.unknown"
    static let overQuantity = "return-receipt.over-quantity"
    static let noAddress = "return-receipt.replacement-without-address"
}

extension BatchRunner {
    /// ERP return authorisations -> checked against what was shipped and returned before -> WMS expected returns.
    func returnAuthorisation(_ raw: RawDocument, _ ctx: inout FlowContext) throws {
        let id = Clean.code(raw["rma_id"])
        let (parsed, findings) = ReturnAuthorisation.validate(raw, file: ctx.file)
        guard let rma = parsed else { return try rejectDocument(findings, id: id, &ctx) }
        func reject(_ rule: String, _ message: String, at location: SourceLocation? = nil, field: String? = nil) -> Finding {
            Finding(rule: rule, message: message, file: ctx.file, location: location ?? raw.location, orderId: rma.rmaId, field: field)
        }
        var errors: [Finding] = []
        if let earlier = try ctx.flows.rma(rma.rmaId) {
            if earlier.contentHash == rma.contentHash {
                ctx.counts.documentsDuplicate += 1
                plan?(PlanEntry(id: rma.rmaId, action: .unchanged, detail: "already sent to the WMS"))
                return
            }
            if earlier.status != "approved" {
                return try rejectDocument([reject(ReturnRule.changedAfterReceipt,
                                                  "changed after the WMS received the return (\(earlier.status)); approve a new RMA")],
                                          id: rma.rmaId, &ctx)
            }
        }
        guard let order = try ctx.flows.returnableOrder(rma.orderId) else {
            return try rejectDocument([reject(ReturnRule.orderUnknown, "order \(rma.orderId) is not known to erpwms: only an order it sent can be returned",
                                              field: "order_id")], id: rma.rmaId, &ctx)
        }
        let shipped = try ctx.tx.shipped(rma.orderId)
        let earlier = try ctx.flows.returnedQuantities(orderId: rma.orderId, except: rma.rmaId)
        var inThis: [Int: Int] = [:]
        var lines: [RMARecord.Line] = []
        for (l, rl) in zip(rma.lines, raw.lines) {
            let candidates = order.lines.filter { ol in
                if let n = l.orderLineNo { return ol.lineNo == n }
                return ol.sku == l.sku || ol.sku == (config.rules.skuAliases[l.sku] ?? l.sku)
            }
            guard let ol = candidates.first, candidates.count == 1 else {
                errors.append(reject(ReturnRule.orderLineUnknown,
                                     l.orderLineNo.map { "order \(rma.orderId) has no line \($0)" }
                                        ?? (candidates.isEmpty ? "order \(rma.orderId) has no line with \(l.sku)"
                                                               : "order \(rma.orderId) has \(l.sku) on several lines; name order_line_no"),
                                     at: rl.location, field: "order_line_no"))
                continue
            }
            if l.orderLineNo != nil && ol.sku != l.sku && ol.sku != (config.rules.skuAliases[l.sku] ?? l.sku) {
                errors.append(reject(ReturnRule.skuMismatch, "order line \(ol.lineNo) is \(ol.sku), not \(l.sku)", at: rl.location, field: "sku"))
            }
            let shippedQty = shipped[ol.lineNo]?.quantity ?? 0
            let covered = (earlier[ol.lineNo] ?? 0) + (inThis[ol.lineNo] ?? 0)
            if l.quantity > shippedQty - covered {
                errors.append(reject(ReturnRule.exceedsShipped,
                                     "returns \(l.quantity) of order line \(ol.lineNo): \(shippedQty) shipped, \(covered) already covered by other RMAs, so at most \(max(0, shippedQty - covered))",
                                     at: rl.location, field: "quantity"))
            }
            inThis[ol.lineNo, default: 0] += l.quantity
            lines.append(RMARecord.Line(lineNo: l.lineNo, orderLineNo: ol.lineNo, sku: ol.sku, quantity: l.quantity,
                                        replacementSku: l.replacementSku, replacementQuantity: l.replacementQuantity,
                                        unitPriceMinor: ol.unitPriceMinor, taxRate: ol.taxRate))
        }
        let skuFindings = try unknownSKUs(zip(rma.lines, raw.lines).filter { rma.kind == .exchange && !$0.0.replacementSku.isEmpty }
                                            .map { ($0.0.replacementSku, $0.1.location) }, rule: ReturnRule.unknownSKU, id: rma.rmaId, &ctx)
        errors += skuFindings.filter { $0.severity == .error }
        guard errors.isEmpty else { return try rejectDocument(findings + errors, id: rma.rmaId, &ctx) }
        try warn(findings + skuFindings, &ctx)
        let warehouse = config.returns.warehouse ?? order.warehouse
        try ctx.flows.saveRMA(rma, lines: lines, currency: order.currency, warehouse: warehouse, fileId: ctx.fileId, at: ctx.now)
        let w = try ctx.outputs.wms(.expectedReturns, prefix: "expected-returns", warehouse: warehouse)
        try w.write(["rma_id": rma.rmaId, "order_id": rma.orderId, "type": rma.kind.rawValue, "reason": rma.reason],
                    lines: lines.map { ["line_no": String($0.lineNo), "sku": $0.sku, "quantity": String($0.quantity)] })
        ctx.outputs.count(w)
        plan?(PlanEntry(id: rma.rmaId, action: .new, detail: "\(rma.kind.rawValue) of order \(rma.orderId) to \(warehouse), \(lines.count) line(s)"))
        ctx.counts.documentsAccepted += 1
    }

    /// WMS return receipts -> refunds to the ERP for accepted units, or for an exchange the replacement order
    /// to the WMS (exactly once: a receipt id is recorded once, and accepted units never exceed the RMA).
    func returnReceipt(_ raw: RawDocument, _ ctx: inout FlowContext) throws {
        let (parsed, findings) = ReturnReceipt.validate(raw, file: ctx.file)
        guard let r = parsed else { return try rejectDocument(findings, id: Clean.code(raw["receipt_id"]), &ctx) }
        if let earlier = try ctx.flows.returnReceiptHash(r.receiptId) {
            ctx.counts.documentsDuplicate += 1
            if earlier != r.contentHash {
                try warning(ReturnRule.conflictingDuplicate, "return receipt \(r.receiptId) was recorded before with other content; the first counts",
                            id: r.rmaId, &ctx)
            }
            plan?(PlanEntry(id: r.receiptId, action: .unchanged, detail: "return receipt already recorded"))
            return
        }
        let rma = try ctx.flows.rma(r.rmaId)
        let before = try ctx.flows.inspected(r.rmaId)
        ctx.counts.documentsAccepted += 1
        plan?(PlanEntry(id: r.receiptId, action: .new, detail: "RMA \(r.rmaId), \(r.lines.count) line(s)"))
        guard let rma else {
            try ctx.flows.saveReturnReceipt(r, knownRMA: false, fileId: ctx.fileId, at: ctx.now)
            return try warning(ReturnRule.unknownReference, "RMA \(r.rmaId) was never sent by erpwms (return receipt \(r.receiptId))",
                               id: r.rmaId, &ctx)
        }
        // What this receipt adds per RMA line, capped at what the RMA still expects; the ledger keeps what counts.
        var now: [Int: InspectedLine] = [:]
        var counted = r
        counted.lines = []
        for l in r.lines {
            guard let rl = rma.lines.first(where: { $0.lineNo == l.lineNo }) else {
                try warning(ReturnRule.unknownLine, "RMA \(r.rmaId) has no line \(l.lineNo)", id: r.rmaId, field: "line \(l.lineNo)", &ctx)
                continue
            }
            var line = now[l.lineNo] ?? InspectedLine()
            let room = rl.quantity - (before[l.lineNo]?.total ?? 0) - line.total
            let take = min(l.quantity, max(0, room))
            if take < l.quantity {
                try warning(ReturnRule.overQuantity, "RMA line \(l.lineNo): \(l.quantity - take) unit(s) more than the \(rl.quantity) authorised; not counted",
                            id: r.rmaId, field: "line \(l.lineNo)", &ctx)
            }
            switch l.inspection {
            case .resellable: line.resellable += take
            case .damaged: line.damaged += take
            case .missing: line.missing += take
            }
            now[l.lineNo] = line
            if take > 0 {
                var c = l
                c.quantity = take
                counted.lines.append(c)
            }
        }
        try ctx.flows.saveReturnReceipt(counted, knownRMA: true, fileId: ctx.fileId, at: ctx.now)
        let policy = config.returns.damagedRefund
        let includeTax = config.returns.pricesIncludeTax
        let scale = ISO4217.minorUnits[rma.currency] ?? 2
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, scale: scale).description }
        switch rma.kind {
        case .return:
            var total: Int64 = 0
            var lines: [[String: String]] = []
            for rl in rma.lines {
                guard let got = now[rl.lineNo], got.total > 0 else { continue }
                let amount = Refund.amount(unitMinor: rl.unitPriceMinor, taxRate: rl.taxRate, pricesIncludeTax: includeTax, quantity: got.resellable)
                    + Refund.damaged(unitMinor: rl.unitPriceMinor, taxRate: rl.taxRate, pricesIncludeTax: includeTax, quantity: got.damaged,
                                     policy: policy)
                total += amount
                let unit = Refund.amount(unitMinor: rl.unitPriceMinor, taxRate: rl.taxRate, pricesIncludeTax: includeTax, quantity: 1)
                lines.append(["line_no": String(rl.lineNo), "order_line_no": String(rl.orderLineNo), "sku": rl.sku,
                              "quantity_accepted": String(got.resellable), "quantity_damaged": String(got.damaged),
                              "quantity_missing": String(got.missing), "unit_price": money(unit), "line_amount": money(amount)])
            }
            if !lines.isEmpty {
                try ctx.flows.saveRefund(receiptId: r.receiptId, rmaId: rma.rmaId, orderId: rma.orderId, currency: rma.currency,
                                         amountMinor: total, fileId: ctx.fileId, at: ctx.now)
                let w = try ctx.outputs.erp(.refunds, prefix: "refunds")
                try w.write(["rma_id": rma.rmaId, "order_id": rma.orderId, "receipt_id": r.receiptId, "currency": rma.currency,
                             "refund_method": rma.refundMethod, "amount": money(total)], lines: lines)
                ctx.outputs.count(w)
            }
        case .exchange:
            try replacement(for: rma, receipt: r, before: before, now: now, &ctx)
        }
        var complete = true
        for rl in rma.lines where (before[rl.lineNo]?.total ?? 0) + (now[rl.lineNo]?.total ?? 0) < rl.quantity { complete = false }
        try ctx.flows.setRMAStatus(rma.rmaId, status: complete ? "received" : "partially_received",
                                   clearShipTo: complete && rma.kind == .exchange)
    }

    /// The replacement shipment order of an exchange: accepted units (resellable, and damaged unless damaged
    /// returns earn nothing) of each line, in the RMA's proportion of replacement to returned quantity, counted
    /// over all its receipts (so one unit at a time of a 2-for-1 exchange still gives its replacement).
    func replacement(for rma: RMARecord, receipt r: ReturnReceipt, before: [Int: InspectedLine], now: [Int: InspectedLine],
                     _ ctx: inout FlowContext) throws {
        var lines: [OrderLine] = []
        let scale = ISO4217.minorUnits[rma.currency] ?? 2
        func accepted(_ l: InspectedLine?) -> Int {
            guard let l else { return 0 }
            return l.resellable + (config.returns.damagedRefund == .none ? 0 : l.damaged)
        }
        for rl in rma.lines {
            guard now[rl.lineNo] != nil, rl.quantity > 0 else { continue }
            let earlier = accepted(before[rl.lineNo])
            let total = earlier + accepted(now[rl.lineNo])
            let qty = total * rl.replacementQuantity / rl.quantity - earlier * rl.replacementQuantity / rl.quantity
            guard qty > 0 else { continue }
            lines.append(OrderLine(lineNo: lines.count + 1, sku: rl.replacementSku,
                                   wmsItem: config.rules.skuAliases[rl.replacementSku] ?? rl.replacementSku,
                                   description: "Replacement for \(rl.sku) (RMA \(rma.rmaId) line \(rl.lineNo))", quantity: qty,
                                   uom: try ctx.flows.itemUOM(rl.replacementSku) ?? "EA",
                                   unitPrice: Money(minorUnits: rl.unitPriceMinor, scale: scale), taxRate: rl.taxRate,
                                   hsCode: "", originCountry: ""))
        }
        guard !lines.isEmpty else { return }
        guard let shipTo = rma.shipTo else {
            // Its address was erased (purge, past retention): nothing to ship to. Said loudly, never dropped silently.
            return try warning(ReturnRule.noAddress,
                               "exchange \(rma.rmaId): units accepted, but its ship-to is no longer kept (past retention); no replacement sent, approve a new exchange",
                               id: rma.rmaId, &ctx)
        }
        let n = try ctx.flows.replacements(of: rma.rmaId) + 1
        let id = "\(rma.rmaId)-R\(n)"
        let orderDate = OrderValidator.isISODateTimeWithOffset(r.receivedAt) ? r.receivedAt : r.receivedAt + "T00:00:00Z"
        let order = Order(id: id, orderDate: orderDate, store: "", customerId: "", shipTo: shipTo, currency: rma.currency,
                          paymentMethod: "none", codAmount: nil, carrierService: config.returns.replacementCarrier, requestedWarehouse: rma.warehouse, priority: "normal",
                          giftNote: "", customs: Customs(), lines: lines)
        let out = try shipmentOrderWriter(warehouse: rma.warehouse, ctx.staging)
        try out.writer.write(order, version: 1, action: .new)
        out.output.records += 1
        try ctx.tx.saveOrder(order, version: 1, contentHash: order.contentHash, warehouse: rma.warehouse, fileId: ctx.fileId,
                             at: ctx.now, customer: "")
        try ctx.tx.recordInstruction(orderId: id, version: 1, action: "new", warehouse: rma.warehouse, fileId: ctx.fileId)
        try ctx.flows.saveReplacement(orderId: id, rmaId: rma.rmaId, receiptId: r.receiptId, originalOrderId: rma.orderId,
                                      warehouse: rma.warehouse, fileId: ctx.fileId, at: ctx.now)
        let w = try ctx.outputs.erp(.replacementOrders, prefix: "replacement-orders")
        try w.write(["replacement_order_id": id, "rma_id": rma.rmaId, "order_id": rma.orderId, "warehouse": rma.warehouse],
                    lines: lines.map { ["line_no": String($0.lineNo), "sku": $0.sku, "quantity": String($0.quantity)] })
        ctx.outputs.count(w)
        plan?(PlanEntry(id: id, action: .new, detail: "replacement order for RMA \(rma.rmaId) to \(rma.warehouse)"))
    }
}
