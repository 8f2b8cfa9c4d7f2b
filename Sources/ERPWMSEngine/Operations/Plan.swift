import ERPWMSCore

/// One decision a (dry) run makes about a business document.
public struct PlanEntry: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable {
        /// Sent to the WMS for the first time (or, for a confirmation, recorded).
        case new
        /// Sent again as a replacement with a higher version.
        case replace
        /// Identical to what was sent or recorded before: nothing is sent.
        case unchanged
        /// Rejected with the reasons in `detail`.
        case rejected
    }
    /// Order id, or shipment id for a confirmation.
    public var id: String
    public var action: Action
    public var detail: String
}

/// What a dry run of one file found.
public struct DryRunResult: Sendable, Codable {
    public var file: String
    public var channel: String
    public var entries: [PlanEntry]
    /// Set when the file as a whole would fail (unreadable, or the channel's error policy).
    public var fileError: Finding?

    public func count(_ action: PlanEntry.Action) -> Int { entries.filter { $0.action == action }.count }
}
