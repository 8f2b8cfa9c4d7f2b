import Crypto
import ERPWMSCore
import Foundation
import GRDB
import GRDBSQLite

/// The embedded ledger: SQLite in WAL mode through GRDB, schema managed by migrations.
public final class SQLiteLedger: Ledger {
    let queue: DatabaseQueue
    let path: String
    /// The checkpoint after the last file's transaction, while it runs (`checkpointBeside`).
    private var backgroundCheckpoint: BackgroundJob?

    /// The background checkpoint's connection is closed before this one.
    deinit { try? backgroundCheckpoint?.wait() }

    /// Opens (creating if needed) the ledger at `path` and migrates it to the current schema.
    public init(path: String) throws {
        self.path = path
        // Owner-only from the first byte; SQLite gives the -wal and -shm files the database file's mode.
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        var config = GRDB.Configuration()
        config.prepareDatabase { db in
            // 32 KiB pages instead of 4 KiB, for a ledger created from now on (an existing one keeps its page
            // size). A file is one transaction that writes its ledger pages three times at the commit: into the
            // WAL, copied into the database by the checkpoint, and synced. Eight times fewer pages halve that
            // end of a run: 100,000 orders end in ~130 ms instead of ~210 ms, and a million orders ran 18.6 s
            // instead of 22.5 s, their confirmations 32.8 s instead of 42.9 s; the report over them was not
            // slower (8.7 s against 9.0 s). Peak RSS is unchanged (the cache is sized in bytes below).
            try db.execute(sql: "PRAGMA page_size = 32768")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Personal data the ledger must forget (an exchange's ship-to once its replacement is sent, purged
            // rows) is overwritten, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // 4 MiB of page cache instead of SQLite's 2: a file of a million orders is one transaction, and with the
            // default the pages it spills to the WAL were read back again and again (32 s -> 26 s for a million
            // orders with 6 MiB, peak RSS 46 -> 51 MiB). 6 -> 4 MiB (sixteenth session; a ledger of 10,000 orders
            // never fills either, so the difference was the growth of peak RSS with the input): a million orders
            // 43.3-43.6 -> 41.1-41.3 MiB, and no slower in runs alternated with 5 and 6 MiB (13.0-14.3 s with 6,
            // 10.0-11.5 with 5, 10.3-11.2 with 4), their confirmations 55.4 -> 50.6 s, the report 6.8-7.5 ->
            // 6.2-6.9 s. (The fifteenth session had measured 4 MiB ~10 % slower, in a noisier state of the machine.)
            try db.execute(sql: "PRAGMA cache_size = -4096")
        }
        config.busyMode = .timeout(10)
        queue = try DatabaseQueue(path: path, configuration: config)
        try pragmas("PRAGMA journal_mode = WAL")
        // The migration commits without waiting for the disk (when a new ledger's eleven commits each waited for an
        // fsync, a first run over an empty inbox went 31.8 -> 30.0 ms). WAL at synchronous NORMAL stays
        // consistent: a power cut can only lose the migration, which GRDB then runs again. The first commit after
        // it (the next file claimed) syncs the WAL with it in it.
        try pragmas("PRAGMA synchronous = NORMAL")
        try Self.migrator.migrate(queue)
        try pragmas("PRAGMA synchronous = FULL")
    }

    /// The schema's steps, in order: each was once a migration of its own. A new step goes at the end.
    struct MigrationSteps {
        var steps: [(id: String, run: @Sendable (Database) throws -> Void)] = []
        mutating func registerMigration(_ id: String, _ run: @escaping @Sendable (Database) throws -> Void) {
            steps.append((id, run))
        }
    }

    /// Migrates a ledger in one transaction, however many steps it lacks: all of them or none (an upgrade that
    /// stops half-way leaves the ledger as it was), and a new ledger's eleven migrations, each a transaction with
    /// its foreign-key check and its commit, had written 172 pages into the WAL (5.6 MB; a first run over an
    /// empty inbox 31.6 -> 28.0 ms). GRDB's merged migration, named after the last step, stands for all the
    /// steps before it; a ledger that applied some of them runs the rest (steps apply in order, so the last one
    /// applied says which).
    static var migrator: DatabaseMigrator {
        let steps = migrationSteps.steps
        let last = steps[steps.count - 1]
        var m = DatabaseMigrator()
        m.registerMigration(last.id, merging: Set(steps.dropLast().map(\.id))) { db, applied in
            // A new ledger: the schema the steps end in, in one script.
            if applied.isEmpty { return try db.execute(sql: LedgerSchema.current) }
            let done = steps.lastIndex { applied.contains($0.id) } ?? -1
            for step in steps[(done + 1)...] { try step.run(db) }
        }
        return m
    }

    /// The steps one migration each, as ledgers before the merge were migrated (tests build old ledgers with it).
    static var stepwiseMigrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        for step in migrationSteps.steps { m.registerMigration(step.id, migrate: step.run) }
        return m
    }

