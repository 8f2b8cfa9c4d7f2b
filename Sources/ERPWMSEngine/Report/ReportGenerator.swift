import ERPWMSCore
import ERPWMSFormats
import Foundation

/// What to report on and where.
public struct ReportOptions: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case html, csv, json
    }
    /// The "as of" instant: only what the ledger knew by then counts, and ages are measured to it.
    public var asOf: Int64
    /// Orders whose order date is at or after `since` and before `until` (epoch seconds), when set.
    public var since: Int64?
    public var until: Int64?
    public var formats: [Format]
    /// Output folder (absolute).
    public var outDir: String
    public var serviceLevelHours: [Int]
    /// Most exception orders listed in the HTML (all are in CSV and JSON).
    public var htmlExceptionLimit: Int
    /// Settings of the purchase-order, returns and inventory sections.
    public var flows = FlowReportSettings()

    public init(asOf: Int64, since: Int64? = nil, until: Int64? = nil, formats: [Format], outDir: String,
                serviceLevelHours: [Int] = [24, 48], htmlExceptionLimit: Int = 2000) {
        self.asOf = asOf
        self.since = since
        self.until = until
        self.formats = formats
        self.outDir = outDir
        self.serviceLevelHours = serviceLevelHours
        self.htmlExceptionLimit = htmlExceptionLimit
    }
}

/// What a report run produced.
public struct ReportResult: Sendable {
    public var files: [String]
    public var totals: ReconciliationTotals
    /// Purchase orders, returns, cancellations, inventory, items.
    public var sections: [ReportSection] = []
}

/// Builds the reconciliation report from the ledger in one pass: orders stream by, each is reconciled,
/// added to the totals and written to the CSV and JSON details as it comes; the HTML keeps only the
/// exceptions it lists. Memory does not grow with the number of orders (beyond the HTML's limit).
public struct ReportGenerator {
    let ledger: Ledger
    let options: ReportOptions

    public init(ledger: Ledger, options: ReportOptions) {
        self.ledger = ledger
        self.options = options
    }

    /// `reconciliation_20250302T120000Z`
    var baseName: String {
        "reconciliation_" + ISODate.utcString(options.asOf).replacingOccurrences(of: "-", with: "")
            .replacingOccurrences(of: ":", with: "")
    }

