/// Turns a `RawOrder` into a clean `Order`, or into the findings that reject it.
///
/// Every check has a stable rule id (`OrderRule`). Cleaning (trim, NFC, half-width codes, upper-case
/// country and currency, SKU aliases) happens before the checks, so that `ｄｅ` is accepted as `DE`.
public struct OrderValidator: Sendable {
    public var settings: OrderRuleSettings

    public static let paymentMethods: Set<String> = [
        "card", "paypal", "klarna", "ideal", "cod", "alipay", "wechatpay", "bank_transfer",
    ]
    public static let priorities: Set<String> = ["", "low", "normal", "high", "express"]
    public static let incoterms: Set<String> = [
        "EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF",
    ]
    public static let maxLines = 999

    public init(settings: OrderRuleSettings = .init()) {
        self.settings = settings
    }

    /// The result of validating one order.
    public enum Outcome: Sendable {
        case accepted(Order, warnings: [Finding])
        case rejected([Finding])
    }

    /// Validates and cleans one order read from `file`.
    public func validate(_ raw: RawOrder, file: String) -> Outcome {
        // The order-level values are read as bytes (`PackedTexts`, as the CSV reader hands them): a value that cleaning
        // leaves as it is goes into the order as those bytes, without a String.
        raw.withOrderFields { validate(raw, fields: $0, file: file) }
    }

