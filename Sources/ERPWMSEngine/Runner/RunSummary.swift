import ERPWMSCore

/// What one `erpwms run` did, for the human summary and `--json`.
public struct RunSummary: Sendable, Codable, Equatable {
    public var filesSeen = 0
    public var filesArchived = 0
    public var filesFailed = 0
    public var filesDuplicate = 0
    public var filesRecovered = 0
    /// Files left in an inbox for the next run: changed within `min_age_seconds`, or no done-marker yet.
    public var filesWaiting = 0
    /// Files left in an inbox because this process cannot read them.
    public var filesUnreadable = 0
    public var ordersAccepted = 0
    public var ordersRejected = 0
    public var ordersDuplicate = 0
    public var ordersReplaced = 0
    public var linesAccepted = 0
    public var confirmationsAccepted = 0
    public var confirmationsRejected = 0
    public var confirmationsDuplicate = 0
    public var unknownReferences = 0
    public var overShipments = 0
    /// Items, purchase orders, RMAs, receipts, cancellations and snapshots.
    public var documentsAccepted = 0
    public var documentsRejected = 0
    public var documentsDuplicate = 0
    /// Orders not sent because the ERP cancelled them first.
    public var ordersWithdrawn = 0
    public var instructionFiles = 0
    public var feedbackFiles = 0
    public var rejectsFiles = 0
    /// Published output files, relative to the workspace.
    public var outputs: [String] = []
    /// Findings of this run per rule id (errors and warnings).
    public var findingsByRule: [String: Int] = [:]
    /// Records (CSV rows, XML lines) read in this run.
    public var records = 0
    /// Wall time of the run in milliseconds.
    public var durationMilliseconds = 0
    /// Reports written at the end of the run, relative to the workspace.
    public var reports: [String] = []
    /// Per file: name, outcome and reason.
    public var files: [FileOutcome] = []

    public init() {}

    /// True when something was rejected or quarantined and a person should look.
    public var needsAttention: Bool { filesFailed > 0 || filesUnreadable > 0 || ordersRejected > 0 || confirmationsRejected > 0
        || documentsRejected > 0 }

    mutating func count(_ findings: [Finding]) {
        for f in findings { findingsByRule[f.rule, default: 0] += 1 }
    }

    mutating func add(_ c: FileCounts) {
        records += c.records
        ordersAccepted += c.ordersAccepted
        ordersRejected += c.ordersRejected
        ordersDuplicate += c.ordersDuplicate
        ordersReplaced += c.ordersReplaced
        linesAccepted += c.linesAccepted
        confirmationsAccepted += c.confirmationsAccepted
        confirmationsRejected += c.confirmationsRejected
        confirmationsDuplicate += c.confirmationsDuplicate
        unknownReferences += c.unknownReferences
        overShipments += c.overShipments
        documentsAccepted += c.documentsAccepted
        documentsRejected += c.documentsRejected
        documentsDuplicate += c.documentsDuplicate
        ordersWithdrawn += c.ordersWithdrawn
    }
}

/// The outcome of one input file in a run.
public struct FileOutcome: Sendable, Codable, Equatable {
    public var file: String
    public var channel: String
    public var status: String
    public var reason: String?
    /// Business documents (orders or confirmations) accepted, rejected and duplicate.
    public var accepted: Int
    public var rejected: Int
    public var duplicate: Int
}
