import ArgumentParser
import Bridge
import Timebase

struct DoorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "door", abstract: "Unlock, lock, lock down or return a door to normal.",
        subcommands: [Unlock.self, Lock.self, Lockdown.self, Normal.self])

    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unlock a door: for a while with --for, else until locked.")

        @Argument(help: "The door's name.")
        var door: String

        @Option(name: .customLong("for"), help: "How long, like 5s or 2m (100ms to 6553.5s, the longest OSDP output timer).")
        var duration: String?

        @OptionGroup var service: ServiceSocketOptions

        /// `--for` within the limits the service holds every strike release to.
        private var checkedDuration: Duration? {
            get throws {
                guard let duration else { return nil }
                switch parseDuration(duration, within: .relayPulse) {
                case .success(let checked): return checked
                case .failure(let problem): throw ValidationError("--for: \(problem)")
                }
            }
        }

        func validate() throws { _ = try checkedDuration }

        func run() throws {
            print(try service.send(.door(name: door, action: .unlock, seconds: try checkedDuration?.seconds)).message ?? "")
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
