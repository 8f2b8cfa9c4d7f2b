import Crypto
import ERPWMSCore
import ERPWMSFormats
import Foundation
import Logging

/// Runs one batch over every channel of a workspace:
/// recover what a crash left -> pick up -> claim -> hash/dedupe -> decode -> rules -> ledger -> encode ->
/// publish -> archive. Each input file is one unit: its orders and outputs commit together.
public final class BatchRunner {
    public let workspace: Workspace
    let ledger: Ledger
    let logger: Logger
    let now: () -> Date
    private var summary = RunSummary()
    /// How attempts are recorded in the ledger: `run`, or `reprocess` (set by the reprocess command).
    var attemptKind = "run"
    /// For `reprocess --with FILE`: the replacement's name and hash, recorded with the attempt.
    var attemptSource: String?
    /// Called as work goes on (the CLI draws a progress bar on a terminal).
    public var progress: ((Progress) -> Void)?
    /// Told every per-document decision (a dry run collects them; a normal run leaves this nil).
    var plan: ((PlanEntry) -> Void)?
    /// Findings of the file being processed, counted into the summary once its transaction commits.
    var pendingFindings: [String: Int] = [:]

    /// Where a run stands.
    public struct Progress: Sendable {
        public var file: String
        public var filesDone: Int
        public var records: Int
    }
    private var filesDone = 0

    public init(workspace: Workspace, ledger: Ledger, logger: Logger, now: @escaping () -> Date = Date.init) {
        self.workspace = workspace
        self.ledger = ledger
        self.logger = logger
        self.now = now
    }

    var config: Configuration { workspace.config }

    /// Runs the batch. Throws only for what stops the whole run (ledger or file system failures); a bad
    /// file or order is recorded in the summary instead.
    public func run() throws -> RunSummary {
        summary = RunSummary()
        let started = DispatchTime.now().uptimeNanoseconds
        try prepare()
        // Orders first, so that a confirmation picked up in the same run finds its order.
        for channel in config.channels.sorted(by: { $0.document.processingRank < $1.document.processingRank }) {
            try pickUp(channel)
        }
        let formats = config.reportAfterRun.compactMap(ReportOptions.Format.init(rawValue:))
        if !formats.isEmpty {
            var options = ReportOptions(asOf: Int64(now().timeIntervalSince1970), formats: formats,
                                        outDir: workspace.path(config.reportsDir), serviceLevelHours: config.serviceLevelHours)
            options.flows = config.flowReportSettings
            summary.reports = try ReportGenerator(ledger: ledger, options: options).generate().files.map(workspace.relative)
        }
        summary.durationMilliseconds = Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
        return summary
    }

    /// Makes the folders and finishes what an interrupted run left (before any new work).
    func prepare() throws {
        try workspace.makeFolders()
        try FS.makeDirectories(workspace.publishTempDir)
        try recover()
    }

    /// Processes a file already claimed into `work/` and recorded (used by `reprocess`).
    /// `hash` is empty for a file claimed while it was hashed beside its processing, which did not finish
    /// (`FileHash`): it is hashed now.
    func processClaimed(fileId: Int64, workPath: String, name: String, channel: Channel, hash: String) throws {
        var hash = hash
        if hash.isEmpty {
            hash = try Self.hashFile(workPath).0
            try ledger.inTransaction { try $0.setHash(fileId: fileId, hash: hash) }
        }
        if let earlier = try ledger.processedFile(withHash: hash), earlier.id != fileId {
            try archiveDuplicate(fileId: fileId, name: name, workPath: workPath, of: earlier)
            return
        }
        try process(fileId: fileId, workPath: workPath, name: name, channel: channel, hash: FileHash(hash))
    }

    // MARK: - Recovery

    /// Finishes what an interrupted run left: publishes committed outputs, finishes moves, reprocesses
    /// files that were claimed but not committed, and removes uncommitted temporary outputs.
    func recover() throws {
        try publishPending()
        for file in try ledger.unfinishedFiles() {
            summary.filesRecovered += 1
            let channel = config.channels.first { $0.name == file.channel }
            switch file.status {
            case .claimed:
                if !FS.exists(workspace.path(file.path)), let origin = file.targetPath.map(workspace.path) {
                    // `reprocess` recorded the claim, then stopped before the file reached work/: finish the move.
                    let part = FS.parent(workspace.path(file.path)) + "/." + file.name + ".part"
                    if FS.exists(part) {
                        try FS.move(part, to: workspace.path(file.path))
                    } else if FS.exists(origin) {
                        try FS.move(origin, to: workspace.path(file.path))
                    }
                }
                if FS.exists(workspace.path(file.path)), let channel {
                    logger.info("resuming \(FileNames.printable(file.name)) (claimed by an interrupted run)")
                    removeDoneMarker(name: file.name, channel: channel)
                    // The same checks as a fresh claim, the duplicate-by-content one included.
                    try processClaimed(fileId: file.id, workPath: workspace.path(file.path), name: file.name, channel: channel,
                                       hash: file.hash)
                } else if FS.exists(workspace.path(file.path)) {
                    try failFile(id: file.id, name: file.name, channelName: file.channel,
                                 hash: file.hash.isEmpty ? FileHash(hashing: workspace.path(file.path)) : nil,
                                 workPath: workspace.path(file.path),
                                 error: FormatError(rule: "channel.unknown", message: "channel '\(file.channel)' is no longer configured"))
                } else {
                    try ledger.setStatus(fileId: file.id, .failed, path: file.path, at: timestamp(), attempt: nil)
                    try ledger.recordFindings([Finding(rule: "file.vanished", message: "the claimed file disappeared from work/",
                                                       file: file.name)], fileId: file.id)
                }
            case .processed:
                try archive(fileId: file.id, name: file.name, workPath: workspace.path(file.path),
                            target: file.targetPath.map(workspace.path), duplicate: file.reason?.hasPrefix("duplicate") == true)
            case .failing:
                try finishFailing(fileId: file.id, name: file.name, workPath: workspace.path(file.path),
                                  target: file.targetPath.map(workspace.path) ?? FS.freeName(in: workspace.path(config.failedDir), file.name))
            default:
                break
            }
        }
        // Claimed by rename, but the run stopped before the ledger heard of it.
        for channel in config.channels {
            let dir = workDir(channel)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            // Copies `reprocess --with` started but never recorded.
            for name in names where name.hasPrefix(".") && name.hasSuffix(".part") { FS.remove(dir + "/" + name) }
            for name in names.sorted() where !name.hasPrefix(".") {
                summary.filesRecovered += 1
                removeDoneMarker(name: name, channel: channel)
                try claimed(path: dir + "/" + name, name: name, channel: channel)
            }
        }
        // Temporary outputs of transactions that never committed.
        if let temps = try? FileManager.default.contentsOfDirectory(atPath: workspace.publishTempDir) {
            let pending = Set(try ledger.pendingOutputs().map { workspace.path($0.tempPath) })
            for t in temps where !pending.contains(workspace.publishTempDir + "/" + t) {
                FS.remove(workspace.publishTempDir + "/" + t)
            }
        }
    }