    static var migrationSteps: MigrationSteps {
        var m = MigrationSteps()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE files (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    path TEXT NOT NULL,
                    target_path TEXT,
                    reason TEXT,
                    received_at TEXT NOT NULL,
                    finished_at TEXT,
                    orders_accepted INTEGER NOT NULL DEFAULT 0,
                    orders_rejected INTEGER NOT NULL DEFAULT 0,
                    orders_duplicate INTEGER NOT NULL DEFAULT 0,
                    orders_replaced INTEGER NOT NULL DEFAULT 0,
                    lines_accepted INTEGER NOT NULL DEFAULT 0,
                    records INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX files_hash ON files(hash);
                CREATE INDEX files_status ON files(status);
                CREATE TABLE orders (
                    order_id TEXT PRIMARY KEY,
                    version INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    ship_country TEXT NOT NULL,
                    order_date TEXT NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    line_count INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE order_lines (
                    order_id TEXT NOT NULL,
                    line_no INTEGER NOT NULL,
                    sku TEXT NOT NULL,
                    wms_item TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    uom TEXT NOT NULL,
                    unit_price_minor INTEGER NOT NULL,
                    tax_rate TEXT,
                    PRIMARY KEY (order_id, line_no)
                ) WITHOUT ROWID;
                CREATE TABLE instructions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    order_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    output TEXT NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    UNIQUE (order_id, version)
                );
                CREATE TABLE outputs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    kind TEXT NOT NULL,
                    temp_path TEXT NOT NULL,
                    final_path TEXT NOT NULL,
                    records INTEGER NOT NULL,
                    status TEXT NOT NULL
                );
                CREATE TABLE findings (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    order_id TEXT,
                    rule TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    field TEXT,
                    line INTEGER,
                    record INTEGER,
                    message TEXT NOT NULL
                );
                CREATE INDEX findings_file ON findings(file_id);
                """)
        }
        m.registerMigration("v2-confirmations") { db in
            try db.execute(sql: """
                ALTER TABLE orders ADD COLUMN instructed_at TEXT;
                ALTER TABLE orders ADD COLUMN first_instructed_at TEXT;
                CREATE TABLE shipments (
                    shipment_id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL,
                    version INTEGER,
                    ship_date TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    carrier TEXT NOT NULL,
                    service TEXT NOT NULL,
                    tracking TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    known_order INTEGER NOT NULL,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    received_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX shipments_order ON shipments(order_id);
                CREATE TABLE shipment_lines (
                    shipment_id TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    line_no INTEGER NOT NULL,
                    sku TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    lots TEXT NOT NULL,
                    reason TEXT,
                    PRIMARY KEY (shipment_id, line_no)
                ) WITHOUT ROWID;
                CREATE INDEX shipment_lines_order ON shipment_lines(order_id, line_no);
                """)
        }
        m.registerMigration("v3-attempts") { db in
            try db.execute(sql: """
                CREATE TABLE attempts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    file_id INTEGER NOT NULL REFERENCES files(id),
                    at TEXT NOT NULL,
                    by TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    source TEXT,
                    outcome TEXT NOT NULL,
                    reason TEXT
                );
                CREATE INDEX attempts_file ON attempts(file_id);
                CREATE INDEX findings_order ON findings(order_id);
                CREATE INDEX instructions_order ON instructions(order_id);
                CREATE INDEX files_name ON files(name);
                """)
        }
        m.registerMigration("v4-runs") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    started_at TEXT NOT NULL,
                    finished_at TEXT NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    needs_attention INTEGER NOT NULL,
                    summary TEXT NOT NULL
                );
                """)
        }
        m.registerMigration("v5-customer-pseudonym") { db in
            try db.execute(sql: "ALTER TABLE orders ADD COLUMN customer TEXT NOT NULL DEFAULT ''")
        }
        registerFlowMigrations(&m)
        m.registerMigration("v10-files-size") { db in
            // A claimed file is hashed first only when a processed file has its size (`processedFile(ofSize:)`).
            try db.execute(sql: "CREATE INDEX files_size ON files(size)")
        }
        m.registerMigration("v11-first-instruction-in-order") { db in
            // An order's first instruction (version 1, new) is its `orders` row until a replacement overwrites that
            // row, which first keeps it as a row of its own (`saveOrder`): nearly every order is instructed once,
            // and the row said again what the order's row says (-50 to -90 ms of CPU, -3.8 MB of ledger per
            // 100,000 orders). `instructions` is a view with every version, as the table had; the rows written are in
            // `instruction_rows` (versions from 2 on, first versions from before, and first versions replaced).
            try db.execute(sql: """
                ALTER TABLE instructions RENAME TO instruction_rows;
                CREATE VIEW instructions AS
                    SELECT order_id, version, action, warehouse, file_id, output FROM instruction_rows
                    UNION ALL
                    SELECT o.order_id, 1, 'new', o.warehouse, o.file_id, NULL FROM orders o
                    WHERE o.version = 1
                      AND NOT EXISTS (SELECT 1 FROM instruction_rows r WHERE r.order_id = o.order_id AND r.version = 1);
                """)
        }
        m.registerMigration("v12-report-covering-indexes") { db in
            // The report walks the shipments and their lines in order id order (`forEachReconRecord`). With these
            // indexes holding what it reads, it walks them alone: through the old ones it looked every shipment line
            // up in its table and its shipment in theirs (two B-tree searches a line, 4.8 million for a million
            // orders' confirmations, most of them reading a page the cache had let go).
            try db.execute(sql: """
                DROP INDEX shipment_lines_order;
                CREATE INDEX shipment_lines_order ON shipment_lines(order_id, line_no, quantity, reason);
                DROP INDEX shipments_order;
                CREATE INDEX shipments_order ON shipments(order_id, received_at, ship_date);
                """)
        }
        return m
    }

    /// Copies the WAL into the database and truncates it, so that old page versions (and what was deleted
    /// from them) do not linger in `ledger.sqlite-wal`.
    public func checkpoint() throws {
        try waitForBackgroundCheckpoint()
        try pragmas("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// From now on, notes whether this connection overwrites or erases personal data in the ledger: an order's
    /// `customer` (a pseudonym) changed or its row deleted, an exchange's `ship_to` changed, cleared or deleted
    /// (temporary triggers, which fire only for those rows; see `finishRun`).
    public func watchForForgetting() throws {
        let note = "BEGIN INSERT OR IGNORE INTO temp.forgotten VALUES (1); END"
        try pragmas("""
            CREATE TEMP TABLE IF NOT EXISTS forgotten (id INTEGER PRIMARY KEY);
            CREATE TEMP TRIGGER IF NOT EXISTS forget_customer AFTER UPDATE OF customer ON orders
                WHEN old.customer IS NOT new.customer \(note);
            CREATE TEMP TRIGGER IF NOT EXISTS forget_order AFTER DELETE ON orders WHEN old.customer <> '' \(note);
            CREATE TEMP TRIGGER IF NOT EXISTS forget_ship_to AFTER UPDATE OF ship_to ON rmas
                WHEN old.ship_to IS NOT NULL AND old.ship_to IS NOT new.ship_to \(note);
            CREATE TEMP TRIGGER IF NOT EXISTS forget_rma AFTER DELETE ON rmas WHEN old.ship_to IS NOT NULL \(note);
            """)
    }

    /// True when personal data was overwritten or erased since `watchForForgetting` (in committed transactions:
    /// a rolled-back one takes its note back with it).
    func forgotPersonalData() throws -> Bool {
        try queue.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM temp.forgotten)") ?? true }
    }

    /// The end of a run (`watchForForgetting` called at its start): the WAL copied into the database, and `record`
    /// (the run's own row) written. When the run overwrote or erased personal data, the WAL is then truncated
    /// (`checkpoint`), so that no old page version keeps what the database no longer has. Otherwise it is kept
    /// at its size (`SQLITE_FCNTL_PERSIST_WAL`) for the next run to write over: every personal value in its pages
    /// is then one the database holds too, and freeing and allocating its blocks again at every run cost time
    /// (the WAL of 100,000 orders is 28 MB; its truncation took 13-31 ms here, on a file system mounted with
    /// `discard`, of a run of ~0.65 s). The checkpoint is a RESTART one, so `record`'s write starts the WAL
    /// again from its beginning: the pages after it are an older generation, which a later opening of the
    /// ledger does not read (it recovers the WAL's frames up to the first of another generation).
    public func finishRun(record: () throws -> Void) throws {
        try waitForBackgroundCheckpoint()
        if try forgotPersonalData() {
            try record()
            try checkpoint()
            return
        }
        try pragmas("PRAGMA wal_checkpoint(RESTART)")
        try record()
        try queue.inDatabase { db in
            var persist: Int32 = 1
            let rc = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
            guard rc == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: "keeping the WAL") }
        }
    }

    /// A file's transaction writes its pages into the WAL, and they are copied into the database by a checkpoint
    /// (PASSIVE) run here, on a connection and a thread of their own, while the runner publishes the outputs and
    /// archives the input; the database's writeback is started every 4 ms meanwhile, so that the sync at its end
    /// finds the copy mostly written. SQLite had run the checkpoint inside the commit, and publishing waited for
    /// it (~35 ms of a 100,000-order file). Best effort: `checkpoint()` at the end of the run does what this left.
    static func checkpointBeside(path: String) -> BackgroundJob {
        BackgroundJob {
            var db: OpaquePointer?
            defer { sqlite3_close(db) }
            guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else { return }
            // A read first: until it has read the database, a new connection does not know it is in WAL mode.
            guard sqlite3_exec(db, "PRAGMA schema_version", nil, nil, nil) == SQLITE_OK else { return }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            let writeback = fd < 0 ? nil : BackgroundWriteback(period: 0.004) { FileSink.startWriteback(fd: fd) }
            _ = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            writeback?.stop()
            if fd >= 0 { close(fd) }
        }
    }

    /// Waits for the last file's background checkpoint, if one runs, and gives commits their checkpoints back;
    /// true when there was one.
    @discardableResult
    private func waitForBackgroundCheckpoint() throws -> Bool {
        guard let job = backgroundCheckpoint else { return false }
        backgroundCheckpoint = nil
        try? job.wait()  // best effort: what it left is copied by the caller's checkpoint
        try pragmas(Self.autoCheckpoint)
        return true
    }

    /// A line's WMS item, in SQL over the order-lines row `l` ('' in `wms_item` stands for the SKU).
    static func wmsItem(_ l: String) -> String { "COALESCE(NULLIF(\(l).wms_item, ''), \(l).sku)" }

    /// When an order was first instructed, in SQL over the orders row `o` (NULL in `first_instructed_at` stands
    /// for `instructed_at`).
    static func firstInstructedAt(_ o: String) -> String { "COALESCE(\(o).first_instructed_at, \(o).instructed_at)" }

    /// The path of the output an instruction went out in, in SQL over the instructions row `i`: its file's
    /// shipment-order output of its warehouse (an instruction recorded before v9 holds the path itself).
    static func instructionOutput(_ i: String) -> String {
        """
        COALESCE(\(i).output, (SELECT o.final_path FROM outputs o WHERE o.file_id = \(i).file_id AND o.kind = 'wms-shipment-orders'
                                AND o.warehouse = \(i).warehouse ORDER BY o.id LIMIT 1), '')
        """
    }

    // MARK: - Files

    static func fileRecord(_ row: Row) -> FileRecord {
        FileRecord(id: row["id"], name: row["name"], channel: row["channel"], hash: row["hash"], size: row["size"],
                   status: FileStatus(rawValue: row["status"]) ?? .failed, path: row["path"],
                   targetPath: row["target_path"], reason: row["reason"],
                   receivedAt: row["received_at"], finishedAt: row["finished_at"],
                   ordersAccepted: row["orders_accepted"], ordersRejected: row["orders_rejected"],
                   ordersDuplicate: row["orders_duplicate"])
    }

    public func processedFile(withHash hash: String) throws -> FileRecord? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM files WHERE hash = ? AND status IN ('processed', 'archived') ORDER BY id LIMIT 1",
                             arguments: [hash]).map(Self.fileRecord)
        }
    }

    public func processedFile(ofSize size: Int64) throws -> Bool {
        try queue.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM files WHERE size = ? AND status IN ('processed', 'archived'))",
                              arguments: [size]) ?? false
        }
    }

    public func recordClaim(name: String, channel: String, hash: String, size: Int64, path: String, at time: String) throws -> Int64 {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO files (name, channel, hash, size, status, path, received_at) VALUES (?, ?, ?, ?, 'claimed', ?, ?)",
                           arguments: [name, channel, hash, size, path, time])
            return db.lastInsertedRowID
        }
    }

    public func file(id: Int64) throws -> FileRecord? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM files WHERE id = ?", arguments: [id]).map(Self.fileRecord)
        }
    }

    public func unfinishedFiles() throws -> [FileRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM files WHERE status IN ('claimed', 'processed', 'failing') ORDER BY id")
                .map(Self.fileRecord)
        }
    }

    public func files(status: FileStatus?) throws -> [FileRecord] {
        try queue.read { db in
            if let status {
                return try Row.fetchAll(db, sql: "SELECT * FROM files WHERE status = ? ORDER BY id", arguments: [status.rawValue])
                    .map(Self.fileRecord)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM files ORDER BY id").map(Self.fileRecord)
        }
    }

    public func setTarget(fileId: Int64, _ status: FileStatus, target: String, reason: String?) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE files SET status = ?, target_path = ?, reason = COALESCE(?, reason) WHERE id = ?",
                           arguments: [status.rawValue, target, reason, fileId])
        }
    }

    public func setStatus(fileId: Int64, _ status: FileStatus, path: String, at time: String, attempt: Attempt?) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE files SET status = ?, path = ?, target_path = NULL, finished_at = ? WHERE id = ?",
                           arguments: [status.rawValue, path, time, fileId])
            if let attempt { try Self.insert(attempt, db) }
        }
    }

    public func recordFindings(_ findings: [Finding], fileId: Int64) throws {
        try queue.write { db in try Self.insert(findings, fileId: fileId, db) }
    }

    public func findings(fileId: Int64) throws -> [Finding] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT f.*, files.name AS file FROM findings f JOIN files ON files.id = f.file_id WHERE file_id = ? ORDER BY f.id",
                             arguments: [fileId]).map { row in
                Finding(rule: row["rule"], severity: Finding.Severity(rawValue: row["severity"]) ?? .error,
                        message: row["message"], file: row["file"],
                        location: SourceLocation(line: row["line"], record: row["record"]),
                        orderId: row["order_id"], field: row["field"])
            }
        }
    }

    static func insert(_ findings: [Finding], fileId: Int64, _ db: Database) throws {
        let st = try db.cachedStatement(sql: """
            INSERT INTO findings (file_id, order_id, rule, severity, field, line, record, message)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for f in findings {
            try st.execute(arguments: [fileId, f.orderId, f.rule, f.severity.rawValue, f.field, f.location.line,
                                       f.location.record, f.message])
        }
    }

    // MARK: - Reconciliation

    /// The report's walks: each reads a table or an index that holds what it needs, in order id order, with no
    /// look-up and no sort (`LedgerConstraintTests.reportWalksWithoutLookups`), and `forEachReconRecord` merges them.
    static let reconOrdersSQL = """
        SELECT order_id, version, warehouse, currency, order_date, \(firstInstructedAt("o")), customer FROM orders o
        WHERE \(firstInstructedAt("o")) <= ? ORDER BY order_id
        """
    static let reconLinesSQL = """
        SELECT order_id, line_no, \(wmsItem("l")), quantity, unit_price_minor FROM order_lines l ORDER BY order_id, line_no
        """
    static let reconShipmentsSQL = """
        SELECT order_id, shipment_id, ship_date FROM shipments WHERE received_at <= ? ORDER BY order_id
        """
    static let reconShippedSQL = """
        SELECT order_id, line_no, quantity, reason, shipment_id FROM shipment_lines ORDER BY order_id, line_no
        """

    @discardableResult
    public func forEachReconRecord(asOf: String, _ body: (ReconRecord) throws -> Void) throws -> [UnknownReference] {
        try queue.read { db in
            // Four walks in order id order, merged here: the orders instructed by `asOf`, all order lines, the
            // shipments received by `asOf`, all shipment lines (a shipment and its lines have the same order). Each
            // reads a table or a covering index from end to end; nothing is looked up, materialised or sorted, and
            // memory holds one order. (Joins of orders to their lines and of shipment lines to their shipments looked
            // the lines, the shipment lines' rows and their shipments up one by one: a million orders' report took
            // 14.5 s with them and 10.5 s with the first form of this walk. A single query with grouped and windowed
            // subqueries had taken 2.4 times as long as the joins.)
            // Stepped through the C API (`FastStatement`): GRDB's rows and their generic decoding had cost a tenth of
            // this thread.
            var orders = FastStatement(try db.makeStatement(sql: Self.reconOrdersSQL))
            orders.bind(asOf)
            var lines = FastStatement(try db.makeStatement(sql: Self.reconLinesSQL))
            var shipments = FastStatement(try db.makeStatement(sql: Self.reconShipmentsSQL))
            shipments.bind(asOf)
            var shipped = FastStatement(try db.makeStatement(sql: Self.reconShippedSQL))
            /// Texts compare as SQLite orders them (bytes, `memcmp`), which is how every walk is sorted. (The generic
            /// `lexicographicallyPrecedes` over the UTF-8 views cost 1.4 % of the report's first thread.)
            func compare(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Int {
                let n = min(x.count, y.count)
                let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                return c != 0 ? Int(c) : x.count - y.count
            }
            func compare(_ a: String, _ b: String) -> Int {
                a.withUTF8Bytes { x in b.withUTF8Bytes { y in compare(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) } }
            }
            // The other walks' rows are read where SQLite holds them (`bytes`) and matched to the current order by
            // their order id's bytes: only what the record keeps becomes a String. (A String for every row's order id
            // and shipment id, and a dictionary of the order's lines, had cost a sixth of this thread.)
            // Order lines: order, line, SKU for the WMS, quantity, unit price.
            var hasLine = try lines.step()
            // Shipments received by `asOf`: order, shipment, ship date.
            var hasShipment = try shipments.step()
            // Shipment lines: order, line, quantity, reason, shipment.
            var hasShipped = try shipped.step()
            // Cancelled orders, as the ledger knew them at `asOf` (few: a map).
            var cancelled: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT e.order_id, e.status FROM cancellation_events e
                WHERE e.recorded_at <= ? AND e.id = (SELECT MAX(x.id) FROM cancellation_events x
                                                     WHERE x.order_id = e.order_id AND x.recorded_at <= ?)
                """, arguments: [asOf, asOf]) {
                switch row[1] as String {
                case "cancelled": cancelled[row[0]] = "cancelled"
                case "too_late": cancelled[row[0]] = "cancelled_but_shipped"
                default: break
                }
            }
            // Shipments received by `asOf` of orders not instructed by then (the walk passes over their order ids):
            // the unknown references, with their lines and units from the shipment lines passed over with them.
            var unknown: [UnknownReference] = []
            var passed: [(order: String, shipment: String, shipDate: String)] = []
            var passedTotals: [String: (lines: Int, units: Int)] = [:]
            let warehouseOf = try db.makeStatement(sql: "SELECT warehouse FROM shipments WHERE shipment_id = ?")
            /// Passes over the shipments and shipment lines of order ids before `id` (all that are left when nil).
            func passOver(before id: UnsafeRawBufferPointer?) throws {
                while hasShipment, id.map({ compare(shipments.bytes(0), $0) < 0 }) ?? true {
                    let shipment = shipments.text(1)
                    passed.append((shipments.text(0), shipment, shipments.text(2)))
                    passedTotals[shipment] = (0, 0)
                    hasShipment = try shipments.step()
                }
                while hasShipped, id.map({ compare(shipped.bytes(0), $0) < 0 }) ?? true {
                    if !passedTotals.isEmpty {
                        let shipment = shipped.text(4)
                        if let t = passedTotals[shipment] { passedTotals[shipment] = (t.lines + 1, t.units + shipped.int(2)) }
                    }
                    hasShipped = try shipped.step()
                }
                guard !passed.isEmpty else { return }
                // In order id, then shipment id order (bytes, as SQLite sorts them).
                passed.sort { a, b in
                    let c = compare(a.order, b.order)
                    return c != 0 ? c < 0 : compare(a.shipment, b.shipment) < 0
                }
                for p in passed {
                    let t = passedTotals[p.shipment]!
                    unknown.append(UnknownReference(shipmentId: p.shipment, orderId: p.order,
                                                    warehouse: try String.fetchOne(warehouseOf, arguments: [p.shipment]) ?? "",
                                                    shipDate: p.shipDate, lines: t.lines, units: t.units))
                }
                passed.removeAll(keepingCapacity: true)
                passedTotals.removeAll(keepingCapacity: true)
            }
            /// The current order's shipments received by `asOf`, with their ship dates, and which of them its lines
            /// name (indices into `received`): an order has one or a few, so arrays searched in turn.
            var received: [(shipment: String, shipDate: String)] = []
            var named: [Int] = []
            /// Per line of the current order (same index): the latest close (ship date, shipment, reason).
            var closes: [(String, String, String)?] = []
            while try orders.step() {
                let id = orders.text(0)
                // Valid until `orders` steps again, at the next order.
                let idBytes = orders.bytes(0)
                var c = ReconRecord(orderId: id, version: orders.int(1), warehouse: orders.text(2), currency: orders.text(3),
                                    orderDate: orders.text(4), firstInstructedAt: orders.text(5), shipments: 0, lines: [],
                                    customer: orders.text(6), status: cancelled.isEmpty ? "" : cancelled[id] ?? "")
                // What belongs to orders before this one (not instructed by `asOf`) is passed over.
                try passOver(before: idBytes)
                while hasLine, compare(lines.bytes(0), idBytes) < 0 { hasLine = try lines.step() }
                while hasLine, compare(lines.bytes(0), idBytes) == 0 {
                    c.lines.append(ReconRecord.Line(lineNo: lines.int(1), sku: lines.text(2), quantity: lines.int(3),
                                                    unitPriceMinor: Int64(lines.int(4)), shipped: 0, closedReason: nil))
                    hasLine = try lines.step()
                }
                received.removeAll(keepingCapacity: true)
                while hasShipment, compare(shipments.bytes(0), idBytes) == 0 {
                    received.append((shipments.text(1), shipments.text(2)))
                    hasShipment = try shipments.step()
                }
                named.removeAll(keepingCapacity: true)
                closes.removeAll(keepingCapacity: true)
                closes.append(contentsOf: repeatElement(nil, count: c.lines.count))
                // This order's shipment lines, whatever their line number, of the shipments received by `asOf`.
                var line = 0
                while hasShipped, compare(shipped.bytes(0), idBytes) == 0 {
                    let shipment = shipped.bytes(4)
                    if let k = received.firstIndex(where: {
                        $0.shipment.withUTF8Bytes { compare(UnsafeRawBufferPointer($0), shipment) == 0 }
                    }) {
                        if !named.contains(k) { named.append(k) }
                        // Both walks are in line number order: the order's line is found moving forward only (an
                        // order of thousands of lines stays linear).
                        let lineNo = shipped.int(1)
                        while line < c.lines.count && c.lines[line].lineNo < lineNo { line += 1 }
                        if line < c.lines.count && c.lines[line].lineNo == lineNo {
                            let i = line
                            c.lines[i].shipped += shipped.int(2)
                            if let reason = shipped.optionalText(3) {
                                let r = received[k]
                                if closes[i].map({ (r.shipDate, r.shipment) > ($0.0, $0.1) }) ?? true {
                                    closes[i] = (r.shipDate, r.shipment, reason)
                                }
                            }
                        }
                    }
                    hasShipped = try shipped.step()
                }
                // An order without lines is no order to reconcile (and its shipments are no unknown references).
                guard !c.lines.isEmpty else { continue }
                c.shipments = named.count
                for i in c.lines.indices {
                    if let close = closes[i] { c.lines[i].closedReason = ShortReason(rawValue: close.2) }
                }
                try body(c)
            }
            try passOver(before: nil)
            return unknown
        }
    }

    // MARK: - Outputs

    public func pendingOutputs() throws -> [PendingOutput] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, file_id, temp_path, final_path FROM outputs WHERE status = 'pending' ORDER BY id")
                .map { PendingOutput(id: $0["id"], fileId: $0["file_id"], tempPath: $0["temp_path"], finalPath: $0["final_path"]) }
        }
    }

    public func markPublished(outputIds: [Int64]) throws {
        guard !outputIds.isEmpty else { return }
        try queue.write { db in
            let st = try db.cachedStatement(sql: "UPDATE outputs SET status = 'published' WHERE id = ?")
            for id in outputIds { try st.execute(arguments: [id]) }
        }
    }

    // MARK: - Transactions

    public func inTransaction<T>(_ body: (LedgerTransaction) throws -> T) throws -> T {
        try transaction(fileScope: nil, body)
    }

    /// One transaction over `body`; with a `fileScope`, the file's row must exist and every row written must
    /// belong to it (`FileScope`).
    private func transaction<T>(fileScope: Int64?, _ body: (LedgerTransaction) throws -> T) throws -> T {
        var result: T?
        try queue.inTransaction(.immediate) { db in
            if let fileScope, try Bool.fetchOne(db, sql: "SELECT 1 FROM files WHERE id = ?", arguments: [fileScope]) != true {
                throw FileScope.Violation(fileId: fileScope, scope: nil)
            }
            let tx = SQLiteLedgerTransaction(db: db, fileScope: fileScope)
            result = try body(tx)
            try tx.flushPending()
            return .commit
        }
        return result!
    }

    /// While the file's transaction runs, the kernel is asked every 20 ms to start writing the ledger's pages
    /// to disk: the pages SQLite spills into the WAL as its cache fills, and at the end the checkpoint's copy
    /// into the database. The syncs at the commit then find them written: over a million orders the WAL's sync
    /// took 4 ms instead of 188 ms and the database's under 1 ms instead of 131 ms (the end of the run 0.68 s
    /// instead of 0.88 s); over 100,000 orders the end of the run took ~100 ms instead of ~130 ms (every 50 ms:
    /// ~107 ms; the checkpoint's copy takes ~30 ms).
    ///
    /// Every row the transaction writes references the file being processed (`fileId`, recorded when it was
    /// claimed), so the transaction checks that itself: the file's row once at the start, each file id written
    /// against it (`FileScope`). SQLite's foreign-key checks are off meanwhile: they looked the file up again for
    /// every order, instruction and finding written, ~1.7 % of all instructions of a run.
    public func inFileTransaction<T>(fileId: Int64, _ body: (LedgerTransaction) throws -> T) throws -> T {
        // What was written beside the last file's background checkpoint (publishing, archiving) is copied too:
        // with the WAL wholly copied, this transaction writes it from its start instead of growing it.
        if try waitForBackgroundCheckpoint() { try pragmas("PRAGMA wal_checkpoint(PASSIVE)") }
        // Opened once for the whole transaction (the WAL exists from the connection's first opening on), not at
        // every tick.
        let paths: [String] = FileSink.hasSyncFileRange ? [path + "-wal", path] : []
        let files = paths.map { p in open(p, O_RDONLY | O_CLOEXEC) }.filter { $0 >= 0 }
        let writeback = files.isEmpty ? nil : BackgroundWriteback(period: 0.02) { for fd in files { FileSink.startWriteback(fd: fd) } }
        defer {
            writeback?.stop()  // before the descriptors close: the thread uses them until then
            for fd in files { close(fd) }
        }
        // (Pragmas outside any transaction: inside one SQLite ignores them.) No commit of this connection
        // checkpoints until the file's background checkpoint is over (`checkpointBeside`, `autoCheckpoint`).
        try pragmas("PRAGMA foreign_keys = OFF; PRAGMA wal_autocheckpoint = 0")
        // Back on whatever happens, and without throwing: an error after the commit would tell the caller that
        // nothing was committed, and it would discard the staged outputs the ledger now points to. (Setting the
        // pragmas takes no lock and does not fail; should it, the checks stay off for this process only.)
        // Checkpoints come back now unless a background checkpoint was started (`waitForBackgroundCheckpoint`).
        defer {
            try? pragmas(backgroundCheckpoint == nil ? "PRAGMA foreign_keys = ON; \(Self.autoCheckpoint)" : "PRAGMA foreign_keys = ON")
        }
        let pagesBefore = pagesWritten()
        let result = try transaction(fileScope: fileId, body)
        // A small file leaves checkpoints to SQLite, as before (at a commit that leaves 1,000 pages in the WAL):
        // a thread and a connection for each file had cost a run over 200 files of 50 orders 0.15 s.
        if pagesWritten() - pagesBefore >= Self.backgroundCheckpointPages {
            backgroundCheckpoint = Self.checkpointBeside(path: path)
        }
        return result
    }

    /// A file's transaction that wrote at least this many pages (3 MiB, about 10,000 orders; 100,000 orders
    /// write ~950) is checkpointed beside the caller's work (`checkpointBeside`).
    static let backgroundCheckpointPages: Int32 = 100

    /// How many pages this connection has written so far (into the WAL).
    private func pagesWritten() -> Int32 {
        queue.inDatabase { db in
            var current: Int32 = 0, highest: Int32 = 0
            _ = sqlite3_db_status(db.sqliteConnection, SQLITE_DBSTATUS_CACHE_WRITE, &current, &highest, 0)
            return current
        }
    }

    /// SQLite's default: a commit that leaves more than 1,000 pages in the WAL checkpoints it.
    static let autoCheckpoint = "PRAGMA wal_autocheckpoint = 1000"

    /// Runs `sql` (pragmas, a checkpoint) outside any transaction.
    private func pragmas(_ sql: String) throws {
        try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }
}

