import ArgumentParser
import OSDP

extension OSDPCommand {
    struct Output: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "out", abstract: "Switch a PD output (relay): on, off, or one timed pulse.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: PDAddress = 0
        @Option(help: "Output number (0 is the first).") var output: UInt8
        @Flag(help: "Switch the output on until told otherwise.") var on = false
        @Flag(help: "Switch the output off.") var off = false
        @Option(help: "Switch the output on for this long, then back (one timed OUT command): 500ms, 5s.")
        var pulse: OSDPDuration?

        func validate() throws {
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
            try await OSDPSession(connection, addresses: [address]).sendAndReport(.output([record]), to: address)
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
        @Option(help: "PD address, 0–126.") var address: PDAddress = 0
        @Option(help: "LED number (0 is the first).") var led: UInt8 = 0
        @Option(help: "Colour: green, red, amber, blue or off.") var color: Color
        @Option(help: "Blink: on for this long, then off for as long (100ms to 25.5s).") var blink: OSDPDuration?
        @Option(help: "Show this only for this long, then return to the LED's permanent state.") var duration: OSDPDuration?

        func validate() throws {
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
            try await OSDPSession(connection, addresses: [address]).sendAndReport(.led([record]), to: address)
        }
    }

    struct Buzz: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sound the reader's buzzer.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: PDAddress = 0
        @Option(help: "How many beeps (1–255).") var count: UInt8 = 1

        /// 200 ms on, 200 ms off: a beep a technician hears as one.
        static let beep: UInt8 = 2

        func validate() throws {
            // 0 means "until the next BUZ": a technician's test must not leave a reader beeping.
            guard count > 0 else { throw ValidationError("--count must be 1–255") }
        }

        func run() async throws {
            let record = BuzzerControl(onTime: Self.beep, offTime: Self.beep, count: count)
            try await OSDPSession(connection, addresses: [address]).sendAndReport(.buzzer([record]), to: address)
        }
    }

    struct Text: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show text on the reader's display (row 1, column 1).")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: PDAddress = 0
        @Argument(help: "The text (printable ASCII).") var text: String

        func validate() throws {
            guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) else {
                throw ValidationError("the text must be printable ASCII")
            }
            guard text.utf8.count <= 255 else { throw ValidationError("the text must be at most 255 characters") }
        }

        func run() async throws {
            try await OSDPSession(connection, addresses: [address]).sendAndReport(.text(TextOutput(text)), to: address)
        }
    }
}
