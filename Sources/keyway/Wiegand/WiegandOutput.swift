import Foundation
import GPIO
import Wiegand

/// `wiegand decode`'s answer, and the `card` event of `replay` and `sniff`: the same fields in both.
/// `format` is always present (null unless exactly one format validated); `facility` only for formats that have one.
struct CardReport: OutputRecord {
    var event: String?
    let frame: WiegandFrame
    let result: CardReadResult

    private enum Keys: String, CodingKey {
        case event, bits, hex, format, facility, card, oem, parity, candidates, tried
    }

    /// One format that validated an ambiguous frame.
    private struct Candidate: Encodable {
        let format: String
        let facility: UInt64?
        let card: UInt64
        let oem: UInt64?

        init(_ read: CardRead) {
            format = read.format.name
            facility = read.fields.facility
            card = read.fields.card
            oem = read.fields.oem
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(event, forKey: .event)
        try container.encode(frame.bitCount, forKey: .bits)
        try container.encode(frame.hex, forKey: .hex)
        switch result {
        case .card(let read):
            try container.encode(read.format.name, forKey: .format)
            try container.encodeIfPresent(read.fields.facility, forKey: .facility)
            try container.encode(read.fields.card, forKey: .card)
            try container.encodeIfPresent(read.fields.oem, forKey: .oem)
            try container.encode("ok", forKey: .parity)
        case .ambiguous(let reads):
            try container.encodeNil(forKey: .format)
            try container.encode("ok", forKey: .parity)
            try container.encode(reads.map(Candidate.init), forKey: .candidates)
        case .parityError(let tried):
            try container.encodeNil(forKey: .format)
            try container.encode("error", forKey: .parity)
            try container.encode(tried.map(\.name), forKey: .tried)
        case .unknownLength:
            try container.encodeNil(forKey: .format)
            try container.encode("unknown", forKey: .parity)
            try container.encode([String](), forKey: .tried)
        }
    }

    var humanDescription: String {
        let frameText = "\(frame.bitCount) bits \(frame.hex)"
        switch result {
        case .card(let read):
            return "\(read.format.name): \(Self.describe(read.fields))  (\(frameText), parity ok)"
        case .ambiguous(let reads):
            let lines = reads.map { "  \($0.format.name): \(Self.describe($0.fields))" }
            return (["\(frameText): parity ok in several formats; choose one with --format"] + lines)
                .joined(separator: "\n")
        case .parityError(let tried):
            return "\(frameText): parity error (tried \(tried.map(\.name).joined(separator: ", ")))"
        case .unknownLength:
            return "\(frameText): no known format has \(frame.bitCount) bits"
        }
    }

    static func describe(_ fields: CardFields) -> String {
        [
            fields.oem.map { "oem \($0)" },
            fields.facility.map { "facility \($0)" },
            "card \(fields.card)",
        ].compactMap { $0 }.joined(separator: ", ")
    }
}

/// Every other line `replay` and `sniff` print: `{"event":"key","key":"5"}`, `{"event":"noise",...}`, ...
struct EventLine: OutputRecord {
    let event: String
    var key: String?
    var pin: String?
    var reason: String?
    var tNs: UInt64?
    var bits: Int?
    var line: Int?
    var message: String?
    var count: Int?
    var widthUs: DurationSummary?
    var intervalUs: DurationSummary?

    enum CodingKeys: String, CodingKey {
        case event, key, pin, reason, bits, line, message, count
        case tNs = "t_ns"
        case widthUs = "width_us"
        case intervalUs = "interval_us"
    }

    /// Minimum, mean and maximum in whole microseconds.
    struct DurationSummary: Encodable {
        let min: UInt64
        let mean: UInt64
        let max: UInt64

        init?(_ summary: PulseStatistics.Summary) {
            guard summary.count > 0 else { return nil }
            min = (summary.minimum + 500) / 1_000
            mean = (summary.mean + 500) / 1_000
            max = (summary.maximum + 500) / 1_000
        }

        var text: String { "\(min)/\(mean)/\(max) µs" }
    }

    init(event: String) {
        self.event = event
    }

    init(pulses statistics: PulseStatistics) {
        event = "pulses"
        count = statistics.widths.count
        widthUs = DurationSummary(statistics.widths)
        intervalUs = DurationSummary(statistics.intervals)
    }

    var humanDescription: String {
        switch event {
        case "key": "key \(key ?? "")"
        case "pin": "pin \(pin ?? "")"
        case "pin_error", "fault": "\(event) \(reason ?? "")"
        case "noise": "noise \(reason ?? "") at \(tNs ?? 0) ns"
        case "partial": "partial frame, \(bits ?? 0) bits"
        case "error": "line \(line ?? 0): \(message ?? "")"
        case "pulses":
            "pulses \(count ?? 0): width min/mean/max \(widthUs?.text ?? "-"), interval \(intervalUs?.text ?? "-")"
        default: event
        }
    }
}

/// Prints reader events as JSON lines or as text for a person.
struct ReaderEventPrinter {
    let output: OutputOptions

    func print(_ event: ReaderEvent) {
        switch event {
        case .card(let frame, let result, _):
            let report = CardReport(event: "card", frame: frame, result: result)
            output.print(report, text: "card " + report.humanDescription)
        case .key(let key, _):
            print(with: "key") { $0.key = key.description }
        case .pin(let pin, _):
            print(with: "pin") { $0.pin = pin.digits }
        case .pinError(let error, _):
            print(with: "pin_error") { $0.reason = error.rawValue }
        case .noise(let reason, let time):
            print(with: "noise") {
                $0.reason = reason.rawValue
                $0.tNs = time
            }
        case .partial(let bitCount, _):
            print(with: "partial") { $0.bits = bitCount }
        case .fault(let reason, _):
            print(with: "fault") { $0.reason = reason.rawValue }
        }
    }

    func print(_ line: EventLine) {
        output.print(line)
    }

    /// A malformed input line: on stdout with the other events in JSON mode, on stderr for a person.
    func printInputError(_ error: TimelineLineError) {
        var line = EventLine(event: "error")
        line.line = error.line
        line.message = error.message
        output.json ? printJSONLine(line) : printError(line.humanDescription)
    }

    private func print(with event: String, _ fill: (inout EventLine) -> Void) {
        var line = EventLine(event: event)
        fill(&line)
        print(line)
    }
}
