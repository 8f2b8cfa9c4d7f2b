import Crypto

/// Checks and cleans one `RawDocument` field by field, collecting findings with stable rule ids of the form
/// `<layout>.<field>.<rule>` (`purchase-order.quantity.positive`). Messages never quote a personal field.
public struct DocumentChecker {
    public let layout: DocumentLayout
    public let file: String
    public let raw: RawDocument
    /// The document's id for findings (its first key field).
    public let documentId: String
    public private(set) var findings: [Finding]
    /// Cleaned values, by field name (document level).
    public private(set) var values: [String: String]
    private var lineNumbers = Set<Int>()

    public init(_ raw: RawDocument, layout: DocumentLayout, file: String) {
        self.layout = layout
        self.file = file
        self.raw = raw
        documentId = Clean.code(raw[layout.key[0]])
        // Room for every field and a few more the flows add (an item's action and version): not rehashed as it fills.
        values = Dictionary(minimumCapacity: layout.fields.count + 2)
        findings = raw.codecFindings.map {
            var f = $0
            f.orderId = f.orderId ?? Clean.code(raw[layout.key[0]])
            return f
        }
    }

    public var ok: Bool { !findings.contains { $0.severity == .error } }

    public mutating func fail(_ field: String, _ rule: String, _ message: String, at location: SourceLocation? = nil,
                              severity: Finding.Severity = .error) {
        findings.append(Finding(rule: "\(layout.name).\(field.replacingOccurrences(of: "_", with: "-")).\(rule)",
                                severity: severity, message: message, file: file, location: location ?? raw.location,
                                orderId: documentId.isEmpty ? nil : documentId, field: field))
    }

    /// The cleaned text of a document field; a finding when required and empty.
    public mutating func text(_ field: String, line: RawDocument.Line? = nil) -> String {
        let v = Clean.text(line?[field] ?? raw[field])
        let spec = (line == nil ? layout.fields : layout.lineFields).first { $0.name == field }
        if v.isEmpty, spec?.required == true {
            fail(field, "required", "is required", at: line?.location)
        } else if Clean.hasControlCharacters(v) {
            fail(field, "control-characters", "contains control characters", at: line?.location)
        }
        if line == nil { values[field] = v }
        return v
    }

    /// A code (`[A-Za-z0-9_.-]{1,40}`), half-width, upper-cased when `upper`.
    public mutating func code(_ field: String, line: RawDocument.Line? = nil, upper: Bool = false) -> String {
        var v = Clean.code(line?[field] ?? raw[field])
        if upper { v = Clean.upper(v) }
        let spec = (line == nil ? layout.fields : layout.lineFields).first { $0.name == field }
        if v.isEmpty {
            if spec?.required == true { fail(field, "required", "is required", at: line?.location) }
        } else if !OrderValidator.isCode(v) {
            fail(field, "format", "must be 1-40 letters, digits, '_', '.' or '-'", at: line?.location)
        }
        if line == nil { values[field] = v }
        return v
    }

    /// A whole number within `range`; nil (and a finding) when not, or when empty and required.
    public mutating func int(_ field: String, line: RawDocument.Line? = nil, min: Int = 1, default def: Int? = nil) -> Int? {
        let t = Clean.code(line?[field] ?? raw[field])
        if t.isEmpty {
            if let def { return def }
            fail(field, "required", "is required", at: line?.location)
            return nil
        }
        var negative = false
        var body = Substring(t)
        if body.first == "-" {
            negative = true
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.count <= 9, body.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int(body) else {
            fail(field, "integer", "must be a whole number", at: line?.location)
            return nil
        }
        let value = negative ? -v : v
        guard value >= min else {
            fail(field, min == 1 ? "positive" : "non-negative", min == 1 ? "must be above zero" : "must be \(min) or more",
                 at: line?.location)
            return nil
        }
        if line == nil { values[field] = String(value) }
        return value
    }

    /// A line's `line_no`: a positive whole number that no earlier line of this document has.
    public mutating func lineNo(_ line: RawDocument.Line) -> Int? {
        guard let no = int("line_no", line: line) else { return nil }
        if !lineNumbers.insert(no).inserted { fail("line_no", "unique", "line \(no) appears twice", at: line.location) }
        return no
    }

    /// An ISO 8601 date-time with offset, or (when `dateOnly` is allowed) a date `YYYY-MM-DD`.
    public mutating func time(_ field: String, allowDate: Bool = false) -> String {
        let v = Clean.code(raw[field])
        if v.isEmpty {
            fail(field, "required", "is required")
        } else if !(OrderValidator.isISODateTimeWithOffset(v) || (allowDate && Self.isDate(v))) {
            fail(field, "iso8601", allowDate ? "must be a date (2025-03-04) or a date-time with offset (2025-03-04T10:00:00+01:00)"
                                              : "must be a date-time with offset (2025-03-04T10:00:00+01:00)")
        }
        values[field] = v
        return v
    }

    /// A value from a fixed set (lower-cased).
    public mutating func oneOf(_ field: String, _ allowed: [String], line: RawDocument.Line? = nil, default def: String? = nil) -> String {
        var v = Clean.replacing(UInt8(ascii: "-"), with: UInt8(ascii: "_"), in: Clean.lower(Clean.code(line?[field] ?? raw[field])))
        if v.isEmpty, let def { v = def }
        if v.isEmpty {
            fail(field, "required", "is required; one of \(allowed.joined(separator: ", "))", at: line?.location)
        } else if !allowed.contains(v) {
            fail(field, "known", "'\(v)' is not one of \(allowed.joined(separator: ", "))", at: line?.location)
        }
        if line == nil { values[field] = v }
        return v
    }

    /// A non-negative decimal with `.` (weights, dimensions, costs); empty allowed.
    public mutating func decimal(_ field: String, line: RawDocument.Line? = nil) -> FixedDecimal? {
        let v = Clean.code(line?[field] ?? raw[field])
        if line == nil { values[field] = v }
        guard !v.isEmpty else { return nil }
        guard let d = FixedDecimal(parsing: v) else {
            fail(field, "decimal", "must be a non-negative decimal with '.' (1.25)", at: line?.location)
            return nil
        }
        return d
    }

    /// An ISO 3166-1 alpha-2 country code; empty allowed unless `required`.
    public mutating func country(_ field: String, required: Bool = false) -> String {
        let v = Clean.upperCode(raw[field])
        values[field] = v
        if v.isEmpty {
            if required { fail(field, "required", "is required") }
        } else if !ISO3166.alpha2.contains(v) {
            fail(field, "iso3166", "'\(v)' is not an ISO 3166-1 alpha-2 country code")
        }
        return v
    }

    /// Findings for a document that needs lines and has none, or has too many.
    public mutating func requireLines(max: Int = 9999) {
        if raw.lines.isEmpty { fail("lines", "required", "a \(layout.name) needs at least one line") }
        if raw.lines.count > max { fail("lines", "too-many", "has \(raw.lines.count) lines; at most \(max)") }
    }

    /// `YYYY-MM-DD` with calendar ranges checked.
    public static func isDate(_ s: String) -> Bool {
        s.utf8.count == 10 && OrderValidator.isISODateTimeWithOffset(s + "T00:00:00Z")
    }

    /// SHA-256 over the given field values in order, separated: the document's content identity.
    public static func hash(_ parts: [String]) -> String {
        var bytes: [UInt8] = []
        for p in parts {
            bytes.append(contentsOf: p.utf8)
            bytes.append(0x1F)
        }
        return ContentHash.hex(SHA256.hash(data: bytes))
    }
}
