import ERPWMSCore
import ERPWMSFormats

/// `erpwms validate`: checks a file as a channel would read it, and touches no folder and no ledger.
public struct FileValidation: Sendable, Codable {
    public var file: String
    public var document: String
    public var format: String
    public var encoding: String
    public var records: Int
    public var accepted: Int
    public var rejected: Int
    /// Documents whose id appeared earlier in the same file (a run sends them once, or as a replacement).
    public var repeated: Int = 0
    /// Set when the file as a whole cannot be read.
    public var fileError: Finding?
    /// Every finding (error or warning) of every document, in file order.
    public var findings: [Finding]

    public var isClean: Bool { fileError == nil && rejected == 0 }
}

public enum Validation {
    /// Validates `path` as `document`, read with `channel`'s format, encoding and limits (or, without a channel,
    /// CSV or XML by file extension in UTF-8 with default limits). Routing and SKU aliases come from `config`.
    public static func validate(path: String, document: DocumentType, channel: Channel?, config: Configuration?) -> FileValidation {
        let name = FS.name(path)
        let lower = name.lowercased()
        let isXML = lower.hasSuffix(".xml") || lower.hasSuffix(".xml.gz")
        let ch = channel ?? Channel(name: "validate", document: document, inbox: "", format: isXML ? .xml : .csv,
                                    encoding: .utf8, delimiter: UInt8(ascii: ","), pickup: PickupRule(), errorPolicy: .rejectOrder)
        let limits = config?.limits ?? InputLimits()
        var result = FileValidation(file: name, document: document.rawValue, format: ch.format.rawValue,
                                    encoding: ch.encoding.rawValue, records: 0, accepted: 0, rejected: 0, fileError: nil, findings: [])
        do {
            switch document {
            case .orders:
                let validator = OrderValidator(settings: config?.rules ?? OrderRuleSettings())
                let reader = try Decoding.orderReader(path: path, name: name, channel: ch, limits: limits)
                var seen = Set<String>()
                while let raw = try reader.next() {
                    result.records += raw.lines.count
                    if !seen.insert(raw.orderId).inserted {
                        result.repeated += 1
                        continue
                    }
                    switch validator.validate(raw, file: name) {
                    case .accepted(let order, let warnings):
                        result.findings += warnings
                        if let config, config.router.route(order) == nil {
                            result.rejected += 1
                            result.findings.append(Finding(rule: OrderRule.warehouseUnroutable,
                                                           message: "no warehouse given and no routing rule or default matches",
                                                           file: name, location: raw.location, orderId: order.id, field: "warehouse"))
                        } else {
                            result.accepted += 1
                        }
                    case .rejected(let findings):
                        result.rejected += 1
                        result.findings += findings
                    }
                }
            case .shipmentConfirmations:
                let validator = ConfirmationValidator()
                let reader = try Decoding.confirmationReader(path: path, name: name, channel: ch, limits: limits)
                while let raw = try reader.next() {
                    result.records += raw.lines.count
                    switch validator.validate(raw, file: name) {
                    case .accepted: result.accepted += 1
                    case .rejected(let findings):
                        result.rejected += 1
                        result.findings += findings
                    }
                }
            }
        } catch let e as FormatError {
            result.fileError = e.finding(file: name)
        } catch {
            result.fileError = Finding(rule: "file.unreadable", message: "\(error)", file: name)
        }
        return result
    }
}
