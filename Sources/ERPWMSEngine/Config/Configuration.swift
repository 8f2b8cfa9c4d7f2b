import Crypto
import ERPWMSCore
import ERPWMSFormats

/// What to do with a file when one of its orders is bad.
public enum ErrorPolicy: String, Sendable, CaseIterable {
    /// Reject the bad order only; the others proceed (default).
    case rejectOrder = "reject-order"
    /// Reject the whole file: nothing from it is sent, it goes to `failed/`.
    case rejectFile = "reject-file"
}

/// The business documents a channel carries.
public enum DocumentType: String, Sendable, CaseIterable {
    /// ERP sales orders, sent to the WMS as shipment orders.
    case orders
    /// WMS shipment confirmations, matched with what was sent and fed back to the ERP.
    case shipmentConfirmations = "shipment-confirmations"
    /// ERP item master, sent to the WMS when new or changed.
    case items
    /// ERP order cancellations.
    case cancellations
    /// ERP purchase orders, sent to the WMS as expected receipts.
    case purchaseOrders = "purchase-orders"
    /// ERP return authorisations (returns and exchanges), sent to the WMS as expected returns.
    case returns
    /// ERP stock snapshots, compared with the WMS's in the inventory reconciliation.
    case stockSnapshots = "stock-snapshots"
    /// WMS answers to cancel instructions.
    case cancellationResults = "cancellation-results"
    /// WMS receipt confirmations against purchase orders.
    case receiptConfirmations = "receipt-confirmations"
    /// WMS return receipts with the inspection result per line.
    case returnReceipts = "return-receipts"
    /// WMS inventory snapshots.
    case inventorySnapshots = "inventory-snapshots"

    /// Channels are processed in this order within a run: items before what names them, cancellations
    /// before the orders they withdraw, shipments before the returns they allow, receipts after what they
    /// answer.
    var processingRank: Int {
        switch self {
        case .items: return 0
        case .cancellations: return 1
        case .orders: return 2
        case .purchaseOrders: return 3
        case .shipmentConfirmations: return 4
        case .cancellationResults: return 5
        case .receiptConfirmations: return 6
        case .returns: return 7
        case .returnReceipts: return 8
        case .stockSnapshots: return 9
        case .inventorySnapshots: return 10
        }
    }

    /// The canonical layout of the generic documents (nil for orders and shipment confirmations).
    public var layout: DocumentLayout? {
        switch self {
        case .orders, .shipmentConfirmations: return nil
        case .items: return .items
        case .cancellations: return .cancellations
        case .purchaseOrders: return .purchaseOrders
        case .returns: return .returnAuthorisations
        case .stockSnapshots: return .stockSnapshots
        case .cancellationResults: return .cancellationResults
        case .receiptConfirmations: return .receiptConfirmations
        case .returnReceipts: return .returnReceipts
        case .inventorySnapshots: return .inventorySnapshots
        }
    }

    /// True for what the WMS sends (confirmations, receipts, snapshots).
    public var fromWMS: Bool {
        switch self {
        case .shipmentConfirmations, .cancellationResults, .receiptConfirmations, .returnReceipts, .inventorySnapshots: return true
        default: return false
        }
    }
}

/// What a channel does with a SKU the item master does not know.
public enum UnknownSKUPolicy: String, Sendable, CaseIterable {
    /// No check (the default: a shop without an item-master feed).
    case off
    /// A warning finding; the document proceeds.
    case warn
    /// The document is rejected.
    case reject
}

/// Settings of the returns flow.
public struct ReturnSettings: Sendable {
    /// What a damaged returned unit earns.
    public var damagedRefund: DamagedRefundPolicy = .full
    /// Whether order unit prices include tax (else the line's tax rate is added for the refund). The
    /// canonical order layout carries net prices (`cod_amount` is the total with tax), hence false.
    public var pricesIncludeTax = false
    /// Approved RMAs not received after this many days are listed as overdue.
    public var overdueDays = 14
    /// Warehouse expecting returns; nil: the one that shipped the order.
    public var warehouse: String?
    /// Carrier service of the replacement orders of exchanges.
    public var replacementCarrier = "STANDARD"
    public init() {}
}

/// Formats of ERP feedback files.
public enum FeedbackFormat: String, Sendable, CaseIterable {
    case xml, csv
}

