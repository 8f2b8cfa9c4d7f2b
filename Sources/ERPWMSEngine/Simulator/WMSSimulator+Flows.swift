import ERPWMSCore
import ERPWMSFormats
import Foundation

/// The simulated warehouse's other answers: receipts against expected receipts, inspected return receipts,
/// answers to cancel instructions, and inventory snapshots from a stock it keeps across runs
/// (`simulator/stock.json`: opening stock, then every unit it receives, ships, gets back or loses).
extension WMSSimulator {
    /// One line for people on the answers besides shipments.
    public static func flowsLine(_ r: Result) -> String {
        "Also: \(r.cancelled) cancelled and \(r.tooLate) too late of \(r.cancelled + r.tooLate) cancel instruction(s); "
            + "\(r.receipts) receipt(s) for \(r.purchaseOrders) purchase order(s); \(r.returnReceipts) return receipt(s) for \(r.returns) expected return(s) "
            + "(\(r.returnsNotArrived) not arrived yet); \(r.snapshots) inventory snapshot(s)"
            + (r.shrinkage.isEmpty ? "" : " (lost before counting: \(r.shrinkage.joined(separator: ", ")))")
    }

    /// Physical stock of one SKU in one warehouse.
    struct Stock: Codable, Equatable {
        var onHand = 0
        var damaged = 0
    }

    var stockPath: String { stateDir + "/stock.json" }

    func loadStock() -> [String: [String: Stock]] {
        (try? JSONDecoder().decode([String: [String: Stock]].self, from: Data(contentsOf: URL(fileURLWithPath: stockPath)))) ?? [:]
    }

    func saveStock(_ stock: [String: [String: Stock]]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FS.writeAtomically(Array(try encoder.encode(stock)), to: stockPath)
    }

    /// Opening stock for a SKU the warehouse has not seen: the `--opening-stock` file's quantity, else 100.
    func openingStockOf(_ sku: String, warehouse: String, _ openingStock: [String: [String: Int]]) -> Stock {
        Stock(onHand: openingStock[warehouse]?[sku] ?? openingStock[""]?[sku] ?? 100, damaged: 0)
    }

    /// One line of a stock file in the ERP stock-snapshot layout (CSV).
    public struct StockLine: Sendable {
        public var warehouse: String
        public var sku: String
        public var quantity: Int
        public var unitCost: String
        public var currency: String
    }

    /// Reads a stock file in the ERP stock-snapshot layout (CSV), as it is: opening stock for the simulator, and
    /// the demo ERP's books.
    public static func readStockFile(_ path: String) throws -> [StockLine] {
        let reader = try CSVDocumentReader(source: try FileByteSource(path: path), file: FS.name(path), layout: .stockSnapshots)
        var out: [StockLine] = []
        while let doc = try reader.next() {
            for l in doc.lines {
                out.append(StockLine(warehouse: Clean.code(doc["warehouse"]), sku: Clean.code(l["sku"]),
                                     quantity: Int(Clean.code(l["quantity"])) ?? 0, unitCost: Clean.code(l["unit_cost"]),
                                     currency: Clean.code(l["currency"])))
            }
        }
        return out
    }

