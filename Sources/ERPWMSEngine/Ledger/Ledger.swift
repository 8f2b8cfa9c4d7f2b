import Crypto
import ERPWMSCore

/// Where an input file is in its lifecycle.
public enum FileStatus: String, Sendable, Codable, CaseIterable {
    /// Claimed into `work/`, not yet processed (a crash here means: process it again).
    case claimed
    /// Processed and committed; its outputs may still await publishing and it may still be in `work/`.
    case processed
    /// Terminal: processed and moved to `archive/`.
    case archived
    /// Could not be processed; being moved to `failed/` (a crash here means: finish the move).
    case failing
    /// Terminal: could not be processed; in `failed/` with `NAME.error.json`.
    case failed
    /// Terminal: the same bytes were processed before; moved to `archive/`, nothing done.
    case duplicate
}

/// One input file as the ledger knows it.
public struct FileRecord: Sendable, Codable {
    public var id: Int64
    public var name: String
    public var channel: String
    public var hash: String
    public var size: Int64
    public var status: FileStatus
    /// Current location relative to the workspace (`work/...`, `archive/...`, `failed/...`).
    public var path: String
    /// Where the file is being moved to (set just before the move, so a crash can finish it).
    public var targetPath: String?
    public var reason: String?
    public var receivedAt: String
    public var finishedAt: String?
    public var ordersAccepted: Int
    public var ordersRejected: Int
    public var ordersDuplicate: Int
}

/// What the ledger knows of an order: its latest instructed version.
public struct KnownOrder: Sendable {
    public var version: Int
    public var contentHash: String
    /// `instructed` (sent, nothing confirmed yet) or `confirmed` (the WMS has confirmed something).
    public var status: String
    /// The warehouse the latest version went to.
    public var warehouse: String = ""
    /// The input file the latest version came from.
    public var fileId: Int64 = 0
}

/// An output written to a temporary name and recorded, not yet renamed to its final name.
public struct PendingOutput: Sendable {
    public var id: Int64
    public var fileId: Int64
    public var tempPath: String
    public var finalPath: String
}

/// Counts for one processed file.
public struct FileCounts: Sendable, Codable, Equatable {
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
    public var records = 0
    /// Other documents (items, purchase orders, RMAs, receipts, cancellations, snapshots).
    public var documentsAccepted = 0
    public var documentsRejected = 0
    public var documentsDuplicate = 0
    /// Orders withdrawn before they were sent (a cancellation came first).
    public var ordersWithdrawn = 0
    public init() {}

    /// Business documents accepted, rejected and duplicate, whatever their type.
    var accepted: Int { ordersAccepted + confirmationsAccepted + documentsAccepted }
    var rejected: Int { ordersRejected + confirmationsRejected + documentsRejected }
    var duplicate: Int { ordersDuplicate + confirmationsDuplicate + documentsDuplicate }
}

/// One line of an order as last instructed.
public struct KnownOrderLine: Sendable {
    public var lineNo: Int
    public var sku: String
    public var quantity: Int
}

/// What has been shipped so far on one order line, over all confirmations.
public struct ShippedLine: Sendable {
    public var quantity: Int
    /// The reason of the latest confirmation that closed the line short, if any.
    public var closedReason: ShortReason?
}