    private func validate(_ raw: RawOrder, fields: PackedTexts.Fields, file: String) -> Outcome {
        var ctx = Context(file: file, rawOrderId: fields[.orderId], location: raw.location)
        ctx.findings.append(contentsOf: raw.codecFindings)

        // Order-level fields repeated on every CSV row must agree; a disagreeing row gets the specific reason.
        for line in raw.lines {
            if let values = line.packedOrderValues {
                // Equal to the order's values, nothing differs (often the very same array: when a row's order fields
                // repeat the previous row's, the CSV reader hands on the previous row's).
                if let packed = raw.packed, values == packed { continue }
                values.withFields { v in checkRow(v, fields, at: line.location, ctx: &ctx) }
            } else if let values = line.orderValues {
                PackedTexts(values, count: OrderField.allCases.count).withFields { v in checkRow(v, fields, at: line.location, ctx: &ctx) }
            }
        }

        // Each field into a constant of its own, in the order of `OrderField.allCases` (the order of the findings).
        // Whether any text needs an XML escape is told along the way (`Order.xmlSafe`).
        var xmlSafe = true
        func check(_ field: OrderField) -> CleanedText {
            checkOrderField(field, fields[field], ctx: &ctx, at: raw.location, xmlSafe: &xmlSafe)
        }
        let orderId = check(.orderId), orderDate = check(.orderDate), store = check(.store), customerId = check(.customerId)
        let shipName = check(.shipName), shipCompany = check(.shipCompany)
        let shipAddress1 = check(.shipAddress1), shipAddress2 = check(.shipAddress2), shipAddress3 = check(.shipAddress3)
        let shipCity = check(.shipCity), shipRegion = check(.shipRegion), shipPostcode = check(.shipPostcode)
        let shipCountry = check(.shipCountry), shipPhone = check(.shipPhone), shipEmail = check(.shipEmail)
        let currencyText = check(.currency), paymentMethod = check(.paymentMethod), codText = check(.codAmount)
        let carrierService = check(.carrierService), warehouse = check(.warehouse), priority = check(.priority)
        let giftNote = check(.giftNote), incoterm = check(.incoterm), iossNumber = check(.iossNumber)
        let eoriNumber = check(.eoriNumber)

        let scale = currencyText.withUTF8(ISO4217.scale(of:))
        var cod: Money?
        if !codText.isEmpty, let scale {
            cod = codText.withUTF8 { FixedDecimal.parse($0, allowNegative: false) }.flatMap { Money($0, scale: scale) }
            if cod == nil {
                ctx.add(OrderRule.codAmountDecimal, field: OrderField.codAmount.rawValue,
                        "'\(codText.string)' is not a decimal with at most \(scale) decimals for \(currencyText.string)")
            }
        }
        let isCOD = paymentMethod.withUTF8 { p in Self.cod.withUnsafeBufferPointer { UTF8Text.equal(p, $0) } }
        if isCOD && codText.isEmpty {
            ctx.add(OrderRule.codAmountRequired, field: OrderField.codAmount.rawValue,
                    "payment_method cod needs the amount to collect")
        } else if !isCOD && !codText.isEmpty && !paymentMethod.isEmpty {
            ctx.add(OrderRule.codAmountWithoutCOD, field: OrderField.codAmount.rawValue,
                    "cod_amount given but payment_method is '\(paymentMethod.string)'")
        }

        if raw.lines.count > Self.maxLines {
            ctx.add(OrderRule.tooManyLines, field: nil, "\(raw.lines.count) lines, at most \(Self.maxLines)")
        }
        // The order's texts are packed as they are checked (`Order.text`): the order-level fields, then each line.
        // One call per field, not a loop over an array literal of them (an array to allocate).
        var packer = OrderPacker(capacity: 1024)
        packer.orderField(orderId); packer.orderField(orderDate); packer.orderField(store); packer.orderField(customerId)
        packer.orderField(shipName); packer.orderField(shipCompany); packer.orderField(shipAddress1)
        packer.orderField(shipAddress2); packer.orderField(shipAddress3); packer.orderField(shipCity)
        packer.orderField(shipRegion); packer.orderField(shipPostcode); packer.orderField(shipCountry)
        packer.orderField(shipPhone); packer.orderField(shipEmail); packer.orderField(currencyText)
        packer.orderField(paymentMethod); packer.orderField(cod); packer.orderField(carrierService)
        packer.orderField(warehouse); packer.orderField(priority); packer.orderField(giftNote); packer.orderField(incoterm)
        packer.orderField(iossNumber); packer.orderField(eoriNumber)
        var lines: [Order.Packed.Line] = []
        lines.reserveCapacity(raw.lines.count)
        var aliases: [(line: Int, item: String)] = []
        // Most orders have a handful of lines: those are compared directly, a set only for long orders.
        var seenLineNos = Set<Int>()
        let longOrder = raw.lines.count > 16
        for raw in raw.lines {
            if let line = checkLine(raw, scale: scale, currency: currencyText, ctx: &ctx, packer: &packer, aliases: &aliases,
                                    index: lines.count, xmlSafe: &xmlSafe) {
                let repeated = longOrder ? !seenLineNos.insert(line.lineNo).inserted : lines.contains { $0.lineNo == line.lineNo }
                if repeated {
                    ctx.add(OrderRule.lineNoUnique, field: LineField.lineNo.rawValue, at: raw.location,
                            "line_no \(line.lineNo) appears twice")
                }
                lines.append(line)
            }
        }

        if ctx.findings.contains(where: { $0.severity == .error }) {
            return .rejected(ctx.findings)
        }
        packer.endCanonicalForm()
        for a in aliases {
            lines[a.line].wmsItem = packer.extra(a.item)
            if a.item.withUTF8Bytes(Clean.hasXMLSpecial) { xmlSafe = false }
        }
        return .accepted(Order(text: packer.finish(), lineRecords: lines, cod: cod, xmlSafe: xmlSafe), warnings: ctx.findings)
    }

    // MARK: - Order-level fields

    /// A switch, not a `Set<OrderField>`: hashing a String-backed enum hashes its raw value, ~350 instructions
    /// per look-up on the per-field path.
    private static func isRequired(_ field: OrderField) -> Bool {
        switch field {
        case .orderId, .orderDate, .shipName, .shipAddress1, .shipCity, .shipPostcode, .shipCountry, .currency,
             .paymentMethod, .carrierService:
            return true
        default:
            return false
        }
    }

    /// A row whose order-level values are not the order's: each field that differs is checked, and one that passes
    /// its checks is reported as differing. (Bytes that differ are compared again as Strings: text in another
    /// normalisation form is the same text.)
    private func checkRow(_ values: PackedTexts.Fields, _ order: PackedTexts.Fields, at location: SourceLocation,
                          ctx: inout Context) {
        for field in OrderField.allCases where !UTF8Text.equal(values[field], order[field])
            && Self.string(values[field]) != Self.string(order[field]) {
            let before = ctx.findings.count
            var unused = true
            _ = checkOrderField(field, values[field], ctx: &ctx, at: location, xmlSafe: &unused)
            if ctx.findings.count == before {
                ctx.add(OrderRule.fieldsInconsistent, field: field.rawValue, at: location,
                        "differs between rows of the same order")
            }
        }
    }

