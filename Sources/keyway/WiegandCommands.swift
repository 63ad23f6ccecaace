import ArgumentParser
import Foundation
import GPIO
import Wiegand

enum WiegandCLI {
    static var commands: [any ParsableCommand.Type] { [WiegandCommand.self] }
}

struct WiegandCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wiegand",
        abstract: "Decode, encode and watch Wiegand card and keypad frames.",
        subcommands: [Decode.self, Encode.self, Formats.self, Replay.self, Sniff.self]
    )
}

extension WiegandCommand {
    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode one frame with every known format of its length.",
            discussion: """
                FRAME is hex (the frame as an integer, leading parity bit most significant; 0x optional) or a \
                string of 0 and 1. Without --bits, a hex frame is taken to be the shortest known frame length \
                its digits can hold (7 digits: 26 bits). Exit code 0 whenever the frame was well-formed, even if \
                no format validates it; 2 for malformed input.
                """
        )

        @Argument(help: "The frame: hex (089449F, 0x089449F) or bits (00100010010100010010011111).")
        var frame: String

        @Option(help: "The frame length in bits (1-64).")
        var bits: Int?

        @Option(help: "Try only this format (h10301, ind26, h10306, c1k35, c1k48, h10302, h10304, c15001, raw32/40/56/64).")
        var format: String?

        @Flag(help: "Raw formats carry the card number least significant byte first.")
        var reverseBytes = false

        @Flag(help: "Print one JSON object.")
        var json = false

        func run() throws {
            let format = try format.map(WiegandCommand.cardFormat(named:))
            let frame = try WiegandCommand.parseFrame(self.frame, bits: bits, format: format)
            let result = CardReadResult.decode(frame, among: format.map { [$0] } ?? CardFormat.builtIn, reversingBytes: reverseBytes)
            let report = CardReport(frame: frame, result: result)
            json ? printJSONLine(report) : print(report.humanDescription)
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Encode card fields into a frame (hex and bits).")

        @Option(help: "The card format.")
        var format: String

        @Option(help: "Facility code (company ID for Corporate 1000).")
        var facility: UInt64?

        @Option(help: "Card number.")
        var card: UInt64

        @Option(help: "OEM code (KeyScan C15001; 900 unless given).")
        var oem: UInt64?

        @Flag(help: "Write a raw format's card number least significant byte first.")
        var reverseBytes = false

        @Flag(help: "Print one JSON object.")
        var json = false

        struct Report: Encodable {
            let format: String
            let bits: Int
            let hex: String
            let bitstring: String
        }

        func run() throws {
            let format = try WiegandCommand.cardFormat(named: format)
            let frame: WiegandFrame
            do {
                frame = try format.encode(CardFields(facility: facility, card: card, oem: oem), reversingBytes: reverseBytes)
            } catch {
                throw ValidationError(error.description)
            }
            if json {
                printJSONLine(Report(format: format.name, bits: frame.bitCount, hex: frame.hex, bitstring: frame.bitString))
            } else {
                print("\(frame.hex) \(frame.bitString)")
            }
        }
    }

    struct Formats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the card formats and their bit layouts.",
            discussion: "Layout: one letter per bit, first bit first: E/O even/odd parity, F facility, C card, M OEM."
        )

        @Flag(help: "Print one JSON object per format.")
        var json = false

        struct Report: Encodable {
            struct Field: Encodable {
                let name: String
                let start: Int
                let length: Int
            }

            struct ParityBit: Encodable {
                let bit: Int
                let parity: String
                let over: String
            }

            let name: String
            let aliases: [String]
            let title: String
            let bits: Int
            let layout: String
            let fields: [Field]
            let parity: [ParityBit]
        }

        func run() {
            for format in CardFormat.builtIn {
                let fields = format.fields.map { Report.Field(name: $0.field.rawValue, start: $0.start, length: $0.length) }
                let parity = format.parity.map {
                    Report.ParityBit(bit: $0.position, parity: $0.parity.rawValue, over: Self.ranges($0.covered))
                }
                if json {
                    printJSONLine(Report(
                        name: format.name, aliases: format.aliases, title: format.title, bits: format.bitCount,
                        layout: format.layout, fields: fields, parity: parity
                    ))
                } else {
                    let fieldText = fields.map { "\($0.name) \($0.start)-\($0.start + $0.length - 1)" }
                    let parityText = parity.map { "\($0.parity) \($0.bit) over \($0.over)" }
                    print("\(format.name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(format.bitCount) bits  \(format.title)")
                    print("        \(format.layout)")
                    print("        \((fieldText + parityText).joined(separator: "; "))")
                    if !format.aliases.isEmpty { print("        aliases: \(format.aliases.joined(separator: ", "))") }
                }
            }
        }

        /// Positions as ranges: `1-12`, or `2-3,5-6,...` for interleaved parity.
        static func ranges(_ positions: [Int]) -> String {
            var runs: [ClosedRange<Int>] = []
            for position in positions.sorted() {
                if let last = runs.last, last.upperBound + 1 == position {
                    runs[runs.count - 1] = last.lowerBound...position
                } else {
                    runs.append(position...position)
                }
            }
            return runs.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
                .joined(separator: ",")
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a recorded edge timeline.",
            discussion: """
                FILE holds one edge per line: {"t_ns":123456789,"line":"D0","edge":"falling"}. The end of the \
                input is silence that ends the last frame. A malformed line is reported \
                ({"event":"error","line":N,...}; on stderr without --json) and decoding goes on; the exit code is \
                then 2.
                """
        )

        @Argument(help: "The timeline file, or - for standard input.")
        var file: String

        @OptionGroup var reader: ReaderOptions

        @Flag(help: "Also print pulse statistics (widths, intervals) after each frame, as sniff does.")
        var stats = false

        @Flag(help: "Print one JSON object per event.")
        var json = false

        func run() throws {
            let input: FileHandle
            if file == "-" {
                input = .standardInput
            } else {
                do {
                    input = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
                } catch {
                    throw ValidationError("cannot read \(file): \((error as NSError).localizedDescription)")
                }
            }
            var source = ReplayEdgeSource(reading: input)
            var session = try WiegandSession(configuration: reader.configuration(), json: json, showsPulses: stats)
            var malformedLines = 0
            while true {
                do {
                    guard case .edge(let edge) = try source.next(until: nil) else { break }
                    session.handle(edge)
                } catch let error as TimelineLineError {
                    malformedLines += 1
                    session.printer.printInputError(error)
                }
            }
            session.finish()
            if malformedLines > 0 { throw ExitStatus.usage }
        }
    }

    struct Sniff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Watch a reader's D0/D1 lines live through libgpiod and print what they carry.",
            discussion: "Prints the replay events plus pulse statistics after each frame, to spot a bad cable. Ctrl-C stops."
        )

        @Option(help: "GPIO chip: name (gpiochip0), path, number or label.")
        var chip: String

        @Option(help: "Line offset of D0.")
        var d0: UInt32

        @Option(help: "Line offset of D1.")
        var d1: UInt32

        @Flag(help: "Enable the chip's pull-ups (readers without their own).")
        var pullUp = false

        @OptionGroup var reader: ReaderOptions

        @Flag(help: "Print one JSON object per event.")
        var json = false

        func run() throws {
            var session = try WiegandSession(configuration: reader.configuration(), json: json, showsPulses: true)
            let source: GPIODEdgeSource
            do {
                source = try GPIODEdgeSource(chip: chip, d0: d0, d1: d1, pullUp: pullUp)
            } catch {
                printError(error.description)
                throw ExitStatus.failure
            }
            while true {
                let reading: EdgeReading
                do {
                    reading = try source.next(until: session.nextDeadline)
                } catch {
                    printError("\(error)")
                    throw ExitStatus.failure
                }
                switch reading {
                case .edge(let edge): session.handle(edge)
                case .idle(let now): session.advance(to: now)
                case .end:
                    session.finish()
                    return
                }
            }
        }
    }
}

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