/// The check that stands in for SQLite's foreign keys in a file's transaction (`SQLiteLedger.inFileTransaction`):
/// a row may reference only the file being processed.
enum FileScope {
    struct Violation: Error, CustomStringConvertible {
        let fileId: Int64
        let scope: Int64?
        var description: String {
            if let scope { return "ledger: the transaction of file \(scope) tried to record a row of file \(fileId)" }
            return "ledger: file \(fileId) is not in the ledger"
        }
    }

    /// `fileId`, when the transaction may write rows of it (any file when it has no scope).
    @inline(__always)
    static func check(_ fileId: Int64, _ scope: Int64?) throws -> Int64 {
        if let scope, scope != fileId { throw Violation(fileId: fileId, scope: scope) }
        return fileId
    }
}

/// `LedgerTransaction` over one open GRDB transaction; statements are prepared once and reused.
struct SQLiteLedgerTransaction: LedgerTransaction {
    let db: Database
    /// The file every row written in the transaction must reference, when the transaction checks that itself
    /// instead of SQLite's foreign keys (see `SQLiteLedger.inFileTransaction`).
    var fileScope: Int64?
    /// The statements run once per order or line, held for the transaction: GRDB's cache finds a statement by
    /// hashing its SQL text, which for these long statements cost about as much as binding their values.
    private let hot = HotStatements()

