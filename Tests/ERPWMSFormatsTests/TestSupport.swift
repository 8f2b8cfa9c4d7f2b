import Foundation
import Testing
import ERPWMSCore
import ERPWMSFormats

/// Shared helpers for the codec tests.
enum Fixtures {
    /// The package root, found from this file's path (`Tests/ERPWMSFormatsTests/TestSupport.swift`).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func sample(_ name: String) -> URL {
        packageRoot.appendingPathComponent("samples/orders").appendingPathComponent(name)
    }

    static func schema(_ name: String) -> URL {
        packageRoot.appendingPathComponent("schemas").appendingPathComponent(name)
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    /// All columns of the canonical CSV, in canonical order.
    static let allColumns: [String] = OrderField.allCases.map(\.rawValue) + LineField.allCases.map(\.rawValue)

    /// A valid row (as column name -> value) of order `id`, line `n`.
    static func row(_ id: String, line n: Int) -> [String: String] {
        [
            "order_id": id, "order_date": "2025-03-01T10:00:00+01:00", "store": "shop-de", "customer_id": "C0001",
            "ship_name": "Anna Muster", "ship_company": "Muster & Co, \"GmbH\"", "ship_address1": "Hauptstraße 1",
            "ship_address2": "", "ship_address3": "", "ship_city": "Berlin", "ship_region": "",
            "ship_postcode": "10115", "ship_country": "DE", "ship_phone": "+49 30 1234567",
            "ship_email": "anna@example.com", "currency": "EUR", "payment_method": "card", "cod_amount": "",
            "carrier_service": "DHL_PAKET", "warehouse": "WH-EU-DE1", "priority": "normal", "gift_note": "",
            "incoterm": "", "ioss_number": "", "eori_number": "",
            "line_no": String(n), "sku": "SKU-\(n)", "description": "Item \(n)", "quantity": "1", "uom": "EA",
            "unit_price": "9.99", "tax_rate": "0.19", "hs_code": "", "origin_country": "",
        ]
    }

    /// One CSV line (no line end), quoting as RFC 4180 wants. Written here rather than with `CSVWriter`
    /// so that the reader tests do not depend on the writer.
    static func csvLine(_ fields: [String], delimiter: Character = ",") -> String {
        fields.map { f in
            if f.contains(delimiter) || f.contains("\"") || f.contains("\n") || f.contains("\r") {
                return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return f
        }.joined(separator: String(delimiter))
    }

    /// A CSV document with `header` and `rows` (values looked up by column name), LF line ends.
    static func csv(header: [String] = allColumns, rows: [[String: String]], delimiter: Character = ",") -> String {
        var out = csvLine(header, delimiter: delimiter) + "\n"
        for r in rows {
            out += csvLine(header.map { r[Clean.trim($0).lowercased()] ?? "" }, delimiter: delimiter) + "\n"
        }
        return out
    }
}

/// Hands out at most `chunk` bytes per read, as a pipe or a slow decompressor may.
final class TrickleByteSource: ByteSource {
    private let bytes: [UInt8]
    private let chunk: Int
    private var offset = 0

    init(_ bytes: [UInt8], chunk: Int) {
        self.bytes = bytes
        self.chunk = chunk
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(chunk, buffer.count, bytes.count - offset)
        for i in 0..<n { buffer[i] = bytes[offset + i] }
        offset += n
        return n
    }
}

/// Everything a source yields, read with a buffer of `bufferSize` bytes.
func readAll(_ source: ByteSource, bufferSize: Int = 4096) throws -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: bufferSize)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        if n == 0 { return out }
        out.append(contentsOf: buffer[0..<n])
    }
}

