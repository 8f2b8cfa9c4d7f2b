import ERPWMSCore

/// What the ledger knows of an order line, for returns: the price the customer paid.
public struct PricedOrderLine: Sendable {
    public var lineNo: Int
    public var sku: String
    public var quantity: Int
    public var unitPriceMinor: Int64
    public var taxRate: FixedDecimal?
}

/// An order as a return sees it.
public struct ReturnableOrder: Sendable {
    public var orderId: String
    public var currency: String
    public var warehouse: String
    public var status: String
    public var lines: [PricedOrderLine]
}

/// An RMA as recorded, for its return receipts.
public struct RMARecord: Sendable {
    public struct Line: Sendable {
        public var lineNo: Int
        public var orderLineNo: Int
        public var sku: String
        public var quantity: Int
        public var replacementSku: String
        public var replacementQuantity: Int
        public var unitPriceMinor: Int64
        public var taxRate: FixedDecimal?
    }
    public var rmaId: String
    public var orderId: String
    public var kind: ReturnAuthorisation.Kind
    public var refundMethod: String
    public var currency: String
    public var warehouse: String
    public var status: String
    public var lines: [Line]
    public var shipTo: Address?
    /// Identity of the RMA's content as the ERP sent it.
    public var contentHash: String
}

/// Inspection totals of one RMA line over all its return receipts.
public struct InspectedLine: Sendable, Equatable {
    public var resellable = 0
    public var damaged = 0
    public var missing = 0
    public var total: Int { resellable + damaged + missing }
    public init() {}
}

/// A recorded cancellation.
public struct CancellationRecord: Sendable {
    public var orderId: String
    /// pending (order not known yet), withdrawn, requested (cancel instruction sent), cancelled, too_late.
    public var status: String
    public var contentHash: String
    public var requestedAt: String
}

/// The ledger of the flows besides sales orders and shipment confirmations, inside one transaction.
public protocol FlowLedger {
    // Items
    func item(_ sku: String) throws -> (version: Int, contentHash: String)?
    func saveItem(_ item: Item, version: Int, fileId: Int64, at time: String) throws
    /// Whether the item master knows `sku` (an ERP SKU or its WMS item code).
    func knowsSKU(_ sku: String) throws -> Bool
    /// The unit of measure the item master gives `sku`.
    func itemUOM(_ sku: String) throws -> String?

    // Cancellations
    func cancellation(_ orderId: String) throws -> CancellationRecord?
    func saveCancellation(_ c: Cancellation, status: String, fileId: Int64, at time: String) throws
    /// `at`: when it happened by the documents; `recordedAt`: the ledger's time (the report's as-of view).
    func setCancellationStatus(_ orderId: String, status: String, at time: String, recordedAt: String) throws
    func setOrderStatus(_ orderId: String, status: String) throws
    /// Whether any cancellation is recorded (orders then check theirs).
    func hasCancellations() throws -> Bool

    // Purchase orders and receipts
    func purchaseOrder(_ po: String) throws -> (version: Int, contentHash: String, status: String, warehouse: String, fileId: Int64)?
    func savePurchaseOrder(_ po: PurchaseOrder, version: Int, fileId: Int64, at time: String) throws
    func purchaseOrderLines(_ po: String) throws -> [PurchaseOrder.Line]
    func receiptHash(_ receiptId: String) throws -> String?
    func saveReceipt(_ r: ReceiptConfirmation, knownPO: Bool, fileId: Int64, at time: String) throws
    /// Per PO line: received and damaged over all recorded receipts.
    func received(_ po: String) throws -> [Int: (received: Int, damaged: Int)]

    // Returns
    func returnableOrder(_ orderId: String) throws -> ReturnableOrder?
    /// Per order line: units other RMAs of the order already cover (`except` excluded).
    func returnedQuantities(orderId: String, except rmaId: String) throws -> [Int: Int]
    func rma(_ rmaId: String) throws -> RMARecord?
    func saveRMA(_ rma: ReturnAuthorisation, lines: [RMARecord.Line], currency: String, warehouse: String, fileId: Int64,
                 at time: String) throws
    func returnReceiptHash(_ receiptId: String) throws -> String?
    func inspected(_ rmaId: String) throws -> [Int: InspectedLine]
    func saveReturnReceipt(_ r: ReturnReceipt, knownRMA: Bool, fileId: Int64, at time: String) throws
    func saveRefund(receiptId: String, rmaId: String, orderId: String, currency: String, amountMinor: Int64, fileId: Int64,
                    at time: String) throws
    func replacements(of rmaId: String) throws -> Int
    func saveReplacement(orderId replacementId: String, rmaId: String, receiptId: String, originalOrderId: String,
                         warehouse: String, fileId: Int64, at time: String) throws
    func setRMAStatus(_ rmaId: String, status: String, clearShipTo: Bool) throws

    // Inventory
    /// The snapshot recorded for this side, warehouse and time, if any (a snapshot is identified by them).
    func snapshotId(side: StockSnapshot.Side, warehouse: String, asOf: String) throws -> Int64?
    /// Records a snapshot with its first lines; returns its id and the SKUs already in it (none here).
    func saveSnapshot(_ s: StockSnapshot, fileId: Int64, at time: String) throws -> (id: Int64, repeated: [String])
    /// Adds lines to a snapshot; returns the SKUs it already had (not added).
    func addSnapshotLines(_ lines: [StockSnapshot.Line], to id: Int64) throws -> [String]
    /// Removes a snapshot and its lines (a later chunk of it was rejected).
    func deleteSnapshot(_ id: Int64) throws
}