    /// Cleans and checks one order-level value (its bytes); returns the cleaned value: those bytes when cleaning
    /// leaves them as they are, else a String.
    private func checkOrderField(_ field: OrderField, _ rawValue: UnsafeBufferPointer<UInt8>, ctx: inout Context,
                                 at location: SourceLocation, xmlSafe: inout Bool) -> CleanedText {
        // The usual value (ASCII, nothing to trim) is cleaned and checked from one look at its bytes (`known`);
        // any other the general way. Changing the case of ASCII letters changes none of what the look saw.
        let look = Clean.look(rawValue)
        var known: Clean.Look? = look.plain ? look : nil
        var value: CleanedText
        switch field {
        case .shipCountry, .currency, .incoterm:
            value = .upperCode(rawValue, look)
        case .iossNumber, .eoriNumber:
            // Written with spaces as often as without ("GB 123456789000").
            value = .upperCode(rawValue, look)
            if value.withUTF8({ $0.contains(UInt8(ascii: " ")) }) {
                value = .string(Clean.removing(UInt8(ascii: " "), from: value.string))
                known = nil
            }
        case .shipPostcode, .shipPhone, .orderId, .store, .customerId, .carrierService, .warehouse, .orderDate:
            value = .code(rawValue, look)
        case .paymentMethod, .priority:
            value = .lowerCode(rawValue, look)
        default:
            value = .text(rawValue, look)
        }
        if xmlSafe && value.hasXMLSpecial(look) { xmlSafe = false }
        var name: String { field.rawValue }  // only errors need it (computing it for every field was 0.5 % of the reading thread)
        if value.isEmpty {
            if Self.isRequired(field) {
                let rule = field == .orderId ? OrderRule.orderIdRequired
                    : field == .orderDate ? OrderRule.orderDateRequired : OrderRule.fieldRequired
                ctx.add(rule, field: name, at: location, "\(name) is required")
            }
            return value
        }
        if known?.hasControlCharacters ?? value.withUTF8(Clean.hasControlCharacters) {
            ctx.add(OrderRule.controlCharacters, field: name, at: location,
                    "contains control characters, which the WMS file cannot carry")
            return value
        }
        if known.map({ $0.count > settings.maxTextLength }) ?? value.withUTF8({ Clean.isLonger($0, than: settings.maxTextLength) }) {
            ctx.add(OrderRule.fieldTooLong, field: name, at: location,
                    "\(Clean.length(value.string)) characters, at most \(settings.maxTextLength)")
            return value
        }
        func isCode() -> Bool { known?.isCode ?? value.withUTF8(Clean.isCode) }
        switch field {
        case .orderId:
            if !isCode() {
                ctx.add(OrderRule.orderIdFormat, field: name, at: location, "must be 1-40 of A-Z a-z 0-9 _ . -")
            }
        case .orderDate:
            if !value.withUTF8(Self.isISODateTimeWithOffset) {
                ctx.add(OrderRule.orderDateFormat, field: name, at: location,
                        "'\(value.string)' is not an ISO 8601 date-time with offset such as 2025-03-01T10:00:00+01:00")
            }
        case .shipCountry:
            if !value.withUTF8(ISO3166.isAlpha2) {
                ctx.add(OrderRule.countryISO, field: name, at: location,
                        "'\(value.string)' is not an ISO 3166-1 alpha-2 country code (DE, GB, US, ...)")
            }
        case .currency:
            if value.withUTF8(ISO4217.scale(of:)) == nil {
                ctx.add(OrderRule.currencyISO, field: name, at: location,
                        "'\(value.string)' is not an ISO 4217 currency code (EUR, USD, GBP, ...)")
            }
        case .paymentMethod:
            if !Self.isOne(of: Self.paymentMethodBytes, Self.paymentMethods, value) {
                ctx.add(OrderRule.paymentMethod, field: name, at: location,
                        "'\(value.string)' is not one of \(Self.paymentMethods.sorted().joined(separator: ", "))")
            }
        case .priority:
            if !Self.isOne(of: Self.priorityBytes, Self.priorities, value) {
                ctx.add(OrderRule.priority, field: name, at: location,
                        "'\(value.string)' is not one of low, normal, high, express")
            }
        case .incoterm:
            if !Self.isOne(of: Self.incotermBytes, Self.incoterms, value) {
                ctx.add(OrderRule.incoterm, field: name, at: location, "'\(value.string)' is not an Incoterms 2020 code")
            }
        case .store, .carrierService, .warehouse, .iossNumber, .eoriNumber:
            if !isCode() {
                ctx.add(OrderRule.codeFormat, field: name, at: location,
                        "'\(value.string)' must be 1-40 of A-Z a-z 0-9 _ . -")
            }
        case .customerId:
            if !isCode() {
                // Personal reference: do not quote it.
                ctx.add(OrderRule.codeFormat, field: name, at: location, "must be 1-40 of A-Z a-z 0-9 _ . -")
            }
        default:
            break
        }
        return value
    }

