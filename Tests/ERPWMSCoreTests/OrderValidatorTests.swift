import Testing
import ERPWMSCore

// MARK: - Builder for raw orders as the CSV codec produces them

/// Builds a `RawOrder` the way `CSVOrderReader` does: every line carries the order-level values of its
/// row, and the order's own values are those of its first row. The defaults form a valid COD order with
/// every order and line field filled in.
struct RawOrderBuilder: Sendable {
    static let defaultOrder: [OrderField: String] = [
        .orderId: "SO1",
        .orderDate: "2025-03-01T10:00:00+01:00",
        .store: "shop-de",
        .customerId: "C0001",
        .shipName: "Anna Muster",
        .shipCompany: "Muster & Co. GmbH",
        .shipAddress1: "Hauptstraße 1",
        .shipAddress2: "Hinterhaus",
        .shipAddress3: "2. OG",
        .shipCity: "Berlin",
        .shipRegion: "Berlin",
        .shipPostcode: "10115",
        .shipCountry: "DE",
        .shipPhone: "+49 30 1234567",
        .shipEmail: "anna@example.com",
        .currency: "EUR",
        .paymentMethod: "cod",
        .codAmount: "59.85",
        .carrierService: "DHL_PAKET",
        .warehouse: "WH-EU-DE1",
        .priority: "normal",
        .giftNote: "Alles Gute!",
        .incoterm: "DAP",
        .iossNumber: "IM2760000001",
        .eoriNumber: "DE123456789012345",
    ]

    static func defaultLine(_ n: Int) -> [LineField: String] {
        [
            .lineNo: String(n),
            .sku: "SKU-\(n)",
            .description: "T-Shirt, size \(n)",
            .quantity: "2",
            .uom: "EA",
            .unitPrice: "19.95",
            .taxRate: "0.19",
            .hsCode: "610910",
            .originCountry: "PT",
        ]
    }

    var order: [OrderField: String] = Self.defaultOrder
    var lines: [[LineField: String]] = [Self.defaultLine(1), Self.defaultLine(2)]
    /// Row index -> order-level values that differ on that row only.
    var rowOverrides: [Int: [OrderField: String]] = [:]

    /// Sets an order-level value on every row.
    mutating func set(_ f: OrderField, _ v: String) { order[f] = v }
    /// Sets a line-level value on one line (0-based).
    mutating func set(line: Int, _ f: LineField, _ v: String) { lines[line][f] = v }

    static func location(row: Int) -> ERPWMSCore.SourceLocation { ERPWMSCore.SourceLocation(line: row + 2, record: row + 1) }

    func build() -> RawOrder {
        var rawLines: [RawLine] = []
        for (i, l) in lines.enumerated() {
            var values = OrderField.allCases.map { order[$0] ?? "" }
            for (f, v) in rowOverrides[i] ?? [:] { values[f.index] = v }
            rawLines.append(RawLine(location: Self.location(row: i),
                                    values: LineField.allCases.map { l[$0] ?? "" }, orderValues: values))
        }
        let first = rawLines.first?.orderValues ?? OrderField.allCases.map { order[$0] ?? "" }
        return RawOrder(location: Self.location(row: 0), orderValues: first, lines: rawLines)
    }
}

func validate(_ b: RawOrderBuilder, settings: OrderRuleSettings = .init()) -> OrderValidator.Outcome {
    OrderValidator(settings: settings).validate(b.build(), file: "orders.csv")
}

extension OrderValidator.Outcome {
    var acceptedOrder: Order? {
        if case .accepted(let o, _) = self { return o }
        return nil
    }
    var rejectedFindings: [Finding]? {
        if case .rejected(let f) = self { return f }
        return nil
    }
}