/// The document formats a channel can read.
public enum InputFormat: String, Sendable, CaseIterable {
    case csv, xml
}

/// When a file in a drop folder counts as complete.
public struct PickupRule: Sendable, Equatable {
    /// A file must be unmodified for at least this long (size and mtime stable).
    public var minAgeSeconds: Int
    /// When set (e.g. `.done`), a file is only taken once `NAME<suffix>` exists beside it.
    public var doneMarkerSuffix: String?

    public init(minAgeSeconds: Int = 5, doneMarkerSuffix: String? = nil) {
        self.minAgeSeconds = minAgeSeconds
        self.doneMarkerSuffix = doneMarkerSuffix
    }
}

/// One named inbound channel: a drop folder with its format and rules.
public struct Channel: Sendable {
    public var name: String
    public var document: DocumentType
    /// Drop folder, relative to the workspace unless absolute.
    public var inbox: String
    public var format: InputFormat
    public var encoding: TextEncoding
    public var delimiter: UInt8
    public var pickup: PickupRule
    public var errorPolicy: ErrorPolicy
    /// CSV quote character.
    public var quote: UInt8 = UInt8(ascii: "\"")
    /// 1-based record holding the CSV header; 0: no header (a mapping reads columns by position).
    public var headerRow: Int = 1
    /// How to read a non-canonical export; nil: the canonical layout.
    public var mapping: Mapping?
    /// Orders, purchase orders and RMAs: what a SKU unknown to the item master does.
    public var unknownSKU: UnknownSKUPolicy = .off
}

/// The whole `erpwms.yaml`, validated.
public struct Configuration: Sendable {
    public var channels: [Channel]
    /// Folder the WMS reads instructions from, relative to the workspace unless absolute.
    public var wmsOutbox: String
    /// Folders of the file lifecycle, relative to the workspace unless absolute.
    public var workDir: String
    public var archiveDir: String
    public var failedDir: String
    public var reportsDir: String
    public var stateDir: String
    /// Shipment-order file format for the WMS: XML (`schemas/wms-shipment-order.xsd`) or CSV in `wmsCSVColumns`.
    public var wmsFormat: InputFormat = .xml
    /// CSV layout of shipment orders: (column header, field), in order.
    public var wmsCSVColumns: [(header: String, field: WMSCSVField)] = []
    /// Folder the ERP reads feedback from.
    public var erpOutbox: String
    public var feedbackFormat: FeedbackFormat
    /// Service-level bucket limits in hours for the age of unconfirmed instructions (ascending).
    public var serviceLevelHours: [Int]
    /// Report formats written at the end of each `run`; empty: none.
    public var reportAfterRun: [String]
    /// When set, archived inputs are stored encrypted (AES-256-GCM, `NAME.enc`); read them with `erpwms archive cat`.
    public var archiveKeyBytes: [UInt8]?
    /// When set, rejects files and reports carry a keyed pseudonym of each order's customer.
    public var pseudonymizer: Pseudonymizer?
    /// `archiveKeyBytes` as a key.
    public var archiveKey: SymmetricKey? { archiveKeyBytes.map { SymmetricKey(data: $0) } }
    /// Default age past which `erpwms purge` removes archived inputs, reports and closed ledger rows.
    public var retentionDays: Int
    /// Prometheus textfile-collector file written after every run (relative to the workspace); nil: none.
    public var metricsFile: String?
    /// Send the customer's e-mail address to the WMS (off: the WMS gets only what it needs to ship).
    public var includeEmail: Bool
    /// Send the phone number to the WMS (carriers usually need it).
    public var includePhone: Bool
    public var router: WarehouseRouter
    public var rules: OrderRuleSettings
    public var limits: InputLimits
    /// Validate every published instruction file against its XSD before publishing (on by default).
    public var validateOutput: Bool

    public var returns = ReturnSettings()
    /// Purchase orders still not fully received this many days after their expected date are overdue.
    public var purchaseOverdueDays = 0

    public static let fileName = "erpwms.yaml"

    /// What the report's flow sections take from the configuration.
    public var flowReportSettings: FlowReportSettings {
        var s = FlowReportSettings()
        s.returnOverdueDays = returns.overdueDays
        s.purchaseOverdueDays = purchaseOverdueDays
        s.skuAliases = rules.skuAliases
        return s
    }
}
