// libFuzzer target: the generic document readers (CSV and XML, chunked and whole) and every document
// validator, over one input read as each layout the integrator reads.
import ERPWMSCore
import ERPWMSFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = InputLimits(maxFieldBytes: 4096, maxRecordBytes: 16384)
    let layouts: [DocumentLayout] = [.items, .purchaseOrders, .returnAuthorisations, .cancellations, .stockSnapshots,
                                     .receiptConfirmations, .returnReceipts, .cancellationResults, .inventorySnapshots]
    // One layout per input (chosen by its first byte), so that each run stays short.
    let layout = layouts[Int(bytes.first ?? 0) % layouts.count]
    if let r = try? XMLDocumentReader(source: MemoryByteSource(bytes), file: "fuzz.xml", layout: layout, limits: limits) {
        while let d = try? r.next() { _ = layout.check(d, file: "fuzz.xml") }
    }
    if let r = try? CSVDocumentReader(source: MemoryByteSource(bytes), file: "fuzz.csv", layout: layout, limits: limits) {
        while let d = try? r.next() { _ = layout.check(d, file: "fuzz.csv") }
    }
    return 0
}
