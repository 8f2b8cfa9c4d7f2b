// libFuzzer target: the hardened XML order reader (libxml2 with the schema, per-order validation).
import ERPWMSCore
import ERPWMSFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let reader = try XMLOrderReader(source: MemoryByteSource(bytes), file: "fuzz.xml", limits: InputLimits(maxFieldBytes: 4096))
        let validator = OrderValidator()
        while let order = try reader.next() { _ = validator.validate(order, file: "fuzz.xml") }
    } catch {}
    _ = try? XMLSchemaValidator.validate(MemoryByteSource(bytes), schema: "wms-shipment-order.xsd")
    return 0
}
