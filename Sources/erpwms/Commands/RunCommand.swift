import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one batch over every channel: ERP documents to WMS instructions, WMS answers to ERP feedback, then archive.")

    @OptionGroup var ws: WorkspaceOption
    @OptionGroup var log: LoggingOptions
    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let logger = log.bootstrap()
        let workspace: Workspace
        do {
            workspace = try Workspace.open(ws.resolved)
        } catch {
            die("\(error)", Exit.fatal)
        }
        do {
            let bar = ProgressLine()
            let result = try Engine.run(workspace: workspace, logger: logger,
                                        progress: log.quiet || json ? nil : { bar.update(file: $0.file, filesDone: $0.filesDone, records: $0.records) })
            bar.clear()
            switch result {
            case .locked(let why):
                die("\(why); exiting", Exit.locked)
            case .completed(let summary):
                if json {
                    print(SummaryPrinter.json(summary))
                } else if !(log.quiet && !summary.needsAttention) {
                    print(SummaryPrinter.text(summary, workspace: workspace))
                }
                throw ExitCode(summary.needsAttention ? Exit.attention : Exit.ok)
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            die("run stopped: \(error)", Exit.fatal)
        }
    }
}