    init(db: Database, fileScope: Int64? = nil) {
        self.db = db
        self.fileScope = fileScope
    }

    /// The statements held for the transaction, by slot.
    enum Hot: Int, CaseIterable {
        case orderLookup, orderInsert, orderUpsert, orderLinesQuery, shipmentHashQuery, shipmentInsert,
             shipmentLineInsert, shippedQuery, markConfirmedUpdate
    }

    final class HotStatements {
        /// Indexed by `Hot` (an array, not key paths: a key path literal cost ~1,100 instructions a use). Used by the
        /// ledger's one thread, read for every order: no dynamic exclusivity check (~90 instructions an access).
        @exclusivity(unchecked) var statements = [Statement?](repeating: nil, count: Hot.allCases.count)
        /// Each statement's text arena, kept with it.
        let arenas = Hot.allCases.map { _ in TextArena() }
        /// Order lines and instructions, bound as they come (`appendLines`, `recordInstruction`).
        let lines = RowBuffer(
            "INSERT OR FAIL INTO order_lines (order_id, line_no, sku, wms_item, quantity, uom, unit_price_minor, tax_rate)",
            columns: 8)
        let instructions = RowBuffer(
            "INSERT OR FAIL INTO instruction_rows (order_id, version, action, warehouse, file_id)", columns: 5)
    }

