import Foundation
import Testing
import ERPWMSCore
@testable import ERPWMSFormats

private func reader(_ text: String, dialect: CSVParser.Dialect = .init()) throws -> CSVOrderReader {
    try CSVOrderReader(source: MemoryByteSource(text), file: "orders.csv", dialect: dialect)
}

private func outcomes(_ orders: [RawOrder]) -> [(id: String, outcome: OrderValidator.Outcome)] {
    let v = OrderValidator()
    return orders.map { ($0.orderId, v.validate($0, file: "orders.csv")) }
}

private func rules(_ outcome: OrderValidator.Outcome) -> Set<String>? {
    if case .rejected(let f) = outcome { return Set(f.map(\.rule)) }
    return nil
}

private func order(_ outcome: OrderValidator.Outcome) -> Order? {
    if case .accepted(let o, _) = outcome { return o }
    return nil
}

@Suite("CSVOrderReader")
struct CSVOrderReaderTests {
    @Test("the canonical layout reads its columns through the plain-column path")
    func plainColumnPath() throws {
        let rows = [Fixtures.row("SO1", line: 1), Fixtures.row("SO1", line: 2), Fixtures.row("SO2", line: 1)]
        let r = try reader(Fixtures.csv(rows: rows))
        let order = try #require(r.plainOrderColumns)
        let line = try #require(r.plainLineColumns)
        #expect(order.count == OrderField.allCases.count && line.count == LineField.allCases.count)
        #expect(order[OrderField.orderId.index] >= 0 && line[LineField.sku.index] >= 0)
        let orders = try readOrders(r)
        #expect(orders.map(\.orderId) == ["SO1", "SO2"])
        #expect(orders[0].lines.map { $0[.lineNo] } == ["1", "2"])
    }