/// A reader decoding edges and printing its events (and, for sniff, pulse statistics after each frame).
struct WiegandSession {
    let printer: ReaderEventPrinter
    private var reader: WiegandReader
    private var pulses = PulseStatistics()
    private let showsPulses: Bool

    init(configuration: ReaderConfiguration, json: Bool, showsPulses: Bool) throws {
        do {
            reader = try WiegandReader(configuration: configuration)
        } catch {
            throw ValidationError(error.description)
        }
        printer = ReaderEventPrinter(json: json)
        self.showsPulses = showsPulses
    }

    var nextDeadline: UInt64? { reader.nextDeadline }

    mutating func handle(_ edge: EdgeEvent) {
        var events: [ReaderEvent] = []
        reader.handle(edge) { events.append($0) }
        // An edge after the silence first ends the previous frame: its statistics must not include this edge.
        report(events)
        pulses.record(edge)
    }

    mutating func advance(to now: UInt64) {
        var events: [ReaderEvent] = []
        reader.advance(to: now) { events.append($0) }
        report(events)
    }

    mutating func finish() {
        var events: [ReaderEvent] = []
        reader.finish { events.append($0) }
        report(events)
    }

    private mutating func report(_ events: [ReaderEvent]) {
        for event in events { printer.print(event) }
        // Statistics cover the pulses up to the event that ended or voided a frame.
        if showsPulses, !events.isEmpty, pulses.widths.count > 0 {
            printer.print(EventLine(pulses: pulses))
            pulses.reset()
        }
    }
}

