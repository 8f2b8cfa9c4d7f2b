// libFuzzer target: the shipment-confirmation parsers (XML and CSV) and their validator.
import ERPWMSCore
import ERPWMSFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let validator = ConfirmationValidator()
    if let r = try? XMLConfirmationReader(source: MemoryByteSource(bytes), file: "fuzz.xml") {
        while let c = try? r.next() { _ = validator.validate(c, file: "fuzz.xml") }
    }
    if let r = try? CSVConfirmationReader(source: MemoryByteSource(bytes), file: "fuzz.csv",
                                          limits: InputLimits(maxFieldBytes: 4096, maxRecordBytes: 16384)) {
        while let c = try? r.next() { _ = validator.validate(c, file: "fuzz.csv") }
    }
    return 0
}