    private static let cod = Array("cod".utf8)
    private static let paymentMethodBytes = paymentMethods.map { Array($0.utf8) }
    private static let priorityBytes = priorities.map { Array($0.utf8) }
    private static let incotermBytes = incoterms.map { Array($0.utf8) }

    /// `set.contains(value)`: an ASCII value compared byte for byte with the members' bytes (the members are ASCII),
    /// without hashing a String; any other value as the set's own look-up does it (String equality is canonical
    /// equivalence).
    private static func isOne(of members: [[UInt8]], _ set: Set<String>, _ value: CleanedText) -> Bool {
        value.withUTF8 { v in
            guard UTF8Text.isASCII(v) else { return set.contains(String(decoding: v, as: UTF8.self)) }
            return members.contains { m in m.withUnsafeBufferPointer { UTF8Text.equal($0, v) } }
        }
    }

    // MARK: - Lines

    /// Checks one line and, when it has no error, packs it (a line with an error packs nothing: the order is rejected).
    private func checkLine(_ rawLine: RawLine, scale: Int?, currency: CleanedText, ctx: inout Context, packer: inout OrderPacker,
                           aliases: inout [(line: Int, item: String)], index: Int, xmlSafe: inout Bool) -> Order.Packed.Line? {
        rawLine.withFields { raw in
            checkLine(raw, at: rawLine.location, scale: scale, currency: currency, ctx: &ctx, packer: &packer,
                      aliases: &aliases, index: index, xmlSafe: &xmlSafe)
        }
    }

