import GRDB
import Testing
import ERPWMSCore
@testable import ERPWMSEngine

@Suite("FastStatement (binding the per-order inserts directly)")
struct FastStatementTests {
    func withTable(_ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER, a TEXT, b TEXT, c INTEGER)")
            try body(db)
        }
    }

    @Test("texts, empty texts, NULLs and integers land as bound, in every row, across resets")
    func bindsTextsInPlace() throws {
        try withTable { db in
            var insert = FastStatement(try db.makeStatement(sql: "INSERT INTO t VALUES (?, ?, ?, ?)"))
            let texts = ["", "a", "Łódź – Königsallee 24", String(repeating: "x", count: 5000), "short", "Ærø"]
            for (i, text) in texts.enumerated() {
                insert.bind(i)
                insert.bind(text)
                insert.bind(i.isMultiple(of: 2) ? nil : text + "!" as String?)
                insert.bind(i.isMultiple(of: 3) ? nil : i * 10 as Int?)
                try insert.execute()
            }
            let rows = try Row.fetchAll(db, sql: "SELECT k, a, b, c, typeof(a) AS ta FROM t ORDER BY k")
            #expect(rows.count == texts.count)
            for (i, row) in rows.enumerated() {
                #expect(row["a"] as String == texts[i])
                #expect(row["ta"] as String == "text", "an empty string is bound as text, not NULL")
                #expect(row["b"] as String? == (i.isMultiple(of: 2) ? nil : texts[i] + "!"))
                #expect(row["c"] as Int? == (i.isMultiple(of: 3) ? nil : i * 10))
            }
        }
    }

    @Test("an arena kept and reused: one statement after another, each execution starting empty, long texts growing it")
    func reusedArena() throws {
        try withTable { db in
            let arena = TextArena()
            let one = try db.makeStatement(sql: "INSERT INTO t (k, a) VALUES (?, ?)")
            let two = try db.makeStatement(sql: "INSERT INTO t (k, b, a) VALUES (?, ?, ?)")
            var expected: [(Int, String, String?)] = []
            for i in 0..<40 {
                let long = String(repeating: "é", count: i * 97)  // up to ~7.5 KB, past the first reserve
                if i.isMultiple(of: 2) {
                    var st = FastStatement(one, arena: arena)
                    st.bind(i)
                    st.bind("one \(i) " + long)
                    try st.execute()
                    expected.append((i, "one \(i) " + long, nil))
                } else {
                    var st = FastStatement(two, arena: arena)
                    st.bind(i)
                    st.bind("b\(i)")  // a short text first: the long one after it grows the arena and moves it
                    st.bind(long + "two")
                    try st.execute()
                    expected.append((i, long + "two", "b\(i)"))
                }
            }
            // A use that binds and never runs (a failure between binds) leaves nothing for the next one: its text
            // for b must not land where the next use binds NULL.
            var abandoned = FastStatement(two, arena: arena)
            abandoned.bind(99)
            abandoned.bind("stale b")
            abandoned.bind("stale a")
            var st = FastStatement(two, arena: arena)
            st.bind(40)
            st.bind(nil as String?)
            st.bind("after")
            try st.execute()
            expected.append((40, "after", nil))
            let rows = try Row.fetchAll(db, sql: "SELECT k, a, b FROM t ORDER BY k")
            #expect(rows.count == expected.count)
            for (row, e) in zip(rows, expected) {
                #expect(row["k"] as Int == e.0)
                #expect(row["a"] as String == e.1)
                #expect(row["b"] as String? == e.2)
            }
        }
    }

    @Test("a query steps over its rows with its text parameters bound")
    func queryWithTextParameter() throws {
        try withTable { db in
            try db.execute(sql: "INSERT INTO t VALUES (1, 'Köln', NULL, 1), (2, 'Köln', NULL, 2), (3, 'Bonn', NULL, 3)")
            var select = FastStatement(try db.makeStatement(sql: "SELECT k FROM t WHERE a = ? ORDER BY k"))
            for (city, expected) in [("Köln", [1, 2]), ("Bonn", [3]), ("", [])] {
                select.bind(city)
                var found: [Int] = []
                while try select.step() { found.append(select.int(0)) }
                select.reset()
                #expect(found == expected, "\(city)")
            }
        }
    }

    @Test("a failing insert throws SQLite's error and leaves the statement usable")
    func failureThenReuse() throws {
        try withTable { db in
            try db.execute(sql: "CREATE UNIQUE INDEX t_k ON t(k)")
            var insert = FastStatement(try db.makeStatement(sql: "INSERT INTO t (k, a) VALUES (?, ?)"))
            insert.bind(1)
            insert.bind("first")
            try insert.execute()
            insert.bind(1)
            insert.bind("again")
            #expect(throws: DatabaseError.self) { try insert.execute() }
            insert.bind(2)
            insert.bind("second")
            try insert.execute()
            #expect(try String.fetchAll(db, sql: "SELECT a FROM t ORDER BY k") == ["first", "second"])
        }
    }

    @Test("a row buffer's rows land as bound, in order, in full and partial statements: texts, empty texts, NULLs, integers")
    func rowBuffer() throws {
        try withTable { db in
            let buffer = RowBuffer("INSERT INTO t (k, a, b, c)", columns: 4)
            // Two full statements, then a remainder of 128 + 64 + 32 + 8 + 4 + 1 rows; long texts grow the arena.
            let n = RowBuffer.perStatement * 2 + 237
            func text(_ i: Int) -> String {
                switch i % 5 {
                case 0: return ""
                case 1: return "Łódź – Königsallee \(i)"
                case 2: return String(repeating: "x", count: 3000 + i)
                default: return "t\(i)"
                }
            }
            for i in 0..<n {
                try buffer.append(db) { row in
                    row.bind(i)
                    row.bind(text(i))
                    if i % 7 == 1 {
                        row.bind(decimal: Int64(i) * -13, scale: i % 4)
                    } else {
                        row.bind(i.isMultiple(of: 3) ? nil : text(i + 1) as String?)
                    }
                    row.bind(Int64(i) * -7)
                }
                if i == 300 {
                    // What was flushed is there; what waits is not.
                    #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == RowBuffer.perStatement)
                }
            }
            try buffer.flush(db)
            try buffer.flush(db)  // nothing left: nothing again
            let rows = try Row.fetchAll(db, sql: "SELECT k, a, b, c, typeof(a) AS ta FROM t ORDER BY rowid")
            #expect(rows.count == n)
            for (i, row) in rows.enumerated() {
                #expect(row["k"] as Int == i)
                #expect(row["a"] as String == text(i))
                #expect(row["ta"] as String == "text", "an empty string is bound as text, not NULL")
                if i % 7 == 1 {
                    // The digits FixedDecimal's description writes (tax rates are bound this way).
                    #expect(row["b"] as String? == FixedDecimal(units: Int64(i) * -13, scale: i % 4).description)
                } else {
                    #expect(row["b"] as String? == (i.isMultiple(of: 3) ? nil : text(i + 1)))
                }
                #expect(row["c"] as Int64 == Int64(i) * -7)
            }
        }
    }
}
