import ERPWMSCore
import Foundation
import Testing
@testable import ERPWMSEngine

/// `samples/confirmations/` through the runner: every outcome its README promises.
@Suite("Sample confirmations")
struct SampleConfirmationTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/samples"

    @Test("the sample confirmations give the outcomes their README lists")
    func samplesRun() throws {
        let t = try TestWorkspace(config: """
        version: 1
        channels:
          orders: { pickup: { min_age_seconds: 0 } }
          conf: { document: shipment-confirmations, format: xml, pickup: { min_age_seconds: 0 } }
          conf-csv: { document: shipment-confirmations, format: csv, pickup: { min_age_seconds: 0 } }
        routing: { default_warehouse: WH-EU-DE1 }
        """)
        func copy(_ sample: String, _ channel: String) throws {
            let bytes = try #require(FileManager.default.contents(atPath: Self.samples + "/" + sample))
            try t.drop(FS.name(sample), Array(bytes), channel: channel)
        }
        try copy("orders/erp-orders-2025-03-01.csv", "orders")
        #expect(try t.run(at: "2025-03-01T20:00:00Z").ordersAccepted == 11)

        try copy("confirmations/wms-confirmations-2025-03-02.xml", "conf")
        let s1 = try t.run(at: "2025-03-02T12:00:00Z")
        #expect(s1.confirmationsAccepted == 4)
        #expect(s1.unknownReferences == 1)
        #expect(s1.confirmationsRejected == 0)

        try copy("confirmations/wms-confirmations-2025-03-03.csv", "conf-csv")
        let s2 = try t.run(at: "2025-03-03T12:00:00Z")
        #expect(s2.confirmationsAccepted == 3)
        #expect(s2.confirmationsDuplicate == 1)
        #expect(s2.overShipments == 1)

        let ledger = try SQLiteLedger(path: t.workspace.ledgerPath)
        let r = try ReportGenerator(ledger: ledger, options: ReportOptions(
            asOf: ISODate.epochSeconds("2025-03-03T12:00:00Z")!, formats: [.json], outDir: t.workspace.path("reports")))
            .generate()
        var status: [String: ReconStatus] = [:]
        try ledger.forEachReconRecord(asOf: "2025-03-03T12:00:00Z") { rec in
            let o = ReportGenerator(ledger: ledger, options: ReportOptions(asOf: 0, formats: [], outDir: "/tmp"))
                .reconcile(rec, buckets: AgeBuckets(limitsInHours: [24, 48]))
            status[o.orderId] = o.status
        }
        #expect(status["SO100000001"] == .complete)
        #expect(status["SO100000002"] == .complete)
        #expect(status["SO100000003"] == .over)
        #expect(status["SO100000004"] == .short)
        #expect(status["SO100000006"] == .short)
        #expect(status["SO100000005"] == .open)
        #expect(r.totals.unknownReferences == 1)
        #expect(r.totals.shortByReason == ["out_of_stock": 1, "damaged": 1])
        #expect(r.totals.all.short == 2 + 1)
        #expect(r.totals.all.over == 1)
    }
}
