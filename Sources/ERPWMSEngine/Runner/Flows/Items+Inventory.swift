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

    /// WMS inventory snapshots and ERP stock snapshots: recorded for the inventory reconciliation.
    func snapshot(_ raw: RawDocument, _ ctx: inout FlowContext) throws {
        let side: StockSnapshot.Side = ctx.channel.document == .inventorySnapshots ? .wms : .erp
        let (snapshot, findings) = StockSnapshot.validate(raw, side: side, file: ctx.file)
        let id = "\(Clean.code(raw["warehouse"]))@\(Clean.code(raw["as_of"]))"
        guard let snapshot else { return try rejectDocument(findings, id: id, &ctx) }
        if try ctx.flows.snapshotExists(contentHash: snapshot.contentHash) {
            ctx.counts.documentsDuplicate += 1
            return
        }
        try ctx.flows.saveSnapshot(snapshot, fileId: ctx.fileId, at: ctx.now)
        plan?(PlanEntry(id: id, action: .new, detail: "\(side.rawValue) snapshot, \(snapshot.lines.count) SKU(s)"))
        ctx.counts.documentsAccepted += 1
    }
}