    public func generate() throws -> ReportResult {
        try FS.makeDirectories(options.outDir)
        let asOfText = ISODate.utcString(options.asOf)
        let buckets = AgeBuckets(limitsInHours: options.serviceLevelHours)
        var totals = ReconciliationTotals(bucketLabels: buckets.labels)
        var exceptions: [ReconOrder] = []
        var exceptionCount = 0
        let formats = Set(options.formats)
        let base = options.outDir + "/" + baseName

        let meta = ReportMeta(asOf: asOfText, since: options.since.map(ISODate.utcString),
                              until: options.until.map(ISODate.utcString), serviceLevelHours: options.serviceLevelHours,
                              bucketLabels: buckets.labels)
        // Every output file made here, so that a failure anywhere removes those not committed (their temporary files
        // are not left beside the reports; the committed ones stay).
        var made: [AtomicFile] = []
        func output(_ suffix: String, large: Bool = false) throws -> AtomicFile {
            // The details (a line per order line, an object per order: 300 and 550 MB for a million orders) have the
            // kernel write them as they go, so that their syncs at the commit wait for little (0.33 and 0.31 s
            // before, at the end of the report, after the walk).
            let file = try AtomicFile(path: base + suffix, writebackEvery: large ? 1 << 20 : nil)
            made.append(file)
            return file
        }
        // The details are formatted and written on the second core while this one reads and reconciles.
        // Only the worker touches the writers until `finish()` returns.
        final class Writers: @unchecked Sendable {
            let csv: CSVWriter?
            let json: AtomicFile?
            var first = true
            init(csv: CSVWriter?, json: AtomicFile?) {
                self.csv = csv
                self.json = json
            }
        }
        var details: BackgroundBatches<ReconOrder>?
        var files: [String] = []
        var sections: [ReportSection] = []
        do {
            let csv = formats.contains(.csv) ? try output(".csv", large: true) : nil
            let csvWriter = csv.map { CSVWriter(sink: $0.sink) }
            try csvWriter?.writeRow(ReportCSV.detailHeader)
            // The JSON's orders are written as they come, between its opening and its figures.
            let json = formats.contains(.json) ? try output(".json", large: true) : nil
            if let json { try ReportJSON.writeOpening(meta: meta, to: json.sink) }
            let writers = Writers(csv: csvWriter, json: json)
            if csvWriter != nil || json != nil {
                details = BackgroundBatches { batch in
                    for order in batch {
                        if let w = writers.csv { try ReportCSV.writeDetails(order, to: w) }
                        if let j = writers.json {
                            try ReportJSON.writeOrder(order, first: writers.first, to: j.sink)
                            writers.first = false
                        }
                    }
                }
            }
            var batch: [ReconOrder] = []
            batch.reserveCapacity(512)
            let unknown = try ledger.forEachReconRecord(asOf: asOfText) { record in
                if let since = options.since, let t = ISODate.epochSeconds(record.orderDate), t < since { return }
                if let until = options.until, let t = ISODate.epochSeconds(record.orderDate), t >= until { return }
                let order = reconcile(record, buckets: buckets)
                totals.add(order)
                if order.status != .complete {
                    exceptionCount += 1
                    if exceptions.count < options.htmlExceptionLimit { exceptions.append(order) }
                }
                if let details {
                    batch.append(order)
                    if batch.count == 512 {
                        try details.push(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            }
            if let details {
                if !batch.isEmpty { try details.push(batch) }
                try details.finish()
            }
            let hasJSONOrders = !writers.first
            for u in unknown { totals.add(u) }
            sections = try ledger.flowSections(asOf: asOfText, settings: options.flows)

            if let csv, let w = csvWriter {
                for u in unknown { try ReportCSV.writeUnknown(u, to: w) }
                try w.finish()
                try csv.commit()
                files.append(csv.path)
                let totalsFile = try output("_totals.csv")
                try ReportCSV.writeTotals(totals, to: totalsFile.sink)
                try totalsFile.commit()
                files.append(totalsFile.path)
                for section in sections where section.hasData {
                    let file = try output("_" + section.id + ".csv")
                    try ReportCSV.writeSection(section, to: file.sink)
                    try file.commit()
                    files.append(file.path)
                }
            }
            if let json {
                try ReportJSON.writeClosing(totals: totals, unknown: unknown, sections: sections, hasOrders: hasJSONOrders,
                                            to: json.sink)
                try json.commit()
                files.append(json.path)
            }
            if formats.contains(.html) {
                let out = try output(".html")
                var html = ReportHTML.render(meta: meta, totals: totals, exceptions: exceptions, exceptionCount: exceptionCount,
                                             unknown: unknown, sections: sections, rowLimit: options.htmlExceptionLimit)
                // Its bytes where they are, not copied into an array first.
                try html.withUTF8 { try out.sink.write(UnsafeRawBufferPointer($0)) }
                try out.commit()
                files.append(out.path)
            }
        } catch {
            // Whatever went wrong, the worker is done before the outputs are abandoned.
            try? details?.finish()
            for file in made { file.discard() }
            throw error
        }
        return ReportResult(files: files, totals: totals, sections: sections)
    }

    /// One ledger record -> one reconciled order.
    func reconcile(_ r: ReconRecord, buckets: AgeBuckets) -> ReconOrder {
        // A cancelled order's remainder is closed, with the reason `cancelled`.
        let cancelled = r.status == "cancelled"
        let lines = r.lines.map {
            ReconLine(lineNo: $0.lineNo, sku: $0.sku, ordered: $0.quantity, instructed: $0.quantity, shipped: $0.shipped,
                      closedReason: $0.closedReason ?? (cancelled ? .cancelled : nil), unitPriceMinor: $0.unitPriceMinor)
        }
        var ageHours: Int?
        var bucket: String?
        if r.shipments == 0, let t = ISODate.epochSeconds(r.firstInstructedAt) {
            let age = max(0, options.asOf - t)
            ageHours = Int(age / 3600)
            bucket = buckets.label(ageSeconds: age)
        }
        var order = ReconOrder(orderId: r.orderId, version: r.version, warehouse: r.warehouse, currency: r.currency,
                               scale: ISO4217.minorUnits[r.currency] ?? 2, orderDate: r.orderDate,
                               day: String(r.orderDate.prefix(10)), firstInstructedAt: r.firstInstructedAt,
                               shipments: r.shipments, lines: lines, ageHours: ageHours, ageBucket: bucket)
        order.customer = r.customer
        order.cancelledButShipped = r.status == "cancelled_but_shipped"
        return order
    }
}

/// The report's own parameters, as every format states them.
struct ReportMeta: Codable {
    var asOf: String
    var since: String?
    var until: String?
    var serviceLevelHours: [Int]
    var bucketLabels: [String]
}

