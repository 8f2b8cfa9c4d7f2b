/// Stable rule ids for confirmations.
public enum ConfirmationRule {
    public static let shipmentIdRequired = "confirmation.shipment-id.required"
    public static let orderIdRequired = "confirmation.order-id.required"
    public static let codeFormat = "confirmation.code.format"
    public static let versionPositive = "confirmation.version.positive"
    public static let shipDate = "confirmation.ship-date.iso8601"
    public static let linesRequired = "confirmation.lines.required"
    public static let lineNoPositive = "confirmation.line-no.positive"
    public static let lineNoUnique = "confirmation.line-no.unique"
    public static let skuRequired = "confirmation.sku.required"
    public static let quantity = "confirmation.quantity.non-negative"
    public static let reason = "confirmation.reason.known"
    public static let weight = "confirmation.parcel-weight.decimal"
    /// Set by the engine (findings that do not reject the confirmation).
    public static let unknownReference = "confirmation.unknown-reference"
    public static let overShipment = "confirmation.over-shipment"
    public static let skuMismatch = "confirmation.sku.mismatch"
    public static let unknownLine = "confirmation.line.unknown"
    public static let duplicate = "confirmation.duplicate"
    public static let conflictingDuplicate = "confirmation.shipment-id.reused"

    public static let catalogue: [(id: String, text: String)] = [
        (shipmentIdRequired, "every confirmation has a shipment_id"),
        (orderIdRequired, "every confirmation names its order_id"),
        (codeFormat, "shipment_id, order_id, warehouse, carrier, service and sku are 1-40 of A-Z a-z 0-9 _ . -"),
        (versionPositive, "version, when given, is a positive integer"),
        (shipDate, "ship_date is an ISO 8601 date-time with offset"),
        (linesRequired, "a confirmation has at least one line"),
        (lineNoPositive, "line_no is a positive integer"),
        (lineNoUnique, "line_no appears once per confirmation"),
        (skuRequired, "every confirmed line has a sku"),
        (quantity, "quantity_shipped is a non-negative integer"),
        (reason, "reason_code is empty, out_of_stock, damaged, cancelled or other"),
        (weight, "parcel weights are decimals in kilograms"),
        (unknownReference, "warning: the confirmation names an order erpwms never sent (shown in the report)"),
        (overShipment, "warning: more shipped than ordered on a line (shown in the report)"),
        (skuMismatch, "warning: the confirmed sku differs from the instructed one"),
        (unknownLine, "warning: the confirmation names a line the order does not have"),
        (duplicate, "the same shipment was confirmed before; nothing changes"),
        (conflictingDuplicate, "warning: a shipment_id seen before came again with different content; the first one counts"),
    ]
}

/// Checks and cleans a `RawConfirmation`.
public struct ConfirmationValidator: Sendable {
    public init() {}

    public enum Outcome: Sendable {
        case accepted(ShipmentConfirmation)
        case rejected([Finding])
    }

    public func validate(_ raw: RawConfirmation, file: String) -> Outcome {
        var findings = raw.codecFindings
        let orderId = Clean.code(raw.orderId)
        func add(_ rule: String, _ field: ConfirmationField?, _ message: String, at: SourceLocation? = nil) {
            findings.append(Finding(rule: rule, message: message, file: file, location: at ?? raw.location,
                                    orderId: orderId.isEmpty ? nil : orderId, field: field?.rawValue))
        }
        func code(_ value: String, _ field: ConfirmationField, required: String?) -> String {
            let v = Clean.code(value)
            if v.isEmpty {
                if let required { add(required, field, "\(field.rawValue) is required") }
            } else if !OrderValidator.isCode(v) {
                add(ConfirmationRule.codeFormat, field, "'\(v)' must be 1-40 of A-Z a-z 0-9 _ . -")
            }
            return v
        }
        let shipmentId = code(raw.shipmentId, .shipmentId, required: ConfirmationRule.shipmentIdRequired)
        _ = code(raw.orderId, .orderId, required: ConfirmationRule.orderIdRequired)
        let warehouse = code(raw.warehouse, .warehouse, required: nil)
        let carrier = code(raw.carrier, .carrier, required: nil)
        let service = code(raw.service, .service, required: nil)
        var version: Int?
        let versionText = Clean.code(raw.version)
        if !versionText.isEmpty {
            if let v = Int(versionText), v > 0 { version = v } else {
                add(ConfirmationRule.versionPositive, .version, "'\(versionText)' is not a positive integer")
            }
        }
        let shipDate = Clean.code(raw.shipDate)
        if !OrderValidator.isISODateTimeWithOffset(shipDate) {
            add(ConfirmationRule.shipDate, .shipDate, "'\(shipDate)' is not an ISO 8601 date-time with offset")
        }
        var parcels: [Parcel] = []
        for p in raw.parcels {
            let tracking = Clean.code(p.tracking)
            let weightText = Clean.code(p.weight)
            var weight: FixedDecimal?
            if !weightText.isEmpty {
                weight = FixedDecimal(parsing: weightText)
                if weight == nil { add(ConfirmationRule.weight, .parcelWeights, "'\(weightText)' is not a decimal") }
            }
            if tracking.isEmpty && weight == nil { continue }
            parcels.append(Parcel(trackingNumber: tracking, weightKg: weight))
        }
        if raw.lines.isEmpty { add(ConfirmationRule.linesRequired, nil, "no lines") }
        var lines: [ConfirmedLine] = []
        var seen = Set<Int>()
        for l in raw.lines {
            let lineNoText = Clean.code(l.lineNo)
            guard let lineNo = Int(lineNoText), lineNo > 0 else {
                add(ConfirmationRule.lineNoPositive, .lineNo, "'\(lineNoText)' is not a positive integer", at: l.location)
                continue
            }
            if !seen.insert(lineNo).inserted {
                add(ConfirmationRule.lineNoUnique, .lineNo, "line_no \(lineNo) appears twice", at: l.location)
            }
            let sku = Clean.code(l.sku)
            if sku.isEmpty { add(ConfirmationRule.skuRequired, .sku, "sku is required", at: l.location) }
            let qText = Clean.code(l.quantity)
            var quantity = 0
            if qText == "0" {
                quantity = 0
            } else if let q = OrderValidator.positiveInt(qText) {
                quantity = q
            } else {
                add(ConfirmationRule.quantity, .quantityShipped, "'\(qText)' is not a non-negative integer", at: l.location)
            }
            let reasonText = Clean.code(l.reason).lowercased()
            var reason: ShortReason?
            if !reasonText.isEmpty {
                reason = ShortReason(rawValue: reasonText)
                if reason == nil {
                    add(ConfirmationRule.reason, .reasonCode,
                        "'\(reasonText)' is not one of \(ShortReason.allCases.map(\.rawValue).joined(separator: ", "))", at: l.location)
                }
            }
            lines.append(ConfirmedLine(lineNo: lineNo, sku: sku, quantity: quantity,
                                       lots: l.lots.map(Clean.code).filter { !$0.isEmpty }, reason: reason))
        }
        if findings.contains(where: { $0.severity == .error }) { return .rejected(findings) }
        return .accepted(ShipmentConfirmation(shipmentId: shipmentId, orderId: orderId, version: version, shipDate: shipDate,
                                              warehouse: warehouse, carrier: carrier, service: service,
                                              parcels: parcels, lines: lines.sorted { $0.lineNo < $1.lineNo }))
    }
}
