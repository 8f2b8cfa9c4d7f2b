import ERPWMSCore
import ERPWMSFormats
import Foundation

/// `erpwms simulate-wms`: plays the warehouse. Takes the shipment-order files from the WMS outbox (as a
/// WMS would take them away) and writes confirmations into the confirmation channel's inbox, with a
/// seeded mix of complete, short, split, delayed, duplicated and unknown confirmations.
public struct WMSSimulator {
    /// Percentages of orders that get each treatment; the rest ship complete in one parcel.
    public struct Mix: Sendable, Equatable {
        public var short = 8
        public var split = 10
        public var delayed = 5
        public var duplicate = 2
        public var unknown = 1
        /// Percent of expected returns whose parcel has not arrived yet.
        public var lateReturns = 10
        /// Lose one unit of one SKU per warehouse before each inventory snapshot (a difference to find).
        public var shrinkage = false
        public init() {}
    }

    /// What the simulator did.
    public struct Result: Sendable {
        public var instructionFiles = 0
        public var orders = 0
        public var confirmations = 0
        public var short = 0
        public var split = 0
        public var delayed = 0
        public var duplicates = 0
        public var unknown = 0
        public var backlogConfirmed = 0
        public var files: [String] = []
        /// Answers to cancel instructions.
        public var cancelled = 0
        public var tooLate = 0
        /// Expected receipts taken, and receipts written for them.
        public var purchaseOrders = 0
        public var receipts = 0
        /// Expected returns taken, parcels not arrived yet, return receipts written.
        public var returns = 0
        public var returnsNotArrived = 0
        public var returnReceipts = 0
        /// Inventory snapshots written, and the units lost before them (`warehouse/sku`).
        public var snapshots = 0
        public var shrinkage: [String] = []
    }

    /// Write an inventory snapshot per warehouse at the end of the run.
    public var inventory = false
    /// Opening stock per warehouse and SKU (`--opening-stock`); SKUs not in it open at 100.
    public var openingStock: [String: [String: Int]] = [:]

    let workspace: Workspace
    let mix: Mix
    let seed: UInt64
    let now: () -> Date

    public init(workspace: Workspace, mix: Mix, seed: UInt64, now: @escaping () -> Date) {
        self.workspace = workspace
        self.mix = mix
        self.seed = seed
        self.now = now
    }

    var stateDir: String { workspace.path("simulator") }
    var backlogPath: String { stateDir + "/backlog.json" }

    /// A delayed order, kept until the next simulation.
    struct Delayed: Codable {
        var warehouse: String
        var orderId: String
        var version: Int
        var carrier: String
        var lines: [[Int]]  // [lineNo, quantity]
        var skus: [String]
        /// When it was held back; it ships a day later at the earliest.
        var heldAt: Int64?
    }

