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
        var unknownCounter = 0
        let isoNow = ISODate.utcString(shipEpoch)
        var stock = loadStock()
        // Cancel instructions first: an order held back, or not picked yet, is cancelled rather than shipped.
        let cancelRequests = try takeCancellations()
        let toCancel = Set(cancelRequests.map(\.orderId))
        var notShipped = Set<String>()
        // Each warehouse's confirmations go into its file as they are made (held in memory until the end, a
        // million orders' confirmations took 686 MiB), and what leaves the warehouse comes off its stock at once.
        let files = ConfirmationFiles(inbox: inbox, stamp: stamp, seed: seed)
        defer { files.discard() }
        var shipped = ShippedSet()
        func send(_ c: ShipmentConfirmation) throws {
            // What left the warehouse: a confirmation sent twice is one shipment; an unknown one is made up.
            if !c.orderId.hasPrefix("SIM-UNK-") && shipped.insert(warehouse: c.warehouse, shipmentId: c.shipmentId) {
                for l in c.lines {
                    var st = stock[c.warehouse]?[l.sku] ?? openingStockOf(l.sku, warehouse: c.warehouse, openingStock)
                    st.onHand -= l.quantity
                    stock[c.warehouse, default: [:]][l.sku] = st
                }
            }
            try files.write(c)
        }
        // Orders held back from now on go into the next backlog as they come; what they allocate of the stock is
        // counted for the inventory snapshots (held in memory and encoded at the end, a million orders' backlog had
        // taken ~100 MiB).
        let newBacklog = try BacklogFile(path: backlogPath)
        defer { newBacklog.discard() }
        var allocated: [String: [String: Int]] = [:]
        func holdBack(_ d: Delayed) throws {
            try newBacklog.append(d)
            guard inventory else { return }
            for (l, sku) in zip(d.lines, d.skus) {
                allocated[d.warehouse, default: [:]][sku, default: 0] += l[1]
                if stock[d.warehouse]?[sku] == nil { stock[d.warehouse, default: [:]][sku] = openingStockOf(sku, warehouse: d.warehouse, openingStock) }
            }
        }
        // Last run's delayed orders ship now, complete (read one at a time); those cancelled meanwhile do not.
        try BacklogFile.forEach(at: backlogPath) { d in
            if toCancel.contains(d.orderId) {
                notShipped.insert(d.orderId)
                return
            }
            let lines = zip(d.lines, d.skus).map { ConfirmedLine(lineNo: $0.0[0], sku: $0.1, quantity: $0.0[1]) }
            try send(confirmation(orderId: d.orderId, version: d.version, warehouse: d.warehouse, carrier: d.carrier,
                                  lines: lines, part: 1, epoch: max(shipEpoch, (d.heldAt ?? 0) + 86_400 + 3600), rng: &rng))
            result.backlogConfirmed += 1
        }

        let names = ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? [])
            .filter { $0.hasPrefix("shipment-orders_") && $0.hasSuffix(".xml") }.sorted()
        for name in names {
            let path = outbox + "/" + name
            let reader = try ShipmentOrderReader(source: try FileByteSource(path: path), file: name)
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
                    try holdBack(Delayed(warehouse: warehouse, orderId: order.orderId, version: order.version,
                                         carrier: order.carrier, lines: order.lines.map { [$0.lineNo, $0.quantity] },
                                         skus: order.lines.map(\.sku), heldAt: shipEpoch))
                    continue
                }
                cut += mix.short
                var last: ShipmentConfirmation
                if roll < cut {
                    result.short += 1
                    var shortLines = lines
                    let i = rng.below(shortLines.count)
                    shortLines[i].quantity = rng.below(shortLines[i].quantity)
                    let reasons: [ShortReason] = [.outOfStock, .outOfStock, .outOfStock, .damaged, .other]
                    shortLines[i].reason = reasons[rng.below(reasons.count)]
                    last = confirmation(orderId: order.orderId, version: order.version, warehouse: warehouse,
                                        carrier: order.carrier, lines: shortLines, part: 1, epoch: shipEpoch, rng: &rng)
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
                    try send(confirmation(orderId: order.orderId, version: order.version, warehouse: warehouse,
                                          carrier: order.carrier, lines: first.filter { $0.quantity > 0 }, part: 1,
                                          epoch: shipEpoch, rng: &rng))
                    last = confirmation(orderId: order.orderId, version: order.version, warehouse: warehouse,
                                        carrier: order.carrier, lines: second.filter { $0.quantity > 0 }, part: 2,
                                        epoch: shipEpoch + 3600 * 20, rng: &rng)
                } else {
                    last = confirmation(orderId: order.orderId, version: order.version, warehouse: warehouse,
                                        carrier: order.carrier, lines: lines, part: 1, epoch: shipEpoch, rng: &rng)
                }
                try send(last)
                if rng.percent() < mix.duplicate {
                    result.duplicates += 1
                    try send(last)
                }
                if rng.percent() < mix.unknown {
                    result.unknown += 1
                    unknownCounter += 1
                    let fake = ConfirmedLine(lineNo: 1, sku: lines.first?.sku ?? "SKU-UNKNOWN", quantity: 1)
                    try send(confirmation(orderId: "SIM-UNK-\(stamp)-\(unknownCounter)", version: nil,
                                          warehouse: warehouse, carrier: order.carrier, lines: [fake], part: 1,
                                          epoch: shipEpoch, rng: &rng))
                }
            }
            // The WMS takes the file away from the outbox.
            try FS.move(path, to: FS.freeName(in: stateDir + "/consumed", name))
            result.instructionFiles += 1
        }
        for (path, count) in try files.publish() {
            result.confirmations += count
            result.files.append(workspace.relative(path))
        }
        try answerCancellations(cancelRequests, notShipped: notShipped, stamp: stamp, isoNow: isoNow, result: &result)
        try answerReceipts(stock: &stock, opening: openingStock, rng: &rng, stamp: stamp, isoNow: isoNow, result: &result)
        try answerReturns(stock: &stock, opening: openingStock, rng: &rng, stamp: stamp, isoNow: isoNow, result: &result)
        if inventory {
            // As of the end of the simulated day: every shipment of this run (split parts ship up to 21 h later) is in it.
            try inventorySnapshots(stock: &stock, allocated: allocated, rng: &rng, stamp: stamp,
                                   isoNow: ISODate.utcString(shipEpoch + 86_400), result: &result)
        }
        try saveStock(stock)
        try newBacklog.publish()
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

