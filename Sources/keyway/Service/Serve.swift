import ArgumentParser
import Bridge
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the bridge: readers, decisions, relays, the control socket and metrics.",
        discussion: "With --demo it runs a simulated site from ./var/demo (a libosdp reader on a pseudo-terminal and a simulated Wiegand reader).")

    @Option(name: .long, help: "The site configuration file.")
    var config: String?

    @Flag(help: "Run the demo site with simulated hardware.")
    var demo = false

    @Option(name: .long, help: "Log format: human or json.")
    var logFormat: String = LogFormat.human.rawValue

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (config == nil) != !demo else { throw ValidationError("give --config FILE or --demo") }
        guard LogFormat(rawValue: logFormat) != nil else { throw ValidationError("--log-format is human or json") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        do {
            try await runBridgeService(ServeOptions(
                configurationPath: config, logFormat: LogFormat(rawValue: logFormat)!, logLevel: Logger.Level(rawValue: logLevel)!))
        } catch let error as StartupError {
            printError("keyway serve: \(error)")
            throw ExitStatus.failure
        }
    }
}
