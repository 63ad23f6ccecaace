import Access
import ArgumentParser
import Bridge
import Foundation
import Logging
import Timebase

enum BridgeCLI {
    static var commands: [any ParsableCommand.Type] {
        [Serve.self, ConfigCommand.self, Status.self, DoorCommand.self, Reload.self, Simulate.self]
    }
}

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

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Site configuration files.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a site configuration without touching hardware (exit 2 on errors, each with file:line:column).")

        @Argument(help: "The configuration file.")
        var file: String

        func run() throws {
            do {
                let site = try loadSiteConfiguration(path: file)
                let pds = site.buses.reduce(0) { $0 + $1.pds.count }
                print("\(file): OK, site \"\(site.site.name)\": \(site.buses.count) buses, \(pds) PDs, \(site.wiegandReaders.count) Wiegand readers, \(site.doors.count) doors")
            } catch {
                for issue in error.issues { printError(issue.description) }
                printError("\(error.issues.count) problem\(error.issues.count == 1 ? "" : "s") in \(file)")
                throw ExitStatus.usage
            }
        }
    }
}

/// Where the running service listens.
struct ServiceSocketOptions: ParsableArguments {
    @Option(name: .long, help: "The control socket (default: the --config file's api.socket, $KEYWAY_SOCKET, ./var/demo/control.sock, /run/keyway/control.sock).")
    var socket: String?

    @Option(name: .long, help: "The site configuration file whose control socket to use.")
    var config: String?

    func path() throws -> String {
        if let socket { return socket }
        if let config {
            do {
                return try loadSiteConfiguration(path: config).api.socket
            } catch {
                throw UsageError("\(config) has errors:\n\(error)")
            }
        }
        if let socket = ProcessInfo.processInfo.environment["KEYWAY_SOCKET"] { return socket }
        let demo = "\(DemoSite.directory)/control.sock"
        return FileManager.default.fileExists(atPath: demo) ? demo : "/run/keyway/control.sock"
    }

    /// Sends a request and fails (exit 1) with the service's message when it refuses.
    func send(_ request: ControlRequest) throws -> ControlResponse {
        let response: ControlResponse
        do {
            response = try ControlClient.send(request, to: try path())
        } catch let error as UsageError {
            throw error
        } catch {
            printError("keyway: is the service running? \(error)")
            throw ExitStatus.failure
        }
        guard response.ok else {
            printError(response.error ?? "the service refused")
            throw ExitStatus.failure
        }
        return response
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the running service: buses, PDs, readers, doors, faults.",
        discussion: "--follow then prints the service's log as it happens (Ctrl-C to stop).")

    @OptionGroup var service: ServiceSocketOptions

    @Flag(help: "Print JSON (one object per line).")
    var json = false

    @Flag(help: "Keep printing the service's log lines.")
    var follow = false

    func run() throws {
        let response = try service.send(.status)
        if let status = response.status {
            // Written unbuffered, so it comes before the lines --follow streams after it.
            if json { printJSONLine(status) } else { FileHandle.standardOutput.write(Data((render(status) + "\n").utf8)) }
        }
        guard follow else { return }
        try ControlClient.followLog(at: try service.path()) { line in
            if json {
                FileHandle.standardOutput.write(line + Data("\n".utf8))
            } else if let text = ServiceLogHandler.humanLine(fromJSON: line) {
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            }
        }
    }

