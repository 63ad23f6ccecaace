import KeywayTestSupport
@testable import Wiegand

/// Builds edge timelines the way a reader sends them: 50 µs pulses, 1 ms apart, frames 100 ms apart.
struct Timeline {
    var edges: [EdgeEvent] = []
    var now: UInt64 = 1_000_000_000
    var pulseWidth: UInt64 = 50_000
    var bitInterval: UInt64 = 1_000_000
    var frameGap: UInt64 = 100_000_000

    mutating func pulse(on line: WiegandLine, width: UInt64? = nil) {
        edges.append(EdgeEvent(line: line, edge: .falling, tNs: now))
        edges.append(EdgeEvent(line: line, edge: .rising, tNs: now + (width ?? pulseWidth)))
    }

    /// Sends every bit of `frame`, then waits out the frame gap.
    mutating func send(_ frame: WiegandFrame) {
        send(bits: frame.bitString)
    }

    /// Sends `0`/`1` characters as D0/D1 pulses (any length, even more than a frame holds).
    mutating func send(bits: String) {
        for bit in bits {
            pulse(on: bit == "1" ? .d1 : .d0)
            now += bitInterval
        }
        now += frameGap
    }

    mutating func wait(_ nanoseconds: UInt64) { now += nanoseconds }
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
