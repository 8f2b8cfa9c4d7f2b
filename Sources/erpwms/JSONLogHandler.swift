import ERPWMSCore
import Foundation
import Logging

/// One JSON object per line on stderr, for log shippers (`--log-format json`):
/// `{"level":"error","label":"erpwms","message":"...","time":"2025-03-02T12:00:00Z",...metadata}`.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: String] = [:]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { object[k] = "\(v)" }
        object["time"] = ISODate.utcString(Date())
        object["level"] = event.level.rawValue
        object["label"] = label
        object["message"] = event.message.description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(object) else { return }
        FileHandle.standardError.write(data + Data([0x0A]))
    }
}

/// Draws a one-line progress indicator on stderr when it is a terminal; otherwise does nothing, so that
/// cron mail and log files never see control characters.
final class ProgressLine {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var start = Date()
    private var lastDraw = Date.distantPast
    private var currentFile = ""
    private var fileStart = Date()

    func update(file: String, filesDone: Int, records: Int) {
        guard enabled else { return }
        if records < 0 {
            clear()
            return
        }
        if file != currentFile {
            currentFile = file
            fileStart = Date()
        }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(fileStart), 0.001)
        let rate = Int(Double(records) / elapsed)
        let line = "  file \(filesDone + 1): \(file)  \(records) records  \(rate) records/s"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + String(line.prefix(120))).utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
