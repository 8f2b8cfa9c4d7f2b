import Crypto
import ERPWMSCore
import GRDB
import GRDBSQLite

/// Binds and steps a prepared GRDB statement through the SQLite C API. Used for the few statements run once
/// per order or line (hundreds of thousands of times per file): GRDB's `StatementArguments` box every value,
/// which cost about a tenth of a whole run in profiles; binding directly removes that.
struct FastStatement {
    let statement: Statement
    private var index: Int32 = 0
    /// Writes collect their texts in the arena (see `bind`); queries, which are stepped row by row, bind copies.
    private let textsInPlace: Bool
    private let arena: TextArena

    /// `arena`: the one kept with `statement` where it is run again and again (a statement is bound by one
    /// `FastStatement` at a time, and so is its arena); by default one of its own. It starts empty, whatever an
    /// earlier use that never ran left in it.
    init(_ statement: Statement, arena: TextArena = TextArena()) {
        self.statement = statement
        self.arena = arena
        arena.removeAll()
        textsInPlace = sqlite3_stmt_readonly(statement.sqliteStatement) == 0
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// A C empty string, so that "" binds as empty text, not NULL.
    nonisolated(unsafe) private static let empty: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        p.pointee = 0
        return p
    }()

    /// A write's text values wait in the arena until the statement runs and are then bound in place
    /// (`SQLITE_STATIC`): bound one by one with `SQLITE_TRANSIENT`, SQLite allocated and copied every value,
    /// about 500 instructions each and 2 % of a whole run's.
    mutating func bind(_ text: String) {
        text.withUTF8Bytes { bind($0) }
    }

    /// A text's UTF-8 bytes (an order's packed field).
    mutating func bind(_ utf8: UnsafeBufferPointer<UInt8>) {
        index += 1
        guard textsInPlace else {
            _ = utf8.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(statement.sqliteStatement, index, $0.baseAddress ?? UnsafePointer(Self.empty),
                                  Int32($0.count), Self.transient)
            }
            return
        }
        reserveArena()
        arena.append(index, utf8)
    }

    /// Room for the statement's texts at once, the first time (`TextArena.reserve(values:)`).
    @inline(__always)
    private func reserveArena() {
        guard arena.textCapacity == 0 else { return }
        arena.reserve(values: Int(sqlite3_bind_parameter_count(statement.sqliteStatement)))
    }

    /// Binds a content hash: a SHA-256 in lower-case hex (every hash the pipeline makes) as its 32 bytes, a blob,
    /// half the room in the ledger; anything else as text. `hash(_:)` reads either back as the hex.
    mutating func bindHash(_ hex: String) {
        guard textsInPlace, hex.utf8.count == 64 else { return bind(hex) }
        reserveArena()
        if hex.withUTF8Bytes({ arena.appendHexDecoded(index + 1, $0) }) { index += 1 } else { bind(hex) }
    }

    /// Binds a SHA-256 content hash as its 32 bytes, a blob: what `bindHash(_ hex:)` makes of its hex.
    mutating func bindHash(_ digest: SHA256.Digest) {
        guard textsInPlace else { return bind(ContentHash.hex(digest)) }
        reserveArena()
        index += 1
        digest.withUnsafeBytes { arena.appendBlob(index, $0) }
    }

    mutating func bind(_ text: String?) {
        if let text { bind(text) } else {
            index += 1
            sqlite3_bind_null(statement.sqliteStatement, index)
        }
    }

    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(statement.sqliteStatement, index, value)
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    mutating func bind(_ value: Int?) {
        if let value { bind(Int64(value)) } else {
            index += 1
            sqlite3_bind_null(statement.sqliteStatement, index)
        }
    }

    /// Runs a statement that returns no row; throws GRDB's error on failure.
    mutating func execute() throws {
        _ = try execute(tolerating: nil)
    }

    /// `execute`, except that a failure with the extended result code `tolerated` returns false instead of
    /// throwing (no error is built: a plain insert's primary-key conflict is an answer, not a failure).
    mutating func execute(tolerating tolerated: Int32?) throws -> Bool {
        let sqlite = statement.sqliteStatement
        // The arena's texts are bound in place while its address is held, and stepped; `reset` unbinds them
        // before the arena changes again (SQLite does not read them after the step).
        arena.bind(to: sqlite, values: 0..<arena.textCount, indexOffset: 0)
        let rc = sqlite3_step(sqlite)
        // GRDB opens connections with extended result codes, so `rc` is the extended code itself.
        if rc != SQLITE_DONE, let tolerated, rc == tolerated {
            reset()
            return false
        }
        let failure = rc == SQLITE_DONE ? nil : error(rc)
        reset()
        if let failure { throw failure }
        return true
    }

    /// Steps once; returns true when a row is there (read it with `text`/`int`), false when done. For queries,
    /// whose texts are bound as copies at once.
    mutating func step() throws -> Bool {
        precondition(arena.textCount == 0, "a write runs with execute()")
        return try Self.step(statement.sqliteStatement)
    }

    /// Steps `p` once: true with a row to read, false when there is none; SQLite's error otherwise (with the
    /// statement's SQL when `sql`, see `error`).
    static func step(_ p: SQLiteStatement, sql: Bool = false) throws -> Bool {
        let rc = sqlite3_step(p)
        if rc == SQLITE_ROW { return true }
        guard rc == SQLITE_DONE else { throw error(rc, p, sql: sql) }
        return false
    }

    private func error(_ rc: Int32) -> DatabaseError { Self.error(rc, statement.sqliteStatement) }

    /// SQLite's error `rc` for statement `p`, with its message; with its SQL too when `sql` (no values: they may be
    /// a customer's).
    static func error(_ rc: Int32, _ p: SQLiteStatement, sql: Bool = false) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(p))),
                      sql: sql ? String(cString: sqlite3_sql(p)) : nil)
    }

    func text(_ column: Int32) -> String {
        String(decoding: bytes(column), as: UTF8.self)
    }

    /// The column's text as SQLite holds it, without a copy: valid until the statement steps again or is reset.
    func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
        let st = statement.sqliteStatement
        // The text first, then its length (SQLite's documented order).
        guard let p = sqlite3_column_text(st, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(st, column)))
    }

    /// A content hash written by `bindHash`: the hex of a blob, or the text as it is.
    func hash(_ column: Int32) -> String {
        let st = statement.sqliteStatement
        guard sqlite3_column_type(st, column) == SQLITE_BLOB, let p = sqlite3_column_blob(st, column) else { return text(column) }
        return ContentHash.hex(UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(st, column))))
    }

    /// The column's text, nil when it is NULL.
    func optionalText(_ column: Int32) -> String? {
        sqlite3_column_type(statement.sqliteStatement, column) == SQLITE_NULL ? nil : text(column)
    }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement.sqliteStatement, column)) }

    mutating func reset() {
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
        index = 0
        arena.removeAll()
    }
}

