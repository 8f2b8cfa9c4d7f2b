import Testing
import ERPWMSCore

@Suite("FixedDecimal and Money")
struct MoneyTests {
    // MARK: - FixedDecimal parsing

    @Test("FixedDecimal parses plain decimals exactly", arguments: [
        ("123", Int64(123), 0),
        ("123.45", 12345, 2),
        ("0.5", 5, 1),
        ("0.19", 19, 2),
        ("007", 7, 0),
        ("12.500", 12500, 3),
        ("0", 0, 0),
    ])
    func fixedDecimalParses(text: String, units: Int64, scale: Int) throws {
        let d = try #require(FixedDecimal(parsing: Substring(text)))
        #expect(d.units == units)
        #expect(d.scale == scale)
    }

    @Test("FixedDecimal accepts a minus sign only when allowed")
    func fixedDecimalNegative() throws {
        #expect(FixedDecimal(parsing: "-0.5") == nil)
        let d = try #require(FixedDecimal(parsing: "-0.5", allowNegative: true))
        #expect(d.units == -5)
        #expect(d.scale == 1)
        #expect(d.description == "-0.5")
        #expect(FixedDecimal(parsing: "-", allowNegative: true) == nil)
        #expect(FixedDecimal(parsing: "--1", allowNegative: true) == nil)
    }

    @Test("FixedDecimal rejects everything that is not a plain decimal", arguments: [
        "12,99", "1e3", "1E3", ".5", "5.", "-1", "€12.99", "12.99€", "", ".", "1.2.3", " 12", "12 ", "+5",
        "1,000.00", "0x10", "１２", "12.9a", "NaN",
    ])
    func fixedDecimalRejects(text: String) {
        #expect(FixedDecimal(parsing: Substring(text)) == nil)
    }

    @Test("FixedDecimal takes 18 digits and refuses a 19th (Int64 overflow guard)")
    func fixedDecimalDigitLimit() throws {
        let max18 = try #require(FixedDecimal(parsing: "999999999999999999"))
        #expect(max18.units == 999_999_999_999_999_999)
        let frac18 = try #require(FixedDecimal(parsing: "1.23456789012345678"))
        #expect(frac18.units == 123_456_789_012_345_678)
        #expect(frac18.scale == 17)
        #expect(FixedDecimal(parsing: "9999999999999999999") == nil)   // 19 digits: > Int64.max
        #expect(FixedDecimal(parsing: "1234567890123456789") == nil)
        #expect(FixedDecimal(parsing: "12345678901234567.89") == nil)  // 19 digits with a point
    }

    @Test("FixedDecimal rescales exactly or not at all")
    func rescale() {
        let d = FixedDecimal(units: 125, scale: 2)            // 1.25
        #expect(d.rescaled(to: 2) == 125)
        #expect(d.rescaled(to: 3) == 1250)
        #expect(d.rescaled(to: 1) == nil)                     // would drop the 5
        #expect(FixedDecimal(units: 120, scale: 2).rescaled(to: 1) == 12)
        #expect(FixedDecimal(units: 1200, scale: 2).rescaled(to: 0) == 12)
        #expect(FixedDecimal(units: 999_999_999_999_999_999, scale: 0).rescaled(to: 2) == nil)  // overflow
    }

    @Test("FixedDecimal formats with '.' and keeps its scale", arguments: [
        (Int64(5), 2, "0.05"),
        (-5, 2, "-0.05"),
        (1200, 2, "12.00"),
        (12345, 2, "123.45"),
        (7, 0, "7"),
        (0, 3, "0.000"),
        (100, 2, "1.00"),
        (-1250, 3, "-1.250"),
    ])
    func fixedDecimalFormats(units: Int64, scale: Int, text: String) {
        #expect(FixedDecimal(units: units, scale: scale).description == text)
    }

    @Test("parse then format is the identity on canonical decimals", arguments: [
        "0.19", "12.99", "4980", "1.250", "0.07", "100000.5",
    ])
    func fixedDecimalRoundTrip(text: String) throws {
        #expect(try #require(FixedDecimal(parsing: Substring(text))).description == text)
    }

    // MARK: - Money

