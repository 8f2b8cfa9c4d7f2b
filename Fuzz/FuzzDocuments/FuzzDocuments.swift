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
    func check(_ d: RawDocument, _ file: String) {
        switch layout.name {
        case "item": _ = Item.validate(d, file: file)
        case "purchase-order": _ = PurchaseOrder.validate(d, file: file)
        case "rma": _ = ReturnAuthorisation.validate(d, file: file)
        case "cancellation": _ = Cancellation.validate(d, file: file)
        case "stock-snapshot": _ = StockSnapshot.validate(d, side: .erp, file: file)
        case "receipt": _ = ReceiptConfirmation.validate(d, file: file)
        case "return-receipt": _ = ReturnReceipt.validate(d, file: file)
        case "cancellation-result": _ = CancellationResult.validate(d, file: file)
        default: _ = StockSnapshot.validate(d, side: .wms, file: file)
        }
    }
    if let r = try? XMLDocumentReader(source: MemoryByteSource(bytes), file: "fuzz.xml", layout: layout, limits: limits) {
        while let d = try? r.next() { check(d, "fuzz.xml") }
    }
    if let r = try? CSVDocumentReader(source: MemoryByteSource(bytes), file: "fuzz.csv", layout: layout, limits: limits) {
        while let d = try? r.next() { check(d, "fuzz.csv") }
    }
    return 0
}
