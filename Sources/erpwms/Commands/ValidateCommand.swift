import ArgumentParser
#if canImport(CTCMalloc)
import CTCMalloc
#endif
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a file without processing it: every finding, no folder or ledger touched.",
        discussion: "For onboarding a new partner or ERP export. Exit code 0 when the file is clean, 2 when something would be rejected or the file quarantined.")

    @Argument(help: "The file to check.")
    var file: String
    @Option(name: .customLong("as"), help: "Document type: \(DocumentType.allCases.map(\.rawValue).joined(separator: ", ")).")
    var document: String = DocumentType.orders.rawValue
    @Option(help: "Read it as this channel does (format, encoding, delimiter, limits); needs a workspace.")
    var channel: String?
    @OptionGroup var ws: WorkspaceOption
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard DocumentType(rawValue: document) != nil else {
            throw ValidationError("--as '\(document)' is not one of \(DocumentType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: file) else { die("\(file): no such file", Exit.fatal) }
        var config: Configuration?
        var ch: Channel?
        if channel != nil || ws.workspace != nil || ProcessInfo.processInfo.environment["ERPWMS_WORKSPACE"] != nil
            || FileManager.default.fileExists(atPath: ws.resolved + "/" + Configuration.fileName) {
            do {
                config = try Workspace.open(ws.resolved).config
            } catch {
                if channel != nil { die("\(error)", Exit.fatal) }
            }
        }
        if let name = channel {
            guard let c = config?.channels.first(where: { $0.name == name }) else {
                die("no channel '\(name)' in the configuration (channels: \(config?.channels.map(\.name).joined(separator: ", ") ?? "none"))", Exit.usage)
            }
            ch = c
        }
        let doc = ch?.document ?? DocumentType(rawValue: document)!
        let r = Validation.validate(path: file, document: doc, channel: ch, config: config)
        if json {
            printJSON(r)
        } else {
            print("\(r.file): \(r.document) as \(r.format), \(r.encoding)")
            if let e = r.fileError {
                print("  the file would be quarantined: \(e.summary)")
            } else {
                print("  \(r.records) record(s): \(r.accepted) document(s) would be accepted, \(r.rejected) rejected"
                      + (r.repeated > 0 ? ", \(r.repeated) repeated within the file" : ""))
            }
            if !r.findings.isEmpty {
                print(Table.findings(r.findings))
            }
        }
        throw ExitCode(r.isClean ? Exit.ok : Exit.attention)
    }
}

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "The configuration.",
                                                    subcommands: [ConfigCheck.self])
}

/// The effective settings, as `config check --json` prints them.
struct EffectiveConfig: Encodable {
    struct ChannelInfo: Encodable {
        var name, document, inbox, format, encoding, delimiter, errorPolicy: String
        var minAgeSeconds: Int
        var doneMarker: String?
    }
    var file: String
    var channels: [ChannelInfo]
    var folders: [String: String]
    var wms: [String: String]
    var erp: [String: String]
    var routing: [String: String]
    var defaultWarehouse: String?
    var skuAliases: Int
    var limits: [String: Int64]
    var validateOutput: Bool
    var serviceLevelHours: [Int]
    var reportAfterRun: [String]
    var retentionDays: Int
    var metricsFile: String?
}

