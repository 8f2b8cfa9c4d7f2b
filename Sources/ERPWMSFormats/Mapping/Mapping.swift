import ERPWMSCore
import Foundation

/// How to read an ERP export that is not in the canonical layout: for every canonical field, where its value
/// comes from (a column by name or position, an XML path, a constant, a concatenation) and the transforms that
/// clean it; which rows to skip; and the layout of order and line rows. Built from the channel's `mapping:`.
///
/// A class (immutable after construction) because transforms hold compiled regular expressions and date
/// formatters, which are expensive to make and are reused for every record.
public final class Mapping: @unchecked Sendable {
    /// How order-level fields appear in a CSV export.
    public enum Layout: String, Sendable, CaseIterable {
        /// Order fields repeated on every line row (the canonical layout).
        case flat
        /// Order fields on the first row of each order only; the following rows carry lines and blank order fields.
        case firstRow = "first-row"
    }

    public let orderFields: [OrderField: FieldMapping]
    public let lineFields: [LineField: FieldMapping]
    public let layout: Layout
    /// A line row is skipped (not shipped) when any of these holds: gift cards, digital goods.
    public let skipLineIf: [Condition]
    /// For XML sources: the path of the order element from the root (`Export/Orders/Order`) and of a line
    /// element relative to its order (`Items/Item`).
    public let xmlOrderPath: [String]
    public let xmlLinePath: [String]

    public init(orderFields: [OrderField: FieldMapping], lineFields: [LineField: FieldMapping], layout: Layout = .flat,
                skipLineIf: [Condition] = [], xmlOrderPath: [String] = [], xmlLinePath: [String] = []) {
        self.orderFields = orderFields
        self.lineFields = lineFields
        self.layout = layout
        self.skipLineIf = skipLineIf
        self.xmlOrderPath = xmlOrderPath
        self.xmlLinePath = xmlLinePath
    }
}

/// Where a CSV value comes from.
public enum ColumnRef: Sendable, Hashable, CustomStringConvertible {
    case name(String)
    /// 1-based position, for files without a header.
    case position(Int)

    public var description: String {
        switch self {
        case .name(let n): return "'\(n)'"
        case .position(let p): return "#\(p)"
        }
    }
}

/// Where a mapped value comes from.
public indirect enum ValueSource: Sendable, CustomStringConvertible {
    case column(ColumnRef)
    /// XML: a path relative to the record (`Header/OrderNo`, `@id`, `Address/@country`).
    case path(String)
    case constant(String)
    case concat([ValueSource])

    public var description: String {
        switch self {
        case .column(let c): return "column \(c)"
        case .path(let p): return "path '\(p)'"
        case .constant(let c): return "constant '\(c)'"
        case .concat(let parts): return "concat(" + parts.map(\.description).joined(separator: ", ") + ")"
        }
    }
}

/// One mapped canonical field: its source, transforms in order, and a default for an empty result.
public struct FieldMapping: Sendable {
    public var source: ValueSource
    public var transforms: [Transform]
    public var defaultValue: String?

    public init(source: ValueSource, transforms: [Transform] = [], defaultValue: String? = nil) {
        self.source = source
        self.transforms = transforms
        self.defaultValue = defaultValue
    }

    /// The column index when this is a plain rename (a named column, no transform, no default): the
    /// reader then takes the field as it is, at the canonical path's cost.
    var plainColumn: ColumnRef? {
        if case .column(let c) = source, transforms.isEmpty, defaultValue == nil { return c }
        return nil
    }
}

/// A transform of a mapped value. Each has a name for error messages (`date(dd.MM.yyyy HH:mm)`).
public enum Transform: @unchecked Sendable, CustomStringConvertible {
    case trim
    case upper
    case lower
    case prefix(String)
    case suffix(String)
    /// Regular-expression replace (ICU syntax, `$1` for groups).
    case replace(pattern: String, regex: NSRegularExpression, with: String)
    /// Split on `separator` and take the 1-based `index`-th part (negative counts from the end).
    case split(separator: String, index: Int)
    /// Look the value up in a table of the configuration; a miss takes `default`, else is an error.
    case lookup(table: String, values: [String: String], defaultValue: String?)
    /// Parse a local date-time with `pattern` (Unicode TR35, as `dd.MM.yyyy HH:mm`) in `timeZone` and write
    /// it as ISO 8601 with that zone's offset at that moment.
    case date(pattern: String, timeZone: TimeZone, parser: DateFormatter)
    /// A number with a decimal comma and/or thousands separators (`1.234,56`) to a plain decimal (`1234.56`).
    case decimal(decimalSeparator: Character, thousandsSeparator: Character?)
    /// A percentage to a fraction, exactly (`19,00` after `decimal` -> `19.00` -> `0.1900`).
    case percentToFraction

