import API
import Web
import ArgumentParser
import Bridge
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the bridge: readers, decisions, relays, the control socket, metrics and the HTTP API.",
        discussion: "With --demo it runs a simulated site from ./var/demo (a libosdp reader on a pseudo-terminal and a simulated Wiegand reader).")

    @Option(name: .long, help: "The site configuration file.")
    var config: String?

    @Flag(help: "Run the demo site with simulated hardware.")
    var demo = false

    @Option(name: .long, help: "Log format.")
    var logFormat: LogFormat = .human

    @Option(name: .long, help: "Log level.")
    var logLevel: Logger.Level = .info

    @Flag(help: "Create the database even though its secrets show one existed (it was deleted or moved): every card unknown, the log restarted.")
    var createDatabase = false

    func validate() throws {
        guard (config == nil) != !demo else { throw ValidationError("give --config FILE or --demo") }
    }

    func run() async throws {
        try await runBridgeService(ServeOptions(configurationPath: config, logFormat: logFormat, logLevel: logLevel,
                                                createDatabase: createDatabase),
                                   services: { site in
                                       try await DemoAccounts.announce(for: site)
                                       return try APIService.services(for: site, pages: WebPages.add)
                                   })
    }
}

extension LogFormat: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
