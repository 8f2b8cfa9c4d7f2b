/// Writes RFC 4180 CSV for people: fields quoted when needed, and cells a spreadsheet would execute
/// as a formula (starting with = + - @ tab or CR) prefixed with `'`.
public final class CSVWriter {
    private let out: OutputBuffer

    public init(sink: ByteSink) {
        out = OutputBuffer(sink: sink)
    }

    public func writeRow(_ fields: [String]) throws {
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            Self.appendCell(f, to: out)
        }
        out.append("\r\n")
        try out.drainIfLarge()
    }

    public func finish() throws {
        try out.drain()
    }

    // A row built cell by cell straight into the output buffer: numbers are written as digits without a
    // String per field (the report's detail rows are millions of fields). `cell`s, then `endRow()`.
    private var rowStarted = false

    private func separator() {
        if rowStarted { out.append(UInt8(ascii: ",")) }
        rowStarted = true
    }

    /// A text cell, quoted and formula-protected like `writeRow`.
    public func cell(_ value: String) {
        separator()
        Self.appendCell(value, to: out)
    }

    /// A whole number (no quoting or protection needed).
    public func cell(int value: Int) {
        separator()
        out.append(signed: Int64(value))
    }

    /// An exact amount: `minor` units with `scale` decimals.
    public func cell(money minor: Int64, scale: Int) {
        separator()
        out.append(decimal: minor, scale: scale)
    }

    public func emptyCell() { separator() }

    public func endRow() throws {
        rowStarted = false
        out.append("\r\n")
        try out.drainIfLarge()
    }

    fileprivate static func appendCell(_ f: String, to out: OutputBuffer) {
        // One look at the bytes: whether the cell starts like a formula and whether it needs quotes. The usual cell
        // has neither and is appended as it is. (The `'` put before a formula needs no quotes of its own.)
        let (formulaLead, needsQuotes) = f.withUTF8Bytes { u in
            (u.first.map(isFormulaLead) ?? false,
             u.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D })
        }
        var value = f
        if formulaLead, !(f.utf8.first == UInt8(ascii: "-") && f.dropFirst().allSatisfy({ $0.isNumber || $0 == "." })) {
            value = "'" + value
        }
        if needsQuotes {
            out.append(UInt8(ascii: "\""))
            out.append(value.replacingQuotes())
            out.append(UInt8(ascii: "\""))
        } else {
            out.append(value)
        }
    }

    /// `=`, `+`, `-`, `@`, tab or CR: a spreadsheet may run a cell starting so as a formula.
    private static func isFormulaLead(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return true
        default: return false
        }
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var r = ""
        for ch in self {
            if ch == "\"" { r += "\"\"" } else { r.append(ch) }
        }
        return r
    }
}
