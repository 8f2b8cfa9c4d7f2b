import ERPWMSCore
import ERPWMSFormats

/// The outputs of one input file while its transaction is open: each is written to a temporary name in
/// `work/.publish/`, and only `commit` makes them official (durable, validated, recorded as pending
/// publication in the same transaction). `discard` removes them when the transaction fails.
final class Staging {
    /// One staged output.
    final class Output {
        let kind: String
        /// The warehouse of a shipment-order output (instructions find their output by file and warehouse).
        let warehouse: String?
        let tempPath: String
        /// Where the output will be published. Named after the input's source (`Staging.source`): while the input
        /// is still being hashed, `named` makes it at the commit.
        private(set) var finalPath: String
        private let named: ((_ source: String) -> String)?
        /// Where the writer put the source in the output's first bytes (`Staging.sourceForHeader`): while it is
        /// pending, the commit overwrites the placeholder there.
        var sourceOffset: Int?
        /// Where the content goes: the temporary file (and the schema check running beside it), or nowhere in a
        /// dry run.
        let file: ByteSink
        let fileSink: FileSink?
        let schema: String?
        /// Validates the output against `schema` on the second core while it is written.
        let validation: BackgroundSchemaValidation?
        var records = 0
        /// Writes the output's closing bytes into `file` (set by whoever writes the content).
        var finish: () throws -> Void = {}

        init(kind: String, warehouse: String?, tempPath: String, finalPath: String, named: ((String) -> String)?,
             file: FileSink?, schema: String?) {
            self.kind = kind
            self.warehouse = warehouse
            self.tempPath = tempPath
            self.finalPath = finalPath
            self.named = named
            self.fileSink = file
            if let file, let schema {
                let v = BackgroundSchemaValidation(schema: schema)
                validation = v
                self.file = TeeByteSink(file, v.pipe)
            } else {
                validation = nil
                self.file = file ?? DiscardingSink()
            }
            self.schema = schema
        }

        /// Whether the name (and the source in the first bytes) wait for the input's hash, till the commit.
        var awaitsSource: Bool { named != nil }

        /// Completes the name and the first bytes with the input's source, once it is known.
        fileprivate func resolve(source: String) throws {
            guard let named else { return }
            finalPath = named(source)
            if let sourceOffset, let fileSink { try fileSink.patch(Array(source.utf8), at: Int64(sourceOffset)) }
        }
    }

    private unowned let runner: BatchRunner
    /// The input's SHA-256, whose first 16 hex digits (its source) are part of every output's name, so that
    /// names are deterministic. It may still be being computed (`FileHash`).
    private let hash: FileHash
    /// The input's ledger id: it names the temporary outputs while the source is pending.
    private let fileId: Int64
    let inputName: String
    private var outputs: [String: Output] = [:]
    private(set) var firstRejection: Finding?
    private var rejects: CSVWriter?
    /// A warehouse's staged shipment-order file: writer, and the staged output itself (its record count is kept
    /// there).
    struct WarehouseOutput {
        var writer: ShipmentOrderOutput
        var output: Output
    }
    /// Shipment-order outputs per warehouse (orders and exchange replacements share them). Read for every order, by
    /// the ledger's thread only: no dynamic exclusivity check (~90 instructions an access).
    @exclusivity(unchecked) var shipmentWriters: [String: WarehouseOutput] = [:]
    /// Writers of the generic document outputs.
    private(set) lazy var documents = DocumentOutputs(runner: runner, staging: self)

    /// A dry run writes nothing: outputs go nowhere and `commit` does nothing.
    let dryRun: Bool

    init(runner: BatchRunner, hash: FileHash, fileId: Int64, inputName: String, dryRun: Bool = false) {
        self.runner = runner
        self.hash = hash
        self.fileId = fileId
        self.inputName = inputName
        self.dryRun = dryRun
    }

    /// The first 16 hex digits of the input's SHA-256; waits for the hash if it is still being computed.
    func source() throws -> String { try hash.source() }

    /// What stands for the source in an output's first bytes while the input is still being hashed: as long as
    /// a source, and valid wherever one is (the schemas' `Code`).
    static let pendingSource = String(repeating: "0", count: 16)

    /// The source for a writer to put in the start of `output`, which must be empty; the caller sets
    /// `output.sourceOffset` to where it wrote it. For an output that awaits the source (`open(named:)`),
    /// `pendingSource`, which the commit overwrites.
    func sourceForHeader(of output: Output) throws -> String {
        precondition(output.fileSink.map { $0.bytesWritten == 0 } ?? true, "the source of an output already written to")
        return output.awaitsSource ? Self.pendingSource : try source()
    }

    /// The staged output under `key`, created on first use.
    func open(key: String, kind: String, warehouse: String? = nil, finalPath: String, schema: String?) throws -> Output {
        try open(key: key, kind: kind, warehouse: warehouse, finalPath: finalPath, named: nil, schema: schema)
    }