/// A write's text values, back to back, until its statement runs (see `FastStatement.bind`). Raw memory kept with
/// the statement and reused: a `[UInt8]` per statement cost an allocation for every order, and appending a value to
/// it ~90 instructions (about 25 values an order).
final class TextArena {
    struct Text {
        enum Kind: UInt8 {
            case text
            /// Bound as a blob, not text (`appendHexDecoded`).
            case blob
            /// An integer, `start` (only `RowValues` records these; `FastStatement` binds integers at once).
            case int
            case null
        }
        var index: Int32
        var kind: Kind
        /// Text and blob: where the bytes start. Int: the value.
        var start: Int
        var count: Int
    }

    // No dynamic exclusivity checks (they cost more than the appends): one thread binds a statement at a time,
    // and nothing here is accessed reentrantly.
    @exclusivity(unchecked) private(set) var bytes: UnsafeMutablePointer<UInt8>?
    @exclusivity(unchecked) private var byteCapacity = 0
    @exclusivity(unchecked) private var used = 0
    @exclusivity(unchecked) private(set) var texts: UnsafeMutablePointer<Text>?
    @exclusivity(unchecked) private(set) var textCapacity = 0
    @exclusivity(unchecked) private(set) var textCount = 0

    deinit {
        bytes?.deallocate()
        texts?.deallocate()
    }

    /// Room for `n` values at once (a 256-row insert binds 2,048), not grown by doubling from nothing; the bytes at
    /// 16 a value (order lines and instructions average under).
    func reserve(values n: Int) {
        reserve(bytes: max(1024, n * 16), texts: n)
    }

    func reserve(bytes n: Int, texts t: Int) {
        if n > byteCapacity { bytes = Self.grown(bytes, count: used, capacity: &byteCapacity, toHold: n) }
        if t > textCapacity { texts = Self.grown(texts, count: textCount, capacity: &textCapacity, toHold: t) }
    }

    /// Appends the UTF-8 of parameter `index`'s value. The bytes may move as they grow: they are bound only once
    /// all are in (`FastStatement.execute`).
    func append(_ index: Int32, _ utf8: UnsafeBufferPointer<UInt8>) {
        let out = room(utf8.count)
        if let src = utf8.baseAddress { SmallCopy.copy(to: out, from: src, count: utf8.count) }
        record(index, .text, start: used, count: utf8.count)
    }

