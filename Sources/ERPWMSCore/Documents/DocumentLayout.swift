/// The canonical layout of one business document besides sales orders and shipment confirmations: its
/// fields, in order, for CSV (column names) and XML (element names) alike.
///
/// Every such document has the same shape, so one CSV reader, one XML reader and one XML writer serve all:
/// - CSV: a header row; one row per line, the document's own fields repeated on each row; contiguous rows
///   with the same `key` values form one document. A document without lines (an item, a cancellation) is
///   one row.
/// - XML: `<root>` holding `<record>` elements; each field is a child element named like the CSV column
///   (empty or absent = no value); lines are `<lines><line>...</line></lines>` with the line fields as
///   children. The XSDs under `schemas/` describe each layout; values are strings there and are checked
///   by erpwms's rules, so CSV and XML get the same rule ids.
public struct DocumentLayout: Sendable {
    /// Field name (`po_number`) and whether the rules require it.
    public struct Field: Sendable {
        public var name: String
        public var required: Bool
        public init(_ name: String, required: Bool = false) {
            self.name = name
            self.required = required
        }
    }

    /// Name used in messages and rule ids (`purchase-order`).
    public var name: String
    public var root: String
    public var record: String
    /// XSD file (under `schemas/`) declaring `record` globally.
    public var schema: String
    public var fields: [Field]
    public var lineFields: [Field]
    /// CSV fields whose values, together, identify the document across its rows.
    public var key: [String]
    /// Fields that are personal data: never quoted in messages.
    public var personal: Set<String> = []
    /// For documents that may hold millions of lines (stock snapshots): readers hand them out in chunks of at
    /// most this many lines (`RawDocument.continued`), so memory does not grow with the document.
    public var chunkLines: Int? = nil

    public var hasLines: Bool { !lineFields.isEmpty }

    static func f(_ names: String, required: Bool) -> [Field] {
        names.split(separator: " ").map { Field(String($0), required: required) }
    }
}

extension DocumentLayout {
    // MARK: ERP -> erpwms

    public static let items = DocumentLayout(
        name: "item", root: "items", record: "item", schema: "erp-documents.xsd",
        fields: f("sku description", required: true) + f("gtin", required: false) + f("uom", required: true)
            + f("weight_kg length_cm width_cm height_cm hs_code origin_country lot_tracked serial_tracked", required: false),
        lineFields: [], key: ["sku"])

    public static let purchaseOrders = DocumentLayout(
        name: "purchase-order", root: "purchase_orders", record: "purchase_order", schema: "erp-documents.xsd",
        fields: f("po_number supplier expected_date warehouse", required: true),
        lineFields: f("line_no sku quantity uom", required: true), key: ["po_number"])

    public static let returnAuthorisations = DocumentLayout(
        name: "rma", root: "return_authorisations", record: "return_authorisation", schema: "erp-documents.xsd",
        fields: f("rma_id order_id type reason approved_at", required: true)
            + f("refund_method ship_name ship_company ship_address1 ship_address2 ship_address3 ship_city ship_region ship_postcode ship_country ship_phone ship_email", required: false),
        lineFields: f("line_no", required: true) + f("order_line_no", required: false) + f("sku quantity", required: true)
            + f("replacement_sku replacement_quantity", required: false),
        key: ["rma_id"],
        personal: ["ship_name", "ship_company", "ship_address1", "ship_address2", "ship_address3", "ship_city",
                   "ship_region", "ship_postcode", "ship_phone", "ship_email"])

    public static let cancellations = DocumentLayout(
        name: "cancellation", root: "cancellations", record: "cancellation", schema: "erp-documents.xsd",
        fields: f("order_id reason requested_at", required: true), lineFields: [], key: ["order_id"])

    public static let stockSnapshots = DocumentLayout(
        name: "stock-snapshot", root: "stock_snapshots", record: "stock_snapshot", schema: "erp-documents.xsd",
        fields: f("warehouse as_of", required: true),
        lineFields: f("sku quantity", required: true) + f("unit_cost currency", required: false),
        key: ["warehouse", "as_of"], chunkLines: 1000)

    // MARK: WMS -> erpwms

    public static let receiptConfirmations = DocumentLayout(
        name: "receipt", root: "receipt_confirmations", record: "receipt_confirmation", schema: "wms-documents.xsd",
        fields: f("receipt_id po_number receipt_date warehouse", required: true),
        lineFields: f("line_no sku quantity_received", required: true) + f("quantity_damaged lot", required: false),
        key: ["receipt_id"])

    public static let returnReceipts = DocumentLayout(
        name: "return-receipt", root: "return_receipts", record: "return_receipt", schema: "wms-documents.xsd",
        fields: f("receipt_id rma_id received_at warehouse", required: true),
        lineFields: f("line_no sku quantity inspection", required: true) + f("disposition", required: false),
        key: ["receipt_id"])

    public static let cancellationResults = DocumentLayout(
        name: "cancellation-result", root: "cancellation_results", record: "cancellation_result", schema: "wms-documents.xsd",
        fields: f("order_id result answered_at", required: true) + f("warehouse", required: false),
        lineFields: [], key: ["order_id"])

    public static let inventorySnapshots = DocumentLayout(
        name: "inventory-snapshot", root: "inventory_snapshots", record: "inventory_snapshot", schema: "wms-documents.xsd",
        fields: f("warehouse as_of", required: true),
        lineFields: f("sku on_hand available allocated damaged", required: true), key: ["warehouse", "as_of"], chunkLines: 1000)