    /// The staged output under `key`, created on first use, whose name is made of the input's source by `named`:
    /// it does not wait for the input's hash. Until the commit, its temporary name has the input's ledger id
    /// where the source will be.
    func open(key: String, kind: String, warehouse: String? = nil, named: @escaping (_ source: String) -> String,
              schema: String?) throws -> Output {
        // (A dry run's hash is never pending.)
        if hash.wasPending {
            return try open(key: key, kind: kind, warehouse: warehouse, finalPath: named("file\(fileId)"), named: named, schema: schema)
        }
        return try open(key: key, kind: kind, warehouse: warehouse, finalPath: named(try source()), named: nil, schema: schema)
    }

    /// `named`: how to name the output at the commit, when its name waits for the source (`finalPath` is then
    /// provisional, and only names the temporary file).
    private func open(key: String, kind: String, warehouse: String?, finalPath: String, named: ((String) -> String)?,
                      schema: String?) throws -> Output {
        if let o = outputs[key] { return o }
        let temp = runner.workspace.publishTempDir + "/" + FS.name(finalPath) + ".tmp"
        // Staged outputs are fsynced at the commit and not read again in this run: their writeback starts as
        // they grow, every MiB (every 8 MiB, the fsyncs at the end of 100,000 orders waited 15 ms instead of 2).
        let o = Output(kind: kind, warehouse: warehouse, tempPath: temp, finalPath: finalPath, named: named,
                       file: dryRun ? nil : try FileSink(path: temp, writebackEvery: 1 << 20),
                       schema: schema)
        outputs[key] = o
        return o
    }

    func count(_ key: String) { outputs[key]?.records += 1 }

    /// Records a rejected document: its findings in the ledger, one row per finding in `failed/NAME.rejects.csv`.
    func reject(_ findings: [Finding], orderId: String, customer: String = "", tx: LedgerTransaction, fileId: Int64) throws {
        if firstRejection == nil { firstRejection = findings.first }
        runner.plan?(PlanEntry(id: findings.first?.orderId ?? orderId, action: .rejected,
                               detail: findings.map { "\($0.rule)\($0.field.map { " \($0)" } ?? ""): \($0.message)" }.joined(separator: "; ")))
        for f in findings { runner.pendingFindings[f.rule, default: 0] += 1 }
        try tx.recordFindings(findings, fileId: fileId)
        if rejects == nil {
            let failed = runner.workspace.path(runner.config.failedDir)
            let o = try open(key: "rejects", kind: "rejects", finalPath: FS.freeName(in: failed, inputName + ".rejects.csv"),
                             schema: nil)
            let w = CSVWriter(sink: o.file)
            try w.writeRow(["file", "line", "record", "order_id", "customer", "rule", "field", "message"])
            o.finish = { try w.finish() }
            rejects = w
        }
        for f in findings {
            count("rejects")
            try rejects!.writeRow([inputName, f.location.line.map(String.init) ?? "", f.location.record.map(String.init) ?? "",
                                   f.orderId ?? orderId, customer, f.rule, f.field ?? "", f.message])
        }
    }

    /// Makes every output durable, checks it against its schema, and records it as pending publication.
    func commit(tx: LedgerTransaction, fileId: Int64) throws {
        if dryRun { return }
        let keys = outputs.keys.sorted()
        let source = try source()
        // First every output gets its last bytes and the kernel starts writing each to disk, so that their fsyncs
        // below overlap instead of each waiting in turn.
        for key in keys {
            let o = outputs[key]!
            try o.finish()
            try o.fileSink?.flush()
            try o.resolve(source: source)
            o.fileSink?.startWriteback()  // the rest of it, below the 1 MiB step
        }
        // Their fsyncs wait on the disk while this thread has the ledger write the transaction's pages so far
        // into its WAL, which the commit did after them (the end of a 100,000-order run ~10 ms shorter). A thread
        // for each: the file system here has no journal to commit them together, and one thread syncing them in
        // turn was slower (0.684 -> 0.691 s; 201 files of 50 orders 2.53 -> 2.64 s).
        let syncs = try keys.compactMap { try outputs[$0]!.fileSink?.syncInBackground() }
        let written = Result { try tx.writeAhead() }
        let synced = syncs.map { s in Result { try s.wait() } }  // every one waited for, whatever failed
        try written.get()
        for s in synced { try s.get() }
        for key in keys {
            let o = outputs[key]!
            try o.fileSink?.close(sync: false)
            if let schema = o.schema, let validation = o.validation {
                let errors = try validation.finish()
                if let e = errors.first {
                    throw FormatError(rule: "output.schema",
                                      message: "\(FS.name(o.finalPath)) does not pass \(schema): \(e.description) (this is a bug in erpwms; please report it)")
                }
            }
            try tx.recordOutput(fileId: fileId, kind: o.kind, warehouse: o.warehouse, tempPath: runner.workspace.relative(o.tempPath),
                                finalPath: runner.workspace.relative(o.finalPath), records: o.records)
        }
        if !outputs.isEmpty { try FS.fsyncDirectory(runner.workspace.publishTempDir) }
    }

    /// Removes every temporary output (the transaction did not commit).
    func discard() {
        for o in outputs.values { o.validation?.cancel() }
        if dryRun { return }
        for o in outputs.values { FS.remove(o.tempPath) }
    }
}

/// A sink that drops everything (dry runs).
final class DiscardingSink: ByteSink {
    func write(_ bytes: UnsafeRawBufferPointer) throws {}
}
