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

    @Test("the pipe holds at most its capacity: the writer waits for the reader, and every byte arrives in order")
    func pipeBounded() throws {
        let pipe = PipeByteSource(capacity: 100)
        final class Count: @unchecked Sendable {
            private let lock = NSLock()
            private var n = 0
            func add() { lock.withLock { n += 1 } }
            var value: Int { lock.withLock { n } }
        }
        let written = Count()
        let bytes = (0..<640).map { UInt8($0 % 251) }
        let writer = Thread {
            for i in stride(from: 0, to: bytes.count, by: 64) {
                try? bytes[i..<min(i + 64, bytes.count)].withUnsafeBytes { try pipe.write($0) }
                written.add()
            }
            pipe.close()
        }
        writer.start()
        // With nothing read, a write goes in only while fewer than 100 bytes wait: two of 64, then the writer waits.
        Thread.sleep(forTimeInterval: 0.2)
        #expect(written.value <= 2)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 48)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try pipe.read(into: $0) }
            if n == 0 { break }
            received += buffer[0..<n]
        }
        #expect(received == bytes)
        #expect(written.value == 10)
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
