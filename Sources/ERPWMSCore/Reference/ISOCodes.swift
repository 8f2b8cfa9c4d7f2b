// Generated from ISO 3166-1 (iso-codes 4.15.0, 249 officially assigned codes) and the ISO 4217
// list one published 2026-01-01 (as bundled in PyPI iso4217 1.16.20260101).

/// ISO 3166-1 alpha-2 country codes (officially assigned).
///
/// All 249 officially assigned codes; user-assigned (`XA`..`XZ`, `AA`, `QM`..`QZ`, `ZZ`), exceptionally
/// reserved (`UK`, `EU`, ...) and transitionally reserved codes are deliberately absent, so `UK` is rejected.
public enum ISO3166 {
    /// The officially assigned alpha-2 codes, upper case.
    public static let alpha2: Set<String> = [
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
        "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
        "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
        "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
        "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
        "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
        "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
        "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
        "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
        "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
        "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
        "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
        "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
        "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
        "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
        "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
    ]
}

/// ISO 4217 active currency codes with their minor units (decimal places).
///
/// Covers every current code that has a numeric minor unit, including the fund/index codes with one
/// (e.g. `CLF` 4, `UYW` 4, `UYI` 0, `BOV`, `CHE`, `CHW`, `COU`, `MXV`, `USN`). Codes without minor units are
/// skipped: precious metals (`XAU`, `XAG`, `XPD`, `XPT`), `XDR`, `XUA`, `XSU`, the bond-market units
/// (`XBA`..`XBD`), `XTS`, `XXX`, and the Arab Monetary Fund's unit of account `XAD`.
public enum ISO4217 {
    /// Currency code to number of decimal places of its minor unit.
    public static let minorUnits: [String: Int] = [
        "AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2,
        "AZN": 2, "BAM": 2, "BBD": 2, "BDT": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2,
        "BOB": 2, "BOV": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2,
        "CAD": 2, "CDF": 2, "CHE": 2, "CHF": 2, "CHW": 2, "CLF": 4, "CLP": 0, "CNY": 2,
        "COP": 2, "COU": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2, "DJF": 0, "DKK": 2,
        "DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2, "FJD": 2, "FKP": 2,
        "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2, "GNF": 0, "GTQ": 2, "GYD": 2,
        "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "IQD": 3,
        "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0, "KES": 2, "KGS": 2, "KHR": 2,
        "KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2, "LAK": 2, "LBP": 2,
        "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3, "MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2,
        "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2, "MVR": 2, "MWK": 2, "MXN": 2,
        "MXV": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2, "NPR": 2,
        "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2,
        "PYG": 0, "QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0, "SAR": 2, "SBD": 2,
        "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2, "SOS": 2, "SRD": 2,
        "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2, "TJS": 2, "TMT": 2,
        "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2, "UAH": 2, "UGX": 0,
        "USD": 2, "USN": 2, "UYI": 0, "UYU": 2, "UYW": 4, "UZS": 2, "VED": 2, "VES": 2,
        "VND": 0, "VUV": 0, "WST": 2, "XAF": 0, "XCD": 2, "XCG": 2, "XOF": 0, "XPF": 0,
        "YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
    ]
}

// Look-ups for the per-order path: a table indexed by the letters instead of hashing a String (about 300
// instructions a look-up; these run for the country and currency of every order and a line's origin country).

extension ISO3166 {
    /// `alpha2.contains(code)` for a code as cleaning leaves it (NFC, ASCII): Swift's String equality would also
    /// let the set match canonically equivalent text (a Kelvin sign for K), which the table does not.
    public static func isAlpha2(_ code: String) -> Bool {
        code.withUTF8Bytes(isAlpha2)
    }

    /// `isAlpha2` of a code's UTF-8 bytes.
    public static func isAlpha2(_ code: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let i = letterIndex(code, count: 2) else { return false }
        return alpha2Table[i]
    }

    private static let alpha2Table: [Bool] = {
        var table = [Bool](repeating: false, count: 26 * 26)
        for code in alpha2 { table[letterIndex(code, count: 2)!] = true }
        return table
    }()
}

extension ISO4217 {
    /// `minorUnits[code]` for a code as cleaning leaves it (see `ISO3166.isAlpha2`).
    public static func scale(of code: String) -> Int? {
        code.withUTF8Bytes { scale(of: $0) }
    }

    /// `scale(of:)` of a code's UTF-8 bytes.
    public static func scale(of code: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let i = letterIndex(code, count: 3) else { return nil }
        let s = scaleTable[i]
        return s < 0 ? nil : Int(s)
    }

    private static let scaleTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 26 * 26 * 26)
        for (code, scale) in minorUnits { table[letterIndex(code, count: 3)!] = Int8(scale) }
        return table
    }()
}

/// The index of a code of `count` upper-case ASCII letters among all such codes, or nil for anything else.
fileprivate func letterIndex(_ code: String, count: Int) -> Int? {
    code.withUTF8Bytes { letterIndex($0, count: count) }
}

fileprivate func letterIndex(_ u: UnsafeBufferPointer<UInt8>, count: Int) -> Int? {
    guard u.count == count else { return nil }
    var i = 0
    for b in u {
        guard b >= 0x41 && b <= 0x5A else { return nil }
        i = i * 26 + Int(b - 0x41)
    }
    return i
}
