import ERPWMSCore
import ERPWMSEngine
import Foundation

/// Renders a run summary for people (text) and machines (JSON).
enum SummaryPrinter {
    static func text(_ s: RunSummary, workspace: Workspace) -> String {
        var lines: [String] = []
        lines.append("Files:        \(s.filesSeen) picked up, \(s.filesArchived) archived, \(s.filesFailed) failed, \(s.filesDuplicate) duplicate"
                     + (s.filesRecovered > 0 ? ", \(s.filesRecovered) recovered from an interrupted run" : ""))
        if s.filesWaiting > 0 {
            lines.append("Waiting:      \(s.filesWaiting) file(s) not complete yet (changed within min_age_seconds, or no done-marker); the next run takes them")
        }
        lines.append("Orders:       \(s.ordersAccepted) accepted (\(s.linesAccepted) lines), \(s.ordersRejected) rejected, \(s.ordersDuplicate) duplicate, \(s.ordersReplaced) replaced"
                     + (s.ordersWithdrawn > 0 ? ", \(s.ordersWithdrawn) withdrawn (cancelled before sending)" : ""))
        if s.confirmationsAccepted + s.confirmationsRejected + s.confirmationsDuplicate > 0 {
            lines.append("Shipments:    \(s.confirmationsAccepted) confirmations accepted, \(s.confirmationsRejected) rejected, \(s.confirmationsDuplicate) duplicate; \(s.unknownReferences) unknown reference(s), \(s.overShipments) over-shipment(s)")
        }
        if s.documentsAccepted + s.documentsRejected + s.documentsDuplicate > 0 {
            lines.append("Documents:    \(s.documentsAccepted) accepted, \(s.documentsRejected) rejected, \(s.documentsDuplicate) duplicate (items, purchase orders, receipts, RMAs, returns, cancellations, snapshots)")
        }
        lines.append("Written:      \(s.instructionFiles) WMS instruction file(s), \(s.feedbackFiles) ERP feedback file(s), \(s.rejectsFiles) rejects file(s)")
        for o in s.outputs { lines.append("  \(o)") }
        let problems = s.files.filter { $0.status == "failed" || $0.rejected > 0 }
        if !problems.isEmpty {
            lines.append("Needs attention:")
            for f in problems {
                if f.status == "failed" {
                    lines.append("  \(f.channel)/\(FileNames.printable(f.file)): failed: \(f.reason ?? "") (see \(workspace.config.failedDir)/\(FileNames.printable(f.file)).error.json)")
                } else {
                    lines.append("  \(f.channel)/\(FileNames.printable(f.file)): \(f.rejected) document(s) rejected (see \(workspace.config.failedDir)/\(FileNames.printable(f.file)).rejects.csv)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ s: RunSummary) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(s)) ?? Data(), as: UTF8.self)
    }
}
