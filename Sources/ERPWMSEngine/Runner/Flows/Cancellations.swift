import ERPWMSCore
import ERPWMSFormats

/// Rule ids the cancellation flow adds to the validators'.
enum CancellationRule {
    static let alreadyCancelled = "cancellation.already-cancelled"
    static let conflicting = "cancellation.conflicting-duplicate"
    static let tooLate = "cancellation.too-late"
    static let resultUnknown = "cancellation-result.unknown-reference"
    static let shippedAnyway = "cancellation-result.shipped-anyway"
    static let shippedAfterCancel = "cancellation.shipped-after-cancel"
}

extension BatchRunner {
    /// ERP cancellations: an order not yet sent is withdrawn (now, or when it arrives); one sent and not yet
    /// shipped gets a cancel instruction to its warehouse; one the WMS already shipped in full is too late.
    func cancellation(_ raw: RawDocument, _ ctx: inout FlowContext) throws {
        let (c, findings) = Cancellation.validate(raw, file: ctx.file)
        guard let c else { return try rejectDocument(findings, id: Clean.code(raw["order_id"]), &ctx) }
        if let earlier = try ctx.flows.cancellation(c.orderId) {
            ctx.counts.documentsDuplicate += 1
            if earlier.contentHash != c.contentHash {
                try warning(CancellationRule.conflicting, "order \(c.orderId) was cancelled before (\(earlier.status)); the first cancellation counts",
                            id: c.orderId, &ctx)
            }
            plan?(PlanEntry(id: c.orderId, action: .unchanged, detail: "cancellation already recorded (\(earlier.status))"))
            return
        }
        ctx.counts.documentsAccepted += 1
        guard let order = try ctx.tx.order(c.orderId) else {
            // Not sent yet: recorded, and the order is withdrawn when it arrives.
            try ctx.flows.saveCancellation(c, status: "pending", fileId: ctx.fileId, at: ctx.now)
            plan?(PlanEntry(id: c.orderId, action: .new, detail: "order not received yet: withdrawn when it arrives"))
            try cancellationStatus(c.orderId, "pending", at: c.requestedAt, detail: "the order has not reached erpwms; it will not be sent", &ctx)
            return
        }
        switch order.status {
        case "instructed", "confirmed":
            if Self.allShipped(try ctx.tx.orderLines(c.orderId) ?? [], try ctx.tx.shipped(c.orderId)) {
                try ctx.flows.saveCancellation(c, status: "too_late", fileId: ctx.fileId, at: ctx.now)
                try ctx.flows.setOrderStatus(c.orderId, status: "cancelled_but_shipped")
                try warning(CancellationRule.tooLate, "order \(c.orderId) has already shipped in full; nothing left to cancel",
                            id: c.orderId, &ctx)
                try cancellationStatus(c.orderId, "too_late", at: c.requestedAt, detail: "already shipped in full", &ctx)
                plan?(PlanEntry(id: c.orderId, action: .new, detail: "too late: already shipped"))
                return
            }
            try ctx.flows.saveCancellation(c, status: "requested", fileId: ctx.fileId, at: ctx.now)
            try ctx.flows.setOrderStatus(c.orderId, status: "cancel_requested")
            let w = try ctx.outputs.wms(.orderCancellations, prefix: "order-cancellations", warehouse: order.warehouse)
            try w.write(["order_id": c.orderId, "version": String(order.version), "reason": c.reason])
            ctx.outputs.count(w)
            try cancellationStatus(c.orderId, "requested", at: c.requestedAt, detail: "cancel instruction sent to \(order.warehouse)", &ctx)
            plan?(PlanEntry(id: c.orderId, action: .new, detail: "cancel instruction to \(order.warehouse)"))
        default:
            try ctx.flows.saveCancellation(c, status: order.status == "cancelled_but_shipped" ? "too_late" : "cancelled", fileId: ctx.fileId,
                                           at: ctx.now)
            try warning(CancellationRule.alreadyCancelled, "order \(c.orderId) is already \(order.status)", id: c.orderId, &ctx)
        }
    }

    /// The WMS's answer to a cancel instruction.
    func cancellationResult(_ raw: RawDocument, _ ctx: inout FlowContext) throws {
        let (r, findings) = CancellationResult.validate(raw, file: ctx.file)
        guard let r else { return try rejectDocument(findings, id: Clean.code(raw["order_id"]), &ctx) }
        guard let c = try ctx.flows.cancellation(r.orderId), c.status == "requested" || c.status == "cancelled" || c.status == "too_late" else {
            ctx.counts.documentsAccepted += 1
            return try warning(CancellationRule.resultUnknown, "no cancel instruction was sent for order \(r.orderId)", id: r.orderId, &ctx)
        }
        if c.status != "requested" {
            ctx.counts.documentsDuplicate += 1
            if c.status != (r.outcome == .cancelled ? "cancelled" : "too_late") {
                try warning(CancellationRule.conflicting, "order \(r.orderId): the WMS answered \(c.status) before; the first answer counts",
                            id: r.orderId, &ctx)
            }
            return
        }
        ctx.counts.documentsAccepted += 1
        var outcome = r.outcome
        if outcome == .cancelled {
            // The WMS says cancelled, but its confirmations say every unit left: what counts is what shipped.
            if Self.allShipped(try ctx.tx.orderLines(r.orderId) ?? [], try ctx.tx.shipped(r.orderId)) {
                outcome = .tooLate
                try warning(CancellationRule.shippedAnyway, "the WMS answered cancelled for order \(r.orderId), but it confirmed shipping all of it: recorded as too late",
                            id: r.orderId, &ctx)
            }
        }
        let status = outcome == .cancelled ? "cancelled" : "too_late"
        try ctx.flows.setCancellationStatus(r.orderId, status: status, at: r.answeredAt, recordedAt: ctx.now)
        // Shipped in part before the cancellation landed: still cancelled (the rest closes short); too late: the
        // order ships (or has shipped) anyway.
        try ctx.flows.setOrderStatus(r.orderId, status: outcome == .cancelled ? "cancelled" : "cancelled_but_shipped")
        try cancellationStatus(r.orderId, status, at: r.answeredAt,
                               detail: outcome == .cancelled ? "cancelled by the WMS" : "the WMS could no longer stop it (picked, packed or shipped)", &ctx)
        plan?(PlanEntry(id: r.orderId, action: .new, detail: status))
    }

    /// One cancellation-status record for the ERP.
    /// `at`: when it happened by the documents (not the run's clock, so that outputs are reproducible).
    func cancellationStatus(_ orderId: String, _ status: String, at: String, detail: String, _ ctx: inout FlowContext) throws {
        let w = try ctx.outputs.erp(.cancellationStatuses, prefix: "cancellation-status")
        try w.write(["order_id": orderId, "status": status, "at": at, "detail": detail])
        ctx.outputs.count(w)
    }
}
