// libFuzzer target: the CSV parser and the order reader on arbitrary bytes. Any crash is a bug; errors
// (FormatError) are the expected outcome for most inputs.
import ERPWMSCore
import ERPWMSFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = InputLimits(maxFieldBytes: 4096, maxRecordBytes: 16384)
    do {
        let reader = try CSVOrderReader(source: MemoryByteSource(bytes), file: "fuzz.csv", limits: limits)
        let validator = OrderValidator()
        while let order = try reader.next() { _ = validator.validate(order, file: "fuzz.csv") }
    } catch {}
    do {
        var parser = CSVParser(source: MemoryByteSource(bytes), dialect: .init(delimiter: UInt8(ascii: ";")), limits: limits)
        while try parser.next() {
            for i in 0..<parser.fieldCount { _ = try? parser.field(i) }
        }
    } catch {}
    return 0
}
