extension Workspace {
    /// The commented configuration `erpwms init` writes. Every key is documented in README.md.
    public static let defaultConfig = """
    # erpwms configuration: one file per integration workspace.
    # Paths are relative to this file's folder unless absolute. Every key is optional
    # unless marked "required"; README.md ("Configuration") lists them all.
    version: 1

    # Inbound channels (required, at least one): each is a drop folder with a format.
    channels:
      erp-orders:
        document: orders          # what the files carry (orders)
        inbox: inbox/erp-orders   # drop folder
        format: csv               # csv | xml (a .gz file is decompressed either way)
        encoding: utf-8           # utf-8 (BOM or not) | utf-16 | utf-16le | utf-16be | windows-1252 | gb18030 | iso-8859-1
        delimiter: ","            # CSV only: "," | ";" | "|" | tab
        pickup:
          min_age_seconds: 5      # a file must be unmodified this long before it is taken
          # done_marker: .done    # if set, take NAME only once NAME.done exists
        error_policy: reject-order   # reject-order: a bad order is rejected, the rest proceed
                                     # reject-file: any bad order fails the whole file
      erp-orders-xml:
        inbox: inbox/erp-orders-xml
        format: xml               # validated against schemas/erp-orders.xsd
      wms-confirmations:
        document: shipment-confirmations   # what the WMS shipped
        inbox: inbox/wms-confirmations
        format: xml               # xml (schemas/wms-shipment-confirmation.xsd) | csv
      # The other documents (README "Other documents"); uncomment what your ERP and WMS exchange.
      # erp-items:       { document: items, format: csv }             # item master -> WMS, new or changed items only
      # erp-cancellations: { document: cancellations, format: csv }   # withdraw or cancel orders
      # erp-purchase-orders: { document: purchase-orders, format: csv }   # -> expected receipts
      # erp-returns:     { document: returns, format: csv }           # RMAs (returns, exchanges) -> expected returns
      # erp-stock:       { document: stock-snapshots, format: csv }   # the ERP's stock, for the inventory report
      # wms-receipts:    { document: receipt-confirmations, format: xml }   # goods received against purchase orders
      # wms-returns:     { document: return-receipts, format: xml }   # inspected returns -> refunds, replacements
      # wms-cancellations: { document: cancellation-results, format: xml }  # cancelled, or too late
      # wms-inventory:   { document: inventory-snapshots, format: xml }     # the WMS's stock
      # (orders, purchase-orders and returns channels take `unknown_sku: off | warn | reject` once an item master is fed.)

    # What goes to the warehouse.
    wms:
      outbox: outbox/wms          # the WMS picks shipment orders up here
      include_email: false        # the WMS gets the customer's e-mail only if true
      include_phone: true         # carriers usually need a phone number

    # What goes back to the ERP after each shipment confirmation.
    erp:
      outbox: outbox/erp          # order-status files for the ERP
      feedback_format: xml        # xml (schemas/erp-order-status.xsd) | csv

    # Reconciliation report.
    report:
      service_level_hours: [24, 48]   # age buckets of unconfirmed orders: under 24 h, 24-48 h, over 48 h
      after_run: none             # html,csv,json: also write the report at the end of every run

    # Returns and exchanges.
    returns:
      damaged_refund: full        # what a damaged returned unit earns: full | none | a percentage such as 50%
      prices_include_tax: false   # order unit prices are net: refunds add the line's tax rate
      overdue_days: 14            # approved RMAs with nothing received after this many days are overdue
      replacement_carrier: STANDARD   # carrier service of exchange replacement orders
      # warehouse: WH-EU-DE1      # where returns go; default: the warehouse that shipped the order

    # Purchase orders not complete this many days after their expected date are overdue.
    purchasing:
      overdue_days: 0

    # How long archived inputs, reports and closed ledger rows are kept (erpwms purge).
    retention:
      days: 90

    # Prometheus textfile-collector metrics, rewritten after every run ("none" to switch off).
    metrics:
      file: state/erpwms.prom

    # Which warehouse ships an order that does not name one: by ship-to country, else the default.
    routing:
      default_warehouse: WH-EU-DE1
      by_country:
        GB: WH-GB-MK1
        US: WH-US-NJ1
        CA: WH-US-NJ1
        CN: WH-CN-SH1
        NL: WH-EU-NL1
        BE: WH-EU-NL1

    # ERP SKU -> WMS item code, where the two differ.
    sku_aliases: {}
    #  SKU-OLD-1: SKU-100001

    # Folders of the file lifecycle.
    folders:
      work: work          # files being processed (a crash leaves them here; the next run resumes)
      archive: archive    # processed inputs, by date: archive/YYYY/MM/DD/
      failed: failed      # inputs that could not be processed (NAME.error.json beside each) and rejects files
      reports: reports
      state: state        # ledger.sqlite and the run lock

    # Safety limits against broken or hostile files.
    limits:
      max_file_mb: 2048
      max_decompressed_mb: 4096
      max_compression_ratio: 200
      max_field_kb: 64
      max_record_kb: 1024

    validation:
      validate_output: true       # check every WMS file against its XSD before publishing it
    """
}