    @Test("rows that repeat their order's fields share its values; a row that differs keeps its own and is caught")
    func repeatedOrderValues() throws {
        var changed = Fixtures.row("SO1", line: 3)
        changed["ship_city"] = "Hamburg"
        let rows = [Fixtures.row("SO1", line: 1), Fixtures.row("SO1", line: 2), changed, Fixtures.row("SO1", line: 4),
                    Fixtures.row("SO2", line: 1), Fixtures.row("SO2", line: 2)]
        let orders = try readOrders(reader(Fixtures.csv(rows: rows)))
        // The packed values' very bytes: the same array, not an equal one.
        func base(_ a: PackedTexts?) -> UnsafeRawPointer? { a?.bytes.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        let so1 = orders[0]
        #expect(base(so1.packed) != nil)
        #expect(base(so1.lines[1].packedOrderValues) == base(so1.packed))
        #expect(base(so1.lines[2].packedOrderValues) != base(so1.packed))
        #expect(so1.lines[2].orderValues?[OrderField.shipCity.index] == "Hamburg")
        #expect(so1.lines[3].orderValues?[OrderField.shipCity.index] == "Berlin")
        #expect(base(orders[1].lines[1].packedOrderValues) == base(orders[1].packed))
        #expect(base(orders[1].packed) != base(so1.packed))
        let results = outcomes(orders)
        #expect(rules(results[0].outcome) == [OrderRule.fieldsInconsistent])
        #expect(order(results[1].outcome) != nil)
    }

    @Test("rows read in place and rows copied (a doubled quote in a line field) still share their order's values")
    func repeatedOrderValuesAcrossRowKinds() throws {
        func row(_ id: String, line: Int, description: String) -> [String: String] {
            var r = Fixtures.row(id, line: line)
            r["ship_company"] = "Muster GmbH"  // no quote: a row without one is read in place
            r["description"] = description
            return r
        }
        let rows = [row("SO1", line: 1, description: "Mug"), row("SO1", line: 2, description: "Mug \"Classic\""),
                    row("SO1", line: 3, description: "Plate"), row("SO2", line: 1, description: "Bowl \"XL\""),
                    row("SO2", line: 2, description: "Bowl")]
        let orders = try readOrders(reader(Fixtures.csv(rows: rows)))
        func base(_ a: PackedTexts?) -> UnsafeRawPointer? { a?.bytes.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        #expect(orders.count == 2)
        for o in orders {
            #expect(o.lines.allSatisfy { base($0.packedOrderValues) == base(o.packed) })
        }
        #expect(orders[0].lines[1][.description] == "Mug \"Classic\"")
        #expect(rules(outcomes(orders)[0].outcome) == nil)
    }

    @Test("a repeat is told by the whole block of order columns: the same bytes split otherwise are not one")
    func repeatedPrefixBoundaries() throws {
        // The canonical layout puts the order columns first, so rows are compared by that block at once.
        let r = try reader(Fixtures.csv(rows: [Fixtures.row("SO1", line: 1)]))
        #expect(r.orderPrefix == OrderField.allCases.count)
        var first = Fixtures.row("SO1", line: 1), second = Fixtures.row("SO1", line: 2), third = Fixtures.row("SO1", line: 3)
        first["ship_name"] = "Anna M"
        first["ship_company"] = "uster"
        second["ship_name"] = "Anna"
        second["ship_company"] = " Muster"  // the same bytes for the two fields, the boundary elsewhere
        third["ship_name"] = "Anna M"
        third["ship_company"] = "uster"
        let orders = try readOrders(reader(Fixtures.csv(rows: [first, second, third])))
        let lines = orders[0].lines
        #expect(lines[1].orderValues?[OrderField.shipName.index] == "Anna")
        #expect(lines[2].orderValues?[OrderField.shipName.index] == "Anna M")
        #expect(rules(outcomes(orders)[0].outcome) == [OrderRule.fieldsInconsistent])
    }

    @Test("a row with fewer fields does not get the previous row's values for the columns it lacks")
    func shorterRowKeepsItsOwnValues() throws {
        // ship_city is the last column; the second row of SO1 stops before it.
        let names = Fixtures.allColumns.filter { $0 != "ship_city" } + ["ship_city"]
        let full = Fixtures.csvLine(names.map { Fixtures.row("SO1", line: 1)[$0] ?? "" })
        let short = Fixtures.csvLine(names.dropLast().map { Fixtures.row("SO1", line: 2)[$0] ?? "" })
        let text = Fixtures.csvLine(names) + "\n" + full + "\n" + short + "\n"
        let orders = try readOrders(reader(text))
        #expect(orders.count == 1 && orders[0].lines.count == 2)
        let second = try #require(orders[0].lines[1].orderValues)
        #expect(second[OrderField.shipCity.index] == "")
        #expect(orders[0].orderValues[OrderField.shipCity.index] == "Berlin")
        #expect(orders[0].codecFindings.contains { $0.rule == "csv.row.column-count" })
    }

    @Test("columns are found by name in any order")
    func columnsAnyOrder() throws {
        let rows = [Fixtures.row("SO1", line: 1), Fixtures.row("SO1", line: 2)]
        let canonical = try readOrders(reader(Fixtures.csv(rows: rows)))
        let shuffledHeader = Array(Fixtures.allColumns.reversed())
        let swapped = try readOrders(reader(Fixtures.csv(header: shuffledHeader, rows: rows)))
        #expect(canonical.count == 1)
        #expect(swapped.count == 1)
        let o = try #require(swapped.first)
        #expect(o.orderId == "SO1")
        #expect(o[.shipCity] == "Berlin")
        #expect(o[.shipCompany] == "Muster & Co, \"GmbH\"")
        #expect(o[.currency] == "EUR")
        #expect(o.lines.count == 2)
        #expect(o.lines[1][.sku] == "SKU-2")
        #expect(o.lines[1][.unitPrice] == "9.99")
        #expect(o.orderValues == canonical[0].orderValues)
        #expect(o.lines.map(\.values) == canonical[0].lines.map(\.values))
        #expect(order(OrderValidator().validate(o, file: "orders.csv")) != nil)
    }

    @Test("header names are matched case-insensitively and trimmed; unknown columns are ignored")
    func headerNames() throws {
        var header = Fixtures.allColumns.map { $0.uppercased() }
        header[0] = " Order_ID "
        header.append("erp_internal_note")
        let text = Fixtures.csv(header: header, rows: [Fixtures.row("SO9", line: 1)])
        let orders = try readOrders(reader(text))
        #expect(orders.map(\.orderId) == ["SO9"])
        #expect(orders.first?.codecFindings.isEmpty == true)
        #expect(orders.first?[.shipPostcode] == "10115")
    }

    @Test("only the required columns is enough; the optional ones read as empty")
    func onlyRequiredColumns() throws {
        let header = RequiredColumns.order.map(\.rawValue) + RequiredColumns.line.map(\.rawValue)
        let orders = try readOrders(reader(Fixtures.csv(header: header, rows: [Fixtures.row("SO1", line: 1)])))
        let o = try #require(orders.first)
        #expect(o[.store] == "")
        #expect(o[.shipEmail] == "")
        #expect(o.lines[0][.description] == "")
        #expect(o.lines[0][.quantity] == "1")
        #expect(order(OrderValidator().validate(o, file: "x")) != nil)
    }

    static let requiredNames = RequiredColumns.order.map(\.rawValue) + RequiredColumns.line.map(\.rawValue)

    @Test("a missing required column fails the file", arguments: requiredNames)
    func missingRequiredColumn(column: String) throws {
        let header = Fixtures.allColumns.filter { $0 != column }
        let text = Fixtures.csv(header: header, rows: [Fixtures.row("SO1", line: 1)])
        let e = try #require(formatError { _ = try reader(text) })
        #expect(e.rule == "csv.header.missing-column")
        #expect(e.message.contains(column))
        #expect(e.location.line == 1)
    }

    @Test("a duplicate column fails the file")
    func duplicateColumn() throws {
        let text = Fixtures.csv(header: Fixtures.allColumns + ["SKU"], rows: [Fixtures.row("SO1", line: 1)])
        #expect(formatError { _ = try reader(text) }?.rule == "csv.header.duplicate")
    }

    @Test("an empty file has no header", arguments: ["", "\n\n\r\n"])
    func emptyFile(text: String) throws {
        #expect(formatError { _ = try reader(text) }?.rule == "csv.header.missing")
    }

    @Test("a header without rows reads no orders")
    func headerOnly() throws {
        let r = try reader(Fixtures.csv(rows: []))
        #expect(try r.next() == nil)
        #expect(try r.next() == nil)
        #expect(r.recordsRead == 0)
    }

    @Test("a row with the wrong column count marks that order only")
    func columnCount() throws {
        var text = Fixtures.csv(rows: [Fixtures.row("SO1", line: 1), Fixtures.row("SO1", line: 2)])
        let so2 = Fixtures.csv(rows: [Fixtures.row("SO2", line: 1), Fixtures.row("SO2", line: 2)])
            .split(separator: "\n").dropFirst().map(String.init)
        text += so2[0] + ",extra\n"                                 // one column too many
        text += so2[1].split(separator: ",", omittingEmptySubsequences: false).dropLast(2)
            .joined(separator: ",") + "\n"                           // two columns too few
        text += String(Fixtures.csv(rows: [Fixtures.row("SO3", line: 1)]).split(separator: "\n")[1]) + "\n"

        let orders = try readOrders(reader(text))
        #expect(orders.map(\.orderId) == ["SO1", "SO2", "SO3"])
        #expect(orders[0].codecFindings.isEmpty)
        #expect(orders[2].codecFindings.isEmpty)
        let findings = orders[1].codecFindings
        #expect(findings.count == 2)
        #expect(findings.allSatisfy { $0.rule == "csv.row.column-count" })
        #expect(findings.allSatisfy { $0.orderId == "SO2" && $0.file == "orders.csv" })
        #expect(findings.map(\.location.line) == [4, 5])
        #expect(findings.map(\.location.record) == [3, 4])
        let columns = Fixtures.allColumns.count
        #expect(findings[0].message.contains("\(columns + 1)"))
        #expect(findings[1].message.contains("\(columns - 2)"))

        let results = outcomes(orders)
        #expect(order(results[0].outcome) != nil)
        #expect(rules(results[1].outcome) == ["csv.row.column-count"])
        #expect(order(results[2].outcome) != nil)
    }

    @Test("orders are contiguous rows with the same order_id")
    func contiguousGrouping() throws {
        let text = Fixtures.csv(rows: [
            Fixtures.row("SO1", line: 1), Fixtures.row("SO1", line: 2), Fixtures.row("SO2", line: 1),
            Fixtures.row("SO1", line: 3),
        ])
        let r = try reader(text)
        let first = try #require(try r.next())
        #expect(first.orderId == "SO1")
        #expect(first.lines.count == 2)
        #expect(r.recordsRead == 3)   // it had to see SO2's row to know SO1 ended
        let rest = try readOrders(r)
        #expect(rest.map(\.orderId) == ["SO2", "SO1"])
        #expect(rest.map(\.lines.count) == [1, 1])
        #expect(r.recordsRead == 4)
        #expect(first.location == ERPWMSCore.SourceLocation(line: 2, record: 1))
        #expect(first.lines.map(\.location.line) == [2, 3])
        #expect(rest[1].location == ERPWMSCore.SourceLocation(line: 5, record: 4))
        #expect(rest[1].lines[0][.lineNo] == "3")
    }

    @Test("rows carry their order values, so a row that differs is caught by the validator")
    func rowsCarryOrderValues() throws {
        var second = Fixtures.row("SO1", line: 2)
        second["currency"] = "EURO"
        let orders = try readOrders(reader(Fixtures.csv(rows: [Fixtures.row("SO1", line: 1), second])))
        let o = try #require(orders.first)
        #expect(o[.currency] == "EUR")
        #expect(o.lines[1].orderValues?[OrderField.currency.index] == "EURO")
        #expect(rules(OrderValidator().validate(o, file: "x")) == [OrderRule.currencyISO])
    }

    @Test("line numbers account for quoted line breaks")
    func lineNumbersWithEmbeddedNewlines() throws {
        var r1 = Fixtures.row("SO1", line: 1)
        r1["description"] = "two\nlines"
        let orders = try readOrders(reader(Fixtures.csv(rows: [r1, Fixtures.row("SO2", line: 1)])))
        #expect(orders.map(\.location.line) == [2, 4])
        #expect(orders[0].lines[0][.description] == "two\nlines")
    }

    @Test("the semicolon dialect reads the same orders")
    func semicolon() throws {
        let rows = [Fixtures.row("SO1", line: 1), Fixtures.row("SO1", line: 2), Fixtures.row("SO2", line: 1)]
        var rowsWithDecimalText = rows
        rowsWithDecimalText[0]["description"] = "Socks; pack of 3, blue"
        let text = Fixtures.csv(rows: rowsWithDecimalText, delimiter: ";")
        let orders = try readOrders(reader(text, dialect: .init(delimiter: UInt8(ascii: ";"))))
        #expect(orders.map(\.orderId) == ["SO1", "SO2"])
        #expect(orders[0].lines[0][.description] == "Socks; pack of 3, blue")
        #expect(orders[0][.shipCompany] == "Muster & Co, \"GmbH\"")
        #expect(orders.allSatisfy { $0.codecFindings.isEmpty })
    }

    @Test("invalid UTF-8 in a row fails the file with that row's line")
    func invalidUTF8() throws {
        var bad = Fixtures.row("SO2", line: 1)
        bad["ship_city"] = "M#nchen"
        let text = Fixtures.csv(rows: [Fixtures.row("SO1", line: 1), bad])
        #expect(text.filter { $0 == "#" }.count == 1)
        // Latin-1 ü (0xFC) where UTF-8 wants C3 BC.
        let bytes = Array(text.utf8).map { $0 == UInt8(ascii: "#") ? 0xFC : $0 }
        let r = try CSVOrderReader(source: MemoryByteSource(bytes), file: "x.csv")
        let e = try #require(formatError { _ = try readOrders(r) })
        #expect(e.rule == "encoding.invalid-utf8")
        #expect(e.location.line == 3)
    }

    @Test("invalid UTF-8 in a line field fails the file with the field's number, in a row read in place or copied")
    func invalidUTF8InLineFields() throws {
        let header = Array(Fixtures.csv(rows: []).utf8)
        for description in ["Tasse #", "Tasse \"\"gro#\"\", wei\u{00DF}"] {
            var bad = Fixtures.row("SO2", line: 1)
            bad["description"] = description
            // Without a quote anywhere the row is read in place; the second description's quotes make it copied.
            bad["ship_company"] = "Muster GmbH"
            let text = Fixtures.csv(rows: [Fixtures.row("SO1", line: 1), bad, Fixtures.row("SO3", line: 1)])
            // A lone continuation byte where the '#' is.
            let bytes = Array(text.utf8).map { $0 == UInt8(ascii: "#") ? 0x9F : $0 }
            let r = try CSVOrderReader(source: MemoryByteSource(bytes), file: "x.csv")
            let e = try #require(formatError { _ = try readOrders(r) })
            #expect(e.rule == "encoding.invalid-utf8")
            #expect(e.location.line == 3)
            let column = try #require(String(decoding: header, as: UTF8.self).split(separator: "\n").first?
                .split(separator: ",").firstIndex(of: "description"))
            #expect(e.message.contains("field \(column + 1) "), "\(e.message)")
        }
    }

    // MARK: - Samples

    @Test("sample CSV: 17 orders emitted (16 distinct), 34 rows, outcomes as in EXPECTED.md")
    func sampleCSV() throws {
        let url = Fixtures.sample("erp-orders-2025-03-01.csv")
        let r = try CSVOrderReader(source: try FileByteSource(path: url.path), file: url.lastPathComponent)
        let orders = try readOrders(r)
        #expect(orders.count == 17)
        #expect(Set(orders.map(\.orderId)).count == 16)
        #expect(orders.reduce(0) { $0 + $1.lines.count } == 34)
        #expect(r.recordsRead == 34)
        #expect(orders.allSatisfy { $0.codecFindings.isEmpty })
        // The duplicate is SO100000005 again, right after SO100000013.
        let ids = orders.map(\.orderId)
        let i13 = try #require(ids.firstIndex(of: "SO100000013"))
        #expect(ids[i13 + 1] == "SO100000005")
        #expect(ids.filter { $0 == "SO100000005" }.count == 2)

        let results = outcomes(orders)
        var accepted: [String: Order] = [:]
        var rejected: [String: Set<String>] = [:]
        for (id, outcome) in results {
            if let o = order(outcome) { accepted[id] = o } else { rejected[id] = rules(outcome) }
        }
        #expect(Set(accepted.keys) == Set((1...11).map { String(format: "SO1000000%02d", $0) }))
        #expect(accepted.values.reduce(0) { $0 + $1.lines.count } == 25)
        #expect(rejected == [
            "SO100000012": [OrderRule.quantityPositive],
            "SO100000013": [OrderRule.currencyISO],
            "SO100000014": [OrderRule.countryISO],
            "SO100000015": [OrderRule.skuRequired],
            "SO100000016": [OrderRule.unitPriceDecimal],
        ])
        #expect(orders.filter { rejected[$0.orderId] != nil }.reduce(0) { $0 + $1.lines.count } == 7)

