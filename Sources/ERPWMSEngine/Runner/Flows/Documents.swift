import ERPWMSCore
import ERPWMSFormats

extension Decoding {
    static func documentReader(path: String, name: String, channel: Channel, layout: DocumentLayout,
                               limits: InputLimits) throws -> DocumentReader {
        var s = try source(path: path, limits: limits)
        switch channel.format {
        case .csv:
            if channel.encoding != .utf8 { s = try TranscodingByteSource(s, from: channel.encoding) }
            return try CSVDocumentReader(source: s, file: name, layout: layout,
                                         dialect: .init(delimiter: channel.delimiter, quote: channel.quote), limits: limits)
        case .xml:
            return try XMLDocumentReader(source: s, file: name, layout: layout, encoding: channel.encoding, limits: limits)
        }
    }
}

/// The outputs of one input file of the generic flows: one staged document file per key (warehouse, kind).
final class DocumentOutputs {
    private unowned let runner: BatchRunner
    private unowned let staging: Staging
    /// A writer is asked for at every document: found by these few small texts, and its staging key, name, path
    /// and attributes made only for a new one (made every time, they had cost a thirteenth of an item-master run).
    private struct Key: Hashable {
        var wms: Bool
        var prefix: String
        /// "" for the whole WMS (as the staging key has it).
        var warehouse: String
    }
    private var writers: [Key: (writer: DocumentWriter, stagingKey: String)] = [:]

    init(runner: BatchRunner, staging: Staging) {
        self.runner = runner
        self.staging = staging
    }

    /// A WMS instruction file `<prefix>_<warehouse>_<source>.xml` (or the whole-WMS `<prefix>_<source>.xml`).
    func wms(_ layout: DocumentLayout, prefix: String, warehouse: String?) throws -> DocumentWriter {
        let csv = runner.config.wmsFormat == .csv
        return try writer(Key(wms: true, prefix: prefix, warehouse: warehouse ?? ""), layout: layout, csv: csv) { source in
            let name = [prefix, warehouse, source].compactMap { $0 }.joined(separator: "_") + (csv ? ".csv" : ".xml")
            return (key: "wms/\(prefix)/\(warehouse ?? "")", path: self.runner.workspace.path(self.runner.config.wmsOutbox) + "/" + name,
                    attributes: [("warehouse", warehouse ?? ""), ("source", source)])
        }
    }

    /// An ERP feedback file `<prefix>_<source>.xml|csv`.
    func erp(_ layout: DocumentLayout, prefix: String) throws -> DocumentWriter {
        let csv = runner.config.feedbackFormat == .csv
        return try writer(Key(wms: false, prefix: prefix, warehouse: ""), layout: layout, csv: csv) { source in
            (key: "erp/\(prefix)", path: self.runner.workspace.path(self.runner.config.erpOutbox) + "/\(prefix)_\(source).\(csv ? "csv" : "xml")",
             attributes: [("source", source)])
        }
    }

    func count(_ w: DocumentWriter) {
        if let key = writers.values.first(where: { $0.writer === w })?.stagingKey { staging.count(key) }
    }

    /// The writer for `id`, staged on first use where `place` says (given the input's source).
    private func writer(_ id: Key, layout: DocumentLayout, csv: Bool,
                        _ place: (_ source: String) -> (key: String, path: String, attributes: [(String, String)])) throws -> DocumentWriter {
        if let w = writers[id] { return w.writer }
        let p = place(try staging.source())
        let sink = try staging.open(key: p.key, kind: "\(id.wms ? "wms" : "erp")-\(layout.name)", finalPath: p.path,
                                    schema: runner.config.validateOutput && !csv ? layout.schema : nil)
        let w = try DocumentWriter(sink: sink.file, layout: layout, format: csv ? .csv : .xml, rootAttributes: p.attributes)
        sink.finish = { try w.finish() }
        writers[id] = (w, p.key)
        return w
    }
}

extension BatchRunner {
    /// Processes a file of one of the generic document types.
    func processDocuments(fileId: Int64, workPath: String, name: String, channel: Channel, tx: LedgerTransaction,
                          staging: Staging) throws -> FileCounts {
        guard let layout = channel.document.layout else { return FileCounts() }
        let reader = try Decoding.documentReader(path: workPath, name: name, channel: channel, layout: layout, limits: config.limits)
        let flows = try tx.flows()
        let outputs = staging.documents
        var ctx = FlowContext(fileId: fileId, file: name, channel: channel, tx: tx, flows: flows, staging: staging,
                              outputs: outputs, now: timestamp())
        while let raw = try reader.next() {
            ctx.counts.records += max(1, raw.lines.count)
            ctx.raw = raw
            switch channel.document {
            case .items: try item(raw, &ctx)
            case .cancellations: try cancellation(raw, &ctx)
            case .cancellationResults: try cancellationResult(raw, &ctx)
            case .purchaseOrders: try purchaseOrder(raw, &ctx)
            case .receiptConfirmations: try receipt(raw, &ctx)
            case .returns: try returnAuthorisation(raw, &ctx)
            case .returnReceipts: try returnReceipt(raw, &ctx)
            case .stockSnapshots, .inventorySnapshots: try snapshot(raw, &ctx)
            case .orders, .shipmentConfirmations: break
            }
            Failpoint.hit("mid-documents")
        }
        return ctx.counts
    }

    /// Rejects a document: findings to the ledger and the rejects file.
    func rejectDocument(_ findings: [Finding], id: String, _ ctx: inout FlowContext) throws {
        ctx.counts.documentsRejected += 1
        try ctx.staging.reject(findings, orderId: id, tx: ctx.tx, fileId: ctx.fileId)
    }

    /// Records warnings (the document proceeds).
    func warn(_ findings: [Finding], _ ctx: inout FlowContext) throws {
        guard !findings.isEmpty else { return }
        try ctx.tx.recordFindings(findings, fileId: ctx.fileId)
        for f in findings { pendingFindings[f.rule, default: 0] += 1 }
    }

    func warning(_ rule: String, _ message: String, id: String, field: String? = nil, _ ctx: inout FlowContext) throws {
        try warn([Finding(rule: rule, severity: .warning, message: message, file: ctx.file, location: ctx.raw.location,
                          orderId: id, field: field)], &ctx)
    }

    /// Checks SKUs against the item master as the channel's `unknown_sku` says: findings to add (errors when
    /// the policy is reject).
    func unknownSKUs(_ skus: [(sku: String, location: SourceLocation)], rule: String, id: String, _ ctx: inout FlowContext) throws -> [Finding] {
        guard ctx.channel.unknownSKU != .off else { return [] }
        var findings: [Finding] = []
        for (sku, location) in skus where !sku.isEmpty {
            if try ctx.flows.knowsSKU(sku) || ctx.flows.knowsSKU(config.rules.skuAliases[sku] ?? sku) { continue }
            findings.append(Finding(rule: rule, severity: ctx.channel.unknownSKU == .reject ? .error : .warning,
                                    message: "\(sku) is not in the item master", file: ctx.file, location: location,
                                    orderId: id, field: "sku"))
        }
        return findings
    }
}

/// State shared by the flows while one file is processed.
struct FlowContext {
    var fileId: Int64
    var file: String
    var channel: Channel
    var tx: LedgerTransaction
    var flows: FlowLedger
    var staging: Staging
    var outputs: DocumentOutputs
    var now: String
    var counts = FileCounts()
    var raw = RawDocument(location: SourceLocation(), values: [:])
    /// The snapshot whose chunks are being read (`done`: rejected or a duplicate; skip its other chunks).
    var snapshot: (id: Int64, done: Bool)?
}
