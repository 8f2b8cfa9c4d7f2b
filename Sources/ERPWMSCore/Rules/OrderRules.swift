/// Settings that change how orders are validated and cleaned (from the channel configuration).
public struct OrderRuleSettings: Sendable {
    /// ERP SKU -> WMS item code.
    public var skuAliases: [String: String]
    /// Longest accepted free-text field (characters). The WMS schema allows 200.
    public var maxTextLength: Int
    /// Longest accepted line description (characters). The WMS schema allows 500.
    public var maxDescriptionLength: Int

    public init(skuAliases: [String: String] = [:], maxTextLength: Int = 200, maxDescriptionLength: Int = 500) {
        self.skuAliases = skuAliases
        self.maxTextLength = maxTextLength
        self.maxDescriptionLength = maxDescriptionLength
    }
}

/// The stable ids of every order rule. Users see and filter on these; never rename one.
public enum OrderRule {
    public static let orderIdRequired = "order.order-id.required"
    /// A line's SKU is not in the item master (the channel's `unknown_sku` makes it a warning or an error).
    public static let unknownSKU = "order.sku.unknown"
    public static let orderIdFormat = "order.order-id.format"
    public static let orderDateRequired = "order.order-date.required"
    public static let orderDateFormat = "order.order-date.iso8601"
    public static let fieldRequired = "order.field.required"
    public static let fieldTooLong = "order.field.too-long"
    public static let fieldsInconsistent = "order.fields.consistent"
    public static let controlCharacters = "order.field.control-characters"
    public static let countryISO = "order.country.iso3166"
    public static let currencyISO = "order.currency.iso4217"
    public static let paymentMethod = "order.payment-method.known"
    public static let codAmountDecimal = "order.cod-amount.decimal"
    public static let codAmountRequired = "order.cod-amount.required-for-cod"
    public static let codAmountWithoutCOD = "order.cod-amount.only-for-cod"
    public static let codeFormat = "order.code.format"
    public static let priority = "order.priority.known"
    public static let incoterm = "order.customs.incoterm"
    public static let lineNoPositive = "order.line-no.positive"
    public static let lineNoUnique = "order.line-no.unique"
    public static let skuRequired = "order.sku.required"
    public static let skuFormat = "order.sku.format"
    public static let quantityPositive = "order.quantity.positive"
    public static let unitPriceDecimal = "order.unit-price.decimal"
    public static let unitPricePrecision = "order.unit-price.precision"
    public static let taxRateDecimal = "order.tax-rate.decimal"
    public static let hsCode = "order.customs.hs-code"
    public static let originCountry = "order.customs.origin-country"
    public static let tooManyLines = "order.lines.max"
    /// Set by the engine, listed here so that every id lives in one place.
    public static let warehouseUnroutable = "order.warehouse.unroutable"
    public static let changedAfterConfirmation = "order.version.confirmed"
    public static let warehouseChanged = "order.warehouse.changed"

    /// Every rule id with a one-line description, for documentation and `config check`.
    public static let catalogue: [(id: String, text: String)] = [
        (orderIdRequired, "every row/order has an order_id"),
        (orderIdFormat, "order_id is 1-40 of A-Z a-z 0-9 _ . -"),
        (orderDateRequired, "order_date is present"),
        (orderDateFormat, "order_date is ISO 8601 date-time with offset (2025-03-01T10:00:00+01:00)"),
        (fieldRequired, "ship_name, ship_address1, ship_city, ship_postcode, ship_country, currency, carrier_service, payment_method, sku, quantity, unit_price are present"),
        (fieldTooLong, "text fields at most 200 characters (description 500)"),
        (controlCharacters, "text fields contain no control characters other than tab and line breaks"),
        (fieldsInconsistent, "order-level columns have the same value on every row of the order"),
        (countryISO, "ship_country is an ISO 3166-1 alpha-2 code"),
        (currencyISO, "currency is an ISO 4217 code"),
        (paymentMethod, "payment_method is card, paypal, klarna, ideal, cod, alipay, wechatpay or bank_transfer"),
        (codAmountDecimal, "cod_amount is a decimal with at most the currency's minor units"),
        (codAmountRequired, "payment_method cod carries a cod_amount"),
        (codAmountWithoutCOD, "cod_amount is only given with payment_method cod"),
        (codeFormat, "store, customer_id, carrier_service, warehouse, uom are 1-40 of A-Z a-z 0-9 _ . -"),
        (priority, "priority is empty, low, normal, high or express"),
        (incoterm, "incoterm is an Incoterms 2020 code (EXW FCA CPT CIP DAP DPU DDP FAS FOB CFR CIF)"),
        (lineNoPositive, "line_no is a positive integer"),
        (lineNoUnique, "line_no is unique within the order"),
        (skuRequired, "every line has a sku"),
        (skuFormat, "sku is 1-40 of A-Z a-z 0-9 _ . -"),
        (quantityPositive, "quantity is a positive integer"),
        (unitPriceDecimal, "unit_price is a non-negative decimal with '.' as decimal point"),
        (unitPricePrecision, "unit_price has at most the currency's minor units"),
        (taxRateDecimal, "tax_rate is a decimal between 0 and 1"),
        (hsCode, "hs_code is 6 to 10 digits"),
        (originCountry, "origin_country is an ISO 3166-1 alpha-2 code"),
        (tooManyLines, "an order has at most 999 lines"),
        (warehouseUnroutable, "no warehouse given and no routing rule or default matches"),
        (changedAfterConfirmation, "an order the WMS already confirmed cannot be changed"),
        (warehouseChanged, "a replacement goes to the warehouse that has the order; it cannot move it to another"),
    ]
}
