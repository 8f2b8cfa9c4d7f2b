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
        for dir in workspace.folders { try FS.makeDirectories(dir) }
        try FS.makeDirectories(workspace.publishTempDir)
        try recover()
        for channel in config.channels {
            try pickUp(channel)
        }
        return summary
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
                if FS.exists(workspace.path(file.path)), let channel {
                    logger.info("resuming \(file.name) (claimed by an interrupted run)")
                    try process(fileId: file.id, workPath: workspace.path(file.path), name: file.name, channel: channel)
                } else if FS.exists(workspace.path(file.path)) {
                    try failFile(id: file.id, name: file.name, channelName: file.channel, hash: file.hash,
                                 workPath: workspace.path(file.path),
                                 error: FormatError(rule: "channel.unknown", message: "channel '\(file.channel)' is no longer configured"))
                } else {
                    try ledger.setStatus(fileId: file.id, .failed, path: file.path, at: timestamp())
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
            for name in names.sorted() where !name.hasPrefix(".") {
                summary.filesRecovered += 1
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
        for candidate in Pickup.candidates(in: inbox, rule: channel.pickup, now: now(), skipped: &skipped) {
            let workDir = workDir(channel)
            try FS.makeDirectories(workDir)
            let workPath = workDir + "/" + candidate.name
            if FS.exists(workPath) {
                logger.warning("\(candidate.name): a file of that name is still in work/\(channel.name); leaving it in the inbox")
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
            case .notRegular(let n): logger.warning("\(channel.name)/\(n): not a regular file (symlink, FIFO or folder); not taken")
            case .tooYoung(let n): logger.debug("\(channel.name)/\(n): modified too recently; next run")
            case .noMarker(let n): logger.debug("\(channel.name)/\(n): no done-marker yet; next run")
            }
        }
    }

    /// A file just claimed into `work/`: hash it, dedupe it, record it, process it.
    func claimed(path: String, name: String, channel: Channel) throws {
        summary.filesSeen += 1
        let (hash, size): (String, Int64)
        do {
            (hash, size) = try Self.hashFile(path)
        } catch {
            logger.error("\(name): cannot read: \(error)")
            throw error
        }
        let rel = workspace.relative(path)
        let id = try ledger.recordClaim(name: name, channel: channel.name, hash: hash, size: size, path: rel, at: timestamp())
        Failpoint.hit("after-claim-record")
        if let earlier = try ledger.processedFile(withHash: hash), earlier.id != id {
            logger.notice("\(name): same content as \(earlier.name) (file \(earlier.id)); recorded as duplicate, not processed")
            try ledger.inTransaction { tx in
                var c = FileCounts()
                c.records = 0
                try tx.finishFile(fileId: id, counts: c, at: timestamp())
            }
            try ledger.setTarget(fileId: id, .processed, target: workspace.relative(archiveTarget(name)),
                                 reason: "duplicate of file \(earlier.id) (\(earlier.name))")
            try archive(fileId: id, name: name, workPath: path, target: nil, duplicate: true)
            return
        }
        if size > config.limits.maxFileBytes {
            try failFile(id: id, name: name, channelName: channel.name, hash: hash, workPath: path,
                         error: FormatError(rule: "file.too-large", message: "\(size) bytes, the limit is \(config.limits.maxFileBytes) (limits.max_file_mb)"))
            return
        }
        try process(fileId: id, workPath: path, name: name, channel: channel)
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

    /// An output being written during the file's transaction.
    private final class OpenOutput {
        let writer: ShipmentOrderWriter
        let sink: FileSink
        let tempPath: String
        let finalPath: String
        init(writer: ShipmentOrderWriter, sink: FileSink, tempPath: String, finalPath: String) {
            self.writer = writer
            self.sink = sink
            self.tempPath = tempPath
            self.finalPath = finalPath
        }
    }

    struct PolicyRejection: Error {
        var rejected: Int
        var first: Finding?
    }

    func process(fileId: Int64, workPath: String, name: String, channel: Channel) throws {
        let record = try ledger.file(id: fileId)
        let hash = record?.hash ?? ""
        let source16 = String(hash.prefix(16))
        let validator = OrderValidator(settings: config.rules)
        var temps: [String] = []
        do {
            let counts = try ledger.inTransaction { tx -> FileCounts in
                var counts = FileCounts()
                var outputs: [String: OpenOutput] = [:]
                var rejects: (CSVWriter, FileSink, String, String)?
                var rejectedFindings = 0
                var firstRejection: Finding?

                let reader = try openReader(path: workPath, name: name, channel: channel)

                func output(for warehouse: String) throws -> OpenOutput {
                    if let o = outputs[warehouse] { return o }
                    let finalName = "shipment-orders_\(warehouse)_\(source16).xml"
                    let temp = workspace.publishTempDir + "/" + finalName + ".tmp"
                    temps.append(temp)
                    let sink = try FileSink(path: temp)
                    let o = OpenOutput(
                        writer: ShipmentOrderWriter(sink: sink, warehouse: warehouse, source: source16,
                                                    includeEmail: config.includeEmail, includePhone: config.includePhone),
                        sink: sink, tempPath: temp, finalPath: workspace.path(config.wmsOutbox) + "/" + finalName)
                    outputs[warehouse] = o
                    return o
                }

                func reject(_ findings: [Finding], raw: RawOrder) throws {
                    counts.ordersRejected += 1
                    if firstRejection == nil { firstRejection = findings.first }
                    try tx.recordFindings(findings, fileId: fileId)
                    if rejects == nil {
                        let finalPath = FS.freeName(in: workspace.path(config.failedDir), name + ".rejects.csv")
                        let temp = workspace.publishTempDir + "/" + FS.name(finalPath) + ".tmp"
                        temps.append(temp)
                        let sink = try FileSink(path: temp)
                        let w = CSVWriter(sink: sink)
                        try w.writeRow(["file", "line", "record", "order_id", "rule", "field", "message"])
                        rejects = (w, sink, temp, finalPath)
                    }
                    for f in findings {
                        rejectedFindings += 1
                        try rejects!.0.writeRow([name, f.location.line.map(String.init) ?? "",
                                                 f.location.record.map(String.init) ?? "", f.orderId ?? raw.orderId,
                                                 f.rule, f.field ?? "", f.message])
                    }
                }

                while let raw = try reader.next() {
                    counts.records += raw.lines.count
                    switch validator.validate(raw, file: name) {
                    case .rejected(let findings):
                        try reject(findings, raw: raw)
                    case .accepted(let order, let warnings):
                        guard let warehouse = config.router.route(order) else {
                            try reject([Finding(rule: OrderRule.warehouseUnroutable,
                                                message: "no warehouse given, no routing.by_country rule for \(order.shipTo.country) and no routing.default_warehouse",
                                                file: name, location: raw.location, orderId: order.id, field: "warehouse")], raw: raw)
                            continue
                        }
                        let contentHash = order.contentHash
                        var version = 1
                        var action = ShipmentOrderWriter.Action.new
                        if let known = try tx.order(order.id) {
                            if known.contentHash == contentHash {
                                counts.ordersDuplicate += 1
                                continue
                            }
                            guard known.status == "instructed" else {
                                try reject([Finding(rule: OrderRule.changedAfterConfirmation,
                                                    message: "changed after the WMS confirmed version \(known.version); a change now needs a cancellation or a new order",
                                                    file: name, location: raw.location, orderId: order.id)], raw: raw)
                                continue
                            }
                            version = known.version + 1
                            action = .replace
                            counts.ordersReplaced += 1
                        }
                        if !warnings.isEmpty { try tx.recordFindings(warnings, fileId: fileId) }
                        let out = try output(for: warehouse)
                        try out.writer.write(order, version: version, action: action)
                        try tx.saveOrder(order, version: version, contentHash: contentHash, warehouse: warehouse, fileId: fileId)
                        try tx.recordInstruction(orderId: order.id, version: version, action: action.rawValue,
                                                 warehouse: warehouse, output: workspace.relative(out.finalPath), fileId: fileId)
                        counts.ordersAccepted += 1
                        counts.linesAccepted += order.lines.count
                        Failpoint.hit("mid-orders")
                    }
                }

                if channel.errorPolicy == .rejectFile && counts.ordersRejected > 0 {
                    throw PolicyRejection(rejected: counts.ordersRejected, first: firstRejection)
                }

                // Make every output durable and check it before the commit that makes it official.
                for warehouse in outputs.keys.sorted() {
                    let o = outputs[warehouse]!
                    try o.writer.finish()
                    try o.sink.close(sync: true)
                    if config.validateOutput {
                        let errors = try XMLSchemaValidator.validate(try FileByteSource(path: o.tempPath),
                                                                     schema: ShipmentOrderWriter.schemaName)
                        if let e = errors.first {
                            throw FormatError(rule: "output.schema",
                                              message: "the shipment-order file for \(warehouse) does not pass \(ShipmentOrderWriter.schemaName): \(e.description) (this is a bug in erpwms; please report it)")
                        }
                    }
                    try tx.recordOutput(fileId: fileId, kind: "wms-shipment-orders", tempPath: workspace.relative(o.tempPath),
                                        finalPath: workspace.relative(o.finalPath), records: o.writer.ordersWritten)
                }
                if let r = rejects {
                    try r.0.finish()
                    try r.1.close(sync: true)
                    try tx.recordOutput(fileId: fileId, kind: "rejects", tempPath: workspace.relative(r.2),
                                        finalPath: workspace.relative(r.3), records: rejectedFindings)
                }
                try FS.fsyncDirectory(workspace.publishTempDir)
                try tx.finishFile(fileId: fileId, counts: counts, at: timestamp())
                Failpoint.hit("before-commit")
                return counts
            }
            Failpoint.hit("after-commit")
            summary.ordersAccepted += counts.ordersAccepted
            summary.ordersRejected += counts.ordersRejected
            summary.ordersDuplicate += counts.ordersDuplicate
            summary.ordersReplaced += counts.ordersReplaced
            summary.linesAccepted += counts.linesAccepted
            logger.info("\(name): \(counts.ordersAccepted) orders accepted, \(counts.ordersRejected) rejected, \(counts.ordersDuplicate) duplicate")
            try publishPending()
            try archive(fileId: fileId, name: name, workPath: workPath, target: nil, duplicate: false,
                        counts: counts, channel: channel.name)
        } catch let e as FormatError {
            for t in temps { FS.remove(t) }
            try failFile(id: fileId, name: name, channelName: channel.name, hash: hash, workPath: workPath, error: e)
        } catch let e as PolicyRejection {
            for t in temps { FS.remove(t) }
            var detail = ""
            if let f = e.first { detail = "; first: \(f.summary)" }
            try failFile(id: fileId, name: name, channelName: channel.name, hash: hash, workPath: workPath,
                         error: FormatError(rule: "channel.error-policy",
                                            message: "\(e.rejected) order(s) rejected and the channel's error_policy is reject-file, so nothing from this file was sent\(detail)"))
        } catch {
            for t in temps { FS.remove(t) }
            throw error
        }
    }

    func openReader(path: String, name: String, channel: Channel) throws -> OrderReader {
        var source: ByteSource = try FileByteSource(path: path)
        if try Self.isGzip(path) {
            source = try GzipByteSource(source, limits: config.limits)
        }
        switch channel.format {
        case .csv:
            if channel.encoding != .utf8 {
                source = try TranscodingByteSource(source, from: channel.encoding)
            }
            return try CSVOrderReader(source: source, file: name,
                                      dialect: .init(delimiter: channel.delimiter), limits: config.limits)
        case .xml:
            return try XMLOrderReader(source: source, file: name, encoding: channel.encoding, limits: config.limits)
        }
    }

    static func isGzip(_ path: String) throws -> Bool {
        let s = try FileByteSource(path: path)
        var magic: [UInt8] = [0, 0]
        let n = try magic.withUnsafeMutableBytes { try s.read(into: $0) }
        return n == 2 && magic[0] == 0x1F && magic[1] == 0x8B
    }

    // MARK: - Publish, archive, fail

    /// Renames every committed temporary output to its final name (idempotent).
    func publishPending() throws {
        for p in try ledger.pendingOutputs() {
            let temp = workspace.path(p.tempPath)
            let final = workspace.path(p.finalPath)
            if FS.exists(temp) {
                try FS.move(temp, to: final)
            } else if !FS.exists(final) {
                // Published and already taken away by the WMS before the ledger heard of it.
                logger.notice("\(p.finalPath): published earlier and already gone from the outbox")
            }
            Failpoint.hit("after-publish-one")
            try ledger.markPublished(outputId: p.id)
            if p.finalPath.hasSuffix(".rejects.csv") { summary.rejectsFiles += 1 } else { summary.instructionFiles += 1 }
            summary.outputs.append(p.finalPath)
        }
    }

    func archiveTarget(_ name: String) -> String {
        let c = Calendar(identifier: .gregorian)
        var cal = c
        cal.timeZone = TimeZone(identifier: "UTC")!
        let d = cal.dateComponents([.year, .month, .day], from: now())
        let dir = workspace.path(config.archiveDir) + String(format: "/%04d/%02d/%02d", d.year!, d.month!, d.day!)
        return FS.freeName(in: dir, name)
    }

    func archive(fileId: Int64, name: String, workPath: String, target: String?, duplicate: Bool,
                 counts: FileCounts? = nil, channel: String? = nil) throws {
        let record = try ledger.file(id: fileId)
        var dest = target
        if dest == nil || (!FS.exists(workPath) && !FS.exists(dest!)) || (FS.exists(workPath) && FS.exists(dest!)) {
            dest = archiveTarget(name)
            try ledger.setTarget(fileId: fileId, .processed, target: workspace.relative(dest!), reason: nil)
        }
        Failpoint.hit("before-archive")
        if FS.exists(workPath) {
            try FS.move(workPath, to: dest!)
        }
        Failpoint.hit("after-archive-move")
        let status: FileStatus = duplicate ? .duplicate : .archived
        try ledger.setStatus(fileId: fileId, status, path: workspace.relative(dest!), at: timestamp())
        if duplicate { summary.filesDuplicate += 1 } else { summary.filesArchived += 1 }
        summary.files.append(FileOutcome(file: name, channel: channel ?? record?.channel ?? "", status: status.rawValue,
                                         reason: duplicate ? record?.reason : nil,
                                         ordersAccepted: counts?.ordersAccepted ?? record?.ordersAccepted ?? 0,
                                         ordersRejected: counts?.ordersRejected ?? record?.ordersRejected ?? 0,
                                         ordersDuplicate: counts?.ordersDuplicate ?? record?.ordersDuplicate ?? 0))
    }

    /// Quarantines a file: records why, writes `NAME.error.json` beside it in `failed/`, moves it there.
    func failFile(id: Int64, name: String, channelName: String, hash: String, workPath: String, error: FormatError) throws {
        let finding = error.finding(file: name)
        logger.error("\(name): \(finding.summary)")
        let target = FS.freeName(in: workspace.path(config.failedDir), name)
        try ledger.recordFindings([finding], fileId: id)
        try ledger.setTarget(fileId: id, .failing, target: workspace.relative(target), reason: error.description)
        Failpoint.hit("after-fail-record")
        try finishFailing(fileId: id, name: name, workPath: workPath, target: target)
    }

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
        try ledger.setStatus(fileId: fileId, .failed, path: workspace.relative(target), at: timestamp())
        summary.filesFailed += 1
        summary.files.append(FileOutcome(file: name, channel: record?.channel ?? "", status: FileStatus.failed.rawValue,
                                         reason: record?.reason, ordersAccepted: 0, ordersRejected: 0, ordersDuplicate: 0))
    }

    func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: now())
    }
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