/// A valid order, cleaned. Fails the test when the builder does not produce one.
func acceptedOrder(_ b: RawOrderBuilder = .init(), settings: OrderRuleSettings = .init(),
                   sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Order {
    let outcome = validate(b, settings: settings)
    if let f = outcome.rejectedFindings {
        Issue.record("expected accepted, got \(f.map(\.summary))", sourceLocation: sourceLocation)
    }
    return try #require(outcome.acceptedOrder, sourceLocation: sourceLocation)
}

// MARK: - One case per rule

/// A single defect in an otherwise valid order and the finding it must produce.
struct RuleCase: Sendable, CustomTestStringConvertible {
    let name: String
    let rule: String
    /// Field the finding names; nil for order-wide findings.
    let field: String?
    /// Expected location of the finding (row index in the builder), when it is about one row.
    let row: Int?
    let apply: @Sendable (inout RawOrderBuilder) -> Void

    init(_ name: String, _ rule: String, field: String?, row: Int? = nil,
         _ apply: @escaping @Sendable (inout RawOrderBuilder) -> Void) {
        self.name = name
        self.rule = rule
        self.field = field
        self.row = row
        self.apply = apply
    }

    var testDescription: String { "\(rule): \(name)" }

    static let all: [RuleCase] = [
        RuleCase("order_id empty", OrderRule.orderIdRequired, field: "order_id") { $0.set(.orderId, "") },
        RuleCase("order_id blank", OrderRule.orderIdRequired, field: "order_id") { $0.set(.orderId, "  \u{3000} ") },
        RuleCase("order_id with a slash", OrderRule.orderIdFormat, field: "order_id") { $0.set(.orderId, "SO/1") },
        RuleCase("order_id 41 chars", OrderRule.orderIdFormat, field: "order_id") {
            $0.set(.orderId, String(repeating: "A", count: 41))
        },
        RuleCase("order_date empty", OrderRule.orderDateRequired, field: "order_date") { $0.set(.orderDate, "") },
        RuleCase("order_date without T and offset", OrderRule.orderDateFormat, field: "order_date") {
            $0.set(.orderDate, "2025-03-01 10:00")
        },
        RuleCase("order_date 30 February", OrderRule.orderDateFormat, field: "order_date") {
            $0.set(.orderDate, "2025-02-30T10:00:00Z")
        },
        RuleCase("ship_name empty", OrderRule.fieldRequired, field: "ship_name") { $0.set(.shipName, "") },
        RuleCase("ship_address1 empty", OrderRule.fieldRequired, field: "ship_address1") { $0.set(.shipAddress1, "") },
        RuleCase("ship_city empty", OrderRule.fieldRequired, field: "ship_city") { $0.set(.shipCity, " ") },
        RuleCase("ship_postcode empty", OrderRule.fieldRequired, field: "ship_postcode") { $0.set(.shipPostcode, "") },
        RuleCase("ship_country empty", OrderRule.fieldRequired, field: "ship_country") { $0.set(.shipCountry, "") },
        RuleCase("currency empty", OrderRule.fieldRequired, field: "currency") {
            $0.set(.currency, "")
            $0.set(.paymentMethod, "card")
            $0.set(.codAmount, "")
        },
        RuleCase("payment_method empty", OrderRule.fieldRequired, field: "payment_method") {
            $0.set(.paymentMethod, "")
        },
        RuleCase("carrier_service empty", OrderRule.fieldRequired, field: "carrier_service") {
            $0.set(.carrierService, "")
        },
        RuleCase("unit_price empty", OrderRule.fieldRequired, field: "unit_price", row: 1) {
            $0.set(line: 1, .unitPrice, "")
        },
        RuleCase("ship_city 201 chars", OrderRule.fieldTooLong, field: "ship_city") {
            $0.set(.shipCity, String(repeating: "x", count: 201))
        },
        RuleCase("description 501 chars", OrderRule.fieldTooLong, field: "description", row: 0) {
            $0.set(line: 0, .description, String(repeating: "d", count: 501))
        },
        RuleCase("ship_city differs on row 2", OrderRule.fieldsInconsistent, field: "ship_city", row: 1) {
            $0.rowOverrides[1] = [.shipCity: "Hamburg"]
        },
        RuleCase("ship_region only on row 2", OrderRule.fieldsInconsistent, field: "ship_region", row: 1) {
            $0.set(.shipRegion, "")
            $0.rowOverrides[1] = [.shipRegion: "Berlin"]
        },
        RuleCase("NUL in ship_address1", OrderRule.controlCharacters, field: "ship_address1") {
            $0.set(.shipAddress1, "Haupt\u{0}straße 1")
        },
        RuleCase("ESC in description", OrderRule.controlCharacters, field: "description", row: 1) {
            $0.set(line: 1, .description, "T-Shirt \u{1B}[31mred")
        },
        RuleCase("ship_country UK", OrderRule.countryISO, field: "ship_country") { $0.set(.shipCountry, "UK") },
        RuleCase("ship_country DEU", OrderRule.countryISO, field: "ship_country") { $0.set(.shipCountry, "DEU") },
        RuleCase("currency EURO", OrderRule.currencyISO, field: "currency") { $0.set(.currency, "EURO") },
        RuleCase("currency RMB", OrderRule.currencyISO, field: "currency") { $0.set(.currency, "RMB") },
        RuleCase("payment_method cash", OrderRule.paymentMethod, field: "payment_method") {
            $0.set(.paymentMethod, "cash")
            $0.set(.codAmount, "")
        },
        RuleCase("cod_amount with comma", OrderRule.codAmountDecimal, field: "cod_amount") {
            $0.set(.codAmount, "59,85")
        },
        RuleCase("cod_amount 3 decimals in EUR", OrderRule.codAmountDecimal, field: "cod_amount") {
            $0.set(.codAmount, "59.855")
        },
        RuleCase("cod_amount negative", OrderRule.codAmountDecimal, field: "cod_amount") {
            $0.set(.codAmount, "-59.85")
        },
        RuleCase("cod without amount", OrderRule.codAmountRequired, field: "cod_amount") {
            $0.set(.codAmount, "")
        },
        RuleCase("cod_amount with card payment", OrderRule.codAmountWithoutCOD, field: "cod_amount") {
            $0.set(.paymentMethod, "card")
        },
        RuleCase("store with space", OrderRule.codeFormat, field: "store") { $0.set(.store, "shop de") },
        RuleCase("carrier_service with slash", OrderRule.codeFormat, field: "carrier_service") {
            $0.set(.carrierService, "DHL/PAKET")
        },
        RuleCase("warehouse with umlaut", OrderRule.codeFormat, field: "warehouse") { $0.set(.warehouse, "WH-MÜNCHEN") },
        RuleCase("customer_id with space", OrderRule.codeFormat, field: "customer_id") {
            $0.set(.customerId, "C 0001")
        },
        RuleCase("uom with space", OrderRule.codeFormat, field: "uom", row: 0) { $0.set(line: 0, .uom, "E A") },
        RuleCase("priority urgent", OrderRule.priority, field: "priority") { $0.set(.priority, "urgent") },
        RuleCase("incoterm DDX", OrderRule.incoterm, field: "incoterm") { $0.set(.incoterm, "DDX") },
        RuleCase("incoterm 2010 DAT", OrderRule.incoterm, field: "incoterm") { $0.set(.incoterm, "DAT") },
        RuleCase("line_no 0", OrderRule.lineNoPositive, field: "line_no", row: 1) { $0.set(line: 1, .lineNo, "0") },
        RuleCase("line_no not a number", OrderRule.lineNoPositive, field: "line_no", row: 0) {
            $0.set(line: 0, .lineNo, "one")
        },
        RuleCase("line_no empty", OrderRule.lineNoPositive, field: "line_no", row: 0) { $0.set(line: 0, .lineNo, "") },
        RuleCase("line_no twice", OrderRule.lineNoUnique, field: "line_no", row: 1) { $0.set(line: 1, .lineNo, "1") },
        RuleCase("sku empty", OrderRule.skuRequired, field: "sku", row: 1) { $0.set(line: 1, .sku, "") },
        RuleCase("sku with space", OrderRule.skuFormat, field: "sku", row: 0) { $0.set(line: 0, .sku, "SKU 1") },
        RuleCase("quantity 0", OrderRule.quantityPositive, field: "quantity", row: 1) { $0.set(line: 1, .quantity, "0") },
        RuleCase("quantity -1", OrderRule.quantityPositive, field: "quantity", row: 1) { $0.set(line: 1, .quantity, "-1") },
        RuleCase("quantity 1.5", OrderRule.quantityPositive, field: "quantity", row: 0) { $0.set(line: 0, .quantity, "1.5") },
        RuleCase("quantity empty", OrderRule.quantityPositive, field: "quantity", row: 0) { $0.set(line: 0, .quantity, "") },
        RuleCase("unit_price 12,99", OrderRule.unitPriceDecimal, field: "unit_price", row: 0) {
            $0.set(line: 0, .unitPrice, "12,99")
        },
        RuleCase("unit_price negative", OrderRule.unitPriceDecimal, field: "unit_price", row: 0) {
            $0.set(line: 0, .unitPrice, "-1.00")
        },
        RuleCase("unit_price 1e3", OrderRule.unitPriceDecimal, field: "unit_price", row: 0) {
            $0.set(line: 0, .unitPrice, "1e3")
        },
        RuleCase("unit_price 3 decimals in EUR", OrderRule.unitPricePrecision, field: "unit_price", row: 1) {
            $0.set(line: 1, .unitPrice, "19.999")
        },
        RuleCase("unit_price decimals in JPY", OrderRule.unitPricePrecision, field: "unit_price", row: 0) {
            $0.set(.currency, "JPY")
            $0.set(.codAmount, "9960")
            $0.set(line: 0, .unitPrice, "4980.50")
            $0.set(line: 1, .unitPrice, "4980")
        },
        RuleCase("tax_rate 1.5", OrderRule.taxRateDecimal, field: "tax_rate", row: 0) { $0.set(line: 0, .taxRate, "1.5") },
        RuleCase("tax_rate 19%", OrderRule.taxRateDecimal, field: "tax_rate", row: 0) { $0.set(line: 0, .taxRate, "19%") },
        RuleCase("tax_rate with comma", OrderRule.taxRateDecimal, field: "tax_rate", row: 1) {
            $0.set(line: 1, .taxRate, "0,19")
        },
        RuleCase("hs_code 5 digits", OrderRule.hsCode, field: "hs_code", row: 0) { $0.set(line: 0, .hsCode, "61091") },
        RuleCase("hs_code 11 digits", OrderRule.hsCode, field: "hs_code", row: 0) {
            $0.set(line: 0, .hsCode, "61091000001")
        },
        RuleCase("hs_code letters", OrderRule.hsCode, field: "hs_code", row: 1) { $0.set(line: 1, .hsCode, "6109AB") },
        RuleCase("origin_country XX", OrderRule.originCountry, field: "origin_country", row: 1) {
            $0.set(line: 1, .originCountry, "XX")
        },
        RuleCase("1000 lines", OrderRule.tooManyLines, field: nil) { b in
            b.lines = (1...1000).map { RawOrderBuilder.defaultLine($0) }
        },
    ]
}

/// Rules only the engine raises (it knows routing, the ledger and the other records of a file).
let engineOnlyRules: Set<String> = [
    OrderRule.warehouseUnroutable, OrderRule.changedAfterConfirmation, OrderRule.warehouseChanged,
]

@Suite("OrderValidator")
struct OrderValidatorTests {
    @Test("an address holds three lines: missing ones are empty, more are dropped, and each is its own field")
    func addressLines() {
        var a = Address(name: "N", company: "", lines: ["Street 1"], city: "C", region: "", postcode: "1", country: "DE",
                        phone: "", email: "")
        #expect(a.lines == ["Street 1", "", ""])
        #expect(a == Address(name: "N", company: "", line1: "Street 1", line2: "", line3: "", city: "C", region: "",
                             postcode: "1", country: "DE", phone: "", email: ""))
        a.lines = ["A", "B", "C", "D"]
        #expect([a.line1, a.line2, a.line3] == ["A", "B", "C"])
        a.lines = []
        #expect(a.lines == ["", "", ""])
        a.line2 = "Hinterhaus"
        #expect(a.lines == ["", "Hinterhaus", ""])
    }

    @Test("the default raw order is valid and cleaned as given")
    func defaultIsValid() throws {
        let order = try acceptedOrder()
        #expect(order.id == "SO1")
        #expect(order.orderDate == "2025-03-01T10:00:00+01:00")
        #expect(order.shipTo.lines == ["Hauptstraße 1", "Hinterhaus", "2. OG"])
        #expect(order.currency == "EUR")
        #expect(order.paymentMethod == "cod")
        #expect(order.codAmount == Money(minorUnits: 5985, scale: 2))
        #expect(order.customs.incoterm == "DAP")
        #expect(order.lines.count == 2)
        #expect(order.lines.map(\.lineNo) == [1, 2])
        #expect(order.lines[0].unitPrice == Money(minorUnits: 1995, scale: 2))
        #expect(order.lines[0].taxRate == FixedDecimal(units: 19, scale: 2))
        #expect(order.lines[0].quantity == 2)
    }

    @Test("each rule rejects the order with its id and field", arguments: RuleCase.all)
    func ruleRejects(_ c: RuleCase) throws {
        var b = RawOrderBuilder()
        c.apply(&b)
        let findings = try #require(validate(b).rejectedFindings, "order must be rejected")
        let matching = findings.filter { $0.rule == c.rule }
        #expect(!matching.isEmpty, "no \(c.rule) among \(findings.map(\.rule))")
        // The single defect gives exactly this rule, nothing unrelated.
        #expect(Set(findings.map(\.rule)) == [c.rule], "\(findings.map(\.summary))")
        for f in matching {
            #expect(f.field == c.field)
            #expect(f.severity == .error)
            #expect(f.file == "orders.csv")
            #expect(!f.message.isEmpty)
            if let row = c.row {
                #expect(f.location == RawOrderBuilder.location(row: row))
            }
        }
        // The finding names the order unless the id itself is what is missing.
        let cleanedId = Clean.code(b.order[.orderId] ?? "")
        for f in findings {
            #expect(f.orderId == (cleanedId.isEmpty ? nil : cleanedId))
        }
    }

    @Test("a repeated line_no is found in short and in long orders", arguments: [2, 16, 17, 40])
    func repeatedLineNo(lines count: Int) throws {
        var b = RawOrderBuilder()
        b.lines = (1...count).map { RawOrderBuilder.defaultLine($0) }
        #expect(validate(b).acceptedOrder?.lines.count == count)
        b.set(line: count - 1, .lineNo, "1")
        let findings = try #require(validate(b).rejectedFindings)
        #expect(findings.map(\.rule) == [OrderRule.lineNoUnique])
    }

    @Test("every rule the validator owns has a case above; the catalogue is complete and unique")
    func everyRuleCovered() {
        let catalogue = OrderRule.catalogue.map(\.id)
        #expect(Set(catalogue).count == catalogue.count, "duplicate ids in the catalogue")
        #expect(catalogue.allSatisfy { $0.hasPrefix("order.") })
        #expect(OrderRule.catalogue.allSatisfy { !$0.text.isEmpty })
        let covered = Set(RuleCase.all.map(\.rule))
        #expect(covered.isSubset(of: Set(catalogue)))
        #expect(Set(catalogue).subtracting(engineOnlyRules) == covered)
        #expect(engineOnlyRules.isSubset(of: Set(catalogue)))
    }

    @Test("engine-only rules are never raised by the validator, even for a badly broken order")
    func engineRulesNotFromValidator() throws {
        var b = RawOrderBuilder()
        b.set(.warehouse, "")
        b.set(.currency, "XXX")
        b.set(.shipCountry, "ZZ")
        b.rowOverrides[1] = [.shipName: "Other"]
        let findings = try #require(validate(b).rejectedFindings)
        #expect(findings.allSatisfy { !engineOnlyRules.contains($0.rule) })
    }

    @Test("the codec's findings reject the order even when every value is fine")
    func codecFindingsReject() throws {
        var raw = RawOrderBuilder().build()
        raw.codecFindings = [Finding(rule: "csv.row.column-count", message: "row has 3 columns", file: "orders.csv",
                                     location: ERPWMSCore.SourceLocation(line: 3, record: 2), orderId: "SO1")]
        let outcome = OrderValidator().validate(raw, file: "orders.csv")
        let findings = try #require(outcome.rejectedFindings)
        #expect(findings.map(\.rule) == ["csv.row.column-count"])
    }

    @Test("several defects are all reported")
    func severalDefects() throws {
        var b = RawOrderBuilder()
        b.set(.shipCountry, "UK")
        b.set(line: 1, .quantity, "0")
        b.set(line: 0, .sku, "")
        let rules = Set(try #require(validate(b).rejectedFindings).map(\.rule))
        #expect(rules == [OrderRule.countryISO, OrderRule.quantityPositive, OrderRule.skuRequired])
    }

    // MARK: - Cleaning of accepted orders

    @Test("an accepted order is cleaned: full-width codes, case, aliases, exact amounts")
    func cleaning() throws {
        var b = RawOrderBuilder()
        b.set(.orderId, " SO1 ")
        b.set(.shipCountry, "ｄｅ")
        b.set(.shipPostcode, "１０１１５")
        b.set(.shipPhone, "＋４９\u{3000}３０ １２３４５６７")
        b.set(.currency, " eur ")
        b.set(.paymentMethod, "COD")
        b.set(.priority, "HIGH")
        b.set(.incoterm, "dap")
        b.set(.codAmount, "59.8")
        b.set(.shipName, "  Zoe\u{0308} Muster  ")
        b.set(line: 0, .uom, "ea")
        b.set(line: 0, .unitPrice, "19.9")
        b.set(line: 0, .hsCode, "6109.10")
        b.set(line: 1, .originCountry, "ｐｔ")
        b.set(line: 1, .description, "Cafe\u{0301} au lait")
        b.set(line: 1, .lineNo, "２")
        let settings = OrderRuleSettings(skuAliases: ["SKU-1": "WMS-000001"])
        let order = try acceptedOrder(b, settings: settings)

        #expect(order.id == "SO1")
        #expect(order.shipTo.country == "DE")
        #expect(order.shipTo.postcode == "10115")
        #expect(order.shipTo.phone == "+49 30 1234567")
        #expect(order.currency == "EUR")
        #expect(order.paymentMethod == "cod")
        #expect(order.priority == "high")
        #expect(order.customs.incoterm == "DAP")
        #expect(order.codAmount == Money(minorUnits: 5980, scale: 2))
        #expect(order.codAmount?.description == "59.80")
        #expect(order.shipTo.name.unicodeScalars.map(\.value) == "Zo\u{00EB} Muster".unicodeScalars.map(\.value))
        #expect(order.lines[1].description.unicodeScalars.map(\.value)
                == "Caf\u{00E9} au lait".unicodeScalars.map(\.value))

        #expect(order.lines[0].sku == "SKU-1")
        #expect(order.lines[0].wmsItem == "WMS-000001")
        #expect(order.lines[1].sku == "SKU-2")
        #expect(order.lines[1].wmsItem == "SKU-2")   // no alias: the SKU itself
        #expect(order.lines[1].lineNo == 2)
        #expect(order.lines[0].uom == "EA")
        #expect(order.lines[0].unitPrice == Money(minorUnits: 1990, scale: 2))
        #expect(order.lines[0].hsCode == "610910")
        #expect(order.lines[1].originCountry == "PT")
    }

    @Test("amounts follow the currency's minor units", arguments: [
        ("JPY", "4980", "9960", Int64(4980), Int64(9960), 0),
        ("KWD", "1.25", "2.500", 1250, 2500, 3),
        ("EUR", "0.05", "0.10", 5, 10, 2),
    ])
    func currencyScales(currency: String, price: String, cod: String, priceMinor: Int64, codMinor: Int64,
                        scale: Int) throws {
        var b = RawOrderBuilder()
        b.set(.currency, currency)
        b.set(.codAmount, cod)
        b.set(line: 0, .unitPrice, price)
        b.set(line: 1, .unitPrice, price)
        let order = try acceptedOrder(b)
        #expect(order.codAmount == Money(minorUnits: codMinor, scale: scale))
        #expect(order.lines.allSatisfy { $0.unitPrice == Money(minorUnits: priceMinor, scale: scale) })
    }

    @Test("optional fields may be empty")
    func optionalEmpty() throws {
        var b = RawOrderBuilder()
        for f: OrderField in [.store, .customerId, .shipCompany, .shipAddress2, .shipAddress3, .shipRegion,
                              .shipPhone, .shipEmail, .warehouse, .priority, .giftNote, .incoterm, .iossNumber,
                              .eoriNumber] {
            b.set(f, "")
        }
        b.set(.paymentMethod, "card")
        b.set(.codAmount, "")
        for i in 0..<2 {
            for f: LineField in [.description, .uom, .taxRate, .hsCode, .originCountry] { b.set(line: i, f, "") }
        }
        let order = try acceptedOrder(b)
        #expect(order.codAmount == nil)
        #expect(order.requestedWarehouse == "")
        #expect(order.customs.isEmpty)
        #expect(order.lines[0].taxRate == nil)
    }

    @Test("a line with quantity at the 1,000,000 bound is accepted")
    func quantityBound() throws {
        var b = RawOrderBuilder()
        b.set(line: 0, .quantity, "1000000")
        #expect(try acceptedOrder(b).lines[0].quantity == 1_000_000)
        b.set(line: 0, .quantity, "10000000")   // 8 digits
        #expect(validate(b).rejectedFindings?.map(\.rule) == [OrderRule.quantityPositive])
    }

    @Test("999 lines is still accepted")
    func maxLines() throws {
        var b = RawOrderBuilder()
        b.lines = (1...999).map { RawOrderBuilder.defaultLine($0) }
        #expect(try acceptedOrder(b).lines.count == 999)
    }

    // MARK: - Rows of one order that disagree

    @Test("a bad currency only on row 2 gives the currency rule at row 2")
    func badCurrencyOnRow2() throws {
        var b = RawOrderBuilder()
        b.rowOverrides[1] = [.currency: "EURO"]
        let findings = try #require(validate(b).rejectedFindings)
        #expect(findings.map(\.rule) == [OrderRule.currencyISO])
        let f = try #require(findings.first)
        #expect(f.field == "currency")
        #expect(f.location == RawOrderBuilder.location(row: 1))
        #expect(f.orderId == "SO1")
    }

    @Test("a missing ship_name only on row 2 gives the required rule at row 2")
    func missingNameOnRow2() throws {
        var b = RawOrderBuilder()
        b.lines.append(RawOrderBuilder.defaultLine(3))
        b.rowOverrides[2] = [.shipName: ""]
        let findings = try #require(validate(b).rejectedFindings)
        #expect(findings.map(\.rule) == [OrderRule.fieldRequired])
        #expect(findings.first?.field == "ship_name")
        #expect(findings.first?.location == RawOrderBuilder.location(row: 2))
    }

    @Test("a different but valid value on row 2 gives order.fields.consistent")
    func validButDifferentOnRow2() throws {
        var b = RawOrderBuilder()
        b.rowOverrides[1] = [.currency: "USD"]
        let findings = try #require(validate(b).rejectedFindings)
        #expect(findings.map(\.rule) == [OrderRule.fieldsInconsistent])
        #expect(findings.first?.field == "currency")
    }

    // MARK: - Personal data stays out of messages

    @Test("a too-long ship_name is reported without quoting it")
    func tooLongNameNotQuoted() throws {
        var b = RawOrderBuilder()
        let name = String(repeating: "Zoë Secret", count: 30)
        #expect(name.count == 300)
        b.set(.shipName, name)
        let findings = try #require(validate(b).rejectedFindings)
        let f = try #require(findings.first { $0.rule == OrderRule.fieldTooLong })
        #expect(f.field == "ship_name")
        #expect(f.message.contains("300"))
        #expect(!f.message.contains("Secret"))
        #expect(!f.message.contains("Zoë"))
        #expect(!f.summary.contains("Secret"))
    }

    static let personalFields = OrderField.allCases.filter(\.isPersonal)

    @Test("no finding about a personal field quotes its value", arguments: personalFields)
    func personalNeverQuoted(field: OrderField) throws {
        let secret = "Secret"
        let scenarios: [(String, (inout RawOrderBuilder) -> Void)] = [
            ("too long", { $0.set(field, secret + String(repeating: "x", count: 250)) }),
            ("control characters", { $0.set(field, secret + "\u{1}x") }),
            ("differs on row 2", { $0.rowOverrides[1] = [field: secret + " other"] }),
            ("bad code", { $0.set(field, secret + " with/slash") }),
        ]
        for (name, apply) in scenarios {
            var b = RawOrderBuilder()
            apply(&b)
            let outcome = validate(b)
            guard let findings = outcome.rejectedFindings else {
                // Only free-text fields accept "Secret with/slash"; everything else must be rejected.
                #expect(name == "bad code", "\(field.rawValue) \(name) was accepted")
                continue
            }
            for f in findings {
                #expect(!f.message.contains(secret), "\(field.rawValue) \(name): \(f.message)")
                #expect(!f.summary.contains(secret), "\(field.rawValue) \(name): \(f.summary)")
            }
        }
    }

    @Test("the personal-field list matches the model's documentation")
    func personalFieldList() {
        #expect(Set(Self.personalFields) == [
            .customerId, .shipName, .shipCompany, .shipAddress1, .shipAddress2, .shipAddress3, .shipCity,
            .shipRegion, .shipPostcode, .shipPhone, .shipEmail, .giftNote,
        ])
        #expect(!OrderField.currency.isPersonal)
        #expect(!OrderField.orderId.isPersonal)
    }

    // MARK: - Canonical form and content hash

    @Test("equal orders have equal canonical forms and hashes; a changed quantity changes both")
    func contentHash() throws {
        let a = try acceptedOrder()
        let b = try acceptedOrder()
        #expect(a.canonicalForm == b.canonicalForm)
        #expect(a.contentHash == b.contentHash)
        #expect(a.contentHash.count == 64)
        #expect(a.contentHash.allSatisfy { "0123456789abcdef".contains($0) })

        var changed = RawOrderBuilder()
        changed.set(line: 1, .quantity, "3")
        let c = try acceptedOrder(changed)
        #expect(a.canonicalForm != c.canonicalForm)
        #expect(a.contentHash != c.contentHash)
    }

    @Test("content hash is SHA-256 of the canonical form")
    func hashIsSHA256() throws {
        // Known vector: SHA-256("abc").
        #expect(ContentHash.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let a = try acceptedOrder()
        #expect(a.contentHash == ContentHash.sha256(a.canonicalForm))
    }

    /// Content hashes are stored in the ledger: an order sent again is recognised by them, so the bytes hashed
    /// must never change (a changed form would make every known order look changed). Pinned here.
    @Test("the canonical form and content hash of a known order are as they always were")
    func pinnedContentHash() {
        func line(_ no: Int, _ sku: String, _ description: String, _ qty: Int, _ price: Int64, _ tax: FixedDecimal?) -> OrderLine {
            OrderLine(lineNo: no, sku: sku, wmsItem: sku, description: description, quantity: qty, uom: "EA",
                      unitPrice: Money(minorUnits: price, scale: 2), taxRate: tax, hsCode: no == 1 ? "610910" : "",
                      originCountry: no == 1 ? "PT" : "")
        }
        let order = Order(
            id: "SO-1", orderDate: "2025-03-01T10:00:00+01:00", store: "web-de", customerId: "C1",
            shipTo: Address(name: "Zoë Müller", company: "", lines: ["Hauptstraße 1", "", ""], city: "Köln",
                            region: "", postcode: "50667", country: "DE", phone: "", email: ""),
            currency: "EUR", paymentMethod: "cod", codAmount: Money(minorUnits: 123405, scale: 2),
            carrierService: "DHL_PAKET", requestedWarehouse: "", priority: "", giftNote: "",
            customs: Customs(incoterm: "DAP"),
            lines: [line(1, "SKU-1", "Tee, 100% cotton", 2, 1999, FixedDecimal(units: 19, scale: 2)),
                    line(12, "SKU-2", "Mug \u{2615}", 10, 5, nil)])
        let us = "\u{1F}"
        let rs = "\u{1E}"
        let expected = ["SO-1", "2025-03-01T10:00:00+01:00", "web-de", "C1", "Zoë Müller", "", "Hauptstraße 1", "", "",
                        "Köln", "", "50667", "DE", "", "", "EUR", "cod", "1234.05", "DHL_PAKET", "", "", "", "DAP", "", "",
                        rs, "1", "SKU-1", "Tee, 100% cotton", "2", "EA", "19.99", "0.19", "610910", "PT",
                        rs, "12", "SKU-2", "Mug \u{2615}", "10", "EA", "0.05", "", "", ""].map { $0 + us }.joined()
        #expect(order.canonicalForm == expected)
        #expect(order.contentHash == ContentHash.sha256(expected))
        #expect(order.contentHash == "35ca195d5e28f36fb55a0951dc4a7ad1af029fe3a02645be9588a86fde765a31")
    }

    @Test("the hash is SHA-256 of the canonical form however long the order and its fields")
    func hashOfLongOrders() throws {
        var order = try acceptedOrder()
        let template = order.lines[0]
        // Many lines (the hash buffer of 1 KiB is flushed between fields), fields just shorter than, as long as
        // and longer than the buffer (a field and its separator: 1022, 1023, 1024 bytes and more), and 2-byte
        // characters across the boundaries.
        for (i, text) in ["x", String(repeating: "x", count: 1022), String(repeating: "x", count: 1023),
                          String(repeating: "x", count: 1024), String(repeating: "é", count: 511),
                          String(repeating: "é", count: 700), String(repeating: "x", count: 5000), ""].enumerated() {
            var l = template
            l.lineNo = 100 + i
            l.description = text
            order.lines.append(l)
        }
        for _ in 0..<40 { order.lines.append(template) }
        #expect(order.contentHash == ContentHash.sha256(order.canonicalForm))
        let before = order.contentHash
        order.lines[3].description += "!"
        #expect(order.contentHash == ContentHash.sha256(order.canonicalForm))
        #expect(order.contentHash != before)
    }

    @Test("text that cleans to the same value hashes the same")
    func hashAfterCleaning() throws {
        var wide = RawOrderBuilder()
        wide.set(.shipCountry, "ｄｅ")
        wide.set(.shipPostcode, " １０１１５ ")
        wide.set(.shipName, "Anna Muster ")
        #expect(try acceptedOrder(wide).contentHash == (try acceptedOrder()).contentHash)
    }

    @Test("the canonical form separates fields, so moving text between fields changes the hash")
    func canonicalFieldBoundaries() throws {
        var x = RawOrderBuilder()
        x.set(.shipAddress1, "Hauptstraße 1")
        x.set(.shipAddress2, "Hinterhaus")
        var y = RawOrderBuilder()
        y.set(.shipAddress1, "Hauptstraße 1Hinter")
        y.set(.shipAddress2, "haus")
        #expect(try acceptedOrder(x).contentHash != (try acceptedOrder(y)).contentHash)

        // Moving a line's value to the next line must change it too.
        var p = RawOrderBuilder()
        p.set(line: 0, .description, "ab")
        p.set(line: 1, .description, "c")
        var q = RawOrderBuilder()
        q.set(line: 0, .description, "a")
        q.set(line: 1, .description, "bc")
        #expect(try acceptedOrder(p).contentHash != (try acceptedOrder(q)).contentHash)
    }

    @Test("every field the ERP sends takes part in the hash", arguments: OrderField.allCases)
    func everyOrderFieldHashed(field: OrderField) throws {
        let base = try acceptedOrder()
        var b = RawOrderBuilder()
        let alternative: String
        switch field {
        case .orderId: alternative = "SO2"
        case .orderDate: alternative = "2025-03-01T10:00:01+01:00"
        case .shipCountry: alternative = "AT"
        case .currency: alternative = "USD"
        case .paymentMethod:
            alternative = "card"
            b.set(.codAmount, "")
        case .codAmount: alternative = "59.86"
        case .priority: alternative = "high"
        case .incoterm: alternative = "DDP"
        default: alternative = (b.order[field] ?? "") + "X"
        }
        b.set(field, alternative)
        let other = try acceptedOrder(b)
        #expect(other.contentHash != base.contentHash)
    }

    // MARK: - ISO 8601 date-times

    @Test("valid ISO 8601 date-times with offset", arguments: [
        "2025-03-01T10:00:00Z",
        "2025-03-01T10:00:00+01:00",
        "2025-03-01T10:00:00-05:00",
        "2025-03-01T10:00:00.123+05:30",
        "2025-03-01T10:00:00.5Z",
        "2024-02-29T23:59:59+00:00",   // leap year
        "2000-02-29T00:00:00Z",        // divisible by 400
        "2025-12-31T23:59:59+14:00",
        "2025-01-01T00:00:00-12:00",
    ])
    func validDates(text: String) {
        #expect(OrderValidator.isISODateTimeWithOffset(text))
    }

    @Test("invalid ISO 8601 date-times", arguments: [
        "2025-03-01T10:00:00",          // no offset
        "2025-02-30T10:00:00Z",         // 30 February
        "2023-02-29T10:00:00Z",         // not a leap year
        "1900-02-29T10:00:00Z",         // divisible by 100, not by 400
        "2025-03-01T24:00:00Z",         // hour 24
        "2025-03-01T23:60:00Z",
        "2025-03-01T23:59:60Z",
        "2025-13-01T10:00:00Z",
        "2025-00-01T10:00:00Z",
        "2025-04-31T10:00:00Z",
        "2025-03-00T10:00:00Z",
        "2025-03-01 10:00:00Z",
        "2025-03-01T10:00:00+0100",
        "2025-03-01T10:00:00+01",
        "2025-03-01T10:00:00.Z",
        "2025-03-01T10:00:00Zjunk",
        "2025-03-01T10:00:00+15:00",
        "2025-03-01",
        "01.03.2025 10:00",
        "",
        "2025-3-1T10:00:00Z",
        "２０２５-03-01T10:00:00Z",
    ])
    func invalidDates(text: String) {
        #expect(!OrderValidator.isISODateTimeWithOffset(text))
    }

    @Test("isCode is [A-Za-z0-9_.-]{1,40}")
    func isCode() {
        #expect(OrderValidator.isCode("SKU-1_a.B"))
        #expect(OrderValidator.isCode(String(repeating: "a", count: 40)))
        #expect(!OrderValidator.isCode(String(repeating: "a", count: 41)))
        #expect(!OrderValidator.isCode(""))
        #expect(!OrderValidator.isCode("a b"))
        #expect(!OrderValidator.isCode("ä"))
        #expect(!OrderValidator.isCode("a/b"))
    }

    @Test("isCode: every byte and every length as the rule says: 1-40 of A-Z a-z 0-9 _ . -")
    func everyByteAndLength() {
        func reference(_ s: String) -> Bool {
            !s.isEmpty && s.utf8.count <= 40 && s.unicodeScalars.allSatisfy { c in
                c.isASCII && ("0"..."9" ~= c || "A"..."Z" ~= c || "a"..."z" ~= c || c == "_" || c == "." || c == "-")
            }
        }
        for b in 0..<0x80 {
            let s = "A" + String(UnicodeScalar(UInt8(b))) + "9"
            #expect(OrderValidator.isCode(s) == reference(s), "byte \(b)")
        }
        for s in ["", "é", "A中", String(repeating: "x", count: 40), String(repeating: "x", count: 41), "SKU-1.2_3"] {
            #expect(OrderValidator.isCode(s) == reference(s), "\(s)")
        }
    }
}
