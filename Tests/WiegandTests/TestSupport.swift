import KeywayTestSupport
@testable import Wiegand

/// Edge timelines for tests: the library's encoder starting at 1 s, with a reader's usual timing
/// (50 µs pulses, 1 ms apart, frames 100 ms apart).
typealias Timeline = PulseTrain

extension PulseTrain {
    init() { self.init(startingAt: 1_000_000_000) }

    /// Sends `0`/`1` characters as D0/D1 pulses (any length, even more than a frame holds), then waits out the frame gap.
    mutating func send(bits: String) {
        for bit in bits { send(bit: bit == "1") }
        wait(timing.frameGap)
    }
}

/// Everything a reader reports for `edges`, the end of input included.
func readerEvents(_ edges: [EdgeEvent], configuration: ReaderConfiguration = .init()) throws -> [ReaderEvent] {
    var reader = try WiegandReader(configuration: configuration)
    var events: [ReaderEvent] = []
    for edge in edges { reader.handle(edge) { events.append($0) } }
    reader.finish { events.append($0) }
    return events
}

/// Everything the edge decoder reports for `edges`, the end of input included.
func decoderEvents(_ edges: [EdgeEvent], timing: DecoderTiming = .init(), swapsLines: Bool = false) throws
    -> [DecoderEvent]
{
    var decoder = try EdgeDecoder(timing: timing, swapsLines: swapsLines)
    var events: [DecoderEvent] = []
    for edge in edges { events.append(contentsOf: decoder.handle(edge)) }
    events.append(contentsOf: decoder.finish())
    return events
}

extension DecoderEvent {
    var frame: WiegandFrame? {
        if case .frame(let frame, _) = self { frame } else { nil }
    }

    var noiseReason: NoiseReason? {
        if case .noise(let reason, _) = self { reason } else { nil }
    }
}

extension ReaderEvent {
    /// The event without its time, for comparisons.
    var summary: String {
        switch self {
        case .card(let frame, .card(let read), _):
            "card \(read.format.name) \(read.fields.facility.map(String.init) ?? "-") \(read.fields.card) \(frame.bitCount)"
        case .card(let frame, .ambiguous(let reads), _): "ambiguous \(reads.map(\.format.name)) \(frame.bitCount)"
        case .card(let frame, .parityError(let tried), _): "parity error \(tried.map(\.name)) \(frame.bitCount)"
        case .card(let frame, .unknownLength, _): "unknown length \(frame.bitCount)"
        case .key(let key, _): "key \(key)"
        case .pin(let pin, _): "pin \(pin.digits)"
        case .pinError(let error, _): "pin error \(error.rawValue)"
        case .noise(let reason, _): "noise \(reason.rawValue)"
        case .partial(let bits, _): "partial \(bits)"
        case .fault(let reason, _): "fault \(reason.rawValue)"
        }
    }
}