/// The ledger: every file, order, instruction and finding, durable. The engine talks to it only through
/// this interface, so that a shared PostgreSQL ledger can stand beside the embedded SQLite one.
public protocol Ledger: AnyObject {
    /// The earlier file with these bytes that was processed (archived), if any.
    func processedFile(withHash hash: String) throws -> FileRecord?
    /// Whether an earlier file of `size` bytes was processed (archived): only such a file can have the same bytes.
    func processedFile(ofSize size: Int64) throws -> Bool
    /// Records a freshly claimed file; returns its id.
    func recordClaim(name: String, channel: String, hash: String, size: Int64, path: String, at time: String) throws -> Int64
    func file(id: Int64) throws -> FileRecord?
    /// Files not in a terminal state (claimed, processed, failing), oldest first: what a crash left behind.
    func unfinishedFiles() throws -> [FileRecord]
    /// Runs `body` in one transaction: everything it records commits together or not at all.
    func inTransaction<T>(_ body: (LedgerTransaction) throws -> T) throws -> T
    /// `inTransaction` for the processing of input file `fileId`, which may record a great deal; every row it
    /// writes belongs to that file.
    func inFileTransaction<T>(fileId: Int64, _ body: (LedgerTransaction) throws -> T) throws -> T
    /// Runs `body` against a read-only view of the ledger whose writes stay in memory and are dropped at
    /// the end: for dry runs, which must see their own earlier decisions but change nothing.
    func planning<T>(_ body: (LedgerTransaction) throws -> T) throws -> T
    /// A transaction that is rolled back whatever happens (dry runs of the flows without a planning overlay).
    func rehearsing<T>(_ body: (LedgerTransaction) throws -> T) throws -> T
    func pendingOutputs() throws -> [PendingOutput]
    /// Marks outputs as published, in one transaction.
    func markPublished(outputIds: [Int64]) throws
    /// Records where a file is about to be moved, and why, before the move happens.
    func setTarget(fileId: Int64, _ status: FileStatus, target: String, reason: String?) throws
    /// Records that a file reached `status` at `path`, and the attempt that got it there (in one commit).
    func setStatus(fileId: Int64, _ status: FileStatus, path: String, at time: String, attempt: Attempt?) throws
    /// Records findings that concern a whole file (or its orders) outside a processing transaction.
    func recordFindings(_ findings: [Finding], fileId: Int64) throws
    func findings(fileId: Int64) throws -> [Finding]
    func files(status: FileStatus?) throws -> [FileRecord]
    /// Puts a failed file back into processing (`reprocess`): claimed at `path`, with the content it now has;
    /// `origin` is where it is being moved from (recovery finishes the move after a crash).
    func reclaim(fileId: Int64, path: String, hash: String, size: Int64, origin: String) throws
    /// Records a completed run with its summary (JSON).
    func recordRun(startedAt: String, finishedAt: String, durationMilliseconds: Int, needsAttention: Bool, summary: String) throws
    /// Totals over the whole ledger for the metrics file: runs, and files per status.
    func metricTotals() throws -> MetricTotals
    /// Records one processing attempt of a file (by `run` or `reprocess`) and its outcome.
    func recordAttempt(_ attempt: Attempt) throws
    func attempts(fileId: Int64) throws -> [Attempt]
    /// Outputs recorded for a file (WMS instructions, feedback, rejects), in order.
    func outputs(fileId: Int64) throws -> [OutputRecord]
    /// Files, newest first, filtered by status, channel and received time (ISO UTC, inclusive).
    func files(status: FileStatus?, channel: String?, since: String?) throws -> [FileRecord]
    /// The newest file of that name.
    func file(named name: String) throws -> FileRecord?
    /// Everything the ledger knows about one order, in time order.
    func orderHistory(_ orderId: String) throws -> OrderHistory
    /// Every instructed order known at `asOf` (ISO UTC), in order id order, with its lines and what the
    /// confirmations received by then add up to. Returns the unknown references found on the way: confirmations
    /// received by `asOf` whose order was never instructed (by then), in order id and shipment id order.
    @discardableResult
    func forEachReconRecord(asOf: String, _ body: (ReconRecord) throws -> Void) throws -> [UnknownReference]
    /// The report sections of purchase orders, returns, cancellations, inventory and items.
    func flowSections(asOf: String, settings: FlowReportSettings) throws -> [ReportSection]
}

/// One order as the ledger knows it for reconciliation.
public struct ReconRecord: Sendable {
    public struct Line: Sendable {
        public var lineNo: Int
        public var sku: String
        public var quantity: Int
        public var unitPriceMinor: Int64
        public var shipped: Int
        public var closedReason: ShortReason?
    }
    public var orderId: String
    public var version: Int
    public var warehouse: String
    public var currency: String
    public var orderDate: String
    public var firstInstructedAt: String
    public var shipments: Int
    public var lines: [Line]
    /// Keyed pseudonym of the customer, when configured.
    public var customer: String = ""
    /// The order's cancellation state at the as-of time: `cancelled`, `cancelled_but_shipped`, or empty.
    public var status: String = ""
}