    public var description: String {
        switch self {
        case .trim: return "trim"
        case .upper: return "upper"
        case .lower: return "lower"
        case .prefix(let p): return "prefix(\(p))"
        case .suffix(let s): return "suffix(\(s))"
        case .replace(let p, _, let w): return "replace(\(p) -> \(w))"
        case .split(let s, let i): return "split('\(s)', \(i))"
        case .lookup(let t, _, _): return "lookup(\(t))"
        case .date(let p, let tz, _): return "date(\(p), \(tz.identifier))"
        case .decimal(let d, let t): return "decimal(\(d)\(t.map { ", \($0)" } ?? ""))"
        case .percentToFraction: return "percent"
        }
    }
}

/// A test on a source row, for skipping lines.
public struct Condition: Sendable {
    public enum Test: @unchecked Sendable {
        case equals(String)
        case notEquals(String)
        case oneOf([String])
        case matches(NSRegularExpression)
        case empty
        case notEmpty
    }
    public var source: ValueSource
    public var test: Test

    public init(source: ValueSource, test: Test) {
        self.source = source
        self.test = test
    }

    func holds(_ value: String) -> Bool {
        switch test {
        case .equals(let v): return value == v
        case .notEquals(let v): return value != v
        case .oneOf(let vs): return vs.contains(value)
        case .matches(let r): return r.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
        case .empty: return value.isEmpty
        case .notEmpty: return !value.isEmpty
        }
    }
}

/// A value that could not be mapped: names the column, the transform and what was wrong.
public struct MappingFailure: Error, Sendable {
    public var rule: String
    public var message: String
}

extension FieldMapping {
    /// Evaluates this mapping with `lookup` resolving sources. `personal`: never quote the value in an error.
    func evaluate(_ resolve: (ValueSource) throws -> String, personal: Bool) throws -> String {
        var value = try resolve(source)
        for t in transforms {
            value = try t.apply(value, source: source, personal: personal)
        }
        if value.isEmpty, let d = defaultValue { value = d }
        return value
    }
}

extension Transform {
    func apply(_ value: String, source: ValueSource, personal: Bool) throws -> String {
        func fail(_ rule: String, _ why: String) -> MappingFailure {
            MappingFailure(rule: rule, message: "\(source), transform \(description): \(personal ? "the value" : "'\(value)'") \(why)")
        }
        switch self {
        case .trim: return Clean.trim(value)
        case .upper: return value.uppercased()
        case .lower: return value.lowercased()
        case .prefix(let p): return value.isEmpty ? value : p + value
        case .suffix(let s): return value.isEmpty ? value : value + s
        case .replace(_, let regex, let with):
            return regex.stringByReplacingMatches(in: value, range: NSRange(value.startIndex..., in: value), withTemplate: with)
        case .split(let separator, let index):
            if value.isEmpty { return value }
            let parts = value.components(separatedBy: separator)
            let i = index > 0 ? index - 1 : parts.count + index
            guard i >= 0, i < parts.count else {
                throw fail("mapping.split", "has \(parts.count) part(s), part \(index) asked for")
            }
            return Clean.trim(parts[i])
        case .lookup(_, let values, let defaultValue):
            if value.isEmpty { return value }
            if let v = values[value] { return v }
            if let d = defaultValue { return d }
            throw fail("mapping.lookup", "is not in the table; add it to the channel's lookups")
        case .date(_, let tz, let parser):
            if value.isEmpty { return value }
            guard let date = parser.date(from: value) else {
                throw fail("mapping.date", "does not match the pattern")
            }
            return Self.iso8601(date, in: tz)
        case .decimal(let decimalSeparator, let thousandsSeparator):
            if value.isEmpty { return value }
            var out = ""
            for ch in value {
                if let t = thousandsSeparator, ch == t { continue }
                out.append(ch == decimalSeparator ? "." : ch)
            }
            return out
        case .percentToFraction:
            if value.isEmpty { return value }
            guard let d = FixedDecimal(parsing: value) else {
                throw fail("mapping.percent", "is not a decimal percentage")
            }
            return FixedDecimal(units: d.units, scale: d.scale + 2).description
        }
    }

    /// `2025-03-01T09:15:00+01:00` for `date` in `tz` (the offset that zone had at that moment).
    static func iso8601(_ date: Date, in tz: TimeZone) -> String {
        let offset = tz.secondsFromGMT(for: date)
        let local = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(offset)
        var text = ISODate.utcString(local)
        text.removeLast()  // the Z
        let sign = offset < 0 ? "-" : "+"
        let h = abs(offset) / 3600
        let m = abs(offset) / 60 % 60
        return text + sign + (h < 10 ? "0\(h)" : "\(h)") + ":" + (m < 10 ? "0\(m)" : "\(m)")
    }
}
