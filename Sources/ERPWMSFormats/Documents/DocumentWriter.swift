import ERPWMSCore

/// Writes documents of one `DocumentLayout` in its canonical XML or CSV, deterministically: fields in the
/// layout's order, empty values omitted (XML) or empty (CSV), no timestamps.
public final class DocumentWriter {
    public enum Format: Sendable { case xml, csv }

    private let out: OutputBuffer
    private let layout: DocumentLayout
    private let format: Format
    private var csv: CSVWriter?

    /// `rootAttributes` (XML only) go on the root element in the order given.
    public init(sink: ByteSink, layout: DocumentLayout, format: Format, rootAttributes: [(String, String)] = []) throws {
        out = OutputBuffer(sink: sink)
        self.layout = layout
        self.format = format
        switch format {
        case .xml:
            out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<")
            out.append(layout.root)
            for (name, value) in rootAttributes where !value.isEmpty {
                out.append(" \(name)=\"")
                out.appendEscaped(value, attribute: true)
                out.append("\"")
            }
            out.append(">\n")
        case .csv:
            let w = CSVWriter(sink: sink)
            try w.writeRow(layout.fields.map(\.name) + layout.lineFields.map(\.name))
            csv = w
        }
    }

    /// Writes one document: `values` by field name, `lines` by line-field name.
    public func write(_ values: [String: String], lines: [[String: String]] = []) throws {
        if let csv {
            let head = layout.fields.map { values[$0.name] ?? "" }
            if lines.isEmpty {
                try csv.writeRow(head + layout.lineFields.map { _ in "" })
            }
            for l in lines { try csv.writeRow(head + layout.lineFields.map { l[$0.name] ?? "" }) }
            return
        }
        out.append("<")
        out.append(layout.record)
        out.append(">")
        for f in layout.fields { element(f.name, values[f.name] ?? "") }
        if !lines.isEmpty {
            out.append("<lines>")
            for l in lines {
                out.append("<line>")
                for f in layout.lineFields { element(f.name, l[f.name] ?? "") }
                out.append("</line>")
            }
            out.append("</lines>")
        }
        out.append("</")
        out.append(layout.record)
        out.append(">\n")
        try out.drainIfLarge()
    }

    private func element(_ name: String, _ value: String) {
        guard !value.isEmpty else { return }
        out.append("<")
        out.append(name)
        out.append(">")
        out.appendEscaped(value)
        out.append("</")
        out.append(name)
        out.append(">")
    }

    public func finish() throws {
        if let csv {
            try csv.finish()
            return
        }
        out.append("</")
        out.append(layout.root)
        out.append(">\n")
        try out.drain()
    }
}
