/// The schema a new ledger starts with: what the migration steps (`SQLiteLedger.migrationSteps`) end in, as SQLite
/// keeps it in `sqlite_master` (the SQL of each table, index and view, in the order the steps made them; tables the steps
/// altered read as SQLite rewrote them). A new ledger runs this one script instead of the twelve steps: they parse more
/// SQL, and each `ALTER TABLE` makes SQLite parse the whole schema again: a first run over an empty inbox ran 73.5 M
/// instructions with the steps and 59.4 M with the script (callgrind), ~10 ms less CPU. A ledger that applied some steps
/// still gets the rest of them.
///
/// A new step changes this too: `MigrationTests` checks that a new ledger's schema is the steps' one, object by object,
/// and prints the steps' `sqlite_master` when it is not.
enum LedgerSchema {
    static let current = """
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
        , instructed_at TEXT, first_instructed_at TEXT, customer TEXT NOT NULL DEFAULT '') WITHOUT ROWID;
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
        CREATE TABLE outputs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            file_id INTEGER NOT NULL REFERENCES files(id),
            kind TEXT NOT NULL,
            temp_path TEXT NOT NULL,
            final_path TEXT NOT NULL,
            records INTEGER NOT NULL,
            status TEXT NOT NULL
        , warehouse TEXT);
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
        CREATE INDEX files_name ON files(name);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            duration_ms INTEGER NOT NULL,
            needs_attention INTEGER NOT NULL,
            summary TEXT NOT NULL
        );
        CREATE TABLE items (
            sku TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            uom TEXT NOT NULL,
            file_id INTEGER NOT NULL REFERENCES files(id),
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE cancellations (
            order_id TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            requested_at TEXT NOT NULL,
            status TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            file_id INTEGER NOT NULL REFERENCES files(id),
            recorded_at TEXT NOT NULL,
            answered_at TEXT
        ) WITHOUT ROWID;
        CREATE TABLE purchase_orders (
            po_number TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            status TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            supplier TEXT NOT NULL,
            expected_date TEXT NOT NULL,
            warehouse TEXT NOT NULL,
            file_id INTEGER NOT NULL REFERENCES files(id),
            instructed_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE po_lines (
            po_number TEXT NOT NULL,
            line_no INTEGER NOT NULL,
            sku TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            uom TEXT NOT NULL,
            PRIMARY KEY (po_number, line_no)
        ) WITHOUT ROWID;
        CREATE TABLE receipts (
            receipt_id TEXT PRIMARY KEY,
            po_number TEXT NOT NULL,
            receipt_date TEXT NOT NULL,
            warehouse TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            known_po INTEGER NOT NULL,
            file_id INTEGER NOT NULL REFERENCES files(id),
            recorded_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE receipt_lines (
            receipt_id TEXT NOT NULL,
            po_number TEXT NOT NULL,
            line_no INTEGER NOT NULL,
            sku TEXT NOT NULL,
            received INTEGER NOT NULL,
            damaged INTEGER NOT NULL,
            lot TEXT NOT NULL,
            PRIMARY KEY (receipt_id, line_no)
        ) WITHOUT ROWID;
        CREATE INDEX receipt_lines_po ON receipt_lines(po_number, line_no);
        CREATE TABLE rmas (
            rma_id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL,
            type TEXT NOT NULL,
            reason TEXT NOT NULL,
            approved_at TEXT NOT NULL,
            refund_method TEXT NOT NULL,
            status TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            currency TEXT NOT NULL,
            warehouse TEXT NOT NULL,
            ship_to TEXT,
            file_id INTEGER NOT NULL REFERENCES files(id),
            instructed_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX rmas_order ON rmas(order_id);
        CREATE TABLE rma_lines (
            rma_id TEXT NOT NULL,
            line_no INTEGER NOT NULL,
            order_id TEXT NOT NULL,
            order_line_no INTEGER NOT NULL,
            sku TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            replacement_sku TEXT NOT NULL,
            replacement_quantity INTEGER NOT NULL,
            unit_price_minor INTEGER NOT NULL,
            tax_rate TEXT,
            PRIMARY KEY (rma_id, line_no)
        ) WITHOUT ROWID;
        CREATE INDEX rma_lines_order ON rma_lines(order_id, order_line_no);
        CREATE TABLE return_receipts (
            receipt_id TEXT PRIMARY KEY,
            rma_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            warehouse TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            known_rma INTEGER NOT NULL,
            file_id INTEGER NOT NULL REFERENCES files(id),
            recorded_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE return_lines (
            receipt_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            rma_id TEXT NOT NULL,
            line_no INTEGER NOT NULL,
            sku TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            inspection TEXT NOT NULL,
            disposition TEXT,
            PRIMARY KEY (receipt_id, seq)
        ) WITHOUT ROWID;
        CREATE INDEX return_lines_rma ON return_lines(rma_id, line_no);
        CREATE TABLE refunds (
            receipt_id TEXT PRIMARY KEY,
            rma_id TEXT NOT NULL,
            order_id TEXT NOT NULL,
            currency TEXT NOT NULL,
            amount_minor INTEGER NOT NULL,
            file_id INTEGER NOT NULL REFERENCES files(id),
            recorded_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE replacements (
            replacement_order_id TEXT PRIMARY KEY,
            rma_id TEXT NOT NULL,
            receipt_id TEXT NOT NULL,
            order_id TEXT NOT NULL,
            warehouse TEXT NOT NULL,
            file_id INTEGER NOT NULL REFERENCES files(id),
            recorded_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX replacements_rma ON replacements(rma_id);
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            side TEXT NOT NULL,
            warehouse TEXT NOT NULL,
            as_of TEXT NOT NULL,
            as_of_epoch INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            file_id INTEGER NOT NULL REFERENCES files(id),
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX snapshots_side ON snapshots(side, warehouse, as_of_epoch);
        CREATE TABLE snapshot_lines (
            snapshot_id INTEGER NOT NULL,
            sku TEXT NOT NULL,
            on_hand INTEGER NOT NULL,
            available INTEGER NOT NULL,
            allocated INTEGER NOT NULL,
            damaged INTEGER NOT NULL,
            unit_cost TEXT,
            currency TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, sku)
        ) WITHOUT ROWID;
        CREATE TABLE cancellation_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            order_id TEXT NOT NULL,
            status TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX cancellation_events_order ON cancellation_events(order_id, id);
        CREATE TABLE "instruction_rows" (
            order_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            action TEXT NOT NULL,
            warehouse TEXT NOT NULL,
            file_id INTEGER NOT NULL REFERENCES files(id),
            output TEXT,
            PRIMARY KEY (order_id, version)
        ) WITHOUT ROWID;
        CREATE INDEX files_size ON files(size);
        CREATE VIEW instructions AS
            SELECT order_id, version, action, warehouse, file_id, output FROM instruction_rows
            UNION ALL
            SELECT o.order_id, 1, 'new', o.warehouse, o.file_id, NULL FROM orders o
            WHERE o.version = 1
              AND NOT EXISTS (SELECT 1 FROM instruction_rows r WHERE r.order_id = o.order_id AND r.version = 1);
        CREATE INDEX shipment_lines_order ON shipment_lines(order_id, line_no, quantity, reason);
        CREATE INDEX shipments_order ON shipments(order_id, received_at, ship_date);
        """
}
