import ERPWMSCore
import ERPWMSFormats
import Foundation
import Yams

/// Reads a channel's `mapping:`, `layout:`, `skip_if:` and `xml:` into a `Mapping`, with errors that name the
/// file, the key and the line and say what is allowed.
struct MappingLoader {
    let file: String
    let lookups: [String: [String: String]]
    let isXML: Bool

    static let orderFields = Dictionary(uniqueKeysWithValues: OrderField.allCases.map { ($0.rawValue, $0) })
    static let lineFields = Dictionary(uniqueKeysWithValues: LineField.allCases.map { ($0.rawValue, $0) })
    static let transformNames = ["trim", "upper", "lower", "percent", "prefix", "suffix", "replace", "split", "lookup", "date", "decimal"]

    func mapping(_ c: Section) throws -> Mapping {
        guard let m = try c.section("mapping") else { throw c.error("mapping", "must be a mapping of canonical field: source") }
        var orderFields: [OrderField: FieldMapping] = [:]
        var lineFields: [LineField: FieldMapping] = [:]
        for (name, line) in m.keys {
            guard let node = m.node(name) else { continue }
            let key = m.key(name)
            if let f = Self.orderFields[name] {
                orderFields[f] = try field(node, key: key, line: line)
            } else if let f = Self.lineFields[name] {
                lineFields[f] = try field(node, key: key, line: line)
            } else {
                throw ConfigError(file: file, key: key, line: line,
                                  message: "'\(name)' is not a canonical field; allowed: \((OrderField.allCases.map(\.rawValue) + LineField.allCases.map(\.rawValue)).joined(separator: ", "))")
            }
        }
        if orderFields[.orderId] == nil {
            throw c.error("mapping", "order_id must be mapped: it groups rows into orders")
        }
        let layout = try c.enumValue("layout", Mapping.Layout.self) ?? .flat
        var skip: [Condition] = []
        if let n = c.node("skip_if") {
            let items = n.sequence.map(Array.init) ?? [n]
            for item in items { skip.append(try condition(item, key: c.key("skip_if"))) }
        }
        var orderPath: [String] = []
        var linePath: [String] = []
        if isXML {
            guard let x = try c.section("xml") else {
                throw c.error("mapping", "an XML mapping needs xml: { order_path: Root/.../Order, line_path: Items/Item }")
            }
            try x.allow(["order_path", "line_path"])
            orderPath = (try x.string("order_path") ?? "").split(separator: "/").map(String.init)
            linePath = (try x.string("line_path") ?? "").split(separator: "/").map(String.init)
            guard orderPath.count >= 2 else { throw x.error("order_path", "give the path from the root element to the order element, such as Export/Order") }
            guard !linePath.isEmpty else { throw x.error("line_path", "give the path from an order element to its line elements, such as Items/Item") }
        } else if c.node("xml") != nil {
            throw c.error("xml", "only for channels with format: xml")
        }
        return Mapping(orderFields: orderFields, lineFields: lineFields, layout: layout, skipLineIf: skip,
                       xmlOrderPath: orderPath, xmlLinePath: linePath)
    }

    func fail(_ key: String, _ node: Node, _ message: String) -> ConfigError {
        ConfigError(file: file, key: key, line: node.mark?.line, message: message)
    }

    /// `Name` (a column, or an XML path) or `{ column|position|path|constant|concat, transform: [...], default }`.
    func field(_ node: Node, key: String, line: Int?) throws -> FieldMapping {
        if let s = node.scalar?.string {
            return FieldMapping(source: isXML ? .path(s) : .column(.name(s)))
        }
        guard let m = node.mapping else { throw fail(key, node, "must be a column name or { column: ..., transform: [...] }") }
        let section = try Section(node: node, path: key, file: file)
        try section.allow(["column", "position", "path", "constant", "concat", "transform", "default"])
        let src = try source(section, key: key, node: node)
        var transforms: [Transform] = []
        if let t = m[.key("transform")] {
            let items = t.sequence.map(Array.init) ?? [t]
            for item in items { transforms.append(try transform(item, key: key + ".transform")) }
        }
        return FieldMapping(source: src, transforms: transforms, defaultValue: try section.string("default"))
    }

    func source(_ s: Section, key: String, node: Node) throws -> ValueSource {
        var found: [ValueSource] = []
        if let c = s.node("column") {
            if isXML { throw s.error("column", "this channel reads XML: use path:") }
            if let i = c.int, c.scalar?.style == .plain { found.append(.column(.position(i))) } else if let n = c.string { found.append(.column(.name(n))) }
        }
        if let p = try s.int("position", min: 1) {
            if isXML { throw s.error("position", "this channel reads XML: use path:") }
            found.append(.column(.position(p)))
        }
        if let p = try s.string("path") {
            if !isXML { throw s.error("path", "this channel reads CSV: use column:") }
            found.append(.path(p))
        }
        if let c = try s.string("constant") { found.append(.constant(c)) }
        if let c = s.node("concat") {
            guard let items = c.sequence else { throw s.error("concat", "must be a list of sources and literal text") }
            found.append(.concat(try items.map { item in
                if let text = item.scalar?.string { return .constant(text) }
                guard item.mapping != nil else { throw fail(key + ".concat", item, "each part is literal text or { column: ... }") }
                return try source(try Section(node: item, path: key + ".concat", file: file), key: key + ".concat", node: item)
            }))
        }
        guard found.count == 1 else {
            throw fail(key, node, found.isEmpty ? "give one source: column, position, path, constant or concat"
                                                : "give only one source: column, position, path, constant or concat")
        }
        return found[0]
    }