    /// Appends the bytes that the lower-case hex `utf8` spells, as a blob value of parameter `index`; false (and
    /// nothing appended) when `utf8` is not such hex or empty.
    func appendHexDecoded(_ index: Int32, _ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard utf8.count % 2 == 0, let src = utf8.baseAddress, !utf8.isEmpty else { return false }
        let n = utf8.count / 2
        // Through a table, without a branch per digit: a hash's digits are random, and a test of digit or letter
        // was mispredicted half the time (~1,000 cycles a hash, 1.3 % of a run's).
        let out = room(n)
        var bad: UInt8 = 0
        Self.hexValues.withUnsafeBufferPointer { values in
            for i in 0..<n {
                let hi = values[Int(src[2 * i])], lo = values[Int(src[2 * i + 1])]
                bad |= hi | lo
                out[i] = hi << 4 | lo
            }
        }
        guard bad & 0xF0 == 0 else { return false }
        record(index, .blob, start: used, count: n)
        return true
    }

    /// Appends `bytes` as a blob value of parameter `index`.
    func appendBlob(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        let out = room(bytes.count)
        if let src = bytes.baseAddress { SmallCopy.copy(to: out, from: src, count: bytes.count) }
        record(index, .blob, start: used, count: bytes.count)
    }

    /// Records parameter `index`'s value as an integer (for `RowValues`).
    func appendInt(_ index: Int32, _ value: Int64) {
        roomForValue()
        record(index, .int, start: Int(value), count: 0)
    }

    /// Records parameter `index`'s value as NULL (for `RowValues`).
    func appendNull(_ index: Int32) {
        roomForValue()
        record(index, .null, start: 0, count: 0)
    }

    /// Binds the recorded `values` to `statement`, each to its parameter index plus `indexOffset`. Texts and blobs
    /// are bound in place (`SQLITE_STATIC`): the arena must not change until the statement has been stepped.
    func bind(to statement: OpaquePointer, values: Range<Int>, indexOffset: Int32) {
        guard let texts else { return }
        // (Set whenever a text or blob was recorded: `room` allocates.)
        let chars = bytes.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
        for i in values {
            let t = texts[i]
            switch t.kind {
            case .text: sqlite3_bind_text(statement, t.index + indexOffset, chars! + t.start, Int32(t.count), nil /* SQLITE_STATIC */)
            case .blob: sqlite3_bind_blob(statement, t.index + indexOffset, chars! + t.start, Int32(t.count), nil /* SQLITE_STATIC */)
            case .int: sqlite3_bind_int64(statement, t.index + indexOffset, Int64(t.start))
            case .null: sqlite3_bind_null(statement, t.index + indexOffset)
            }
        }
    }

    /// Room for one more value of `n` bytes; where its bytes go. (The arena's users reserve before the first
    /// value, so the bytes exist even for an empty first text.)
    @inline(__always)
    private func room(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if used + n > byteCapacity { reserve(bytes: used + n, texts: 0) }
        roomForValue()
        return bytes! + used
    }

    /// Room for one more value's record.
    @inline(__always)
    private func roomForValue() {
        if textCount == textCapacity { reserve(bytes: 0, texts: textCount + 1) }
    }

    /// Records parameter `index`'s value; for a text or blob, the `count` bytes just written at `room`'s address.
    @inline(__always)
    private func record(_ index: Int32, _ kind: Text.Kind, start: Int, count: Int) {
        texts![textCount] = Text(index: index, kind: kind, start: start, count: count)
        textCount += 1
        used += count
    }

    /// The value of each lower-case hex digit; 0xFF for any other byte.
    private static let hexValues: [UInt8] = (0..<256).map { b in
        switch b {
        case 0x30...0x39: return UInt8(b - 0x30)
        case 0x61...0x66: return UInt8(b - 0x57)
        default: return 0xFF
        }
    }

    func removeAll() {
        used = 0
        textCount = 0
    }

    /// `memory` with room for at least `needed` elements and its first `count` kept; allocated the first time.
    private static func grown<T: BitwiseCopyable>(_ memory: UnsafeMutablePointer<T>?, count: Int, capacity: inout Int,
                                 toHold needed: Int) -> UnsafeMutablePointer<T> {
        guard var p = memory else {
            capacity = needed
            return .allocate(capacity: needed)
        }
        p.grow(count: count, capacity: &capacity, toHold: needed)
        return p
    }
}
