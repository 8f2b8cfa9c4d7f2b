/// Writes RFC 4180 CSV for people: fields quoted when needed, and cells a spreadsheet would execute
/// as a formula (starting with = + - @ tab or CR) prefixed with `'`.
public final class CSVWriter {
    private var out: OutputBuffer

    public init(sink: ByteSink) {
        out = OutputBuffer(sink: sink)
    }

    public func writeRow(_ fields: [String]) throws {
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            var value = f
            if let first = value.utf8.first,
               [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(first),
               !(first == UInt8(ascii: "-") && value.dropFirst().allSatisfy({ $0.isNumber || $0 == "." })) {
                value = "'" + value
            }
            if value.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
                out.append(UInt8(ascii: "\""))
                out.append(value.replacingQuotes())
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(value)
            }
        }
        out.append("\r\n")
        try out.drainIfLarge()
    }

    public func finish() throws {
        try out.drain()
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