    /// The statement in `slot`, prepared (through GRDB's cache) the first time.
    private func statement(_ slot: Hot, _ sql: @autoclosure () -> String) throws -> FastStatement {
        if hot.statements[slot.rawValue] == nil { hot.statements[slot.rawValue] = try db.cachedStatement(sql: sql()) }
        return FastStatement(hot.statements[slot.rawValue]!, arena: hot.arenas[slot.rawValue])
    }

    func order(_ id: String) throws -> KnownOrder? {
        var st = try statement(.orderLookup, "SELECT version, content_hash, status, warehouse, file_id FROM orders WHERE order_id = ?")
        st.bind(id)
        defer { st.reset() }
        guard try st.step() else { return nil }
        return KnownOrder(version: st.int(0), contentHash: st.hash(1), status: st.text(2), warehouse: st.text(3),
                          fileId: Int64(st.int(4)))
    }

    /// `first_instructed_at` stays NULL while the order has had one instruction: it is then `instructed_at` (read
    /// it as `SQLiteLedger.firstInstructedAt`). A replacement moves `instructed_at` on and keeps the first time in
    /// `first_instructed_at`. Written for every order, the copy cost 21 bytes an order. (Orders recorded before
    /// this convention hold both times; both read the same.) `content_hash` holds the SHA-256's 32 bytes, a blob,
    /// not its 64 hex digits (`FastStatement.bindHash`; older rows hold the hex, and both read back as the hex).
    private static let orderInsert = """
        INSERT INTO orders (order_id, version, status, content_hash, warehouse, currency, ship_country, order_date, file_id,
                            line_count, instructed_at, customer)
        VALUES (?, ?, 'instructed', ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    private static let orderUpsert = orderInsert + """
        ON CONFLICT(order_id) DO UPDATE SET version = excluded.version, status = excluded.status,
            content_hash = excluded.content_hash, warehouse = excluded.warehouse, currency = excluded.currency,
            ship_country = excluded.ship_country, order_date = excluded.order_date, file_id = excluded.file_id,
            line_count = excluded.line_count, first_instructed_at = COALESCE(first_instructed_at, instructed_at),
            instructed_at = excluded.instructed_at, customer = excluded.customer
        """

    /// An order row's content hash to bind: the digest the order loop made, or a hash as text.
    enum HashValue {
        case digest(SHA256.Digest)
        case hex(String)
    }

    private static func bindOrder(_ o: inout FastStatement, _ order: Order, version: Int, contentHash: HashValue, warehouse: String,
                                  fileId: Int64, at time: String, customer: String) {
        // From the order's packed bytes, without a String.
        order.withPacked { p in
            o.bind(p[.orderId])
            o.bind(version)
            switch contentHash {
            case .digest(let d): o.bindHash(d)
            case .hex(let h): o.bindHash(h)
            }
            o.bind(warehouse)
            o.bind(p[.currency])
            o.bind(p[.shipCountry])
            o.bind(p[.orderDate])
            o.bind(fileId)
            o.bind(p.lines.count)
            o.bind(time)
            o.bind(customer)
        }
    }

    func saveNewOrder(_ order: Order, contentHash: String, warehouse: String, fileId: Int64, at time: String,
                      customer: String) throws -> Bool {
        try saveNewOrder(order, hash: .hex(contentHash), warehouse: warehouse, fileId: fileId, at: time, customer: customer)
    }

    func saveNewOrder(_ order: Order, contentDigest: SHA256.Digest, warehouse: String, fileId: Int64, at time: String,
                      customer: String) throws -> Bool {
        try saveNewOrder(order, hash: .digest(contentDigest), warehouse: warehouse, fileId: fileId, at: time, customer: customer)
    }

    private func saveNewOrder(_ order: Order, hash contentHash: HashValue, warehouse: String, fileId: Int64, at time: String,
                              customer: String) throws -> Bool {
        // A plain insert: a primary-key conflict leaves no row behind and the transaction goes on.
        var o = try statement(.orderInsert, Self.orderInsert)
        Self.bindOrder(&o, order, version: 1, contentHash: contentHash, warehouse: warehouse,
                       fileId: try FileScope.check(fileId, fileScope), at: time, customer: customer)
        guard try o.execute(tolerating: ResultCode.SQLITE_CONSTRAINT_PRIMARYKEY.rawValue) else { return false }
        try appendLines(of: order)
        return true
    }

    func saveOrder(_ order: Order, version: Int, contentHash: String, warehouse: String, fileId: Int64, at time: String,
                   customer: String) throws {
        // A first version is a plain insert. The upsert may update instead, so SQLite gives each run of it a
        // statement journal (in a file of a million orders, 3.2 million writes when it went to a temporary file).
        // The order loop calls `saveNewOrder` itself and comes here only for replacements; returns' replacement
        // orders come here with version 1.
        if version == 1 {
            guard try saveNewOrder(order, contentHash: contentHash, warehouse: warehouse, fileId: fileId, at: time, customer: customer) else {
                // Its first version and lines are there: a second first version would have failed on them.
                throw DatabaseError(resultCode: .SQLITE_CONSTRAINT_PRIMARYKEY,
                                    message: "order \(order.id) is in the ledger already; it cannot have a first version again")
            }
            return
        }
        // The first version's instruction is the order's row itself (ledger migration v11): before the row becomes
        // this version, it is kept as a row of its own (once; from before v11 it may be one already).
        try db.cachedStatement(sql: """
            INSERT INTO instruction_rows (order_id, version, action, warehouse, file_id)
            SELECT o.order_id, 1, 'new', o.warehouse, o.file_id FROM orders o
            WHERE o.order_id = ? AND o.version = 1
              AND NOT EXISTS (SELECT 1 FROM instruction_rows r WHERE r.order_id = o.order_id AND r.version = 1)
            """).execute(arguments: [order.id])
        var o = try statement(.orderUpsert, Self.orderUpsert)
        Self.bindOrder(&o, order, version: version, contentHash: .hex(contentHash), warehouse: warehouse,
                       fileId: try FileScope.check(fileId, fileScope), at: time, customer: customer)
        try o.execute()
        try flushPending()
        try db.cachedStatement(sql: "DELETE FROM order_lines WHERE order_id = ?").execute(arguments: [order.id])
        try appendLines(of: order)
    }

    /// Lines are inserted `RowBuffer.perStatement` at a time, across orders; reads of order lines in this
    /// transaction flush first.
    private func appendLines(of order: Order) throws {
        // From the order's packed bytes, without a String.
        try order.withPacked { p in
            for l in p.lines.indices {
                try hot.lines.append(db) { row in
                    let line = p.lines.baseAddress! + l
                    row.bind(p[.orderId])
                    row.bind(line.pointee.lineNo)
                    row.bind(p[line.pointee.sku])
                    // `wms_item` is stored only where the SKU has an alias: '' means the SKU itself (read it as
                    // `SQLiteLedger.wmsItem`). Nearly every line has none, and the ledger is written at every order:
                    // ~10 bytes less a line. (Lines recorded before this convention hold the item in every row; both
                    // read the same.) A line without an alias has its SKU's range as its item's.
                    row.bind(line.pointee.wmsItem == line.pointee.sku ? UnsafeBufferPointer(start: nil, count: 0)
                                                                      : p[line.pointee.wmsItem])
                    row.bind(line.pointee.quantity)
                    row.bind(p[line.pointee.uom])
                    row.bind(line.pointee.unitPrice.minorUnits)
                    if let tax = line.pointee.taxRate { row.bind(decimal: tax.units, scale: tax.scale) } else { row.bind(nil as String?) }
                }
            }
        }
    }

    // The statements of the confirmation flow run once or more per shipment: bound and stepped directly too.

    func orderLines(_ orderId: String) throws -> [KnownOrderLine]? {
        try flushPending()
        var st = try statement(.orderLinesQuery, """
            SELECT line_no, \(SQLiteLedger.wmsItem("order_lines")), quantity FROM order_lines WHERE order_id = ? ORDER BY line_no
            """)
        st.bind(orderId)
        defer { st.reset() }
        var lines: [KnownOrderLine] = []
        while try st.step() { lines.append(KnownOrderLine(lineNo: st.int(0), sku: st.text(1), quantity: st.int(2))) }
        if lines.isEmpty { return try order(orderId) == nil ? nil : [] }
        return lines
    }

    func shipmentHash(_ shipmentId: String) throws -> String? {
        var st = try statement(.shipmentHashQuery, "SELECT content_hash FROM shipments WHERE shipment_id = ?")
        st.bind(shipmentId)
        defer { st.reset() }
        return try st.step() ? st.text(0) : nil
    }

    func saveShipment(_ c: ShipmentConfirmation, contentHash: String, knownOrder: Bool, fileId: Int64, at time: String) throws {
        var s = try statement(.shipmentInsert, """
            INSERT INTO shipments (shipment_id, order_id, version, ship_date, warehouse, carrier, service, tracking,
                                   content_hash, known_order, file_id, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        s.bind(c.shipmentId)
        s.bind(c.orderId)
        s.bind(c.version)
        s.bind(c.shipDate)
        s.bind(c.warehouse)
        s.bind(c.carrier)
        s.bind(c.service)
        s.bind(c.parcels.map(\.trackingNumber).filter { !$0.isEmpty }.joined(separator: "|"))
        s.bind(contentHash)
        s.bind(knownOrder ? 1 : 0)
        s.bind(try FileScope.check(fileId, fileScope))
        s.bind(time)
        try s.execute()
        var st = try statement(.shipmentLineInsert, """
            INSERT INTO shipment_lines (shipment_id, order_id, line_no, sku, quantity, lots, reason) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for l in c.lines {
            st.bind(c.shipmentId)
            st.bind(c.orderId)
            st.bind(l.lineNo)
            st.bind(l.sku)
            st.bind(l.quantity)
            st.bind(l.lots.joined(separator: "|"))
            st.bind(l.reason?.rawValue)
            try st.execute()
        }
    }

    /// An order's shipped quantity and the latest short reason per line (a test checks that it is not prepared again
    /// for every order, see `SQLITE_ENABLE_QPSG` in Package.swift).
    static let shippedSQL = """
        SELECT l.line_no, SUM(l.quantity),
               (SELECT l2.reason FROM shipment_lines l2 JOIN shipments s2 USING (shipment_id)
                 WHERE l2.order_id = l.order_id AND l2.line_no = l.line_no AND l2.reason IS NOT NULL
                 ORDER BY s2.ship_date DESC, l2.shipment_id DESC LIMIT 1)
        FROM shipment_lines l WHERE l.order_id = ? GROUP BY l.line_no
        """

    func shipped(_ orderId: String) throws -> [Int: ShippedLine] {
        var st = try statement(.shippedQuery, Self.shippedSQL)
        st.bind(orderId)
        defer { st.reset() }
        var result: [Int: ShippedLine] = [:]
        while try st.step() {
            result[st.int(0)] = ShippedLine(quantity: st.int(1), closedReason: st.optionalText(2).flatMap(ShortReason.init(rawValue:)))
        }
        return result
    }

    func markConfirmed(_ orderId: String) throws {
        // Cancelled stays cancelled (the confirmation flow decides whether it shipped after all).
        var st = try statement(.markConfirmedUpdate, """
            UPDATE orders SET status = CASE status WHEN 'instructed' THEN 'confirmed' ELSE status END
            WHERE order_id = ?
            """)
        st.bind(orderId)
        try st.execute()
    }

    func flows() throws -> FlowLedger { SQLiteFlowLedger(db: db, fileScope: fileScope, flushOrderLines: flushPending) }

    func recordInstruction(orderId: String, version: Int, action: String, warehouse: String, fileId: Int64) throws {
        // Nothing reads instructions while a file is processed (only `orders show`).
        let fileId = try FileScope.check(fileId, fileScope)
        // A first version is the order's row, saved just before (see the `instructions` view, migration v11).
        if version == 1 { return }
        try hot.instructions.append(db) { row in
            row.bind(orderId)
            row.bind(version)
            row.bind(action)
            row.bind(warehouse)
            row.bind(fileId)
        }
    }

    /// Writes what is still buffered (order lines, instructions); called by the ledger before every commit.
    func flushPending() throws {
        try hot.lines.flush(db)
        try hot.instructions.flush(db)
    }

    /// The buffered rows, then every dirty page of the cache into the WAL (`sqlite3_db_cacheflush`), uncommitted.
    func writeAhead() throws {
        try flushPending()
        let rc = sqlite3_db_cacheflush(db.sqliteConnection)
        guard rc == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    func recordFindings(_ findings: [Finding], fileId: Int64) throws {
        try SQLiteLedger.insert(findings, fileId: try FileScope.check(fileId, fileScope), db)
    }

    func recordOutput(fileId: Int64, kind: String, warehouse: String?, tempPath: String, finalPath: String, records: Int) throws {
        try db.execute(sql: """
            INSERT INTO outputs (file_id, kind, warehouse, temp_path, final_path, records, status) VALUES (?, ?, ?, ?, ?, ?, 'pending')
            """, arguments: [try FileScope.check(fileId, fileScope), kind, warehouse, tempPath, finalPath, records])
    }

    func setTarget(fileId: Int64, _ status: FileStatus, target: String, reason: String?) throws {
        try db.execute(sql: "UPDATE files SET status = ?, target_path = ?, reason = COALESCE(?, reason) WHERE id = ?",
                       arguments: [status.rawValue, target, reason, fileId])
    }

    func setHash(fileId: Int64, hash: String) throws {
        try db.execute(sql: "UPDATE files SET hash = ? WHERE id = ?", arguments: [hash, fileId])
    }

    func finishFile(fileId: Int64, counts: FileCounts, at time: String) throws {
        try db.execute(sql: """
            UPDATE files SET status = 'processed', finished_at = ?, orders_accepted = ?, orders_rejected = ?,
                orders_duplicate = ?, orders_replaced = ?, lines_accepted = ?, records = ? WHERE id = ?
            """, arguments: [time, counts.accepted, counts.rejected, counts.duplicate,
                             counts.ordersReplaced, counts.linesAccepted, counts.records, fileId])
    }
}

/// Rows of one table inserted `perStatement` at a time in multi-row INSERTs (one statement per order line or
/// instruction was about a third of the ledger's time). Rows wait here until the buffer is full; what is left
/// goes in before anything in the transaction reads the table and before the commit.
///
/// The inserts say `OR FAIL`: a statement that may stop half-way with its default `ABORT` must be able to undo
/// its own rows, so SQLite keeps a statement journal of every page it touches (in memory up to 128 KiB, see
/// `SQLITE_STMTJRNL_SPILL` in Package.swift; past that in a temporary file, see `saveOrder`). Without foreign keys
/// (order lines) `OR FAIL` needs none; an immediate foreign key (instructions' file) still does. Any error fails
/// the whole file's transaction either way: nothing catches errors from these inserts (the one ledger failure
/// answered is a single-row order insert's primary-key conflict, which leaves no row behind; see `saveNewOrder`).
final class RowBuffer {
    /// 256 rather than 16: each statement of instructions journals the pages it changes (about eight of 32 KiB),
    /// whatever its number of rows, so fewer statements copy less. Over 100,000 orders, 64 rows took 13,264
    /// journal writes instead of 41,664 (CPU time -5 % with the journal in memory), and 256 a further -3.5 %.
    static var perStatement: Int { 256 }
    private let insert: String
    private let tuple: String
    let columns: Int
    /// The waiting rows' values, recorded as each row is appended (`RowValues`): row r's are values
    /// `r * columns ..< (r + 1) * columns`. Kept as rows of Strings, every row was a copy of its order line (a
    /// retain per String, released again at the flush), ~2 % of a run's time.
    private let values = TextArena()
    private var rowCount = 0
    /// Binds nothing itself: the statements' values are all in `values`.
    private let noTexts = TextArena()
    /// The prepared insert of n rows, at n - 1.
    private var statements = [Statement?](repeating: nil, count: perStatement)

    /// `insert`: `INSERT INTO table (columns)`; each row appended binds `columns` values in that order.
    init(_ insert: String, columns: Int) {
        self.insert = insert
        self.tuple = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        self.columns = columns
        values.reserve(values: Self.perStatement * columns)
    }

    /// Appends a row: `bind` binds its `columns` values, in the order of the insert's columns.
    func append(_ db: Database, _ bind: (inout RowValues) -> Void) throws {
        let before = values.textCount
        var row = RowValues(values)
        bind(&row)
        precondition(values.textCount - before == columns, "a row of \(columns) columns bound \(values.textCount - before) values")
        rowCount += 1
        if rowCount == Self.perStatement { try flush(db) }
    }

    /// A full buffer goes in one statement, a remainder (at a commit, or before a read of the table) in parts of
    /// 128, 64, ... 1 rows, in order: so at most nine statements per table are ever prepared. Each stays in
    /// GRDB's statement cache for the connection's life, and one per remainder size would be up to 255 of them,
    /// ~0.3 MB each.
    func flush(_ db: Database) throws {
        guard rowCount > 0 else { return }
        var start = 0
        while start < rowCount {
            var n = Self.perStatement
            while n > rowCount - start { n /= 2 }
            if statements[n - 1] == nil {
                statements[n - 1] = try db.cachedStatement(sql: insert + " VALUES " + Array(repeating: tuple, count: n).joined(separator: ", "))
            }
            var st = FastStatement(statements[n - 1]!, arena: noTexts)
            for r in 0..<n {
                let first = (start + r) * columns
                values.bind(to: st.statement.sqliteStatement, values: first..<(first + columns), indexOffset: Int32(r * columns))
            }
            try st.execute()
            start += n
        }
        values.removeAll()
        rowCount = 0
    }
}

/// One row's values for a `RowBuffer`, bound in the order of its insert's columns: the same calls as
/// `FastStatement`'s, recorded (texts copied) until the buffer's insert runs.
struct RowValues {
    private let arena: TextArena
    private var index: Int32 = 0

    fileprivate init(_ arena: TextArena) { self.arena = arena }

    mutating func bind(_ text: String) {
        text.withUTF8Bytes { bind($0) }
    }

    /// A text's UTF-8 bytes (an order's packed field).
    mutating func bind(_ utf8: UnsafeBufferPointer<UInt8>) {
        index += 1
        arena.append(index, utf8)
    }

    mutating func bind(_ text: String?) {
        if let text { return bind(text) }
        index += 1
        arena.appendNull(index)
    }

    mutating func bind(_ value: Int64) {
        index += 1
        arena.appendInt(index, value)
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    /// `units / 10^scale` as text, the digits `FixedDecimal.description` writes, without making that String.
    mutating func bind(decimal units: Int64, scale: Int) {
        index += 1
        DecimalText.withDigits(units, scale: scale) { arena.append(index, $0.assumingMemoryBound(to: UInt8.self)) }
    }
}