/// The simulator's confirmation files, one per warehouse, each written as its confirmations come: a temporary
/// file in the inbox (a dot-file, which pickup passes over) until `publish` syncs it and moves it to its name.
/// Whatever is not published is removed by `discard`.
final class ConfirmationFiles {
    private final class Open {
        let file: AtomicFile
        let writer: ShipmentConfirmationXMLWriter
        var count = 0

        init(file: AtomicFile, warehouse: String) {
            self.file = file
            writer = ShipmentConfirmationXMLWriter(sink: file.sink, warehouse: warehouse)
        }
    }

    private let inbox: String
    private let stamp: String
    private let seed: UInt64
    private var open: [String: Open] = [:]

    init(inbox: String, stamp: String, seed: UInt64) {
        self.inbox = inbox
        self.stamp = stamp
        self.seed = seed
    }

    private func name(_ warehouse: String) -> String { "confirmations_\(warehouse)_\(stamp)_s\(seed).xml" }

    func write(_ c: ShipmentConfirmation) throws {
        let f: Open
        if let existing = open[c.warehouse] {
            f = existing
        } else {
            f = Open(file: try AtomicFile(temp: inbox + "/." + name(c.warehouse) + ".tmp"), warehouse: c.warehouse)
            open[c.warehouse] = f
        }
        try f.writer.write(c)
        f.count += 1
    }

    /// Finishes, syncs and names every file, in the order of the warehouses' codes; returns each one's path and
    /// how many confirmations it holds.
    func publish() throws -> [(path: String, count: Int)] {
        var published: [(path: String, count: Int)] = []
        for warehouse in open.keys.sorted() {
            let f = open[warehouse]!
            try f.writer.finish()
            let finalPath = FS.freeName(in: inbox, name(warehouse))
            try f.file.commit(to: finalPath, syncFolders: false)
            published.append((finalPath, f.count))
        }
        // The inbox, holding every temporary file and every name, synced once for all of them.
        if !open.isEmpty { try FS.fsyncDirectory(inbox) }
        open = [:]
        return published
    }

