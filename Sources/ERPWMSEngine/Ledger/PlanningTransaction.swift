import ERPWMSCore
import GRDB

extension SQLiteLedger {
    public func planning<T>(_ body: (LedgerTransaction) throws -> T) throws -> T {
        try queue.read { db in try body(PlanningTransaction(base: SQLiteLedgerTransaction(db: db))) }
    }
}

/// A `LedgerTransaction` for dry runs: reads go to the ledger (in a read-only transaction), writes go to an
/// in-memory overlay that later reads of the same dry run see, and nothing is ever written.
final class PlanningTransaction: LedgerTransaction {
    private let base: SQLiteLedgerTransaction
    private var orders: [String: KnownOrder] = [:]
    private var lines: [String: [KnownOrderLine]] = [:]
    private var shipments: [String: String] = [:]
    private var shippedOverlay: [String: [Int: ShippedLine]] = [:]

    init(base: SQLiteLedgerTransaction) { self.base = base }

    func order(_ id: String) throws -> KnownOrder? {
        if let o = orders[id] { return o }
        return try base.order(id)
    }

    func saveOrder(_ order: Order, version: Int, contentHash: String, warehouse: String, fileId: Int64, at time: String,
                   customer: String) throws {
        orders[order.id] = KnownOrder(version: version, contentHash: contentHash, status: "instructed", warehouse: warehouse,
                                      fileId: fileId)
        lines[order.id] = order.lines.map { KnownOrderLine(lineNo: $0.lineNo, sku: $0.wmsItem, quantity: $0.quantity) }
    }

    func saveNewOrder(_ order: Order, contentHash: String, warehouse: String, fileId: Int64, at time: String,
                      customer: String) throws -> Bool {
        guard try self.order(order.id) == nil else { return false }
        try saveOrder(order, version: 1, contentHash: contentHash, warehouse: warehouse, fileId: fileId, at: time, customer: customer)
        return true
    }

    func orderLines(_ orderId: String) throws -> [KnownOrderLine]? {
        if let l = lines[orderId] { return l }
        return try base.orderLines(orderId)
    }

    func shipmentHash(_ shipmentId: String) throws -> String? {
        if let h = shipments[shipmentId] { return h }
        return try base.shipmentHash(shipmentId)
    }

    func saveShipment(_ c: ShipmentConfirmation, contentHash: String, knownOrder: Bool, fileId: Int64, at time: String) throws {
        shipments[c.shipmentId] = contentHash
        for l in c.lines {
            var s = shippedOverlay[c.orderId, default: [:]][l.lineNo] ?? ShippedLine(quantity: 0, closedReason: nil)
            s.quantity += l.quantity
            if let r = l.reason { s.closedReason = r }
            shippedOverlay[c.orderId, default: [:]][l.lineNo] = s
        }
    }

    func shipped(_ orderId: String) throws -> [Int: ShippedLine] {
        var result = try base.shipped(orderId)
        for (lineNo, extra) in shippedOverlay[orderId] ?? [:] {
            var s = result[lineNo] ?? ShippedLine(quantity: 0, closedReason: nil)
            s.quantity += extra.quantity
            if let r = extra.closedReason { s.closedReason = r }
            result[lineNo] = s
        }
        return result
    }

    func markConfirmed(_ orderId: String) throws {
        if var o = try order(orderId) {
            o.status = "confirmed"
            orders[orderId] = o
        }
    }

    func recordInstruction(orderId: String, version: Int, action: String, warehouse: String, fileId: Int64) throws {}
    func recordFindings(_ findings: [Finding], fileId: Int64) throws {}
    func writeAhead() throws {}
    func recordOutput(fileId: Int64, kind: String, warehouse: String?, tempPath: String, finalPath: String, records: Int) throws {}
    func setHash(fileId: Int64, hash: String) throws {}
    func finishFile(fileId: Int64, counts: FileCounts, at time: String) throws {}
    func setTarget(fileId: Int64, _ status: FileStatus, target: String, reason: String?) throws {}
    /// Reads only (orders check their cancellations); dry runs of the other flows rehearse in a transaction that
    /// is rolled back (`SQLiteLedger.rehearsing`).
    func flows() throws -> FlowLedger { try base.flows() }
}
