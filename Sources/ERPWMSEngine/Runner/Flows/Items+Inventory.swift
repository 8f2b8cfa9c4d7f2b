import ERPWMSCore
import ERPWMSFormats

extension BatchRunner {
    /// Item master -> WMS item instructions, only for new or changed items.
    func item(_ raw: RawDocument, _ ctx: inout FlowContext) throws {
        let (item, findings) = Item.validate(raw, file: ctx.file)
        guard let item else { return try rejectDocument(findings, id: Clean.code(raw["sku"]), &ctx) }
        try warn(findings, &ctx)
        let known = try ctx.flows.item(item.sku)
        if let known, known.contentHash == item.contentHash {
            ctx.counts.documentsDuplicate += 1
            plan?(PlanEntry(id: item.sku, action: .unchanged, detail: "version \(known.version) is what the WMS has"))
            return
        }
        let version = (known?.version ?? 0) + 1
        var values = item.values
        values["action"] = known == nil ? "new" : "change"
        values["version"] = String(version)
        let w = try ctx.outputs.wms(.itemMaster, prefix: "item-master", warehouse: nil)
        try w.write(values)
        ctx.outputs.count(w)
        try ctx.flows.saveItem(item, version: version, fileId: ctx.fileId, at: ctx.now)
        plan?(PlanEntry(id: item.sku, action: known == nil ? .new : .replace, detail: "item version \(version)"))
        ctx.counts.documentsAccepted += 1
    }

    /// WMS inventory snapshots and ERP stock snapshots: recorded for the inventory reconciliation. A snapshot
    /// comes in chunks of lines (`DocumentLayout.chunkLines`); it is identified by side, warehouse and time, and
    /// a bad line in any chunk rejects all of it (what earlier chunks recorded is removed again).
    func snapshot(_ raw: RawDocument, _ ctx: inout FlowContext) throws {
        let side: StockSnapshot.Side = ctx.channel.document == .inventorySnapshots ? .wms : .erp
        let id = "\(Clean.code(raw["warehouse"]))@\(Clean.code(raw["as_of"]))"
        if raw.continued {
            guard let state = ctx.snapshot, !state.done else { return }
            let (chunk, findings) = StockSnapshot.validate(raw, side: side, file: ctx.file)
            var errors = findings.filter { $0.severity == .error }
            if let chunk {
                errors += try ctx.flows.addSnapshotLines(chunk.lines, to: state.id).map { sku in
                    Finding(rule: "\(DocumentLayout.name(of: side)).sku.unique", message: "\(sku) appears twice in one snapshot",
                            file: ctx.file, location: raw.location, orderId: id, field: "sku")
                }
            }
            if !errors.isEmpty {
                try ctx.flows.deleteSnapshot(state.id)
                ctx.counts.documentsAccepted -= 1
                ctx.snapshot?.done = true
                try rejectDocument(errors, id: id, &ctx)
            }
            return
        }
        ctx.snapshot = nil
        let (snapshot, findings) = StockSnapshot.validate(raw, side: side, file: ctx.file)
        guard let snapshot else { return try rejectDocument(findings, id: id, &ctx) }
        if try ctx.flows.snapshotId(side: side, warehouse: snapshot.warehouse, asOf: snapshot.asOf) != nil {
            ctx.counts.documentsDuplicate += 1
            ctx.snapshot = (id: 0, done: true)
            try warning("\(DocumentLayout.name(of: side)).duplicate", "\(side == .wms ? "a WMS inventory" : "an ERP stock") snapshot of \(snapshot.warehouse) as of that moment (\(snapshot.asOf)) was recorded before; the first counts",
                        id: id, &ctx)
            return
        }
        let (snapshotId, repeated) = try ctx.flows.saveSnapshot(snapshot, fileId: ctx.fileId, at: ctx.now)
        ctx.counts.documentsAccepted += 1
        ctx.snapshot = (id: snapshotId, done: false)
        plan?(PlanEntry(id: id, action: .new, detail: "\(side.rawValue) snapshot"))
        if !repeated.isEmpty {
            try ctx.flows.deleteSnapshot(snapshotId)
            ctx.counts.documentsAccepted -= 1
            ctx.snapshot?.done = true
            try rejectDocument(repeated.map { Finding(rule: "\(DocumentLayout.name(of: side)).sku.unique", message: "\($0) appears twice in one snapshot",
                                                      file: ctx.file, location: raw.location, orderId: id, field: "sku") }, id: id, &ctx)
        }
    }
}

extension DocumentLayout {
    /// The document name of a snapshot side, for rule ids.
    static func name(of side: StockSnapshot.Side) -> String {
        side == .wms ? DocumentLayout.inventorySnapshots.name : DocumentLayout.stockSnapshots.name
    }
}
