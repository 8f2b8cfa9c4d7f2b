import ERPWMSCore

/// Reads WMS shipment confirmations one at a time from a stream.
public protocol ConfirmationReader: AnyObject {
    /// The next confirmation, or nil at the end. Throws `FormatError` when the file as a whole is unreadable.
    func next() throws -> RawConfirmation?
}

/// Reads `schemas/wms-shipment-confirmation.xsd` documents, one `<ShipmentConfirmation>` at a time.
public final class XMLConfirmationReader: ConfirmationReader {
    public static let schemaName = "wms-shipment-confirmation.xsd"
    private let records: XMLRecordStream
    private let limits: InputLimits

    public init(source: ByteSource, file: String, encoding: TextEncoding = .utf8, limits: InputLimits = .init()) throws {
        records = try XMLRecordStream(source: source, file: file, schema: Self.schemaName, root: "ShipmentConfirmations",
                                      record: "ShipmentConfirmation", encoding: encoding)
        self.limits = limits
    }

    public func next() throws -> RawConfirmation? {
        guard let record = try records.next() else { return nil }
        let e = record.element
        var c = RawConfirmation(location: record.location, shipmentId: e.attributes["shipmentId"] ?? "",
                                orderId: e.attributes["orderId"] ?? "", version: e.attributes["version"] ?? "",
                                codecFindings: record.schemaFindings)
        c.shipDate = try e.child("ShipDate").map { try nodeText($0, limits) } ?? ""
        c.warehouse = try e.child("Warehouse").map { try nodeText($0, limits) } ?? ""
        if let carrier = e.child("Carrier") {
            c.carrier = try nodeText(carrier, limits)
            c.service = carrier.attributes["service"] ?? ""
        }
        for p in e.child("Parcels")?.children ?? [] where p.name == "Parcel" {
            c.parcels.append((tracking: p.attributes["trackingNumber"] ?? "", weight: p.attributes["weightKg"] ?? ""))
        }
        for l in e.child("Lines")?.children ?? [] where l.name == "Line" {
            c.lines.append(RawConfirmedLine(
                location: SourceLocation(line: l.line, record: record.location.record),
                lineNo: l.attributes["lineNo"] ?? "", sku: try l.child("Sku").map { try nodeText($0, limits) } ?? "",
                quantity: try l.child("QuantityShipped").map { try nodeText($0, limits) } ?? "",
                lots: try l.children.filter { $0.name == "Lot" }.map { try nodeText($0, limits) },
                reason: try l.child("Reason").map { try nodeText($0, limits) } ?? ""))
        }
        for i in c.codecFindings.indices { c.codecFindings[i].orderId = c.orderId }
        return c
    }
}

/// Reads confirmation CSV: a header row, one row per confirmed line, shipment fields repeated on each row,
/// columns by name (`ConfirmationField`), contiguous rows with the same `shipment_id` form one confirmation.
/// `tracking_numbers`, `parcel_weights_kg` and `lots` hold several values separated by `|`.
public final class CSVConfirmationReader: ConfirmationReader {
    private var parser: CSVParser
    private var columns: [ConfirmationField: Int] = [:]
    private var headerCount = 0
    private var pending: RawConfirmation?
    private var done = false
    private let file: String

    public init(source: ByteSource, file: String, dialect: CSVParser.Dialect = .init(), limits: InputLimits = .init()) throws {
        parser = CSVParser(source: source, dialect: dialect, limits: limits)
        self.file = file
        guard try parser.next() else {
            throw FormatError(rule: "csv.header.missing", message: "the file is empty: a header row is required")
        }
        headerCount = parser.fieldCount
        for i in 0..<parser.fieldCount {
            let name = Clean.trim(try parser.field(i)).lowercased()
            if let f = ConfirmationField(rawValue: name) {
                if columns[f] != nil {
                    throw FormatError(rule: "csv.header.duplicate", message: "column '\(name)' appears twice in the header",
                                      location: SourceLocation(line: parser.recordLine, record: 1))
                }
                columns[f] = i
            }
        }
        let required: [ConfirmationField] = [.shipmentId, .orderId, .shipDate, .lineNo, .sku, .quantityShipped]
        let missing = required.filter { columns[$0] == nil }.map(\.rawValue)
        if !missing.isEmpty {
            throw FormatError(rule: "csv.header.missing-column",
                              message: "the header lacks required column(s) \(missing.joined(separator: ", "))",
                              location: SourceLocation(line: parser.recordLine, record: 1))
        }
    }

    private func value(_ f: ConfirmationField) throws -> String {
        guard let c = columns[f], c < parser.fieldCount else { return "" }
        return try parser.field(c)
    }

    private static func split(_ s: String) -> [String] {
        s.isEmpty ? [] : s.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }

    public func next() throws -> RawConfirmation? {
        if done && pending == nil { return nil }
        var current = pending
        pending = nil
        while !done {
            guard try parser.next() else {
                done = true
                break
            }
            let location = SourceLocation(line: parser.recordLine, record: parser.recordNumber - 1)
            let shipmentId = try value(.shipmentId)
            let line = RawConfirmedLine(location: location, lineNo: try value(.lineNo), sku: try value(.sku),
                                        quantity: try value(.quantityShipped), lots: Self.split(try value(.lots)),
                                        reason: try value(.reasonCode))
            let finding = parser.columnCountFinding(headerCount: headerCount, file: file, location: location)
            if current != nil, current!.shipmentId == shipmentId {
                current!.lines.append(line)
                if let finding { current!.codecFindings.append(finding) }
                continue
            }
            let tracking = Self.split(try value(.trackingNumbers))
            let weights = Self.split(try value(.parcelWeights))
            var next = RawConfirmation(location: location, shipmentId: shipmentId, orderId: try value(.orderId),
                                       version: try value(.version), shipDate: try value(.shipDate),
                                       warehouse: try value(.warehouse), carrier: try value(.carrier),
                                       service: try value(.service), lines: [line])
            for i in 0..<max(tracking.count, weights.count) {
                next.parcels.append((tracking: i < tracking.count ? tracking[i] : "", weight: i < weights.count ? weights[i] : ""))
            }
            if let finding { next.codecFindings.append(finding) }
            if current != nil {
                pending = next
                break
            }
            current = next
        }
        return current
    }
}