extension WiegandCommand {
    static func cardFormat(named name: String) throws -> CardFormat {
        guard let format = CardFormat.named(name) else {
            throw ValidationError(
                "unknown card format '\(name)'; known: \(CardFormat.builtIn.map(\.name).joined(separator: ", "))"
            )
        }
        return format
    }

    /// Reads a frame given as hex or as a bit string (see `decode --help` for how the length is chosen).
    static func parseFrame(_ text: String, bits: Int?, format: CardFormat?) throws -> WiegandFrame {
        if let bits, !(1...WiegandFrame.maxBitCount).contains(bits) {
            throw ValidationError("--bits must be 1-\(WiegandFrame.maxBitCount), not \(bits)")
        }
        if let bits, let format, bits != format.bitCount {
            throw ValidationError("\(format.name) frames are \(format.bitCount) bits, not \(bits)")
        }
        let isHexPrefixed = text.lowercased().hasPrefix("0x")
        if !isHexPrefixed, !text.isEmpty, text.allSatisfy({ $0 == "0" || $0 == "1" }), bits == nil || bits == text.count {
            guard let frame = WiegandFrame(bitString: text) else {
                throw ValidationError("a bit string holds at most \(WiegandFrame.maxBitCount) bits, not \(text.count)")
            }
            if let format, format.bitCount != frame.bitCount {
                throw ValidationError("\(format.name) frames are \(format.bitCount) bits, not \(frame.bitCount)")
            }
            return frame
        }
        let digits = isHexPrefixed ? String(text.dropFirst(2)) : text
        guard !digits.isEmpty, digits.count <= 16, let value = UInt64(digits, radix: 16) else {
            throw ValidationError("'\(text)' is neither hex (up to 16 digits) nor a string of 0 and 1")
        }
        let length = bits ?? format?.bitCount ?? shortestKnownLength(holding: value, digits: digits.count)
        guard let frame = WiegandFrame(value: value, bitCount: length) else {
            throw ValidationError("0x\(digits) does not fit in \(length) bits")
        }
        return frame
    }

    /// The shortest known frame length written with this many hex digits that holds the value;
    /// four bits per digit when no known length fits.
    private static func shortestKnownLength(holding value: UInt64, digits: Int) -> Int {
        let lengths = Set(CardFormat.builtIn.map(\.bitCount)).sorted()
        return lengths.first { ($0 + 3) / 4 == digits && ($0 == 64 || value >> UInt64($0) == 0) } ?? digits * 4
    }
}
