import ArgumentParser
import Wiegand

/// Options that describe the reader whose edges `replay` and `sniff` decode.
struct ReaderOptions: ParsableArguments {
    enum Keypad: String, ExpressibleByArgument, CaseIterable {
        case fourBit = "4bit"
        case eightBit = "8bit"
        case buffered26
        case bcd26

        var mode: KeypadMode {
            switch self {
            case .fourBit: .fourBit
            case .eightBit: .eightBit
            case .buffered26: .buffered26()
            case .bcd26: .bcd26
            }
        }
    }

    @Option(help: "How the keypad sends keys: 4bit, 8bit, buffered26 (PIN as card number, facility 0) or bcd26.")
    var keypad: Keypad = .fourBit

    @Option(name: .customLong("timeout-ms"), help: "Silence that ends a frame, in milliseconds.")
    var timeoutMs: UInt64 = 25

    @Option(name: .customLong("format"), help: "A card format the reader uses; repeat for several (default: every known format).")
    var formats: [String] = []

    @Flag(help: "D0 and D1 are wired the wrong way round.")
    var swapLines = false

    @Flag(help: "Raw formats carry the card number least significant byte first.")
    var reverseBytes = false

    func configuration() throws -> ReaderConfiguration {
        let (silence, overflow) = timeoutMs.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { throw ValidationError("--timeout-ms \(timeoutMs) is too long") }
        return ReaderConfiguration(
            timing: DecoderTiming(frameSilence: silence),
            swapsLines: swapLines,
            reversesBytes: reverseBytes,
            formats: try formats.isEmpty ? CardFormat.builtIn : formats.map(WiegandCommand.cardFormat(named:)),
            keypad: keypad.mode
        )
    }
}