    func transform(_ node: Node, key: String) throws -> Transform {
        if let name = node.scalar?.string {
            switch name {
            case "trim": return .trim
            case "upper": return .upper
            case "lower": return .lower
            case "percent": return .percentToFraction
            default: throw fail(key, node, "'\(name)' is not a transform; allowed: \(Self.transformNames.joined(separator: ", "))")
            }
        }
        guard let m = node.mapping, m.count == 1, let name = m.keys.first?.string, let arg = m.values.first else {
            throw fail(key, node, "a transform is a name (trim) or one key with its settings ({ lookup: countries })")
        }
        let k = key + "." + name
        switch name {
        case "prefix", "suffix":
            guard let v = arg.scalar?.string else { throw fail(k, arg, "give the text") }
            return name == "prefix" ? .prefix(v) : .suffix(v)
        case "replace":
            let s = try Section(node: arg, path: k, file: file)
            try s.allow(["pattern", "with"])
            guard let pattern = try s.string("pattern") else { throw s.error("pattern", "the regular expression is required") }
            do {
                return .replace(pattern: pattern, regex: try NSRegularExpression(pattern: pattern), with: try s.string("with") ?? "")
            } catch {
                throw s.error("pattern", "'\(pattern)' is not a valid regular expression")
            }
        case "split":
            let s = try Section(node: arg, path: k, file: file)
            try s.allow(["separator", "index"])
            guard let sep = try s.string("separator"), !sep.isEmpty else { throw s.error("separator", "required, such as \",\"") }
            guard let i = try s.int("index"), i != 0 else { throw s.error("index", "a 1-based part number (negative: from the end)") }
            return .split(separator: sep, index: i)
        case "lookup":
            var table: String?
            var def: String?
            if let t = arg.scalar?.string {
                table = t
            } else {
                let s = try Section(node: arg, path: k, file: file)
                try s.allow(["table", "default"])
                table = try s.string("table")
                def = try s.string("default")
            }
            guard let t = table, let values = lookups[t] else {
                throw fail(k, arg, "no lookup table '\(table ?? "")'; tables: \(lookups.keys.sorted().joined(separator: ", "))")
            }
            return .lookup(table: t, values: values, defaultValue: def)
        case "date":
            let s = try Section(node: arg, path: k, file: file)
            try s.allow(["pattern", "time_zone"])
            guard let pattern = try s.string("pattern") else { throw s.error("pattern", "required, such as dd.MM.yyyy HH:mm") }
            let zoneName = try s.string("time_zone") ?? "UTC"
            guard let tz = TimeZone(identifier: zoneName) else {
                throw s.error("time_zone", "'\(zoneName)' is not an IANA time zone, such as Europe/Berlin")
            }
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = tz
            f.dateFormat = pattern
            f.isLenient = false
            return .date(pattern: pattern, timeZone: tz, parser: f)
        case "decimal":
            let s = try Section(node: arg, path: k, file: file)
            try s.allow(["decimal", "thousands"])
            guard let d = try s.string("decimal"), d.count == 1 else { throw s.error("decimal", "the decimal separator, \",\" or \".\"") }
            let t = try s.string("thousands")
            if let t, t.count != 1 { throw s.error("thousands", "one character, such as \".\" or \" \"") }
            return .decimal(decimalSeparator: d.first!, thousandsSeparator: t?.first)
        default:
            throw fail(key, node, "'\(name)' is not a transform; allowed: \(Self.transformNames.joined(separator: ", "))")
        }
    }

    func condition(_ node: Node, key: String) throws -> Condition {
        let s = try Section(node: node, path: key, file: file)
        try s.allow(["column", "position", "path", "equals", "not_equals", "in", "matches", "empty", "not_empty"])
        let src: ValueSource
        if let c = try s.string("column") {
            src = .column(.name(c))
        } else if let p = try s.int("position", min: 1) {
            src = .column(.position(p))
        } else if let p = try s.string("path") {
            src = .path(p)
        } else {
            throw fail(key, node, "a condition reads a column (or path for XML) and tests it: { column: X, equals: Y }")
        }
        if let v = try s.string("equals") { return Condition(source: src, test: .equals(v)) }
        if let v = try s.string("not_equals") { return Condition(source: src, test: .notEquals(v)) }
        if let n = s.node("in") {
            guard let items = n.sequence else { throw s.error("in", "a list of values") }
            return Condition(source: src, test: .oneOf(items.compactMap { $0.string }))
        }
        if let p = try s.string("matches") {
            do {
                return Condition(source: src, test: .matches(try NSRegularExpression(pattern: p)))
            } catch {
                throw s.error("matches", "'\(p)' is not a valid regular expression")
            }
        }
        if try s.bool("empty") == true { return Condition(source: src, test: .empty) }
        if try s.bool("not_empty") == true { return Condition(source: src, test: .notEmpty) }
        throw fail(key, node, "give a test: equals, not_equals, in, matches, empty or not_empty")
    }
}