    // MARK: - Pickup and claim

    func workDir(_ channel: Channel) -> String { workspace.path(config.workDir) + "/" + channel.name }

    func pickUp(_ channel: Channel) throws {
        var skipped: [Pickup.Skip] = []
        let inbox = workspace.path(channel.inbox)
        try FS.makeDirectories(inbox)
        for candidate in Pickup.candidates(in: inbox, rule: channel.pickup, now: Date(), skipped: &skipped) {
            let workDir = workDir(channel)
            try FS.makeDirectories(workDir)
            let workPath = workDir + "/" + candidate.name
            if FS.exists(workPath) {
                logger.warning("\(FileNames.printable(candidate.name)): a file of that name is still in work/\(channel.name); leaving it in the inbox")
                continue
            }
            // A file we cannot read (wrong owner or mode) is left in the inbox with a warning: claiming it would
            // only stop every later run at it.
            guard FS.isReadable(candidate.path) else {
                logger.error("\(channel.name)/\(FileNames.printable(candidate.name)): cannot be read (owner or permissions); left in the inbox [file.unreadable]")
                summary.filesUnreadable += 1
                continue
            }
            // The claim: an atomic rename. From here on the file is ours.
            try FS.move(candidate.path, to: workPath)
            if let m = candidate.markerPath { FS.remove(m) }
            Failpoint.hit("after-claim")
            try claimed(path: workPath, name: candidate.name, channel: channel)
        }
        for s in skipped {
            switch s {
            case .notRegular(let n): logger.warning("\(channel.name)/\(FileNames.printable(n)): not a regular file (symlink, FIFO or folder); not taken")
            case .hardLink(let n): logger.warning("\(channel.name)/\(FileNames.printable(n)): has other hard links; not taken (upload a file of its own)")
            case .tooYoung(let n):
                summary.filesWaiting += 1
                logger.debug("\(channel.name)/\(FileNames.printable(n)): modified too recently; next run")
            case .noMarker(let n):
                summary.filesWaiting += 1
                logger.debug("\(channel.name)/\(FileNames.printable(n)): no done-marker yet; next run")
            }
        }
    }

    /// Removes `NAME<done-marker>` from the channel's inbox (a crash between the claim and this leaves it).
    func removeDoneMarker(name: String, channel: Channel) {
        if let suffix = channel.pickup.doneMarkerSuffix { FS.remove(workspace.path(channel.inbox) + "/" + name + suffix) }
    }

