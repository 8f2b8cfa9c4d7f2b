import Testing
import ERPWMSCore

/// An order holds its texts packed (`Order.text`): what it gives back, as Strings and as bytes, must be what it was
/// given, whichever way it was built.
@Suite("Packed orders")
struct PackedOrderTests {
    static func sample(alias: Bool = true) -> Order {
        Order(id: "SO-7", orderDate: "2025-03-01T10:00:00+01:00", store: "web-de", customerId: "C1",
              shipTo: Address(name: "Zoë Müller-Lüdenscheidt", company: "Ünal & Söhne", line1: "Hauptstraße 1",
                              line2: "", line3: "3. OG links", city: "Köln", region: "NRW", postcode: "50667",
                              country: "DE", phone: "+49 221 1234567", email: "zoe@example.com"),
              currency: "EUR", paymentMethod: "cod", codAmount: Money(minorUnits: 123405, scale: 2),
              carrierService: "DHL_PAKET", requestedWarehouse: "WH-1", priority: "high", giftNote: "Alles Gute zum Geburtstag!",
              customs: Customs(incoterm: "DAP", iossNumber: "IM2760000001", eoriNumber: ""),
              lines: [OrderLine(lineNo: 1, sku: "SKU-1", wmsItem: alias ? "WMS-000001" : "SKU-1",
                                description: "Tee, 100% cotton, size XL", quantity: 2, uom: "EA",
                                unitPrice: Money(minorUnits: 1999, scale: 2), taxRate: FixedDecimal(units: 19, scale: 2),
                                hsCode: "610910", originCountry: "PT"),
                      OrderLine(lineNo: 12, sku: "SKU-2", wmsItem: "SKU-2", description: "Mug \u{2615}", quantity: 10,
                                uom: "", unitPrice: Money(minorUnits: 5, scale: 2), taxRate: nil, hsCode: "",
                                originCountry: "")])
    }