/// The part of the ledger used while one file is processed, inside its transaction.
public protocol LedgerTransaction {
    func order(_ id: String) throws -> KnownOrder?
    /// Stores `order` as the current version (lines included).
    /// `customer`: the keyed pseudonym of the order's customer, or empty.
    func saveOrder(_ order: Order, version: Int, contentHash: String, warehouse: String, fileId: Int64, at time: String,
                   customer: String) throws
    /// Stores `order` as version 1 if the ledger knows no order with its id, and returns true; otherwise stores
    /// nothing and returns false (look the order up with `order`). One statement for a new order, which is most
    /// of them, where looking it up first took two.
    func saveNewOrder(_ order: Order, contentHash: String, warehouse: String, fileId: Int64, at time: String,
                      customer: String) throws -> Bool
    /// `saveNewOrder` with the content hash as the SHA-256 digest itself (the order loop's, no hex String made).
    func saveNewOrder(_ order: Order, contentDigest: SHA256.Digest, warehouse: String, fileId: Int64, at time: String,
                      customer: String) throws -> Bool
    /// The lines of a known order (latest version), or nil if the order was never instructed.
    func orderLines(_ orderId: String) throws -> [KnownOrderLine]?
    /// Content hash of a confirmation already recorded under `shipmentId`, if any.
    func shipmentHash(_ shipmentId: String) throws -> String?
    /// Records a confirmation; `knownOrder` tells whether its order was instructed.
    func saveShipment(_ c: ShipmentConfirmation, contentHash: String, knownOrder: Bool, fileId: Int64, at time: String) throws
    /// Per line number, what all recorded confirmations of the order add up to.
    func shipped(_ orderId: String) throws -> [Int: ShippedLine]
    /// Marks an order as confirmed by the WMS: from now on a changed order is rejected, not replaced.
    func markConfirmed(_ orderId: String) throws
    /// Records that version `version` of the order goes to `warehouse` in this file's shipment-order output of
    /// that warehouse (the output is found by file and warehouse: see `recordOutput`).
    func recordInstruction(orderId: String, version: Int, action: String, warehouse: String, fileId: Int64) throws
    func recordFindings(_ findings: [Finding], fileId: Int64) throws
    /// Writes what the transaction has changed so far toward the disk (the WAL) without committing, so that the
    /// commit has less left to do. Optional: the commit writes everything anyway.
    func writeAhead() throws
    /// Records an output file as pending publication; `warehouse` names the warehouse of a shipment-order output.
    func recordOutput(fileId: Int64, kind: String, warehouse: String?, tempPath: String, finalPath: String, records: Int) throws
    /// Records the hash of a file claimed while it was still being hashed (its row has an empty hash till then).
    func setHash(fileId: Int64, hash: String) throws
    func finishFile(fileId: Int64, counts: FileCounts, at time: String) throws
    /// `Ledger.setTarget` inside this transaction.
    func setTarget(fileId: Int64, _ status: FileStatus, target: String, reason: String?) throws
    /// The ledger of the other document flows (items, purchase orders, returns, cancellations, inventory).
    func flows() throws -> FlowLedger
}

/// One processing attempt of a file.
public struct Attempt: Sendable, Codable {
    public var fileId: Int64
    public var at: String
    /// The operating-system user that ran it.
    public var by: String
    /// `run` or `reprocess`.
    public var kind: String
    /// For `reprocess --with FILE`: the replacement's name and SHA-256.
    public var source: String?
    /// The file's status afterwards: archived, failed, duplicate.
    public var outcome: String
    public var reason: String?

    public init(fileId: Int64, at: String, by: String, kind: String, source: String?, outcome: String, reason: String?) {
        self.fileId = fileId
        self.at = at
        self.by = by
        self.kind = kind
        self.source = source
        self.outcome = outcome
        self.reason = reason
    }
}

/// An output file recorded in the ledger.
public struct OutputRecord: Sendable, Codable {
    public var kind: String
    public var path: String
    public var records: Int
    public var status: String
}

/// The life of one order as the ledger tells it.
public struct OrderHistory: Sendable, Codable {
    public struct Current: Sendable, Codable {
        public var version: Int
        public var status: String
        public var warehouse: String
        public var currency: String
        public var orderDate: String
        public var lines: Int
    }
    public struct Event: Sendable, Codable {
        public var time: String
        /// received, rejected, warning, instructed, confirmed, feedback
        public var kind: String
        public var file: String?
        public var fileId: Int64?
        public var detail: String
    }
    public var orderId: String
    public var current: Current?
    public var events: [Event]
}

/// Ledger-wide figures for the metrics file.
public struct MetricTotals: Sendable {
    public var runs = 0
    /// ISO time of the last run that needed no attention.
    public var lastSuccess: String?
    public var filesByStatus: [String: Int] = [:]
    public init() {}
}

extension LedgerTransaction {
    public func saveNewOrder(_ order: Order, contentDigest: SHA256.Digest, warehouse: String, fileId: Int64, at time: String,
                             customer: String) throws -> Bool {
        try saveNewOrder(order, contentHash: ContentHash.hex(contentDigest), warehouse: warehouse, fileId: fileId, at: time,
                         customer: customer)
    }
}