    public func run() throws -> Result {
        guard let channel = workspace.config.channels.first(where: { $0.document == .shipmentConfirmations }) else {
            throw WorkspaceError(message: "no channel with document: shipment-confirmations in erpwms.yaml; the simulator writes confirmations into its inbox")
        }
        let inbox = workspace.path(channel.inbox)
        let outbox = workspace.path(workspace.config.wmsOutbox)
        try FS.makeDirectories(inbox)
        try FS.makeDirectories(stateDir + "/consumed")
        var result = Result()
        var rng = SeededGenerator(seed: seed)
        let shipEpoch = Int64(now().timeIntervalSince1970)
        let stamp = ISODate.utcString(shipEpoch).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        let decoder = JSONDecoder()
        var backlog: [Delayed] = (try? decoder.decode([Delayed].self, from: Data(contentsOf: URL(fileURLWithPath: backlogPath)))) ?? []
        var newBacklog: [Delayed] = []
        var unknownCounter = 0
        let isoNow = ISODate.utcString(shipEpoch)
        var stock = loadStock()
        // Cancel instructions first: an order held back, or not picked yet, is cancelled rather than shipped.
        let cancelRequests = try takeCancellations()
        let toCancel = Set(cancelRequests.map(\.orderId))
        var notShipped = Set(backlog.filter { toCancel.contains($0.orderId) }.map(\.orderId))
        backlog.removeAll { toCancel.contains($0.orderId) }
        // Last run's delayed orders ship now, complete.
        var byWarehouse: [String: [ShipmentConfirmation]] = [:]
        for d in backlog {
            let lines = zip(d.lines, d.skus).map { ConfirmedLine(lineNo: $0.0[0], sku: $0.1, quantity: $0.0[1]) }
            byWarehouse[d.warehouse, default: []].append(confirmation(orderId: d.orderId, version: d.version, warehouse: d.warehouse,
                                                                      carrier: d.carrier, lines: lines, part: 1,
                                                                      epoch: max(shipEpoch, (d.heldAt ?? 0) + 86_400 + 3600), rng: &rng))
            result.backlogConfirmed += 1
        }
        backlog = []

        let names = ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? [])
            .filter { $0.hasPrefix("shipment-orders_") && $0.hasSuffix(".xml") }.sorted()
        for name in names {
            let path = outbox + "/" + name
            let reader = try ShipmentOrderReader(source: try FileByteSource(path: path), file: name)
            var confirmations: [ShipmentConfirmation] = []
            while let order = try reader.next() {
                result.orders += 1
                if toCancel.contains(order.orderId) {
                    notShipped.insert(order.orderId)
                    continue
                }
                let warehouse = reader.warehouse
                let lines = order.lines.map { ConfirmedLine(lineNo: $0.lineNo, sku: $0.sku, quantity: $0.quantity) }
                let roll = rng.percent()
                var cut = mix.delayed
                if roll < cut {
                    result.delayed += 1
                    newBacklog.append(Delayed(warehouse: warehouse, orderId: order.orderId, version: order.version,
                                              carrier: order.carrier, lines: order.lines.map { [$0.lineNo, $0.quantity] },
                                              skus: order.lines.map(\.sku), heldAt: shipEpoch))
                    continue
                }
                cut += mix.short
                if roll < cut {
                    result.short += 1
                    var shortLines = lines
                    let i = rng.below(shortLines.count)
                    shortLines[i].quantity = rng.below(shortLines[i].quantity)
                    let reasons: [ShortReason] = [.outOfStock, .outOfStock, .outOfStock, .damaged, .other]
                    shortLines[i].reason = reasons[rng.below(reasons.count)]
                    confirmations.append(confirmation(orderId: order.orderId, version: order.version, warehouse: warehouse,
                                                      carrier: order.carrier, lines: shortLines, part: 1, epoch: shipEpoch, rng: &rng))
                } else if roll < cut + mix.split && (lines.count > 1 || lines[0].quantity > 1) {
                    result.split += 1
                    var first = lines
                    var second = lines
                    for i in lines.indices {
                        let q = lines[i].quantity
                        let a = lines.count > 1 ? (i % 2 == 0 ? q : 0) : q / 2
                        first[i].quantity = a
                        second[i].quantity = q - a
                    }
                    confirmations.append(confirmation(orderId: order.orderId, version: order.version, warehouse: warehouse,
                                                      carrier: order.carrier, lines: first.filter { $0.quantity > 0 }, part: 1,
                                                      epoch: shipEpoch, rng: &rng))
                    confirmations.append(confirmation(orderId: order.orderId, version: order.version, warehouse: warehouse,
                                                      carrier: order.carrier, lines: second.filter { $0.quantity > 0 }, part: 2,
                                                      epoch: shipEpoch + 3600 * 20, rng: &rng))
                } else {
                    confirmations.append(confirmation(orderId: order.orderId, version: order.version, warehouse: warehouse,
                                                      carrier: order.carrier, lines: lines, part: 1, epoch: shipEpoch, rng: &rng))
                }
                if rng.percent() < mix.duplicate, let last = confirmations.last {
                    result.duplicates += 1
                    confirmations.append(last)
                }
                if rng.percent() < mix.unknown {
                    result.unknown += 1
                    unknownCounter += 1
                    let fake = ConfirmedLine(lineNo: 1, sku: lines.first?.sku ?? "SKU-UNKNOWN", quantity: 1)
                    confirmations.append(confirmation(orderId: "SIM-UNK-\(stamp)-\(unknownCounter)", version: nil,
                                                      warehouse: warehouse, carrier: order.carrier, lines: [fake], part: 1,
                                                      epoch: shipEpoch, rng: &rng))
                }
            }
            if !confirmations.isEmpty { byWarehouse[reader.warehouse, default: []] += confirmations }
            // The WMS takes the file away from the outbox.
            try FS.move(path, to: FS.freeName(in: stateDir + "/consumed", name))
            result.instructionFiles += 1
        }
        for warehouse in byWarehouse.keys.sorted() {
            let list = byWarehouse[warehouse]!
            // What left the warehouse (a confirmation sent twice is one shipment; an unknown one is made up).
            var seen = Set<String>()
            for c in list where !c.orderId.hasPrefix("SIM-UNK-") && seen.insert(c.shipmentId).inserted {
                for l in c.lines {
                    var st = stock[warehouse]?[l.sku] ?? openingStockOf(l.sku, warehouse: warehouse, openingStock)
                    st.onHand -= l.quantity
                    stock[warehouse, default: [:]][l.sku] = st
                }
            }
            result.confirmations += list.count
            let finalPath = FS.freeName(in: inbox, "confirmations_\(warehouse)_\(stamp)_s\(seed).xml")
            let temp = inbox + "/." + FS.name(finalPath) + ".tmp"
            let sink = try FileSink(path: temp)
            let writer = ShipmentConfirmationXMLWriter(sink: sink, warehouse: warehouse)
            for c in list { try writer.write(c) }
            try writer.finish()
            try sink.close(sync: true)
            try FS.move(temp, to: finalPath)
            result.files.append(workspace.relative(finalPath))
        }
        try answerCancellations(cancelRequests, notShipped: notShipped, stamp: stamp, isoNow: isoNow, result: &result)
        try answerReceipts(stock: &stock, opening: openingStock, rng: &rng, stamp: stamp, isoNow: isoNow, result: &result)
        try answerReturns(stock: &stock, opening: openingStock, rng: &rng, stamp: stamp, isoNow: isoNow, result: &result)
        if inventory {
            var allocated: [String: [String: Int]] = [:]
            for d in newBacklog {
                for (l, sku) in zip(d.lines, d.skus) {
                    allocated[d.warehouse, default: [:]][sku, default: 0] += l[1]
                    if stock[d.warehouse]?[sku] == nil { stock[d.warehouse, default: [:]][sku] = openingStockOf(sku, warehouse: d.warehouse, openingStock) }
                }
            }
            // As of the end of the simulated day: every shipment of this run (split parts ship up to 21 h later) is in it.
            try inventorySnapshots(stock: &stock, allocated: allocated, rng: &rng, stamp: stamp,
                                   isoNow: ISODate.utcString(shipEpoch + 86_400), result: &result)
        }
        try saveStock(stock)
        backlog = newBacklog
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FS.writeAtomically(Array(try encoder.encode(backlog)), to: backlogPath)
        return result
    }

    /// One realistic confirmation: a shipment id, tracking numbers and weights from the generator.
    func confirmation(orderId: String, version: Int?, warehouse: String, carrier: String, lines: [ConfirmedLine], part: Int,
                      epoch: Int64, rng: inout SeededGenerator) -> ShipmentConfirmation {
        let parcels = (0..<(lines.count > 2 ? 2 : 1)).map { _ in
            Parcel(trackingNumber: "TRK\(String(rng.next() % 1_000_000_000_000, radix: 10))",
                   weightKg: FixedDecimal(units: Int64(200 + rng.below(4800)), scale: 3))
        }
        return ShipmentConfirmation(
            shipmentId: "SHP-\(orderId)-\(part)", orderId: orderId, version: version,
            shipDate: ISODate.utcString(epoch + Int64(rng.below(3600))), warehouse: warehouse,
            carrier: carrier, service: "", parcels: parcels,
            lines: lines.map { l in
                var l = l
                l.lots = rng.percent() < 30 ? ["LOT-\(2025_00 + rng.below(99))"] : []
                return l
            })
    }
}