struct ConfigCheck: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check",
                                                    abstract: "Validate erpwms.yaml and show the effective settings, defaults included.")

    @OptionGroup var ws: WorkspaceOption
    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let workspace: Workspace
        do {
            workspace = try Workspace.open(ws.resolved)
        } catch {
            die("\(error)", Exit.fatal)
        }
        let c = workspace.config
        let eff = EffectiveConfig(
            file: workspace.root + "/" + Configuration.fileName,
            channels: c.channels.map {
                .init(name: $0.name, document: $0.document.rawValue, inbox: $0.inbox, format: $0.format.rawValue,
                      encoding: $0.encoding.rawValue, delimiter: $0.delimiter == 0x09 ? "tab" : String(UnicodeScalar($0.delimiter)),
                      errorPolicy: $0.errorPolicy.rawValue, minAgeSeconds: $0.pickup.minAgeSeconds, doneMarker: $0.pickup.doneMarkerSuffix)
            },
            folders: ["work": c.workDir, "archive": c.archiveDir, "failed": c.failedDir, "reports": c.reportsDir, "state": c.stateDir],
            wms: ["outbox": c.wmsOutbox, "include_email": String(c.includeEmail), "include_phone": String(c.includePhone)],
            erp: ["outbox": c.erpOutbox, "feedback_format": c.feedbackFormat.rawValue],
            routing: c.router.byCountry, defaultWarehouse: c.router.defaultWarehouse, skuAliases: c.rules.skuAliases.count,
            limits: ["max_file_bytes": c.limits.maxFileBytes, "max_decompressed_bytes": c.limits.maxDecompressedBytes,
                     "max_compression_ratio": c.limits.maxCompressionRatio, "max_field_bytes": Int64(c.limits.maxFieldBytes),
                     "max_record_bytes": Int64(c.limits.maxRecordBytes)],
            validateOutput: c.validateOutput, serviceLevelHours: c.serviceLevelHours, reportAfterRun: c.reportAfterRun,
            retentionDays: c.retentionDays, metricsFile: c.metricsFile)
        if json { return printJSON(eff) }
        print("\(eff.file): valid")
        print("\nChannels:")
        var t = Table(["NAME", "DOCUMENT", "FORMAT", "ENCODING", "DELIM", "MIN AGE", "DONE MARKER", "ON ERROR", "UNKNOWN SKU", "INBOX"])
        for (ch, channel) in zip(eff.channels, c.channels) {
            t.add([ch.name, ch.document, ch.format, ch.encoding, ch.delimiter, "\(ch.minAgeSeconds) s", ch.doneMarker ?? "-",
                   ch.errorPolicy, channel.unknownSKU.rawValue, ch.inbox])
        }
        print(t.render())
        print("\nOutputs:   WMS \(c.wmsOutbox) (e-mail \(c.includeEmail ? "sent" : "not sent"), phone \(c.includePhone ? "sent" : "not sent")); ERP \(c.erpOutbox) as \(c.feedbackFormat.rawValue)")
        print("Folders:   work \(c.workDir), archive \(c.archiveDir), failed \(c.failedDir), reports \(c.reportsDir), state \(c.stateDir)")
        let routes = c.router.byCountry.keys.sorted().map { "\($0) -> \(c.router.byCountry[$0]!)" }.joined(separator: ", ")
        print("Routing:   \(routes.isEmpty ? "no country rules" : routes); default \(c.router.defaultWarehouse ?? "none (unroutable orders are rejected)")")
        print("SKU alias: \(c.rules.skuAliases.count)")
        print("Limits:    file \(c.limits.maxFileBytes >> 20) MiB, decompressed \(c.limits.maxDecompressedBytes >> 20) MiB, ratio \(c.limits.maxCompressionRatio):1, field \(c.limits.maxFieldBytes >> 10) KiB, record \(c.limits.maxRecordBytes >> 10) KiB")
        print("Output:    XSD validation before publishing \(c.validateOutput ? "on" : "OFF")")
        print("Report:    service level \(c.serviceLevelHours.map { "\($0) h" }.joined(separator: " / ")); after each run: \(c.reportAfterRun.isEmpty ? "no" : c.reportAfterRun.joined(separator: ","))")
        print("Retention: \(c.retentionDays) days; metrics: \(c.metricsFile ?? "off")")
        print("Returns:   damaged units refund \(c.returns.damagedRefund); unit prices \(c.returns.pricesIncludeTax ? "include" : "exclude") tax; overdue after \(c.returns.overdueDays) days; expected at \(c.returns.warehouse ?? "the warehouse that shipped"); replacements by \(c.returns.replacementCarrier)")
        print("Purchases: overdue \(c.purchaseOverdueDays) day(s) after the expected date")
        #if canImport(CTCMalloc)
        print("Runtime:   malloc from \(String(cString: tc_version(nil, nil, nil))) (tcmalloc)")
        #else
        print("Runtime:   malloc from the C library (built with ERPWMS_SYSTEM_MALLOC)")
        #endif
    }
}
