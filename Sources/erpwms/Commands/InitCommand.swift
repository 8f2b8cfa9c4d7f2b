import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a workspace: a commented erpwms.yaml and the folder tree.")

    @Argument(help: "Directory to create (must not exist or be empty).")
    var directory: String

    func run() throws {
        do {
            let ws = try Workspace.initialize(directory)
            print("Created workspace \(ws.root)")
            print("  edit   \(ws.root)/erpwms.yaml")
            for c in ws.config.channels {
                let what = c.document == .orders ? "order files (ERP)" : "shipment confirmations (WMS)"
                print("  drop   \(c.format.rawValue.uppercased()) \(what) into \(ws.path(c.inbox))")
            }
            print("  run    erpwms run --workspace \(ws.root)")
        } catch {
            die("\(error)", Exit.fatal)
        }
    }
}