    /// Removes the files not published (the simulation failed on the way).
    func discard() {
        for f in open.values { f.file.discard() }
        open = [:]
    }
}

/// The shipments that have left each warehouse in one simulation, so that a confirmation sent twice (or an
/// order confirmed again under the same shipment id) comes off the stock once. Kept as 64-bit FNV-1a hashes of
/// warehouse and shipment id, 8 bytes a shipment instead of its Strings: deterministic, and for a million
/// shipments the chance that two collide (one would then not come off the stock) is below one in ten million.
struct ShippedSet {
    private var seen = Set<UInt64>()

    /// True when the shipment had not left the warehouse yet (it is recorded now).
    mutating func insert(warehouse: String, shipmentId: String) -> Bool {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) {
            for b in s.utf8 {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
        }
        mix(warehouse)
        h ^= 0x1F
        h = h &* 0x100_0000_01b3
        mix(shipmentId)
        return seen.insert(h).inserted
    }
}

/// The simulator's backlog (`simulator/backlog.json`): the orders held back until the next simulation. A JSON
/// array with one order a line, written as orders are held back (into a temporary file that `publish` syncs and
/// moves over the old backlog; `discard` removes it), and read back one line at a time. A backlog written before
/// (the whole array pretty-printed) is read whole.
final class BacklogFile {
    private let file: AtomicFile
    private let encoder = JSONEncoder()
    private var first = true

    init(path: String) throws {
        encoder.outputFormatting = [.sortedKeys]
        file = try AtomicFile(path: path)
        try file.sink.write(Array("[".utf8))
    }

    func append(_ d: WMSSimulator.Delayed) throws {
        try file.sink.write(Array((first ? "\n" : ",\n").utf8) + Array(try encoder.encode(d)))
        first = false
    }

    func publish() throws {
        try file.sink.write(Array("\n]\n".utf8))
        try file.commit()
    }

    func discard() { file.discard() }

    /// Calls `body` with each order of the backlog at `path`, in order; nothing when there is none.
    static func forEach(at path: String, _ body: (WMSSimulator.Delayed) throws -> Void) throws {
        guard let source = try? FileByteSource(path: path) else { return }
        let decoder = JSONDecoder()
        var line: [UInt8] = []
        var lineNo = 0
        var taken = 0
        /// False when the line is not one order: the earlier form, if nothing was taken yet.
        func take() throws -> Bool {
            lineNo += 1
            var bytes = line[...]
            while let last = bytes.last, last == UInt8(ascii: ",") || last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") { bytes.removeLast() }
            if bytes.isEmpty || bytes.elementsEqual("[".utf8) || bytes.elementsEqual("]".utf8) { return true }
            guard bytes.first == UInt8(ascii: "{") && bytes.last == UInt8(ascii: "}") else {
                guard taken == 0 else {
                    throw WorkspaceError(message: "\(path): line \(lineNo) is not an order of the backlog")
                }
                return false
            }
            try body(try decoder.decode(WMSSimulator.Delayed.self, from: Data(bytes)))
            taken += 1
            return true
        }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 8)
        defer { chunk.deallocate() }
        var lineMode = true
        reading: while true {
            let n = try source.read(into: chunk)
            if n == 0 { break }
            for b in UnsafeRawBufferPointer(rebasing: chunk[0..<n]) {
                guard b == 0x0A else {
                    line.append(b)
                    continue
                }
                lineMode = try take()
                if !lineMode { break reading }
                line.removeAll(keepingCapacity: true)
            }
        }
        if lineMode && !line.isEmpty { lineMode = try take() }
        if !lineMode {
            // The earlier form (an order spread over several lines): read whole.
            for d in try decoder.decode([WMSSimulator.Delayed].self, from: Data(contentsOf: URL(fileURLWithPath: path))) {
                try body(d)
            }
        }
    }
}
