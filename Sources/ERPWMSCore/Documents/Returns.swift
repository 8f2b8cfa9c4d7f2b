/// One validated return authorisation (RMA) from the ERP: a return or an exchange.
public struct ReturnAuthorisation: Sendable, Equatable {
    public enum Kind: String, Sendable { case `return`, exchange }

    public struct Line: Sendable, Equatable {
        public var lineNo: Int
        /// The original order's line; nil when the ERP named only the SKU (resolved against the order).
        public var orderLineNo: Int?
        public var sku: String
        public var quantity: Int
        /// Exchange only: what to send instead, and how many.
        public var replacementSku: String
        public var replacementQuantity: Int
    }
    public var rmaId: String
    public var orderId: String
    public var kind: Kind
    public var reason: String
    public var approvedAt: String
    public var refundMethod: String
    /// Exchange only: where the replacement goes (personal data; kept until the replacement is sent).
    public var shipTo: Address?
    public var lines: [Line]
    public var contentHash: String

    public static let refundMethods = ["original_payment", "store_credit", "bank_transfer", "none"]

    public static func validate(_ raw: RawDocument, file: String) -> (ReturnAuthorisation?, [Finding]) {
        var c = DocumentChecker(raw, layout: .returnAuthorisations, file: file)
        let id = c.code("rma_id")
        let orderId = c.code("order_id")
        let kind = Kind(rawValue: c.oneOf("type", ["return", "exchange"]))
        let reason = c.code("reason")
        let approved = c.time("approved_at")
        let refund = c.oneOf("refund_method", refundMethods, default: kind == .exchange ? "none" : "original_payment")
        var shipTo: Address?
        if kind == .exchange {
            // The replacement order is `<rma_id>-R<n>`, and order ids are codes of at most 40 characters.
            if id.utf8.count > 35 { c.fail("rma_id", "length", "an exchange's id has at most 35 characters (its replacement order is <rma_id>-R<n>)") }
            let country = c.country("ship_country", required: true)
            for f in ["ship_name", "ship_address1", "ship_city", "ship_postcode"] where Clean.text(raw[f]).isEmpty {
                c.fail(f, "required", "is required for an exchange: the replacement is shipped there")
            }
            // The replacement goes to the WMS in its shipment-order schema: text without control characters, 200
            // characters at most (never quoted: personal data).
            for f in ["ship_name", "ship_company", "ship_address1", "ship_address2", "ship_address3", "ship_city", "ship_region",
                      "ship_postcode", "ship_phone", "ship_email"] {
                let v = Clean.text(raw[f])
                if Clean.hasControlCharacters(v) { c.fail(f, "control-characters", "contains control characters") }
                if Clean.length(v) > 200 { c.fail(f, "length", "is longer than 200 characters") }
            }
            shipTo = Address(name: Clean.text(raw["ship_name"]), company: Clean.text(raw["ship_company"]),
                             lines: [Clean.text(raw["ship_address1"]), Clean.text(raw["ship_address2"]), Clean.text(raw["ship_address3"])],
                             city: Clean.text(raw["ship_city"]), region: Clean.text(raw["ship_region"]),
                             postcode: Clean.code(raw["ship_postcode"]), country: country,
                             phone: Clean.code(raw["ship_phone"]), email: Clean.code(raw["ship_email"]))
        }
        c.requireLines(max: 999)
        var lines: [Line] = []
        for l in raw.lines {
            let no = c.lineNo(l)
            let orderLine = Clean.code(l["order_line_no"]).isEmpty ? nil : c.int("order_line_no", line: l)
            let sku = c.code("sku", line: l)
            let qty = c.int("quantity", line: l)
            var replacementSku = Clean.code(l["replacement_sku"])
            var replacementQty = 0
            if kind == .exchange {
                if replacementSku.isEmpty { replacementSku = sku }
                replacementSku = c.code("replacement_sku", line: RawDocument.Line(location: l.location, values: ["replacement_sku": replacementSku]))
                replacementQty = c.int("replacement_quantity", line: l, default: qty ?? 0) ?? 0
            } else if kind == .return && (!replacementSku.isEmpty || !Clean.code(l["replacement_quantity"]).isEmpty) {
                c.fail("replacement_sku", "exchange-only", "a return (type return) has no replacement; use type exchange", at: l.location)
            }
            if let no, let qty {
                lines.append(Line(lineNo: no, orderLineNo: orderLine, sku: sku, quantity: qty, replacementSku: replacementSku,
                                  replacementQuantity: replacementQty))
            }
        }
        guard c.ok, let kind else { return (nil, c.findings) }
        var parts = [id, orderId, kind.rawValue, reason, approved, refund]
        if let a = shipTo { parts += [a.name, a.company] + a.lines + [a.city, a.region, a.postcode, a.country, a.phone, a.email] }
        for l in lines {
            parts += ["\u{1E}", String(l.lineNo), l.orderLineNo.map(String.init) ?? "", l.sku, String(l.quantity), l.replacementSku,
                      String(l.replacementQuantity)]
        }
        return (ReturnAuthorisation(rmaId: id, orderId: orderId, kind: kind, reason: reason, approvedAt: approved, refundMethod: refund,
                                    shipTo: shipTo, lines: lines, contentHash: DocumentChecker.hash(parts)), c.findings)
    }
}

/// What the WMS found in a returned parcel, per RMA line.
public struct ReturnReceipt: Sendable, Equatable {
    public enum Inspection: String, Sendable, CaseIterable { case resellable, damaged, missing }
    public enum Disposition: String, Sendable, CaseIterable { case restock, quarantine, scrap }