    private func render(_ status: ServiceStatus) -> String {
        var lines = ["site \(status.site) (\(status.configuration)), up since \(status.startedAt.formatted(.iso8601))"]
        for bus in status.buses {
            lines.append("bus \(bus.name) on \(bus.port): \(bus.open ? "open" : "NOT OPEN")")
            for pd in bus.pds {
                lines.append("  PD \(pd.address) \(pd.name): \(pd.online ? "online" : "OFFLINE")\(pd.secure ? ", secure channel" : "")")
            }
        }
        for reader in status.readers {
            lines.append("reader \(reader.name) (\(reader.kind)): \(reader.online ? "online" : "OFFLINE")\(reader.lastEvent.map { ", last: \($0)" } ?? "")")
        }
        for door in status.doors {
            let mode = door.mode == door.configuredMode ? door.mode : "\(door.mode) (configured \(door.configuredMode))"
            let position = door.open.map { $0 ? ", open" : ", closed" } ?? ""
            let alarms = door.alarms.isEmpty ? "" : ", ALARM \(door.alarms.joined(separator: ", "))"
            lines.append("door \(door.name): \(mode)\(position)\(alarms)\(door.lastEvent.map { ", last: \($0)" } ?? "")")
        }
        lines += status.faults.map { "FAULT \($0)" }
        return lines.joined(separator: "\n")
    }
}

struct DoorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "door", abstract: "Unlock, lock, lock down or return a door to normal.",
        subcommands: [Unlock.self, Lock.self, Lockdown.self, Normal.self])

    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unlock a door: for a while with --for, else until locked.")

        @Argument(help: "The door's name.")
        var door: String

        @Option(name: .customLong("for"), help: "How long, like 5s or 2m.")
        var duration: String?

        @OptionGroup var service: ServiceSocketOptions

        func validate() throws {
            if let duration, parseDuration(duration) == nil { throw ValidationError("--for \(duration) is not a duration (like 5s, 2m)") }
        }

        func run() throws {
            let seconds = duration.flatMap(parseDuration)?.seconds
            print(try service.send(.door(name: door, action: .unlock, seconds: seconds)).message ?? "")
        }
    }


    struct Lock: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Relock a door: credentials are needed again.")
        @Argument(help: "The door's name.") var door: String
        @OptionGroup var service: ServiceSocketOptions
        func run() throws { try change(.lock, door: door, service: service) }
    }

    struct Lockdown: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lock a door down: nothing opens it until normal.")
        @Argument(help: "The door's name.") var door: String
        @OptionGroup var service: ServiceSocketOptions
        func run() throws { try change(.lockdown, door: door, service: service) }
    }

    struct Normal: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Return a door to its configured mode.")
        @Argument(help: "The door's name.") var door: String
        @OptionGroup var service: ServiceSocketOptions
        func run() throws { try change(.normal, door: door, service: service) }
    }

    static func change(_ action: DoorRequestAction, door: String, service: ServiceSocketOptions) throws {
        print(try service.send(.door(name: door, action: action, seconds: nil)).message ?? "")
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-read the service's configuration (as SIGHUP does); a bad file is refused and the running one stays.")

    @OptionGroup var service: ServiceSocketOptions

    func run() throws {
        print(try service.send(.reload).message ?? "")
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "Present a card or keys at a simulated reader of the running demo.",
        subcommands: [Card.self, Keys.self])

    struct Card: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Swipe a card.")

        @Option(help: "The simulated reader.")
        var reader: String

        @Option(help: "The card format (h10301, c1k35, ...).")
        var format: String = "h10301"

        @Option(help: "The facility code.")
        var facility: UInt64?

        @Option(help: "The card number.")
        var card: UInt64

        @OptionGroup var service: ServiceSocketOptions

        func run() throws {
            print(try service.send(.simulateCard(reader: reader, format: format, facility: facility, card: card)).message ?? "")
        }
    }

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Type keys on a reader's keypad (digits, * and #).")

        @Option(help: "The simulated reader.")
        var reader: String

        @Argument(help: "The keys, like 1234#.")
        var keys: String

        @OptionGroup var service: ServiceSocketOptions

        func validate() throws {
            guard !keys.isEmpty, keys.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") }) else {
                throw ValidationError("keys are digits, * and #")
            }
        }

        func run() throws {
            print(try service.send(.simulateKeys(reader: reader, keys: keys)).message ?? "")
        }
    }
}
