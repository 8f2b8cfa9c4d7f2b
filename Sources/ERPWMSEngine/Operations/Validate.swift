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
                            result.findings.append(WarehouseRouter.unroutable(order, file: name, location: raw.location))
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
            default:
                guard let layout = document.layout else { break }
                let reader = try Decoding.documentReader(path: path, name: name, channel: ch, layout: layout, limits: limits)
                var lastOK = false
                while let raw = try reader.next() {
                    result.records += max(1, raw.lines.count)
                    let (ok, findings) = layout.check(raw, file: name)
                    result.findings += findings
                    if raw.continued {
                        // A later chunk of the same document (a long snapshot): a bad one rejects the document.
                        if lastOK && !ok {
                            result.accepted -= 1
                            result.rejected += 1
                            lastOK = false
                        }
                        continue
                    }
                    if ok { result.accepted += 1 } else { result.rejected += 1 }
                    lastOK = ok
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

/// `erpwms mapping test`: the canonical records a channel's mapping produces from the first orders of a file,
/// with every finding. Writes nothing.
public struct MappedOrder: Sendable, Codable {
    public var orderId: String
    public var location: SourceLocation
    /// Canonical order fields that have a value, in canonical order (personal ones masked unless asked).
    public var fields: [[String]]
    /// Per line, its canonical fields with a value.
    public var lines: [[[String]]]
    public var accepted: Bool
    public var findings: [Finding]
}

extension Validation {
    public static func mappingTest(path: String, channel: Channel, config: Configuration, orders limit: Int,
                                   showPersonal: Bool) -> (orders: [MappedOrder], fileError: Finding?) {
        let name = FS.name(path)
        var result: [MappedOrder] = []
        do {
            let reader = try Decoding.orderReader(path: path, name: name, channel: channel, limits: config.limits)
            let validator = OrderValidator(settings: config.rules)
            while result.count < limit, let raw = try reader.next() {
                var fields: [[String]] = []
                for f in OrderField.allCases where !raw[f].isEmpty {
                    fields.append([f.rawValue, f.isPersonal && !showPersonal ? "•••" : raw[f]])
                }
                let lines = raw.lines.map { l in
                    LineField.allCases.filter { !l[$0].isEmpty }.map { [$0.rawValue, l[$0]] }
                }
                var accepted = false
                var findings: [Finding] = []
                switch validator.validate(raw, file: name) {
                case .accepted(let order, let warnings):
                    findings = warnings
                    accepted = config.router.route(order) != nil
                    if !accepted {
                        findings.append(WarehouseRouter.unroutable(order, file: name, location: raw.location))
                    }
                case .rejected(let f):
                    findings = f
                }
                result.append(MappedOrder(orderId: raw.orderId, location: raw.location, fields: fields, lines: lines,
                                          accepted: accepted, findings: findings))
            }
            return (result, nil)
        } catch let e as FormatError {
            return (result, e.finding(file: name))
        } catch {
            return (result, Finding(rule: "file.unreadable", message: "\(error)", file: name))
        }
    }
}
