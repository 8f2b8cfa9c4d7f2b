import ArgumentParser
import ERPWMSCore
import ERPWMSEngine
import Foundation

struct MappingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mapping", abstract: "Column mappings for foreign exports.",
                                                    subcommands: [MappingTest.self])
}

struct MappingTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Show the canonical records a channel's mapping makes of the first orders of a file, with every finding; writes nothing.")

    @Argument(help: "An export to try the mapping on.")
    var file: String
    @Option(help: "The channel whose mapping to use.")
    var channel: String
    @Option(help: "How many orders to show.")
    var rows: Int = 5
    @Flag(help: "Show names, addresses, phones and e-mails instead of masking them.")
    var showPersonal = false
    @OptionGroup var ws: WorkspaceOption
    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let config: Configuration
        do {
            config = try Workspace.open(ws.resolved).config
        } catch {
            die("\(error)", Exit.fatal)
        }
        guard let ch = config.channels.first(where: { $0.name == channel }) else {
            die("no channel '\(channel)' (channels: \(config.channels.map(\.name).joined(separator: ", ")))", Exit.usage)
        }
        guard ch.document == .orders else { die("channel '\(channel)' does not carry orders", Exit.usage) }
        guard FileManager.default.fileExists(atPath: file) else { die("\(file): no such file", Exit.fatal) }
        let (orders, fileError) = Validation.mappingTest(path: file, channel: ch, config: config, orders: max(1, rows),
                                                         showPersonal: showPersonal)
        if json {
            struct Out: Encodable { var orders: [MappedOrder]; var fileError: Finding? }
            printJSON(Out(orders: orders, fileError: fileError))
        } else {
            for o in orders {
                print("Order \(o.orderId.isEmpty ? "(no id)" : o.orderId) (\(o.location.description)): \(o.accepted ? "accepted" : "REJECTED")")
                for f in o.fields { print("  \(f[0].padding(toLength: 16, withPad: " ", startingAt: 0)) \(f[1])") }
                for (i, l) in o.lines.enumerated() {
                    print("  line \(i + 1): " + l.map { "\($0[0])=\($0[1])" }.joined(separator: "  "))
                }
                for x in o.findings { print("  ! \(x.summary)") }
                print("")
            }
            if let e = fileError { print("The file cannot be read with this mapping: \(e.summary)") }
        }
        let clean = fileError == nil && orders.allSatisfy(\.accepted)
        throw ExitCode(clean ? Exit.ok : Exit.attention)
    }
}
