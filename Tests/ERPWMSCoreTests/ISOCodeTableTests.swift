import Testing
@testable import ERPWMSCore

@Suite("ISO code tables")
struct ISOCodeTableTests {
    static let letters = (0x41...0x5A).map { String(UnicodeScalar(UInt8($0))) }

    @Test("every two-letter code answers as the set does; anything else is no country")
    func countries() {
        var assigned = 0
        for a in Self.letters {
            for b in Self.letters {
                let code = a + b
                #expect(ISO3166.isAlpha2(code) == ISO3166.alpha2.contains(code), "\(code)")
                if ISO3166.isAlpha2(code) { assigned += 1 }
            }
        }
        #expect(assigned == ISO3166.alpha2.count)
        for bad in ["", "D", "de", "dE", "DEU", "D1", "@A", "[A", "ÄT", " DE", "DE "] {
            #expect(!ISO3166.isAlpha2(bad), "\(bad)")
        }
    }

    @Test("every three-letter code gives the dictionary's minor units; anything else none")
    func currencies() {
        var known = 0
        for a in Self.letters {
            for b in Self.letters {
                for c in Self.letters {
                    let code = a + b + c
                    #expect(ISO4217.scale(of: code) == ISO4217.minorUnits[code], "\(code)")
                    if ISO4217.scale(of: code) != nil { known += 1 }
                }
            }
        }
        #expect(known == ISO4217.minorUnits.count)
        #expect(ISO4217.scale(of: "JPY") == 0 && ISO4217.scale(of: "KWD") == 3 && ISO4217.scale(of: "CLF") == 4)
        for bad in ["", "EU", "eur", "EURO", "EU1", "XAU", "€"] {
            #expect(ISO4217.scale(of: bad) == nil, "\(bad)")
        }
    }
}