    /// An opening-stock file: warehouse -> SKU -> quantity.
    public static func readOpeningStock(_ path: String) throws -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for l in try readStockFile(path) { out[l.warehouse, default: [:]][l.sku] = l.quantity }
        return out
    }

    /// The inbox of the first channel carrying `document`, or nil (then that answer is not simulated and its
    /// instruction files stay in the outbox).
    func inbox(for document: DocumentType) -> String? {
        workspace.config.channels.first { $0.document == document }.map { workspace.path($0.inbox) }
    }

    /// Instruction files `prefix_*.xml` in the WMS outbox, sorted.
    func instructionFiles(_ prefix: String) -> [String] {
        let outbox = workspace.path(workspace.config.wmsOutbox)
        return ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? [])
            .filter { $0.hasPrefix(prefix + "_") && $0.hasSuffix(".xml") }.sorted().map { outbox + "/" + $0 }
    }

    /// Reads every record of an instruction file, then moves it to `simulator/consumed/` (the WMS took it).
    func consume(_ path: String, layout: DocumentLayout) throws -> (warehouse: String, documents: [RawDocument]) {
        let reader = try XMLDocumentReader(source: try FileByteSource(path: path), file: FS.name(path), layout: layout)
        var docs: [RawDocument] = []
        while let d = try reader.next() {
            if let f = d.codecFindings.first { throw FormatError(rule: f.rule, message: f.message, location: f.location) }
            docs.append(d)
        }
        let warehouse = reader.rootAttributes["warehouse"] ?? ""
        try FS.move(path, to: FS.freeName(in: stateDir + "/consumed", FS.name(path)))
        return (warehouse, docs)
    }

    /// Writes `documents` as one file into `inbox`, atomically.
    func deliver(_ layout: DocumentLayout, _ documents: [([String: String], [[String: String]])], to inbox: String, name: String) throws -> String {
        try FS.makeDirectories(inbox)
        let finalPath = FS.freeName(in: inbox, name)
        let file = try AtomicFile(path: finalPath)
        defer { file.discard() }
        let w = try DocumentWriter(sink: file.sink, layout: layout, format: .xml)
        for (values, lines) in documents { try w.write(values, lines: lines) }
        try w.finish()
        try file.commit()
        return workspace.relative(finalPath)
    }

    /// Reads the cancel instructions waiting in the outbox: order id -> warehouse.
    func takeCancellations() throws -> [(orderId: String, warehouse: String)] {
        guard inbox(for: .cancellationResults) != nil else { return [] }
        var out: [(String, String)] = []
        for path in instructionFiles("order-cancellations") {
            let (warehouse, docs) = try consume(path, layout: .orderCancellations)
            out += docs.map { ($0["order_id"], warehouse) }
        }
        return out
    }

    /// Answers cancel instructions: `cancelled` for an order not shipped (held back, or arriving together with
    /// its cancellation), `too_late` for one already shipped.
    func answerCancellations(_ requests: [(orderId: String, warehouse: String)], notShipped: Set<String>, stamp: String,
                             isoNow: String, result: inout Result) throws {
        guard let inbox = inbox(for: .cancellationResults), !requests.isEmpty else { return }
        let answers = requests.map { r -> ([String: String], [[String: String]]) in
            let cancelled = notShipped.contains(r.orderId)
            if cancelled { result.cancelled += 1 } else { result.tooLate += 1 }
            return (["order_id": r.orderId, "result": cancelled ? "cancelled" : "too_late", "answered_at": isoNow, "warehouse": r.warehouse], [])
        }
        result.files.append(try deliver(.cancellationResults, answers, to: inbox, name: "cancellation-results_\(stamp)_s\(seed).xml"))
    }

    /// Expected receipts: most arrive complete; some short, over, with damaged units, or in two receipts.
    func answerReceipts(stock: inout [String: [String: Stock]], opening: [String: [String: Int]], rng: inout SeededGenerator,
                        stamp: String, isoNow: String, result: inout Result) throws {
        guard let inbox = inbox(for: .receiptConfirmations) else { return }
        var receipts: [([String: String], [[String: String]])] = []
        for path in instructionFiles("expected-receipts") {
            let (warehouse, docs) = try consume(path, layout: .expectedReceipts)
            for d in docs {
                result.purchaseOrders += 1
                var lines = d.lines.map { (no: $0["line_no"], sku: $0["sku"], qty: Int($0["quantity"]) ?? 0, damaged: 0) }
                let roll = rng.percent()
                if roll < 10, !lines.isEmpty {
                    let i = rng.below(lines.count)
                    lines[i].qty = rng.below(lines[i].qty)
                } else if roll < 18, !lines.isEmpty {
                    lines[rng.below(lines.count)].qty += 1 + rng.below(5)
                } else if roll < 30, !lines.isEmpty {
                    let i = rng.below(lines.count)
                    lines[i].damaged = min(lines[i].qty, 1 + rng.below(2))
                }
                let split = rng.percent() < 15
                for part in split ? [1, 2] : [1] {
                    var out: [[String: String]] = []
                    for l in lines {
                        let q = split ? (part == 1 ? l.qty / 2 : l.qty - l.qty / 2) : l.qty
                        let dmg = part == (split ? 2 : 1) ? l.damaged : 0
                        guard q > 0 else { continue }
                        var s = stock[warehouse]?[l.sku] ?? openingStockOf(l.sku, warehouse: warehouse, opening)
                        s.onHand += q
                        s.damaged += min(dmg, q)
                        stock[warehouse, default: [:]][l.sku] = s
                        out.append(["line_no": l.no, "sku": l.sku, "quantity_received": String(q), "quantity_damaged": String(min(dmg, q)),
                                    "lot": "LOT-\(stamp.prefix(8))"])
                    }
                    guard !out.isEmpty else { continue }
                    result.receipts += 1
                    receipts.append((["receipt_id": "RCV-\(d["po_number"])-\(part)", "po_number": d["po_number"], "receipt_date": isoNow,
                                      "warehouse": warehouse], out))
                }
            }
        }
        if !receipts.isEmpty {
            result.files.append(try deliver(.receiptConfirmations, receipts, to: inbox, name: "receipts_\(stamp)_s\(seed).xml"))
        }
    }

    /// Expected returns: most come back resellable; some damaged (quarantine), some units missing, some parcels
    /// not yet (they stay approved and unreceived).
    func answerReturns(stock: inout [String: [String: Stock]], opening: [String: [String: Int]], rng: inout SeededGenerator,
                       stamp: String, isoNow: String, result: inout Result) throws {
        guard let inbox = inbox(for: .returnReceipts) else { return }
        var receipts: [([String: String], [[String: String]])] = []
        var resend: ([String: String], [[String: String]])?
        for path in instructionFiles("expected-returns") {
            let (warehouse, docs) = try consume(path, layout: .expectedReturns)
            for d in docs {
                result.returns += 1
                if rng.percent() < mix.lateReturns {
                    result.returnsNotArrived += 1
                    continue
                }
                var out: [[String: String]] = []
                for l in d.lines {
                    let qty = Int(l["quantity"]) ?? 0
                    let roll = rng.percent()
                    var parts: [(Int, String, String)] = [(qty, "resellable", "restock")]
                    if roll < 12 && qty > 0 {
                        parts = [(qty - 1, "resellable", "restock"), (1, "damaged", "quarantine")]
                    } else if roll < 18 && qty > 0 {
                        parts = [(qty - 1, "resellable", "restock"), (1, "missing", "")]
                    }
                    for (q, inspection, disposition) in parts where q > 0 {
                        out.append(["line_no": l["line_no"], "sku": l["sku"], "quantity": String(q), "inspection": inspection,
                                    "disposition": disposition])
                        guard inspection != "missing" else { continue }
                        var s = stock[warehouse]?[l["sku"]] ?? openingStockOf(l["sku"], warehouse: warehouse, opening)
                        s.onHand += q
                        if inspection == "damaged" { s.damaged += q }
                        stock[warehouse, default: [:]][l["sku"]] = s
                    }
                }
                let receipt = (["receipt_id": "RET-\(d["rma_id"])", "rma_id": d["rma_id"], "received_at": isoNow, "warehouse": warehouse], out)
                receipts.append(receipt)
                result.returnReceipts += 1
                if rng.percent() < mix.duplicate { resend = receipt }
            }
        }
        if !receipts.isEmpty {
            result.files.append(try deliver(.returnReceipts, receipts, to: inbox, name: "return-receipts_\(stamp)_s\(seed).xml"))
        }
        if let resend {
            // The same return receipt again, in a file of its own (the WMS resent it).
            result.duplicates += 1
            result.files.append(try deliver(.returnReceipts, [resend], to: inbox, name: "return-receipts_\(stamp)_s\(seed)-resent.xml"))
        }
    }

    /// One inventory snapshot per warehouse the simulator keeps stock for, as of `isoNow`. With `shrinkage`, one
    /// seeded SKU per warehouse has lost a unit since the last snapshot (the difference the report should find).
    func inventorySnapshots(stock: inout [String: [String: Stock]], allocated: [String: [String: Int]], rng: inout SeededGenerator,
                            stamp: String, isoNow: String, result: inout Result) throws {
        guard let inbox = inbox(for: .inventorySnapshots) else { return }
        var snapshots: [([String: String], [[String: String]])] = []
        for warehouse in stock.keys.sorted() {
            var skus = stock[warehouse]!
            if mix.shrinkage, !skus.isEmpty {
                let keys = skus.keys.sorted()
                let sku = keys[rng.below(keys.count)]
                if skus[sku]!.onHand > skus[sku]!.damaged {
                    skus[sku]!.onHand -= 1
                    result.shrinkage.append("\(warehouse)/\(sku)")
                }
            }
            stock[warehouse] = skus
            let lines = skus.keys.sorted().map { sku -> [String: String] in
                let s = skus[sku]!
                let alloc = min(allocated[warehouse]?[sku] ?? 0, max(0, s.onHand - s.damaged))
                return ["sku": sku, "on_hand": String(s.onHand), "available": String(max(0, s.onHand - s.damaged - alloc)),
                        "allocated": String(alloc), "damaged": String(s.damaged)]
            }
            snapshots.append((["warehouse": warehouse, "as_of": isoNow], lines))
        }
        if !snapshots.isEmpty {
            result.snapshots = snapshots.count
            result.files.append(try deliver(.inventorySnapshots, snapshots, to: inbox, name: "inventory_\(stamp)_s\(seed).xml"))
        }
    }
}
