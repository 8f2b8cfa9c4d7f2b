/// One validated item of the ERP item master.
public struct Item: Sendable, Equatable {
    public var sku: String
    /// Cleaned values by field name (the layout's fields), as sent to the WMS.
    public var values: [String: String]
    /// Identity of the content: an item is sent again only when this changes.
    public var contentHash: String

    /// Validates and cleans an item-master record.
    public static func validate(_ raw: RawDocument, file: String) -> (Item?, [Finding]) {
        var c = DocumentChecker(raw, layout: .items, file: file)
        let sku = c.code("sku")
        let description = c.text("description")
        if Clean.length(description) > 200 { c.fail("description", "length", "is longer than 200 characters") }
        let gtin = Clean.code(raw["gtin"])
        if !gtin.isEmpty {
            if let problem = GTIN.problem(gtin) { c.fail("gtin", problem.rule, problem.message) }
        }
        _ = c.code("uom", upper: true)
        for f in ["weight_kg", "length_cm", "width_cm", "height_cm"] { _ = c.decimal(f) }
        let hs = Clean.removing(UInt8(ascii: " "), from: Clean.removing(UInt8(ascii: "."), from: Clean.code(raw["hs_code"])))
        if !hs.isEmpty && !(hs.utf8.count >= 6 && hs.utf8.count <= 10 && hs.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }) {
            c.fail("hs_code", "format", "must be 6 to 10 digits (HS / tariff code)")
        }
        _ = c.country("origin_country")
        var values = c.values
        values["gtin"] = gtin
        values["hs_code"] = hs
        for f in ["lot_tracked", "serial_tracked"] {
            switch Clean.lower(Clean.code(raw[f])) {
            case "", "false", "no", "n", "0": values[f] = "false"
            case "true", "yes", "y", "1": values[f] = "true"
            default: c.fail(f, "boolean", "must be true or false")
            }
        }
        guard c.ok else { return (nil, c.findings) }
        let hash = DocumentChecker.hash(DocumentLayout.items.fields.map { values[$0.name] ?? "" })
        return (Item(sku: sku, values: values, contentHash: hash), c.findings)
    }
}

/// GS1 Global Trade Item Numbers (EAN-8, UPC-A, EAN-13, GTIN-14) and their check digit.
public enum GTIN {
    /// Why `code` is not a GTIN, or nil when it is one.
    public static func problem(_ code: String) -> (rule: String, message: String)? {
        let digits = code.utf8.map { Int($0) - 0x30 }
        guard [8, 12, 13, 14].contains(digits.count), digits.allSatisfy({ (0...9).contains($0) }) else {
            return ("format", "must be 8, 12, 13 or 14 digits (GTIN / EAN / UPC)")
        }
        let expected = checkDigit(Array(digits.dropLast()))
        guard expected == digits.last else {
            return ("check-digit", "check digit is \(digits.last!), the GS1 check digit of the other digits is \(expected)")
        }
        return nil
    }

    /// GS1 mod-10: from the right, weights 3, 1, 3, ...
    public static func checkDigit(_ body: [Int]) -> Int {
        var sum = 0
        for (i, d) in body.reversed().enumerated() { sum += d * (i % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10
    }
}
