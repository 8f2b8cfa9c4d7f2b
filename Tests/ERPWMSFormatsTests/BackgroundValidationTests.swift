import ERPWMSFormats
import Foundation
import Testing

@Suite("Validation beside writing")
struct BackgroundValidationTests {
    func feed(_ text: String, chunk: Int) throws -> [FormatError] {
        let v = BackgroundSchemaValidation(schema: "wms-shipment-order.xsd")
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let n = min(chunk, bytes.count - i)
            try bytes[i..<(i + n)].withUnsafeBytes { try v.pipe.write($0) }
            i += n
        }
        return try v.finish()
    }

    @Test("a valid document streamed in small pieces passes; an invalid one reports its error")
    func verdicts() throws {
        let valid = "<?xml version=\"1.0\"?>\n<ShipmentOrders warehouse=\"WH1\"></ShipmentOrders>\n"
        #expect(try feed(valid, chunk: 3).isEmpty)
        let invalid = "<?xml version=\"1.0\"?>\n<ShipmentOrders></ShipmentOrders>\n"
        let errors = try feed(invalid, chunk: 7)
        #expect(errors.first?.rule == "xml.schema")
        #expect(throws: FormatError.self) { _ = try feed("<ShipmentOrders warehouse=\"WH1\">", chunk: 5) }
    }

    @Test("a cancelled validation never blocks the writer, however much is written after")
    func cancel() throws {
        let v = BackgroundSchemaValidation(schema: "wms-shipment-order.xsd")
        v.cancel()
        let chunk = [UInt8](repeating: 0x20, count: 1 << 20)
        for _ in 0..<20 { try chunk.withUnsafeBytes { try v.pipe.write($0) } }
        v.cancel()
    }
}
