import ArgumentParser
import Foundation
import OSDP
import OSDPLink
import Serial

enum OSDPCLI {
    static var commands: [any ParsableCommand.Type] { [OSDPCommand.self] }
}

/// `keyway osdp ...`: a field technician's tools for OSDP readers on an RS-485 bus.
struct OSDPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "osdp",
        abstract: "Talk to OSDP readers as the control panel: identify, scan, monitor, drive outputs, install keys.",
        discussion: "Exit status: 0 success, 1 the device or PD failed (no answer, NAK, secure channel refused), 2 usage error.",
        subcommands: [
            Identify.self, Capabilities.self, Scan.self, Monitor.self, Output.self, LED.self, Buzz.self, Text.self,
            KeySet.self, Transfer.self,
        ]
    )
}

/// Validates a PD address typed on the command line.
func validateOSDPAddress(_ address: UInt8) throws {
    guard address <= 126 else { throw ValidationError("--address must be 0–126 (127 is the broadcast address)") }
}

extension OSDPCommand {
    struct Identify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "id", abstract: "Print a PD's identification: vendor code, model, version, serial number, firmware.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126 (0 is the factory address of most readers).") var address: UInt8 = 0

        func validate() throws { try validateOSDPAddress(address) }

        func run() async throws {
            try await reportingOSDPFailures {
                let session = try OSDPSession(connection, addresses: [address])
                let status = try await session.awaitReady(address)
                guard let identification = status.identification else { throw OSDPFailure("PD \(address) sent no PDID") }
                let report = IdentificationReport(address: address, identification, secure: status.secure)
                connection.json ? printJSONLine(report) : print(report.humanDescription)
            }
        }
    }

    struct Capabilities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cap", abstract: "Print a PD's capabilities (PDCAP): inputs, outputs, LEDs, buzzer, text, security, buffer size.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: UInt8 = 0

        func validate() throws { try validateOSDPAddress(address) }

        func run() async throws {
            try await reportingOSDPFailures {
                let session = try OSDPSession(connection, addresses: [address])
                let status = try await session.awaitReady(address)
                guard let capabilities = status.capabilities else { throw OSDPFailure("PD \(address) sent no PDCAP") }
                let report = CapabilitiesReport(address: address, capabilities)
                connection.json ? printJSONLine(report) : print(report.humanDescription)
            }
        }
    }

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find every PD on the bus: addresses 0–126 at each baud rate.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "Baud rates to try, comma-separated.")
        var bauds = "9600,19200,38400,57600,115200"

        var rates: [BaudRate] { bauds.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)).flatMap(BaudRate.init) } }

        func validate() throws {
            let items = bauds.split(separator: ",")
            guard !items.isEmpty, rates.count == items.count else {
                throw ValidationError("--bauds takes a comma-separated list of 9600, 19200, 38400, 57600, 115200, 230400")
            }
        }

        func run() async throws {
            try await reportingOSDPFailures {
                let progress = OSDPProgressBar("scanning")
                let found = try await OSDPBusScan.scan(device: connection.device, rates: rates, progress: progress.update) { batch in
                    for finding in batch {
                        let report = IdentificationReport(
                            address: finding.address, finding.identification, baud: finding.baudRate.rawValue)
                        connection.json ? printJSONLine(report) : print(report.humanDescription)
                    }
                }
                progress.finish()
                guard !found.isEmpty else {
                    throw OSDPFailure("no PD answered on \(connection.device) at \(rates.map { String($0.rawValue) }.joined(separator: ", ")) baud")
                }
            }
        }
    }

    struct Output: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "out", abstract: "Switch a PD output (relay): on, off, or one timed pulse.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: UInt8 = 0
        @Option(help: "Output number (0 is the first).") var output: UInt8
        @Flag(help: "Switch the output on until told otherwise.") var on = false
        @Flag(help: "Switch the output off.") var off = false
        @Option(help: "Switch the output on for this long, then back (one timed OUT command): 500ms, 5s.")
        var pulse: OSDPDuration?

        func validate() throws {
            try validateOSDPAddress(address)
            guard [on, off, pulse != nil].filter({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --on, --off, --pulse DURATION")
            }
            if let pulse, pulse.tenths(as: UInt16.self) == nil || pulse.milliseconds == 0 {
                throw ValidationError("--pulse must be between 1ms and 6553.5s")
            }
        }

        func run() async throws {
            let record: OutputControl
            if let pulse, let timer = pulse.tenths(as: UInt16.self) {
                record = OutputControl(output: output, action: .temporaryOn, timer: timer)
            } else {
                record = OutputControl(output: output, action: on ? .permanentOnAbortTimed : .permanentOffAbortTimed)
            }
            try await reportingOSDPFailures {
                try await OSDPSession(connection, addresses: [address]).sendAndReport(.output([record]), to: address)
            }
        }
    }

    struct LED: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a reader LED: a colour, steady or blinking, for good or for a while.")

        enum Color: String, ExpressibleByArgument, CaseIterable {
            case green, red, amber, blue, off

            var ledColor: LEDColor {
                switch self {
                case .green: .green
                case .red: .red
                case .amber: .amber
                case .blue: .blue
                case .off: .off
                }
            }
        }

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: UInt8 = 0
        @Option(help: "LED number (0 is the first).") var led: UInt8 = 0
        @Option(help: "Colour: green, red, amber, blue or off.") var color: Color
        @Option(help: "Blink: on for this long, then off for as long (100ms to 25.5s).") var blink: OSDPDuration?
        @Option(help: "Show this only for this long, then return to the LED's permanent state.") var duration: OSDPDuration?

        func validate() throws {
            try validateOSDPAddress(address)
            if let blink, blink.milliseconds < 100 || blink.tenths(as: UInt8.self) == nil {
                throw ValidationError("--blink must be between 100ms and 25.5s")
            }
            if let duration, duration.milliseconds == 0 || duration.tenths(as: UInt16.self) == nil {
                throw ValidationError("--duration must be between 1ms and 6553.5s")
            }
        }

        func run() async throws {
            // Steady: on time 1, off time 0. Blinking: equal on and off times, dark in between.
            let onTime = blink?.tenths(as: UInt8.self) ?? 1
            let offTime: UInt8 = blink == nil ? 0 : onTime
            var record = LEDControl(led: led)
            if let timer = duration?.tenths(as: UInt16.self) {
                record.temporary = LEDTemporaryState(
                    control: .set, onTime: onTime, offTime: offTime, onColor: color.ledColor, offColor: .off, timer: timer)
            } else {
                record.temporary = LEDTemporaryState(control: .cancel)
                record.permanent = LEDPermanentState(
                    control: .set, onTime: onTime, offTime: offTime, onColor: color.ledColor, offColor: .off)
            }
            try await reportingOSDPFailures {
                try await OSDPSession(connection, addresses: [address]).sendAndReport(.led([record]), to: address)
            }
        }
    }

    struct Buzz: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sound the reader's buzzer.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: UInt8 = 0
        @Option(help: "How many beeps (1–255).") var count: UInt8 = 1

        /// 200 ms on, 200 ms off: a beep a technician hears as one.
        static let beep: UInt8 = 2

        func validate() throws {
            try validateOSDPAddress(address)
            // 0 means "until the next BUZ": a technician's test must not leave a reader beeping.
            guard count > 0 else { throw ValidationError("--count must be 1–255") }
        }

        func run() async throws {
            let record = BuzzerControl(onTime: Self.beep, offTime: Self.beep, count: count)
            try await reportingOSDPFailures {
                try await OSDPSession(connection, addresses: [address]).sendAndReport(.buzzer([record]), to: address)
            }
        }
    }

    struct Text: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show text on the reader's display (row 1, column 1).")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: UInt8 = 0
        @Argument(help: "The text (printable ASCII).") var text: String

        func validate() throws {
            try validateOSDPAddress(address)
            guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) else {
                throw ValidationError("the text must be printable ASCII")
            }
            guard text.utf8.count <= 255 else { throw ValidationError("the text must be at most 255 characters") }
        }

        func run() async throws {
            try await reportingOSDPFailures {
                try await OSDPSession(connection, addresses: [address]).sendAndReport(.text(TextOutput(text)), to: address)
            }
        }
    }
}
