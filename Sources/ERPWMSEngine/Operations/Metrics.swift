import ERPWMSCore
import Foundation

/// The Prometheus textfile-collector file written after every run (node_exporter's
/// `--collector.textfile.directory` picks it up): last run's figures as gauges, ledger totals as counters.
enum Metrics {
    static func render(_ s: RunSummary, finishedAt: Date, totals: MetricTotals) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for s in samples { out += "\(name)\(s.labels.isEmpty ? "" : "{\(s.labels)}") \(s.value)\n" }
        }
        let ts = String(Int64(finishedAt.timeIntervalSince1970))
        metric("erpwms_runs_total", "counter", "Completed erpwms runs recorded in the ledger.", [("", String(totals.runs))])
        metric("erpwms_last_run_timestamp_seconds", "gauge", "When the last run finished.", [("", ts)])
        metric("erpwms_last_success_timestamp_seconds", "gauge",
               "When the last run that needed no attention (exit code 0) finished.",
               totals.lastSuccess.flatMap(ISODate.epochSeconds).map { [("", String($0))] } ?? [])
        metric("erpwms_last_run_duration_seconds", "gauge", "Wall time of the last run.",
               [("", String(format: "%.3f", Double(s.durationMilliseconds) / 1000))])
        metric("erpwms_last_run_needs_attention", "gauge", "1 when the last run rejected or quarantined something.",
               [("", s.needsAttention ? "1" : "0")])
        metric("erpwms_last_run_files", "gauge", "Input files of the last run by outcome.", [
            ("outcome=\"archived\"", String(s.filesArchived)), ("outcome=\"failed\"", String(s.filesFailed)),
            ("outcome=\"duplicate\"", String(s.filesDuplicate)), ("outcome=\"recovered\"", String(s.filesRecovered)),
        ])
        metric("erpwms_last_run_orders", "gauge", "Orders of the last run by result.", [
            ("result=\"accepted\"", String(s.ordersAccepted)), ("result=\"rejected\"", String(s.ordersRejected)),
            ("result=\"duplicate\"", String(s.ordersDuplicate)), ("result=\"replaced\"", String(s.ordersReplaced)),
        ])
        metric("erpwms_last_run_confirmations", "gauge", "Shipment confirmations of the last run by result.", [
            ("result=\"accepted\"", String(s.confirmationsAccepted)), ("result=\"rejected\"", String(s.confirmationsRejected)),
            ("result=\"duplicate\"", String(s.confirmationsDuplicate)), ("result=\"unknown_reference\"", String(s.unknownReferences)),
        ])
        metric("erpwms_last_run_records", "gauge", "Records (rows, lines) read in the last run.", [("", String(s.records))])
        metric("erpwms_last_run_outputs", "gauge", "Files published by the last run by kind.", [
            ("kind=\"wms\"", String(s.instructionFiles)), ("kind=\"erp\"", String(s.feedbackFiles)),
            ("kind=\"rejects\"", String(s.rejectsFiles)),
        ])
        metric("erpwms_last_run_findings", "gauge", "Findings of the last run by rule id.",
               s.findingsByRule.keys.sorted().map { ("rule=\"\($0)\"", String(s.findingsByRule[$0]!)) })
        metric("erpwms_files", "gauge", "Input files in the ledger by status.",
               totals.filesByStatus.keys.sorted().map { ("status=\"\($0)\"", String(totals.filesByStatus[$0]!)) })
        return out
    }
}