    @Test("every field reads back as given, as a String and as bytes")
    func readBack() {
        let o = Self.sample()
        #expect(o.id == "SO-7")
        #expect(o.orderDate == "2025-03-01T10:00:00+01:00")
        #expect(o.store == "web-de")
        #expect(o.customerId == "C1")
        #expect(o.shipTo == Address(name: "Zoë Müller-Lüdenscheidt", company: "Ünal & Söhne", line1: "Hauptstraße 1",
                                    line2: "", line3: "3. OG links", city: "Köln", region: "NRW", postcode: "50667",
                                    country: "DE", phone: "+49 221 1234567", email: "zoe@example.com"))
        #expect(o.currency == "EUR")
        #expect(o.paymentMethod == "cod")
        #expect(o.codAmount == Money(minorUnits: 123405, scale: 2))
        #expect(o.carrierService == "DHL_PAKET")
        #expect(o.requestedWarehouse == "WH-1")
        #expect(o.priority == "high")
        #expect(o.giftNote == "Alles Gute zum Geburtstag!")
        #expect(o.customs == Customs(incoterm: "DAP", iossNumber: "IM2760000001", eoriNumber: ""))
        #expect(o.lineCount == 2)
        #expect(o.lines.map(\.wmsItem) == ["WMS-000001", "SKU-2"])
        #expect(o.lines.map(\.description) == ["Tee, 100% cotton, size XL", "Mug \u{2615}"])
        #expect(o.lines.map(\.taxRate) == [FixedDecimal(units: 19, scale: 2), nil])
        #expect(o.string(.codAmount) == "1234.05")
        o.withPacked { p in
            for f in OrderField.allCases {
                #expect(Array(p[f]) == Array(o.string(f).utf8), "\(f)")
            }
            #expect(Array(p[p.lines[0].sku]) == Array("SKU-1".utf8))
            #expect(Array(p[p.lines[0].wmsItem]) == Array("WMS-000001".utf8))
            // Without an alias the item is the SKU's own range (the ledger stores '' for it).
            #expect(p.lines[1].wmsItem == p.lines[1].sku)
            #expect(p.lines[0].wmsItem != p.lines[0].sku)
            #expect(Array(p[p.lines[1].uom]).isEmpty)
        }
        // The WMS item of an aliased line is not part of what is hashed.
        #expect(o.contentHash == Self.sample(alias: false).contentHash)
        #expect(o != Self.sample(alias: false))
    }

    @Test("changing a field changes that field only, and the hash follows the canonical form")
    func setters() {
        let base = Self.sample()
        var o = base
        o.shipTo.city = "Düsseldorf"
        #expect(o.shipTo.city == "Düsseldorf")
        #expect(o.shipTo.name == base.shipTo.name && o.shipTo.postcode == base.shipTo.postcode)
        #expect(o.id == base.id && o.giftNote == base.giftNote && o.lines == base.lines)
        #expect(o.contentHash == ContentHash.sha256(o.canonicalForm))
        #expect(o.contentHash != base.contentHash)
        o.shipTo.city = base.shipTo.city
        #expect(o == base)

        o.lines[1].quantity = 11
        o.lines.append(OrderLine(lineNo: 13, sku: "SKU-3", wmsItem: "ITEM-3", description: String(repeating: "é", count: 300),
                                 quantity: 1, uom: "PK", unitPrice: Money(minorUnits: 100, scale: 2), taxRate: nil,
                                 hsCode: "", originCountry: ""))
        #expect(o.lines.map(\.quantity) == [2, 11, 1])
        #expect(o.lines[2].wmsItem == "ITEM-3")
        #expect(o.lines[0].wmsItem == "WMS-000001")
        #expect(o.shipTo == base.shipTo)

        o = base
        o.codAmount = nil
        #expect(o.codAmount == nil && o.string(.codAmount) == "")
        o.customs = Customs()
        #expect(o.customs.isEmpty)
        o.id = "SO-8"
        o.requestedWarehouse = ""
        #expect(o.id == "SO-8" && o.requestedWarehouse == "" && o.currency == "EUR")
        #expect(o.canonicalForm.hasPrefix("SO-8\u{1F}2025-03-01T10:00:00+01:00\u{1F}web-de\u{1F}"))
        #expect(o.contentHash == ContentHash.sha256(o.canonicalForm))
    }

    @Test("an order the validator packed equals the same order built from its values")
    func validatorPacksAsTheInitialiser() throws {
        let settings = OrderRuleSettings(skuAliases: ["SKU-1": "WMS-000001", "SKU-2": "SKU-2"])
        let v = try acceptedOrder(RawOrderBuilder(), settings: settings)
        let rebuilt = Order(id: v.id, orderDate: v.orderDate, store: v.store, customerId: v.customerId, shipTo: v.shipTo,
                            currency: v.currency, paymentMethod: v.paymentMethod, codAmount: v.codAmount,
                            carrierService: v.carrierService, requestedWarehouse: v.requestedWarehouse,
                            priority: v.priority, giftNote: v.giftNote, customs: v.customs, lines: v.lines)
        #expect(v == rebuilt)
        #expect(v.canonicalForm == rebuilt.canonicalForm)
        #expect(v.lines.map(\.wmsItem) == ["WMS-000001", "SKU-2"])
        v.withPacked { p in #expect(p.lines[1].wmsItem == p.lines[1].sku) }
    }

    @Test("a line read as packed bytes validates as the same line of Strings: the usual values and the ones cleaning changes")
    func packedLinesValidateAsStrings() throws {
        var b = RawOrderBuilder()
        b.set(line: 0, .sku, " SKU-1 ")
        b.set(line: 0, .uom, "ea")
        b.set(line: 0, .hsCode, "6109.10")
        b.set(line: 0, .originCountry, "pt")
        b.set(line: 0, .description, "Cafe\u{0301} au lait ")
        b.set(line: 1, .lineNo, "２")
        b.set(line: 1, .quantity, " 3\t")
        b.set(line: 1, .unitPrice, " 7.5")
        b.set(line: 1, .taxRate, "")
        var bad = RawOrderBuilder()
        bad.set(line: 0, .quantity, "-1")
        bad.set(line: 1, .uom, "E A")
        bad.set(line: 1, .unitPrice, "1,50")
        bad.set(line: 1, .originCountry, "XX")
        let settings = OrderRuleSettings(skuAliases: ["SKU-1": "WMS-1"])
        for builder in [RawOrderBuilder(), b, bad] {
            let strings = builder.build()
            // Packed as the CSV reader packs: the lines' texts and each row's order-level values, and the order's.
            var packed = RawOrder(location: strings.location, packedOrderValues: PackedTexts(strings.orderValues),
                                  lines: [], codecFindings: strings.codecFindings)
            packed.lines = strings.lines.map { l in
                RawLine(location: l.location, packedValues: PackedTexts(l.values),
                        packedOrderValues: l.orderValues.map { PackedTexts($0) })
            }
            #expect(packed.orderValues == strings.orderValues)
            #expect(packed.lines.map(\.orderValues) == strings.lines.map(\.orderValues))
            #expect(packed.lines.map(\.values) == strings.lines.map(\.values))
            let validator = OrderValidator(settings: settings)
            let a = validator.validate(strings, file: "f.csv"), c = validator.validate(packed, file: "f.csv")
            #expect(a.acceptedOrder == c.acceptedOrder)
            #expect(a.rejectedFindings?.map(\.summary) == c.rejectedFindings?.map(\.summary))
            if builder.lines == b.lines {
                let o = try #require(c.acceptedOrder)
                #expect(o.lines.map(\.uom) == ["EA", "EA"])
                #expect(o.lines[0].hsCode == "610910" && o.lines[0].originCountry == "PT" && o.lines[0].wmsItem == "WMS-1")
                #expect(o.lines[1].quantity == 3 && o.lines[1].lineNo == 2 && o.lines[1].taxRate == nil)
            }
            if builder.lines == bad.lines { #expect((c.rejectedFindings?.count ?? 0) >= 4) }
        }
    }

    @Test("an order is XML-safe exactly when none of its texts holds a byte XML escapes, however it was cleaned")
    func xmlSafety() throws {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "Z", "1", " ", "&", "<", ">", "\"", "'", "\t", "é", "ü", "東", "e\u{0301}", "-", ".", "ｄ"]
        let textFields: [OrderField] = [.shipName, .shipCompany, .shipAddress1, .shipAddress2, .shipCity, .shipRegion,
                                        .giftNote, .shipPhone, .shipEmail, .store]
        var safe = 0, unsafe = 0
        for round in 0..<1500 {
            var b = RawOrderBuilder()
            b.set(.shipCompany, "Muster GmbH")  // the default's '&' would make every order need escapes
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let v = (0..<Int.random(in: 1...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                b.set(textFields.randomElement(using: &rng)!, "x" + v + "y")
            }
            if round % 3 == 0 {
                let v = (0..<Int.random(in: 1...5, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                b.set(line: Int.random(in: 0...1, using: &rng), .description, "D" + v + "d")
            }
            if round % 5 == 0 { b.set(line: 0, .uom, ["EA", "ea", "E&A", " pk "].randomElement(using: &rng)!) }
            if round % 7 == 0 { b.set(line: 1, .sku, ["SKU-2", " sku-2 ", "SKU<2"].randomElement(using: &rng)!) }
            let aliases = round % 11 == 0 ? ["SKU-1": "WMS&1"] : ["SKU-1": "WMS-1"]
            guard case .accepted(let o, _) = OrderValidator(settings: OrderRuleSettings(skuAliases: aliases))
                .validate(b.build(), file: "f.csv") else { continue }
            let special = Array("&<>\"\t\n\r".utf8)
            let expected = !(Array(o.canonicalForm.utf8) + o.lines.flatMap { Array($0.wmsItem.utf8) }).contains { special.contains($0) }
            #expect(o.isXMLSafe == expected, "\(o.canonicalForm)")
            // The same order built from its values finds the same.
            let rebuilt = Order(id: o.id, orderDate: o.orderDate, store: o.store, customerId: o.customerId, shipTo: o.shipTo,
                                currency: o.currency, paymentMethod: o.paymentMethod, codAmount: o.codAmount,
                                carrierService: o.carrierService, requestedWarehouse: o.requestedWarehouse,
                                priority: o.priority, giftNote: o.giftNote, customs: o.customs, lines: o.lines)
            #expect(rebuilt == o)
            if expected { safe += 1 } else { unsafe += 1 }
        }
        #expect(safe > 50 && unsafe > 50)
    }

    @Test("a raw order or line with fewer values than fields reads the missing ones as empty")
    func shortRawValues() throws {
        let full = RawOrderBuilder().build()
        let short = RawOrder(location: full.location, orderValues: Array(full.orderValues.prefix(3)),
                             lines: [RawLine(location: full.location, values: ["1", "SKU-1"])])
        let findings = try #require(OrderValidator().validate(short, file: "f.csv").rejectedFindings)
        #expect(findings.contains { $0.rule == OrderRule.fieldRequired && $0.field == OrderField.shipName.rawValue })
        #expect(findings.contains { $0.rule == OrderRule.quantityPositive })
        #expect(PackedTexts(["a"], count: 3).strings == ["a", "", ""])
    }
}