/// The `FormatError` `body` throws, or nil when it does not throw. Any other error is recorded as an issue.
func formatError(sourceLocation: Testing.SourceLocation = #_sourceLocation,
                 _ body: () throws -> Void) -> FormatError? {
    do {
        try body()
    } catch let e as FormatError {
        return e
    } catch {
        Issue.record("expected a FormatError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// All orders a reader yields.
func readOrders(_ reader: OrderReader) throws -> [RawOrder] {
    var orders: [RawOrder] = []
    while let o = try reader.next() { orders.append(o) }
    return orders
}

/// A fresh directory under the system temp directory, removed after `body`.
func withTempDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("erpwms-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
}

/// Runs `/bin/sh -c script` in `dir`; fails the test when it exits non-zero.
func shell(_ script: String, in dir: URL) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", script]
    p.currentDirectoryURL = dir
    try p.run()
    p.waitUntilExit()
    try #require(p.terminationStatus == 0, "shell failed: \(script)")
}

/// `bytes` compressed by `/bin/gzip` (one member, no name or time stamp).
func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    try withTempDirectory { dir in
        try Data(bytes).write(to: dir.appendingPathComponent("in"))
        try shell("/bin/gzip -c -n in > out.gz", in: dir)
        return try Fixtures.bytes(dir.appendingPathComponent("out.gz"))
    }
}

/// Validates and cleans a raw order that must be valid.
func accepted(_ raw: RawOrder, settings: OrderRuleSettings = .init(),
              sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Order {
    switch OrderValidator(settings: settings).validate(raw, file: "test") {
    case .accepted(let o, _):
        return o
    case .rejected(let f):
        Issue.record("order rejected: \(f.map(\.summary))", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}

/// The findings that reject the order `makeOrder(overrides)` would build; records an issue if it is accepted.
func rejectedFindings(_ overrides: [OrderField: String]) throws -> [Finding] {
    switch OrderValidator().validate(makeRawOrder(overrides), file: "test") {
    case .accepted:
        Issue.record("order accepted, expected a rejection")
        return []
    case .rejected(let f):
        return f
    }
}

/// A valid order with `overrides` applied, built as the XML codec would (order values once).
func makeOrder(_ overrides: [OrderField: String] = [:], lines: [[LineField: String]]? = nil,
               settings: OrderRuleSettings = .init()) throws -> Order {
    try accepted(makeRawOrder(overrides, lines: lines), settings: settings)
}

/// The raw form of `makeOrder`'s order.
func makeRawOrder(_ overrides: [OrderField: String] = [:], lines: [[LineField: String]]? = nil) -> RawOrder {
    let row = Fixtures.row(overrides[.orderId] ?? "SO1", line: 1)
    var values = OrderField.allCases.map { row[$0.rawValue] ?? "" }
    for (f, v) in overrides { values[f.index] = v }
    let lineDicts = lines ?? [[:], [.lineNo: "2", .sku: "SKU-2"]]
    var rawLines: [RawLine] = []
    for (i, l) in lineDicts.enumerated() {
        let base = Fixtures.row("x", line: i + 1)
        var lv = LineField.allCases.map { base[$0.rawValue] ?? "" }
        for (f, v) in l { lv[f.index] = v }
        rawLines.append(RawLine(location: ERPWMSCore.SourceLocation(line: i + 2, record: 1), values: lv))
    }
    return RawOrder(location: ERPWMSCore.SourceLocation(line: 1, record: 1), orderValues: values, lines: rawLines)
}

/// The WMS shipment-order document `ShipmentOrderWriter` writes for `orders` (version 1, new).
func shipmentXML(_ orders: [Order], warehouse: String = "WH-EU-DE1", source: String = "0123456789abcdef",
                 includeEmail: Bool = false, includePhone: Bool = true) throws -> [UInt8] {
    let sink = MemoryByteSink()
    let writer = ShipmentOrderWriter(sink: sink, warehouse: warehouse, source: source, includeEmail: includeEmail,
                                     includePhone: includePhone)
    for o in orders { try writer.write(o, version: 1, action: .new) }
    try writer.finish()
    #expect(writer.ordersWritten == orders.count)
    #expect(writer.linesWritten == orders.reduce(0) { $0 + $1.lines.count })
    return sink.bytes
}

/// Schema errors of a WMS shipment-order document (empty when valid).
func wmsSchemaErrors(_ bytes: [UInt8]) throws -> [FormatError] {
    try XMLSchemaValidator.validate(MemoryByteSource(bytes), schema: ShipmentOrderWriter.schemaName)
}

/// The accepted orders of a sample file, first copy of each id, in file order.
func acceptedSampleOrders(_ name: String, encoding: TextEncoding = .utf8) throws -> [Order] {
    let url = Fixtures.sample(name)
    var source: ByteSource = try FileByteSource(path: url.path)
    if encoding != .utf8 { source = try TranscodingByteSource(source, from: encoding) }
    let reader: OrderReader = name.hasSuffix(".xml")
        ? try XMLOrderReader(source: source, file: name)
        : try CSVOrderReader(source: source, file: name)
    var seen = Set<String>()
    var out: [Order] = []
    for raw in try readOrders(reader) {
        if case .accepted(let o, _) = OrderValidator().validate(raw, file: name), seen.insert(o.id).inserted {
            out.append(o)
        }
    }
    return out
}
