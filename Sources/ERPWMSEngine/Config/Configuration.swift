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

    /// Channels are processed in this order within a run.
    var processingRank: Int { self == .orders ? 0 : 1 }
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

    public static let fileName = "erpwms.yaml"
}