        // Cleaning as README.md describes.
        let so9 = try #require(accepted["SO100000009"])
        #expect(so9.shipTo.postcode == "100022")
        #expect(so9.shipTo.phone == "+86 138 0013 8000")
        let so4 = try #require(accepted["SO100000004"])
        #expect(so4.currency == "PLN")
        #expect(so4.paymentMethod == "cod")
        #expect(so4.codAmount == Money(minorUnits: 28067, scale: 2))
        let so1 = try #require(accepted["SO100000001"])
        #expect(so1.lines[1].description.contains("\n"))
        #expect(accepted["SO100000002"]?.requestedWarehouse == "")
        #expect(accepted["SO100000007"]?.requestedWarehouse == "")
        #expect(accepted.values.contains { $0.currency == "JPY" && $0.lines.allSatisfy { $0.unitPrice.scale == 0 } })
        // Both copies of the duplicate are the same order.
        let copies = orders.filter { $0.orderId == "SO100000005" }.map { order(OrderValidator().validate($0, file: "x")) }
        #expect(copies.count == 2)
        #expect(copies[0]?.contentHash == copies[1]?.contentHash)
        #expect(copies[0] != nil)
    }

    @Test("sample GB18030 CSV through iconv: 3 orders, 7 rows, all accepted")
    func sampleGB18030() throws {
        let url = Fixtures.sample("erp-orders-cn-gb18030.csv")
        let source = try TranscodingByteSource(try FileByteSource(path: url.path), from: .gb18030)
        let r = try CSVOrderReader(source: source, file: url.lastPathComponent)
        let orders = try readOrders(r)
        #expect(orders.map(\.orderId) == ["SO300000001", "SO300000002", "SO300000003"])
        #expect(orders.reduce(0) { $0 + $1.lines.count } == 7)
        #expect(r.recordsRead == 7)
        let valid = outcomes(orders).compactMap { order($0.outcome) }
        #expect(valid.count == 3)
        #expect(valid.reduce(0) { $0 + $1.lines.count } == 7)
        #expect(valid[1].shipTo.name == "阿依古丽·买买提")
        #expect(valid[0].shipTo.name == "陈静")
        #expect(valid[2].paymentMethod == "cod")
        #expect(valid[2].codAmount == Money(minorUnits: 96841, scale: 2))
        #expect(valid.allSatisfy { $0.currency == "CNY" && $0.requestedWarehouse == "WH-CN-SH1" })
        #expect(valid[1].lines.contains { $0.description.contains("\n") })
    }

    @Test("the GB18030 sample read as UTF-8 fails with encoding.invalid-utf8")
    func gb18030AsUTF8() throws {
        let url = Fixtures.sample("erp-orders-cn-gb18030.csv")
        let r = try CSVOrderReader(source: try FileByteSource(path: url.path), file: url.lastPathComponent)
        let e = try #require(formatError { _ = try readOrders(r) })
        #expect(e.rule == "encoding.invalid-utf8")
        #expect(e.location.line == 2)
    }
}