    @Test("Money parses EUR exactly into cents")
    func moneyEUR() throws {
        let m = try #require(Money(parsing: "12.99", scale: 2))
        #expect(m.minorUnits == 1299)
        #expect(m.scale == 2)
        #expect(m.description == "12.99")
        let half = try #require(Money(parsing: "12.5", scale: 2))
        #expect(half.minorUnits == 1250)
        #expect(half.description == "12.50")
        let whole = try #require(Money(parsing: "7", scale: 2))
        #expect(whole.minorUnits == 700)
        #expect(whole.description == "7.00")
        #expect(try #require(Money(parsing: "0", scale: 2)).description == "0.00")
        // 0.1 + 0.2 style binary floating point error cannot happen: exact cents.
        #expect(try #require(Money(parsing: "0.30", scale: 2)).minorUnits == 30)
    }

    @Test("Money in JPY has no decimals")
    func moneyJPY() throws {
        let m = try #require(Money(parsing: "4980", scale: 0))
        #expect(m.minorUnits == 4980)
        #expect(m.description == "4980")
        #expect(Money(parsing: "4980.5", scale: 0) == nil)
        #expect(Money(parsing: "4980.0", scale: 0) == nil)  // more decimals than the currency has
    }

    @Test("Money in KWD has three decimals")
    func moneyKWD() throws {
        let m = try #require(Money(parsing: "1.250", scale: 3))
        #expect(m.minorUnits == 1250)
        #expect(m.description == "1.250")
        let short = try #require(Money(parsing: "1.25", scale: 3))
        #expect(short.minorUnits == 1250)
        #expect(short.description == "1.250")
        #expect(Money(parsing: "1.2505", scale: 3) == nil)
    }

    @Test("Money rejects what FixedDecimal rejects, negatives, and excess precision", arguments: [
        ("12,99", 2), ("1e3", 2), (".5", 2), ("5.", 2), ("-1", 2), ("-0.01", 2), ("€12.99", 2),
        ("12.999", 2), ("12.990", 2), ("0.001", 2), ("1.5", 0), ("1.0001", 3), ("", 2),
    ])
    func moneyRejects(text: String, scale: Int) {
        #expect(Money(parsing: Substring(text), scale: scale) == nil)
    }

    @Test("Money refuses amounts whose minor units overflow Int64")
    func moneyOverflow() throws {
        // 18 digits parse as a FixedDecimal, but 18 digits * 100 cents no longer fit into Int64.
        #expect(Money(parsing: "999999999999999999", scale: 2) == nil)
        #expect(Money(parsing: "99999999999999999", scale: 2) == nil)   // 9.99e18 > Int64.max
        // The largest amounts that fit are exact.
        let big = try #require(Money(parsing: "9999999999999999.99", scale: 2))
        #expect(big.minorUnits == 999_999_999_999_999_999)
        #expect(big.description == "9999999999999999.99")
        let bigYen = try #require(Money(parsing: "999999999999999999", scale: 0))
        #expect(bigYen.minorUnits == 999_999_999_999_999_999)
        // A 19-digit amount never parses, whatever the currency.
        #expect(Money(parsing: "1000000000000000000", scale: 0) == nil)
    }

    @Test("Money formats with exactly the currency's decimals", arguments: [
        (Int64(1299), 2, "12.99"), (5, 2, "0.05"), (4980, 0, "4980"), (1250, 3, "1.250"), (0, 0, "0"),
        (1, 4, "0.0001"),
    ])
    func moneyFormats(minor: Int64, scale: Int, text: String) {
        #expect(Money(minorUnits: minor, scale: scale).description == text)
    }

    @Test("formatting matches long division by ten for every scale the parser allows")
    func formatAgainstReference() {
        /// The text by plain arithmetic on the magnitude: integer part, then `scale` digits of the remainder.
        func reference(_ units: Int64, _ scale: Int) -> String {
            let m = units.magnitude
            var p: UInt64 = 1
            for _ in 0..<scale { p *= 10 }
            var text = String(m / p)
            if scale > 0 {
                let frac = String(m % p)
                text += "." + String(repeating: "0", count: scale - frac.count) + frac
            }
            return units < 0 ? "-" + text : text
        }
        let values: [Int64] = [0, 1, -1, 7, 10, 99, 100, 101, -250, 1999, 123_456_789, 999_999_999_999_999_999, -999_999_999_999_999_999, Int64.max, Int64.min + 1]
        for v in values {
            for scale in 0...18 {
                #expect(FixedDecimal(units: v, scale: scale).description == reference(v, scale), "\(v) scale \(scale)")
            }
        }
    }
}