    public struct Line: Sendable, Equatable {
        /// The RMA's line.
        public var lineNo: Int
        public var sku: String
        public var quantity: Int
        public var inspection: Inspection
        public var disposition: Disposition?
    }
    public var receiptId: String
    public var rmaId: String
    public var receivedAt: String
    public var warehouse: String
    /// Several lines may share a line number (part resellable, part damaged).
    public var lines: [Line]
    public var contentHash: String

    public static func validate(_ raw: RawDocument, file: String) -> (ReturnReceipt?, [Finding]) {
        var c = DocumentChecker(raw, layout: .returnReceipts, file: file)
        let id = c.code("receipt_id")
        let rma = c.code("rma_id")
        let at = c.time("received_at", allowDate: true)
        let warehouse = c.code("warehouse", upper: true)
        c.requireLines()
        var lines: [Line] = []
        for l in raw.lines {
            let no = c.int("line_no", line: l)
            let sku = c.code("sku", line: l)
            let qty = c.int("quantity", line: l)
            let inspection = Inspection(rawValue: c.oneOf("inspection", Inspection.allCases.map(\.rawValue), line: l))
            let dispText = Clean.code(l["disposition"]).lowercased()
            var disposition: Disposition?
            if dispText.isEmpty {
                if inspection != nil && inspection != .missing {
                    c.fail("disposition", "required", "is required for a \(inspection!.rawValue) unit: restock, quarantine or scrap",
                           at: l.location)
                }
            } else if inspection == .missing {
                c.fail("disposition", "not-for-missing", "a missing unit has no disposition", at: l.location)
            } else {
                disposition = Disposition(rawValue: c.oneOf("disposition", Disposition.allCases.map(\.rawValue), line: l))
            }
            if let no, let qty, let inspection {
                lines.append(Line(lineNo: no, sku: sku, quantity: qty, inspection: inspection, disposition: disposition))
            }
        }
        guard c.ok else { return (nil, c.findings) }
        var parts = [id, rma, at, warehouse]
        for l in lines {
            parts += ["\u{1E}", String(l.lineNo), l.sku, String(l.quantity), l.inspection.rawValue, l.disposition?.rawValue ?? ""]
        }
        return (ReturnReceipt(receiptId: id, rmaId: rma, receivedAt: at, warehouse: warehouse, lines: lines,
                              contentHash: DocumentChecker.hash(parts)), c.findings)
    }
}

/// What a damaged returned unit earns: the whole unit price, a percentage of it, or nothing.
public enum DamagedRefundPolicy: Sendable, Equatable, CustomStringConvertible {
    case full
    case none
    /// Percent of the unit price, 0-100, with up to two decimals (`percent(5000)` = 50.00 %).
    case percent(hundredths: Int)

    /// `full`, `none`, `50%`, `12.5%`.
    public init?(_ text: String) {
        let t = Clean.code(text).lowercased()
        switch t {
        case "full", "100%": self = .full
        case "none", "0%", "0": self = .none
        default:
            guard t.hasSuffix("%"), let d = FixedDecimal(parsing: Substring(t.dropLast())), d.scale <= 2,
                  let h = d.rescaled(to: 2), h <= 10_000 else { return nil }
            self = .percent(hundredths: Int(h))
        }
    }

    public var description: String {
        switch self {
        case .full: return "full"
        case .none: return "none"
        case .percent(let h):
            if h % 100 == 0 { return "\(h / 100)%" }
            return FixedDecimal(units: Int64(h % 10 == 0 ? h / 10 : h), scale: h % 10 == 0 ? 1 : 2).description + "%"
        }
    }
}

/// Refund arithmetic, exact to the minor unit.
public enum Refund {
    /// What `quantity` units earn, in minor units: unit price x quantity, plus tax when prices do not include
    /// it, times `percent` (hundredths of a percent; 10000 = all), rounded half away from zero once, on the
    /// line total (so two units cost exactly what the customer paid for two).
    public static func amount(unitMinor: Int64, taxRate: FixedDecimal?, pricesIncludeTax: Bool, quantity: Int,
                              hundredthsOfPercent: Int = 10_000) -> Int64 {
        var numerator = Int128(unitMinor) * Int128(quantity) * Int128(hundredthsOfPercent)
        var denominator = Int128(10_000)
        if !pricesIncludeTax, let rate = taxRate, rate.units != 0 {
            let scale = Int128(OrderValidator.pow10(rate.scale))
            numerator *= scale + Int128(rate.units)
            denominator *= scale
        }
        var q = numerator / denominator
        let r = numerator % denominator
        if r.magnitude * 2 >= denominator.magnitude { q += numerator < 0 ? -1 : 1 }
        return Int64(q)
    }

    /// The amount for `quantity` damaged units under `policy`.
    public static func damaged(unitMinor: Int64, taxRate: FixedDecimal?, pricesIncludeTax: Bool, quantity: Int,
                               policy: DamagedRefundPolicy) -> Int64 {
        switch policy {
        case .full: return amount(unitMinor: unitMinor, taxRate: taxRate, pricesIncludeTax: pricesIncludeTax, quantity: quantity)
        case .none: return 0
        case .percent(let h):
            return amount(unitMinor: unitMinor, taxRate: taxRate, pricesIncludeTax: pricesIncludeTax, quantity: quantity,
                          hundredthsOfPercent: h)
        }
    }
}
