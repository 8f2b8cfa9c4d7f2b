/// One validated ERP order cancellation.
public struct Cancellation: Sendable, Equatable {
    public var orderId: String
    public var reason: String
    public var requestedAt: String
    public var contentHash: String

    public static func validate(_ raw: RawDocument, file: String) -> (Cancellation?, [Finding]) {
        var c = DocumentChecker(raw, layout: .cancellations, file: file)
        let id = c.code("order_id")
        let reason = c.code("reason")
        let at = c.time("requested_at")
        guard c.ok else { return (nil, c.findings) }
        return (Cancellation(orderId: id, reason: reason, requestedAt: at, contentHash: DocumentChecker.hash([id, reason, at])),
                c.findings)
    }
}

/// The WMS's answer to a cancel instruction.
public struct CancellationResult: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable {
        case cancelled
        /// Already shipped: the cancellation came too late.
        case tooLate = "too_late"
    }
    public var orderId: String
    public var outcome: Outcome
    public var answeredAt: String
    public var warehouse: String

    public static func validate(_ raw: RawDocument, file: String) -> (CancellationResult?, [Finding]) {
        var c = DocumentChecker(raw, layout: .cancellationResults, file: file)
        let id = c.code("order_id")
        let outcome = Outcome(rawValue: c.oneOf("result", Outcome.allCases.map(\.rawValue)))
        let at = c.time("answered_at")
        let warehouse = c.code("warehouse", upper: true)
        guard c.ok, let outcome else { return (nil, c.findings) }
        return (CancellationResult(orderId: id, outcome: outcome, answeredAt: at, warehouse: warehouse), c.findings)
    }
}