    // MARK: erpwms -> WMS

    public static let itemMaster = DocumentLayout(
        name: "item-master", root: "item_master", record: "item", schema: "wms-instructions.xsd",
        fields: f("action version", required: true) + items.fields, lineFields: [], key: ["sku"])

    public static let expectedReceipts = DocumentLayout(
        name: "expected-receipt", root: "expected_receipts", record: "expected_receipt", schema: "wms-instructions.xsd",
        fields: f("po_number version action supplier expected_date", required: true),
        lineFields: f("line_no sku quantity uom", required: true), key: ["po_number"])

    public static let expectedReturns = DocumentLayout(
        name: "expected-return", root: "expected_returns", record: "expected_return", schema: "wms-instructions.xsd",
        fields: f("rma_id order_id type reason", required: true),
        lineFields: f("line_no sku quantity", required: true), key: ["rma_id"])

    public static let orderCancellations = DocumentLayout(
        name: "order-cancellation", root: "order_cancellations", record: "order_cancellation", schema: "wms-instructions.xsd",
        fields: f("order_id version reason", required: true), lineFields: [], key: ["order_id"])

    // MARK: erpwms -> ERP

    public static let goodsReceipts = DocumentLayout(
        name: "goods-receipt", root: "goods_receipts", record: "goods_receipt", schema: "erp-feedback.xsd",
        fields: f("receipt_id po_number receipt_date warehouse po_status", required: true),
        lineFields: f("line_no sku expected received damaged received_total damaged_total line_status", required: true)
            + f("lot", required: false),
        key: ["receipt_id"])

    public static let refunds = DocumentLayout(
        name: "refund", root: "refunds", record: "refund", schema: "erp-feedback.xsd",
        fields: f("rma_id order_id receipt_id currency refund_method amount", required: true),
        lineFields: f("line_no order_line_no sku quantity_accepted quantity_damaged quantity_missing unit_price line_amount", required: true),
        key: ["receipt_id"])

    public static let replacementOrders = DocumentLayout(
        name: "replacement-order", root: "replacement_orders", record: "replacement_order", schema: "erp-feedback.xsd",
        fields: f("replacement_order_id rma_id order_id warehouse", required: true),
        lineFields: f("line_no sku quantity", required: true), key: ["replacement_order_id"])

    public static let cancellationStatuses = DocumentLayout(
        name: "cancellation-status", root: "cancellation_statuses", record: "cancellation_status", schema: "erp-feedback.xsd",
        fields: f("order_id status at", required: true) + f("detail", required: false), lineFields: [], key: ["order_id"])

    /// Every layout, for the schema tests.
    public static let all: [DocumentLayout] = [
        items, purchaseOrders, returnAuthorisations, cancellations, stockSnapshots,
        receiptConfirmations, returnReceipts, cancellationResults, inventorySnapshots,
        itemMaster, expectedReceipts, expectedReturns, orderCancellations,
        goodsReceipts, refunds, replacementOrders, cancellationStatuses,
    ]
}

/// One document as read, before validation: field values by name (empty when absent) and its lines.
public struct RawDocument: Sendable {
    public struct Line: Sendable {
        public var location: SourceLocation
        public var values: [String: String]
        public init(location: SourceLocation, values: [String: String]) {
            self.location = location
            self.values = values
        }
        public subscript(_ name: String) -> String { values[name] ?? "" }
    }

    public var location: SourceLocation
    public var values: [String: String]
    public var lines: [Line]
    /// Structural problems the codec found inside this document (wrong column count, schema error).
    public var codecFindings: [Finding]
    /// True for the second and later chunks of a document read in chunks (`DocumentLayout.chunkLines`): the
    /// same document, more lines.
    public var continued = false

    public init(location: SourceLocation, values: [String: String], lines: [Line] = [], codecFindings: [Finding] = []) {
        self.location = location
        self.values = values
        self.lines = lines
        self.codecFindings = codecFindings
    }

    public subscript(_ name: String) -> String { values[name] ?? "" }
}

extension DocumentLayout {
    /// Validates one document of an inbound layout on its own (no ledger): whether it would be accepted, and
    /// its findings. Outbound layouts (written by erpwms) have no rules: not accepted, no findings.
    public func check(_ raw: RawDocument, file: String) -> (ok: Bool, findings: [Finding]) {
        func result<T>(_ r: (T?, [Finding])) -> (ok: Bool, findings: [Finding]) { (r.0 != nil, r.1) }
        switch name {
        case Self.items.name: return result(Item.validate(raw, file: file))
        case Self.cancellations.name: return result(Cancellation.validate(raw, file: file))
        case Self.purchaseOrders.name: return result(PurchaseOrder.validate(raw, file: file))
        case Self.returnAuthorisations.name: return result(ReturnAuthorisation.validate(raw, file: file))
        case Self.stockSnapshots.name: return result(StockSnapshot.validate(raw, side: .erp, file: file))
        case Self.cancellationResults.name: return result(CancellationResult.validate(raw, file: file))
        case Self.receiptConfirmations.name: return result(ReceiptConfirmation.validate(raw, file: file))
        case Self.returnReceipts.name: return result(ReturnReceipt.validate(raw, file: file))
        case Self.inventorySnapshots.name: return result(StockSnapshot.validate(raw, side: .wms, file: file))
        default: return (false, [])
        }
    }
}