    /// The line's fields are read as bytes (`RawLine.Fields`): a value that cleaning leaves as it is (the usual one)
    /// goes into the order as those bytes, without a String; any other is cleaned the general way, as a String.
    private func checkLine(_ raw: PackedTexts.Fields, at: SourceLocation, scale: Int?, currency: CleanedText, ctx: inout Context,
                           packer: inout OrderPacker, aliases: inout [(line: Int, item: String)], index: Int,
                           xmlSafe: inout Bool) -> Order.Packed.Line? {
        let before = ctx.errorCount
        let lineNoText = Self.code(raw[.lineNo])
        let lineNo = lineNoText.withUTF8(Self.int) ?? 0
        if lineNo <= 0 {
            ctx.add(OrderRule.lineNoPositive, field: LineField.lineNo.rawValue, at: at,
                    "'\(lineNoText.string)' is not a positive integer")
        }
        // SKU, description and unit as the order-level fields: from one look at the usual value's bytes.
        let rawSku = raw[.sku]
        let skuLook = Clean.look(rawSku)
        let sku = CleanedText.code(rawSku, skuLook)
        if sku.isEmpty {
            ctx.add(OrderRule.skuRequired, field: LineField.sku.rawValue, at: at, "sku is required")
        } else if !(skuLook.plain ? skuLook.isCode : sku.withUTF8(Clean.isCode)) {
            ctx.add(OrderRule.skuFormat, field: LineField.sku.rawValue, at: at,
                    "'\(sku.string)' must be 1-40 of A-Z a-z 0-9 _ . -")
        }
        let rawDescription = raw[.description]
        let descriptionLook = Clean.look(rawDescription)
        let description = CleanedText.text(rawDescription, descriptionLook)
        if descriptionLook.plain ? descriptionLook.hasControlCharacters : description.withUTF8(Clean.hasControlCharacters) {
            ctx.add(OrderRule.controlCharacters, field: LineField.description.rawValue, at: at,
                    "contains control characters, which the WMS file cannot carry")
        } else if descriptionLook.plain ? descriptionLook.count > settings.maxDescriptionLength
                    : description.withUTF8({ Clean.isLonger($0, than: settings.maxDescriptionLength) }) {
            ctx.add(OrderRule.fieldTooLong, field: LineField.description.rawValue, at: at,
                    "\(Clean.length(description.string)) characters, at most \(settings.maxDescriptionLength)")
        }
        let qtyText = Self.code(raw[.quantity])
        var quantity = 0
        if qtyText.isEmpty {
            ctx.add(OrderRule.quantityPositive, field: LineField.quantity.rawValue, at: at, "quantity is required")
        } else if let q = qtyText.withUTF8(Self.positiveInt) {
            quantity = q
        } else {
            ctx.add(OrderRule.quantityPositive, field: LineField.quantity.rawValue, at: at,
                    "'\(qtyText.string)' is not a positive integer")
        }
        let rawUom = raw[.uom]
        let uomLook = Clean.look(rawUom)
        let uom = CleanedText.upperCode(rawUom, uomLook)
        if !uom.isEmpty && !(uomLook.plain ? uomLook.isCode : uom.withUTF8(Clean.isCode)) {
            ctx.add(OrderRule.codeFormat, field: LineField.uom.rawValue, at: at, "'\(uom.string)' is not a unit code")
        }
        let priceText = Self.code(raw[.unitPrice])
        var price = Money(minorUnits: 0, scale: scale ?? 0)
        if priceText.isEmpty {
            ctx.add(OrderRule.fieldRequired, field: LineField.unitPrice.rawValue, at: at, "unit_price is required")
        } else if let d = priceText.withUTF8({ FixedDecimal.parse($0, allowNegative: false) }) {
            if let scale {
                if let p = Money(d, scale: scale) {
                    price = p
                } else {
                    ctx.add(OrderRule.unitPricePrecision, field: LineField.unitPrice.rawValue, at: at,
                            "'\(d)' has more than \(scale) decimals for \(currency.string)")
                }
            }
        } else {
            ctx.add(OrderRule.unitPriceDecimal, field: LineField.unitPrice.rawValue, at: at,
                    "'\(priceText.string)' is not a decimal with '.' as decimal point (12.99)")
        }
        let taxText = Self.code(raw[.taxRate])
        var tax: FixedDecimal?
        if !taxText.isEmpty {
            if let t = taxText.withUTF8({ FixedDecimal.parse($0, allowNegative: false) }), t.units < Self.pow10(t.scale) {
                tax = t
            } else {
                ctx.add(OrderRule.taxRateDecimal, field: LineField.taxRate.rawValue, at: at,
                        "'\(taxText.string)' is not a decimal between 0 and 1 (0.19)")
            }
        }
        let hsCode = Self.code(raw[.hsCode])
        let hs: CleanedText = hsCode.withUTF8({ $0.contains(UInt8(ascii: ".")) })
            ? .string(Clean.removing(UInt8(ascii: "."), from: hsCode.string)) : hsCode
        if !hs.isEmpty && !hs.withUTF8({ $0.count >= 6 && $0.count <= 10 && $0.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) {
            ctx.add(OrderRule.hsCode, field: LineField.hsCode.rawValue, at: at, "'\(hs.string)' is not 6 to 10 digits")
        }
        let origin = CleanedText.upperCode(raw[.originCountry], Clean.look(raw[.originCountry]))
        if !origin.isEmpty && !origin.withUTF8(ISO3166.isAlpha2) {
            ctx.add(OrderRule.originCountry, field: LineField.originCountry.rawValue, at: at,
                    "'\(origin.string)' is not an ISO 3166-1 alpha-2 country code")
        }
        guard ctx.errorCount == before else { return nil }
        // The texts the line packs as written: SKU, description, unit (its numbers are digits; an HS code is digits and
        // an origin two letters, or the line was rejected above).
        if xmlSafe && (sku.hasXMLSpecial(skuLook) || description.hasXMLSpecial(descriptionLook) || uom.hasXMLSpecial(uomLook)) {
            xmlSafe = false
        }
        if !settings.skuAliases.isEmpty {
            let skuString = sku.string
            if let item = settings.skuAliases[skuString], item != skuString { aliases.append((index, item)) }
        }
        return packer.line(lineNo: lineNo, sku: sku, description: description, quantity: quantity, uom: uom, unitPrice: price,
                           taxRate: tax, hsCode: hs, originCountry: origin)
    }

    /// A raw field's bytes as a String (they are UTF-8: the codecs check).
    private static func string(_ b: UnsafeBufferPointer<UInt8>) -> String { String(decoding: b, as: UTF8.self) }

    /// `Clean.code` of a field's bytes where no look is taken (numbers, HS codes): the bytes themselves when they are
    /// ASCII with nothing to trim (what `look.plain` would say, told eight bytes at a time), else the general way.
    private static func code(_ b: UnsafeBufferPointer<UInt8>) -> CleanedText {
        UTF8Text.isASCII(b) && Clean.endsCannotBeWhitespace(b) ? .bytes(b) : .string(Clean.code(string(b)))
    }

    /// `Int(text)`: up to 18 digits read here, anything else as `Int(String)` reads it (signs, overflow).
    private static func int(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !b.isEmpty, b.count <= 18 else { return Int(string(b)) }
        var v = 0
        for c in b {
            guard c >= 0x30 && c <= 0x39 else { return Int(string(b)) }
            v = v * 10 + Int(c - 0x30)
        }
        return v
    }

    // MARK: - Helpers

    private struct Context {
        var file: String
        /// The order id's bytes as read (valid while the order is validated), cleaned into a String at the first
        /// finding only: most orders have none.
        let rawOrderId: UnsafeBufferPointer<UInt8>
        var location: SourceLocation
        var findings: [Finding] = []
        private var orderId: String?
        var errorCount: Int { findings.count }

        init(file: String, rawOrderId: UnsafeBufferPointer<UInt8>, location: SourceLocation) {
            self.file = file
            self.rawOrderId = rawOrderId
            self.location = location
        }

        mutating func add(_ rule: String, field: String?, at location: SourceLocation? = nil, _ message: String) {
            let id = orderId ?? Clean.code(String(decoding: rawOrderId, as: UTF8.self))
            orderId = id
            findings.append(Finding(rule: rule, message: message, file: file, location: location ?? self.location,
                                    orderId: id.isEmpty ? nil : id, field: field))
        }
    }

    public static func pow10(_ n: Int) -> Int64 {
        var r: Int64 = 1
        for _ in 0..<n { r *= 10 }
        return r
    }

    /// `[A-Za-z0-9_.-]{1,40}`, the WMS schema's Code type (`Clean.isCode`).
    public static func isCode(_ s: String) -> Bool {
        s.withUTF8Bytes(Clean.isCode)
    }

    /// Digits only, no sign, at most 7 digits, value above zero.
    public static func positiveInt(_ s: String) -> Int? {
        s.withUTF8Bytes(positiveInt)
    }

    static func positiveInt(_ u: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !u.isEmpty, u.count <= 7 else { return nil }
        var v = 0
        for b in u {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v > 0 ? v : nil
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` with calendar ranges checked.
    public static func isISODateTimeWithOffset(_ s: String) -> Bool {
        s.withUTF8Bytes { isISODateTimeWithOffset($0) }
    }

    private static func isISODateTimeWithOffset(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        func digits(_ from: Int, _ n: Int) -> Int? {
            guard from + n <= b.count else { return nil }
            var v = 0
            for i in from..<(from + n) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 20, let y = digits(0, 4), b[4] == 0x2D, let mo = digits(5, 2), b[7] == 0x2D,
              let d = digits(8, 2), b[10] == UInt8(ascii: "T"), let h = digits(11, 2), b[13] == 0x3A,
              let mi = digits(14, 2), b[16] == 0x3A, let sec = digits(17, 2) else { return false }
        guard y >= 1900, (1...12).contains(mo), h < 24, mi < 60, sec < 60 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days: Int
        switch mo {
        case 2: days = leap ? 29 : 28
        case 4, 6, 9, 11: days = 30
        default: days = 31
        }
        guard (1...days).contains(d) else { return false }
        var i = 19
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            guard i > start else { return false }
        }
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "Z") { return i + 1 == b.count }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count,
              let oh = digits(i + 1, 2), b[i + 3] == 0x3A, let om = digits(i + 4, 2) else { return false }
        return om < 60 && (oh < 14 || (oh == 14 && om == 0))
    }
}
