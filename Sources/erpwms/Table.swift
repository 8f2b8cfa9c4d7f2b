import ERPWMSCore
import Foundation

/// Plain-text tables for the terminal: columns padded to their widest cell, no control characters.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = header.map(\.count)
        for r in rows {
            for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var out = [line(header), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}

extension Table {
    /// Findings as a table: where, which document (an order, a PO, an RMA...), which rule (warnings marked),
    /// which field, why.
    static func findings(_ findings: [Finding]) -> String {
        var t = Table(["LINE", "RECORD", "DOCUMENT", "RULE", "FIELD", "MESSAGE"])
        for x in findings {
            t.add([x.location.line.map(String.init) ?? "", x.location.record.map(String.init) ?? "", x.orderId ?? "",
                   x.rule + (x.severity == .warning ? " (warning)" : ""), x.field ?? "", x.message])
        }
        return t.render()
    }
}

/// JSON for `--json`: sorted keys, no escaped slashes, one document.
func printJSON<T: Encodable>(_ value: T) {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
    guard let data = try? e.encode(value) else { return }
    print(String(decoding: data, as: UTF8.self))
}