    /// A file just claimed into `work/`: hash it, dedupe it, record it, process it.
    ///
    /// Only a file the size of one processed before can have its content: such a file is hashed before anything
    /// else, and a duplicate is not processed. Any other is hashed on a thread of its own while it is processed
    /// (`FileHash`); its ledger row gets the hash at the commit.
    func claimed(path: String, name: String, channel: Channel) throws {
        summary.filesSeen += 1
        func reading<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch {
                logger.error("\(FileNames.printable(name)): cannot read: \(error)")
                throw error
            }
        }
        let size = try reading { try FS.size(path) }
        let hash = try ledger.processedFile(ofSize: size)
            ? FileHash(try reading { try Self.hashFile(path).0 }) : FileHash(hashing: path)
        // Whatever happens to the file, the hashing thread is done with it before the next one is claimed.
        defer { _ = try? hash.value() }
        let rel = workspace.relative(path)
        let id = try ledger.recordClaim(name: name, channel: channel.name, hash: hash.wasPending ? "" : try hash.value(),
                                        size: size, path: rel, at: timestamp())
        Failpoint.hit("after-claim-record")
        if !hash.wasPending, let earlier = try ledger.processedFile(withHash: try hash.value()), earlier.id != id {
            logger.notice("\(FileNames.printable(name)): same content as \(FileNames.printable(earlier.name)) (file \(earlier.id)); recorded as duplicate, not processed")
            try archiveDuplicate(fileId: id, name: name, workPath: path, of: earlier)
            return
        }
        if size > config.limits.maxFileBytes {
            try failFile(id: id, name: name, channelName: channel.name, hash: hash, workPath: path,
                         error: FormatError(rule: "file.too-large", message: "\(size) bytes, the limit is \(config.limits.maxFileBytes) (limits.max_file_mb)"))
            return
        }
        try process(fileId: id, workPath: path, name: name, channel: channel, hash: hash)
    }

    static func hashFile(_ path: String) throws -> (String, Int64) {
        let source = try FileByteSource(path: path)
        var hasher = ContentHash.Hasher()
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { buf.deallocate() }
        while true {
            let n = try source.read(into: buf)
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
        }
        return (hasher.finalize(), source.bytesRead)
    }

    // MARK: - Processing one file

    struct PolicyRejection: Error {
        var rejected: Int
        var first: Finding?
    }

    /// Processes one claimed file in one ledger transaction: everything it records and every output it
    /// stages commits together, or none of it does.
    func process(fileId: Int64, workPath: String, name: String, channel: Channel, hash: FileHash) throws {
        let staging = Staging(runner: self, hash: hash, fileId: fileId, inputName: name)
        pendingFindings = [:]
        progress?(Progress(file: name, filesDone: filesDone, records: 0))
        defer {
            filesDone += 1
            progress?(Progress(file: name, filesDone: filesDone, records: -1))
        }
        let counts: FileCounts
        let archiveTo = archiveTarget(name)
        do {
            counts = try ledger.inFileTransaction(fileId: fileId) { tx -> FileCounts in
                var counts: FileCounts
                switch channel.document {
                case .orders:
                    counts = try processOrders(fileId: fileId, workPath: workPath, name: name, channel: channel,
                                               tx: tx, staging: staging)
                case .shipmentConfirmations:
                    counts = try processConfirmations(fileId: fileId, workPath: workPath, name: name, channel: channel,
                                                      tx: tx, staging: staging)
                default:
                    counts = try processDocuments(fileId: fileId, workPath: workPath, name: name, channel: channel,
                                                  tx: tx, staging: staging)
                }
                if channel.errorPolicy == .rejectFile && counts.rejected > 0 {
                    throw PolicyRejection(rejected: counts.rejected, first: staging.firstRejection)
                }
                try staging.commit(tx: tx, fileId: fileId)
                if hash.wasPending { try tx.setHash(fileId: fileId, hash: try hash.value()) }
                try tx.finishFile(fileId: fileId, counts: counts, at: timestamp())
                // Where the input will be archived, recorded with everything else (not in a commit of its own
                // after this one): recovery finishes the move from there.
                try tx.setTarget(fileId: fileId, .processed, target: workspace.relative(archiveTo), reason: nil)
                Failpoint.hit("before-commit")
                return counts
            }
        } catch let e as FormatError {
            staging.discard()
            try failFile(id: fileId, name: name, channelName: channel.name, hash: hash, workPath: workPath, error: e)
            return
        } catch let e as PolicyRejection {
            staging.discard()
            var detail = ""
            if let f = e.first { detail = "; first: \(f.summary)" }
            try failFile(id: fileId, name: name, channelName: channel.name, hash: hash, workPath: workPath,
                         error: FormatError(rule: "channel.error-policy",
                                            message: "\(e.rejected) document(s) rejected and the channel's error_policy is reject-file, so nothing from this file was sent\(detail)"))
            return
        } catch {
            // Not committed: the staged outputs are nobody's; the file stays claimed and the next run retries it.
            staging.discard()
            throw error
        }
        // Committed. From here on the staged outputs belong to the ledger (pending publication) and must never be
        // removed: an error below stops the run, and the next run's recovery publishes and archives.
        Failpoint.hit("after-commit")
        summary.add(counts)
        for (rule, n) in pendingFindings { summary.findingsByRule[rule, default: 0] += n }
        logger.info("\(FileNames.printable(name)): \(counts.accepted) accepted, \(counts.rejected) rejected, \(counts.duplicate) duplicate")
        try publishPending()
        try archive(fileId: fileId, name: name, workPath: workPath, target: archiveTo, duplicate: false, counts: counts,
                    channel: channel.name,
                    attempt: attempt(fileId: fileId, outcome: .archived,
                                     reason: counts.rejected > 0 ? "\(counts.rejected) document(s) rejected" : nil))
    }

    /// What processing `path` as a file of `channel` would do, without writing anything anywhere.
    func dryRun(path: String, name: String, channel: Channel) throws -> DryRunResult {
        var result = DryRunResult(file: name, channel: channel.name, entries: [], fileError: nil)
        plan = { result.entries.append($0) }
        defer { plan = nil }
        let staging = Staging(runner: self, hash: FileHash("dry-run"), fileId: -1, inputName: name, dryRun: true)
        do {
            let counts: FileCounts
            switch channel.document {
            case .orders:
                counts = try ledger.planning { tx in
                    try processOrders(fileId: -1, workPath: path, name: name, channel: channel, tx: tx, staging: staging)
                }
            case .shipmentConfirmations:
                counts = try ledger.planning { tx in
                    try processConfirmations(fileId: -1, workPath: path, name: name, channel: channel, tx: tx, staging: staging)
                }
            default:
                // The other flows rehearse in a real transaction that is rolled back.
                counts = try ledger.rehearsing { tx in
                    try processDocuments(fileId: 0, workPath: path, name: name, channel: channel, tx: tx, staging: staging)
                }
            }
            if channel.errorPolicy == .rejectFile && counts.rejected > 0 {
                result.fileError = Finding(rule: "channel.error-policy",
                                           message: "\(counts.rejected) document(s) would be rejected and the channel's error_policy is reject-file: the file would fail again",
                                           file: name)
            }
        } catch let e as FormatError {
            result.fileError = e.finding(file: name)
        }
        return result
    }

    /// Orders -> WMS shipment orders, one staged file per warehouse.
    func processOrders(fileId: Int64, workPath: String, name: String, channel: Channel, tx: LedgerTransaction,
                       staging: Staging) throws -> FileCounts {
        var counts = FileCounts()
        let validator = OrderValidator(settings: config.rules)
        let now = timestamp()
        // Cancellations that came before their order: such an order is withdrawn, not sent.
        let flows = try tx.flows()
        let withdrawals = try flows.hasCancellations()

        let reader = try openOrderReader(path: workPath, name: name, channel: channel)
        let pseudonymizer = config.pseudonymizer
        // Reading, then validating and hashing an order need no ledger: they run on threads of their own, ahead of
        // the loop below (dedupe, ledger rows, outputs), which takes the orders in file order.
        let lineLocations = channel.unknownSKU != .off
        // While the ledger loop has fallen behind, this thread also hashes each accepted order and renders its XML
        // instruction, all but the start tag (version and action come from the ledger); otherwise the loop does
        // both itself. Either way the bytes are the same: only the share of the two cores changes.
        let renderer = config.wmsFormat == .xml
            ? ShipmentOrderRenderer(includeEmail: config.includeEmail, includePhone: config.includePhone) : nil
        let prepare = { (raw: RawOrder, ledgerBehind: Bool) -> PreparedOrder in
            var outcome = validator.validate(raw, file: name)
            var contentHash: SHA256.Digest?
            var rendered: RenderedShipmentOrder?
            if ledgerBehind {
                // Switched over as an owned value and put back: binding the order out of a shared outcome copied it
                // (a retain of each of its arrays, released again at once).
                switch consume outcome {
                case .accepted(let order, let warnings):
                    contentHash = order.contentDigest
                    rendered = renderer?.render(order)
                    outcome = .accepted(consume order, warnings: consume warnings)
                case .rejected(let findings):
                    outcome = .rejected(consume findings)
                }
            }
            // The loop gets what it quotes of the raw order, not the order itself (freed on this side).
            return PreparedOrder(orderId: raw.orderId, location: raw.location, lineCount: raw.lines.count,
                                 lineLocations: lineLocations ? raw.lines.map(\.location) : [],
                                 outcome: consume outcome, contentHash: contentHash, rendered: rendered,
                                 customer: pseudonymizer?.customer(id: raw[.customerId], name: raw[.shipName], postcode: raw[.shipPostcode]) ?? "")
        }
        // XML: parsing and schema validation (libxml2) outweigh everything else, so reading and preparing get a
        // thread each; CSV reads fast enough that one thread does both (a third would only add hand-overs).
        return try Prefetch<PreparedOrder>.run(reading: { try reader.next() }, pacedPreparing: prepare, twoStages: channel.format == .xml) { orders in
            while let prepared = try orders.next() {
                counts.records += prepared.lineCount
                let customer = prepared.customer
                if counts.records % 8192 < prepared.lineCount { progress?(Progress(file: name, filesDone: filesDone, records: counts.records)) }
                // The outcome is moved out and switched over as an owned value: switching over `prepared.outcome`
                // copied the order out of it (retains released again at the end of the iteration).
                var outcome = OrderValidator.Outcome.rejected([])
                swap(&outcome, &prepared.outcome)
                switch consume outcome {
                case .rejected(let findings):
                    counts.ordersRejected += 1
                    try staging.reject(findings, orderId: prepared.orderId, customer: customer, tx: tx, fileId: fileId)
                case .accepted(let order, var warnings):
                    if withdrawals, let c = try flows.cancellation(order.id), c.status == "pending" || c.status == "withdrawn" {
                        if try tx.order(order.id) == nil {
                            counts.ordersWithdrawn += 1
                            plan?(PlanEntry(id: order.id, action: .unchanged, detail: "withdrawn: the ERP cancelled it before it was sent"))
                            if c.status == "pending" && plan == nil {
                                try flows.setCancellationStatus(order.id, status: "withdrawn", at: c.requestedAt, recordedAt: now)
                                let w = try staging.documents.erp(.cancellationStatuses, prefix: "cancellation-status")
                                try w.write(["order_id": order.id, "status": "withdrawn", "at": c.requestedAt,
                                             "detail": "cancelled before it was sent; not sent to the WMS"])
                                staging.documents.count(w)
                            }
                            continue
                        }
                    }
                    if channel.unknownSKU != .off {
                        var ctx = FlowContext(fileId: fileId, file: name, channel: channel, tx: tx, flows: flows, staging: staging,
                                              outputs: staging.documents, now: now)
                        let unknown = try unknownSKUs(zip(order.lines, prepared.lineLocations).map { ($0.sku, $1) }, rule: OrderRule.unknownSKU,
                                                      id: order.id, &ctx)
                        if unknown.contains(where: { $0.severity == .error }) {
                            counts.ordersRejected += 1
                            try staging.reject(unknown, orderId: order.id, customer: customer, tx: tx, fileId: fileId)
                            continue
                        }
                        warnings += unknown
                    }
                    guard let warehouse = config.router.route(order) else {
                        counts.ordersRejected += 1
                        try staging.reject([WarehouseRouter.unroutable(order, file: name, location: prepared.location)],
                                           orderId: order.id, customer: customer, tx: tx, fileId: fileId)
                        continue
                    }
                    let contentDigest = prepared.contentHash ?? order.contentDigest
                    var version = 1
                    var action = ShipmentOrderWriter.Action.new
                    // Stored at once when the ledger has never seen the order (most of them); otherwise looked up.
                    let isNew = try tx.saveNewOrder(order, contentDigest: contentDigest, warehouse: warehouse, fileId: fileId,
                                                    at: now, customer: customer)
                    // The hash as the ledger gives it back (hex), for an order it knows: compared, then saved.
                    let contentHash = isNew ? "" : ContentHash.hex(contentDigest)
                    if !isNew, let known = try tx.order(order.id) {
                        if known.fileId == fileId && known.contentHash != contentHash {
                            // The same order twice in one file with other content: its rows are not contiguous, or the
                            // export repeats it changed. What was staged for the first part cannot be taken back, so
                            // the file fails as a whole and nothing from it is sent.
                            throw FormatError(rule: "order.rows.contiguous",
                                              message: "order \(order.id) appears again with other content; the rows of one order must be contiguous and appear once per file",
                                              location: prepared.location)
                        }
                        if known.contentHash == contentHash {
                            counts.ordersDuplicate += 1
                            plan?(PlanEntry(id: order.id, action: .unchanged, detail: "version \(known.version) is what the WMS has; not sent again"))
                            continue
                        }
                        guard known.status == "instructed" else {
                            counts.ordersRejected += 1
                            try staging.reject([Finding(rule: OrderRule.changedAfterConfirmation,
                                                        message: "changed after the WMS confirmed version \(known.version); a change now needs a cancellation or a new order",
                                                        file: name, location: prepared.location, orderId: order.id)],
                                               orderId: order.id, tx: tx, fileId: fileId)
                            continue
                        }
                        guard known.warehouse.isEmpty || known.warehouse == warehouse else {
                            counts.ordersRejected += 1
                            try staging.reject([Finding(rule: OrderRule.warehouseChanged,
                                                        message: "version \(known.version) went to \(known.warehouse); a replacement cannot move it to \(warehouse) (cancel it there first)",
                                                        file: name, location: prepared.location, orderId: order.id, field: "warehouse")],
                                               orderId: order.id, tx: tx, fileId: fileId)
                            continue
                        }
                        version = known.version + 1
                        action = .replace
                        counts.ordersReplaced += 1
                    }
                    if !warnings.isEmpty {
                        try tx.recordFindings(warnings, fileId: fileId)
                        for w in warnings { pendingFindings[w.rule, default: 0] += 1 }
                    }
                    plan?(PlanEntry(id: order.id, action: action == .new ? .new : .replace,
                                    detail: "version \(version) to \(warehouse), \(order.lineCount) line(s)"))
                    let out = try shipmentOrderWriter(warehouse: warehouse, staging)
                    try out.writer.write(order, version: version, action: action, rendered: prepared.rendered)
                    out.output.records += 1
                    if !isNew {
                        try tx.saveOrder(order, version: version, contentHash: contentHash, warehouse: warehouse, fileId: fileId, at: now,
                                         customer: customer)
                    }
                    try tx.recordInstruction(orderId: order.id, version: version, action: action.rawValue,
                                             warehouse: warehouse, fileId: fileId)
                    counts.ordersAccepted += 1
                    counts.linesAccepted += order.lineCount
                    Failpoint.hit("mid-orders")
                }
            }
            return counts
        }
    }

    /// An order as the prefetching side hands it over: read, validated, hashed, its customer pseudonymised.
    /// A class: the queue between the threads moves a reference, where it moved the ~500 bytes of the order and
    /// its outcome (into a batch, reversed, out of it: memcpy was 4 % of a run's CPU).
    final class PreparedOrder {
        /// The order id as read, where the order starts, its line count, and (when unknown SKUs are checked)
        /// where each line is.
        let orderId: String
        let location: SourceLocation
        let lineCount: Int
        let lineLocations: [SourceLocation]
        /// Moved out by the ledger loop (`swap`).
        var outcome: OrderValidator.Outcome
        /// The accepted order's content hash and shipment-order body (when the WMS format is XML), or nil when the
        /// ledger loop is to make them itself.
        let contentHash: SHA256.Digest?
        let rendered: RenderedShipmentOrder?
        let customer: String

        init(orderId: String, location: SourceLocation, lineCount: Int, lineLocations: [SourceLocation],
             outcome: consuming OrderValidator.Outcome, contentHash: SHA256.Digest?, rendered: RenderedShipmentOrder?,
             customer: String) {
            self.orderId = orderId
            self.location = location
            self.lineCount = lineCount
            self.lineLocations = lineLocations
            self.outcome = outcome
            self.contentHash = contentHash
            self.rendered = rendered
            self.customer = customer
        }
    }

    /// WMS shipment confirmations -> ledger, findings, and ERP order-status feedback.
    func processConfirmations(fileId: Int64, workPath: String, name: String, channel: Channel, tx: LedgerTransaction,
                              staging: Staging) throws -> FileCounts {
        var counts = FileCounts()
        let validator = ConfirmationValidator()
        var feedback: OrderStatusWriter?
        let now = timestamp()

        func feedbackWriter() throws -> OrderStatusWriter {
            if let f = feedback { return f }
            let ext = config.feedbackFormat.rawValue
            let source = try staging.source()
            let sink = try staging.open(key: "erp/status", kind: "erp-order-status",
                                        finalPath: workspace.path(config.erpOutbox) + "/order-status_\(source).\(ext)",
                                        schema: config.validateOutput && config.feedbackFormat == .xml ? OrderStatusXMLWriter.schemaName : nil)
            let w: OrderStatusWriter = config.feedbackFormat == .xml
                ? OrderStatusXMLWriter(sink: sink.file, source: source) : try OrderStatusCSVWriter(sink: sink.file)
            sink.finish = { try w.finish() }
            feedback = w
            return w
        }

        let reader = try openConfirmationReader(path: workPath, name: name, channel: channel)
        // As for orders: reading, validating and hashing run ahead on the second core.
        return try Prefetch<PreparedConfirmation>.run(reading: { try reader.next() }, preparing: { raw in
            let outcome = validator.validate(raw, file: name)
            var contentHash = ""
            if case .accepted(let c) = outcome { contentHash = c.contentHash }
            return PreparedConfirmation(raw: raw, outcome: outcome, contentHash: contentHash)
        }, twoStages: false) { confirmations in
            while let prepared = try confirmations.next() {
                let raw = prepared.raw
                counts.records += raw.lines.count
                let c: ShipmentConfirmation
                switch prepared.outcome {
                case .rejected(let findings):
                    counts.confirmationsRejected += 1
                    try staging.reject(findings, orderId: raw.orderId, tx: tx, fileId: fileId)
                    continue
                case .accepted(let accepted):
                    c = accepted
                }
                func note(_ rule: String, _ message: String, line: Int? = nil) throws {
                    pendingFindings[rule, default: 0] += 1
                    try tx.recordFindings([Finding(rule: rule, severity: .warning, message: message, file: name,
                                                   location: raw.location, orderId: c.orderId,
                                                   field: line.map { "line \($0)" })], fileId: fileId)
                }
                let contentHash = prepared.contentHash
                if let earlier = try tx.shipmentHash(c.shipmentId) {
                    counts.confirmationsDuplicate += 1
                    plan?(PlanEntry(id: c.shipmentId, action: .unchanged, detail: "shipment already recorded for order \(c.orderId)"))
                    if earlier != contentHash {
                        try note(ConfirmationRule.conflictingDuplicate,
                                 "shipment \(c.shipmentId) was confirmed before with different content; the first confirmation counts")
                    }
                    continue
                }
                let orderLines = try tx.orderLines(c.orderId)
                try tx.saveShipment(c, contentHash: contentHash, knownOrder: orderLines != nil, fileId: fileId, at: now)
                counts.confirmationsAccepted += 1
                plan?(PlanEntry(id: c.shipmentId, action: .new,
                                detail: "order \(c.orderId)\(orderLines == nil ? " (unknown reference)" : ""), \(c.lines.count) line(s)"))
                guard let orderLines else {
                    counts.unknownReferences += 1
                    try note(ConfirmationRule.unknownReference,
                             "order \(c.orderId) was never instructed by erpwms (shipment \(c.shipmentId)); see the reconciliation report")
                    continue
                }
                if plan == nil, try tx.order(c.orderId)?.status == "cancelled", Self.allShipped(orderLines, try tx.shipped(c.orderId)) {
                    // The WMS answered cancelled, and its confirmations now say all of it shipped: too late after all.
                    // (A late confirmation of a part shipped before the cancellation leaves the rest cancelled.)
                    let flows = try tx.flows()
                    try flows.setOrderStatus(c.orderId, status: "cancelled_but_shipped")
                    try flows.setCancellationStatus(c.orderId, status: "too_late", at: c.shipDate, recordedAt: now)
                    try note(CancellationRule.shippedAfterCancel,
                             "order \(c.orderId) was cancelled by the WMS and has now shipped (shipment \(c.shipmentId)); recorded as cancelled but shipped")
                    let w = try staging.documents.erp(.cancellationStatuses, prefix: "cancellation-status")
                    try w.write(["order_id": c.orderId, "status": "too_late", "at": c.shipDate,
                                 "detail": "the WMS shipped it after answering cancelled (shipment \(c.shipmentId))"])
                    staging.documents.count(w)
                }
                try tx.markConfirmed(c.orderId)
                let shipped = try tx.shipped(c.orderId)
                let byLine = Dictionary(c.lines.map { ($0.lineNo, $0) }, uniquingKeysWith: { a, _ in a })
                for l in c.lines where !orderLines.contains(where: { $0.lineNo == l.lineNo }) {
                    try note(ConfirmationRule.unknownLine, "order \(c.orderId) has no line \(l.lineNo)", line: l.lineNo)
                }
                var lines: [OrderStatusUpdate.Line] = []
                var over = false
                for ol in orderLines {
                    let total = shipped[ol.lineNo]?.quantity ?? 0
                    let reason = shipped[ol.lineNo]?.closedReason
                    let state = LineState.of(ordered: ol.quantity, shipped: total, closed: reason != nil)
                    if let cl = byLine[ol.lineNo], cl.sku != ol.sku {
                        try note(ConfirmationRule.skuMismatch, "line \(ol.lineNo) was instructed as \(ol.sku), confirmed as \(cl.sku)",
                                 line: ol.lineNo)
                    }
                    if state == .over, byLine[ol.lineNo] != nil {
                        over = true
                        try note(ConfirmationRule.overShipment, "line \(ol.lineNo): \(total) shipped, \(ol.quantity) ordered",
                                 line: ol.lineNo)
                    }
                    lines.append(OrderStatusUpdate.Line(lineNo: ol.lineNo, sku: ol.sku, ordered: ol.quantity,
                                                        shipped: byLine[ol.lineNo]?.quantity ?? 0, shippedTotal: total,
                                                        state: state, reason: state == .shortClosed ? reason : nil))
                }
                if over { counts.overShipments += 1 }
                try feedbackWriter().write(OrderStatusUpdate(
                    orderId: c.orderId, status: OrderShipState.of(lines.map(\.state)), shipmentId: c.shipmentId,
                    shipDate: c.shipDate, warehouse: c.warehouse, carrier: c.carrier,
                    trackingNumbers: c.parcels.map(\.trackingNumber), lines: lines))
                staging.count("erp/status")
            }
            return counts
        }
    }

    /// A confirmation as the prefetching side hands it over: read, validated, hashed.
    struct PreparedConfirmation {
        var raw: RawConfirmation
        var outcome: ConfirmationValidator.Outcome
        var contentHash: String
    }

    /// Whether an order has shipped in full: every line at least its quantity. (A line the WMS closed short did
    /// not ship: for a cancellation that is not "too late".)
    static func allShipped(_ lines: [KnownOrderLine], _ shipped: [Int: ShippedLine]) -> Bool {
        !lines.isEmpty && !lines.contains { l in (shipped[l.lineNo]?.quantity ?? 0) < l.quantity }
    }

    /// The staged shipment-order file of `warehouse` for this input (orders, and exchange replacements).
    func shipmentOrderWriter(warehouse: String, _ staging: Staging) throws -> Staging.WarehouseOutput {
        if let o = staging.shipmentWriters[warehouse] { return o }
        let csv = config.wmsFormat == .csv
        let outbox = workspace.path(config.wmsOutbox)
        let key = "wms/" + warehouse
        // Named, and for XML headed, without waiting for the input's hash (see `Staging.sourceForHeader`).
        let sink = try staging.open(key: key, kind: "wms-shipment-orders", warehouse: warehouse,
                                    named: { "\(outbox)/shipment-orders_\(warehouse)_\($0).\(csv ? "csv" : "xml")" },
                                    schema: config.validateOutput && !csv ? ShipmentOrderWriter.schemaName : nil)
        let w: ShipmentOrderOutput
        if csv {
            w = try ShipmentOrderCSVWriter(sink: sink.file, warehouse: warehouse, columns: config.wmsCSVColumns,
                                           includeEmail: config.includeEmail, includePhone: config.includePhone)
        } else {
            let xml = ShipmentOrderWriter(sink: sink.file, warehouse: warehouse, source: try staging.sourceForHeader(of: sink),
                                          includeEmail: config.includeEmail, includePhone: config.includePhone)
            sink.sourceOffset = xml.sourceOffset
            w = xml
        }
        sink.finish = { try w.finish() }
        let o = Staging.WarehouseOutput(writer: w, output: sink)
        staging.shipmentWriters[warehouse] = o
        return o
    }

    func openOrderReader(path: String, name: String, channel: Channel) throws -> OrderReader {
        try Decoding.orderReader(path: path, name: name, channel: channel, limits: config.limits)
    }

    func openConfirmationReader(path: String, name: String, channel: Channel) throws -> ConfirmationReader {
        try Decoding.confirmationReader(path: path, name: name, channel: channel, limits: config.limits)
    }

    // MARK: - Publish, archive, fail

    /// Moves every committed output into place (idempotent), then syncs each folder involved once and marks them
    /// all published in one commit: a file's five outputs took fifteen syncs one by one (two folders and a commit
    /// each), now four. An output moved but not yet marked is found by the next run's recovery (its temporary
    /// file is gone, its final one there) and marked then.
    func publishPending() throws {
        let pending = try ledger.pendingOutputs()
        var folders: [String] = []
        for p in pending {
            let temp = workspace.path(p.tempPath)
            let final = workspace.path(p.finalPath)
            if FS.exists(temp) {
                try FS.moveUnsynced(temp, to: final)
                for folder in [FS.parent(final), FS.parent(temp)] where !folders.contains(folder) { folders.append(folder) }
            } else if !FS.exists(final) {
                // Published and already taken away by the WMS before the ledger heard of it.
                logger.notice("\(p.finalPath): published earlier and already gone from the outbox")
            }
            Failpoint.hit("after-publish-one")
        }
        for folder in folders { try FS.fsyncDirectory(folder) }
        try ledger.markPublished(outputIds: pending.map(\.id))
        for p in pending {
            if p.finalPath.hasSuffix(".rejects.csv") {
                summary.rejectsFiles += 1
            } else if p.finalPath.hasPrefix(config.erpOutbox + "/") || workspace.path(p.finalPath).hasPrefix(workspace.path(config.erpOutbox) + "/") {
                summary.feedbackFiles += 1
            } else {
                summary.instructionFiles += 1
            }
            summary.outputs.append(p.finalPath)
        }
    }

    /// Where the input `name` goes in today's archive folder (`.enc` added when the archive is encrypted).
    func archiveTarget(_ name: String) -> String {
        let name = name + (config.archiveKey == nil ? "" : ".enc")
        let dir = workspace.path(config.archiveDir) + "/" + ISODate.utcDayPath(now())
        return FS.freeName(in: dir, name)
    }

    /// Finishes a file whose content an earlier one had: recorded as processed with nothing in it and its archive
    /// target (one commit), then archived as a duplicate with the run's attempt.
    func archiveDuplicate(fileId: Int64, name: String, workPath: String, of earlier: FileRecord) throws {
        let target = archiveTarget(name)
        try ledger.inTransaction { tx in
            try tx.finishFile(fileId: fileId, counts: FileCounts(), at: timestamp())
            try tx.setTarget(fileId: fileId, .processed, target: workspace.relative(target),
                             reason: "duplicate of file \(earlier.id) (\(earlier.name))")
        }
        try archive(fileId: fileId, name: name, workPath: workPath, target: target, duplicate: true,
                    attempt: attempt(fileId: fileId, outcome: .duplicate, reason: "same content as file \(earlier.id) (\(earlier.name))"))
    }

    func archive(fileId: Int64, name: String, workPath: String, target: String?, duplicate: Bool,
                 counts: FileCounts? = nil, channel: String? = nil, attempt: Attempt? = nil) throws {
        let record = try ledger.file(id: fileId)
        let key = config.archiveKey
        var dest = target
        // Both there: a plain move is atomic, so the target belongs to someone else; an encrypted copy is renamed
        // into place before the input is removed, so the target is ours and complete.
        if dest == nil || (!FS.exists(workPath) && !FS.exists(dest!)) || (FS.exists(workPath) && FS.exists(dest!) && key == nil)
            || (key != nil && !dest!.hasSuffix(".enc")) {
            dest = archiveTarget(name)
            try ledger.setTarget(fileId: fileId, .processed, target: workspace.relative(dest!), reason: nil)
        }
        Failpoint.hit("before-archive")
        if FS.exists(workPath) {
            if let key {
                if !FS.exists(dest!) {
                    let temp = FS.parent(dest!) + "/." + FS.name(dest!) + ".tmp"
                    try FS.makeDirectories(FS.parent(dest!), mode: 0o700)
                    let sink = try FileSink(path: temp)
                    try ArchiveCipher.encrypt(try FileByteSource(path: workPath), to: sink, key: key)
                    try sink.close(sync: true)
                    try FS.move(temp, to: dest!)
                }
                FS.remove(workPath)
                try FS.fsyncDirectory(FS.parent(workPath))
            } else {
                try FS.move(workPath, to: dest!)
            }
        }
        Failpoint.hit("after-archive-move")
        let status: FileStatus = duplicate ? .duplicate : .archived
        try ledger.setStatus(fileId: fileId, status, path: workspace.relative(dest!), at: timestamp(), attempt: attempt)
        if duplicate { summary.filesDuplicate += 1 } else { summary.filesArchived += 1 }
        summary.files.append(FileOutcome(file: name, channel: channel ?? record?.channel ?? "", status: status.rawValue,
                                         reason: duplicate ? record?.reason : nil,
                                         accepted: counts?.accepted ?? record?.ordersAccepted ?? 0,
                                         rejected: counts?.rejected ?? record?.ordersRejected ?? 0,
                                         duplicate: counts?.duplicate ?? record?.ordersDuplicate ?? 0))
    }

    /// Quarantines a file: records why, writes `NAME.error.json` beside it in `failed/`, moves it there.
    /// `hash`: given when it was being computed as the file was claimed, and so is not in its ledger row yet.
    func failFile(id: Int64, name: String, channelName: String, hash: FileHash? = nil, workPath: String, error: FormatError) throws {
        let finding = error.finding(file: name)
        summary.count([finding])
        logger.error("\(FileNames.printable(name)): \(finding.summary)")
        let target = FS.freeName(in: workspace.path(config.failedDir), name)
        // A file that cannot be read has no hash: its error says so.
        let pendingHash = hash.flatMap { $0.wasPending ? try? $0.value() : nil }
        try ledger.inTransaction { tx in
            if let pendingHash { try tx.setHash(fileId: id, hash: pendingHash) }
            try tx.recordFindings([finding], fileId: id)
            try tx.setTarget(fileId: id, .failing, target: workspace.relative(target), reason: error.description)
        }
        Failpoint.hit("after-fail-record")
        try finishFailing(fileId: id, name: name, workPath: workPath, target: target)
        try recordAttempt(fileId: id, outcome: .failed, reason: error.description)
    }

    /// Keeps who processed a file, when, how and with what outcome.
    func recordAttempt(fileId: Int64, outcome: FileStatus, reason: String?) throws {
        try ledger.recordAttempt(attempt(fileId: fileId, outcome: outcome, reason: reason))
    }

    /// An attempt of this run at the file, to record (`recordAttempt`, or with the file's status in `archive`).
    func attempt(fileId: Int64, outcome: FileStatus, reason: String?) -> Attempt {
        Attempt(fileId: fileId, at: timestamp(), by: Self.user, kind: attemptKind, source: attemptSource,
                outcome: outcome.rawValue, reason: reason)
    }

    static let user: String = {
        if let u = ProcessInfo.processInfo.environment["USER"], !u.isEmpty { return u }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }()

    func finishFailing(fileId: Int64, name: String, workPath: String, target: String) throws {
        let record = try ledger.file(id: fileId)
        let findings = try ledger.findings(fileId: fileId)
        let report = ErrorReport(file: name, channel: record?.channel ?? "", sha256: record?.hash ?? "",
                                 size: record?.size ?? 0, failedAt: timestamp(), reason: record?.reason ?? "",
                                 ledgerId: fileId, findings: findings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FS.writeAtomically(Array(try encoder.encode(report)) + [0x0A], to: target + ".error.json")
        if FS.exists(workPath) { try FS.move(workPath, to: target) }
        Failpoint.hit("after-fail-move")
        try ledger.setStatus(fileId: fileId, .failed, path: workspace.relative(target), at: timestamp(), attempt: nil)
        summary.filesFailed += 1
        summary.files.append(FileOutcome(file: name, channel: record?.channel ?? "", status: FileStatus.failed.rawValue,
                                         reason: record?.reason, accepted: 0, rejected: 0, duplicate: 0))
    }

    func timestamp() -> String { ISODate.utcString(now()) }
}

/// The content of `failed/NAME.error.json`.
struct ErrorReport: Codable {
    var file: String
    var channel: String
    var sha256: String
    var size: Int64
    var failedAt: String
    var reason: String
    var ledgerId: Int64
    var findings: [Finding]
}
