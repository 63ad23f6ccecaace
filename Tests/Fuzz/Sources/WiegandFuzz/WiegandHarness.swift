import FuzzSupport
import Wiegand

// Random edge timelines into the pure Wiegand decoder and the reader behind it.
//
// Input: byte 0 picks the keypad mode, line swap and byte order; bytes 1-2 a subset of the built-in card
// formats; then 2 bytes per edge: [flags, amount]. Flags: bit 0 the line (D0/D1), bit 1 the direction
// (falling/rising), bits 2-3 the unit of the gap before the edge (1 µs, 100 µs, 10 ms, or a jump:
// backwards, far ahead, or to the end of time), bit 4 asks the caller to let time pass midway.
//
// Invariants:
// - the decoder's events do not depend on how often the caller lets time pass (at every deadline,
//   never, or at the input's chosen moments): three decoders fed the same edges in time order agree exactly;
// - no event is stamped later than the latest time the decoder was given, and a deadline, once
//   reached, moves on (a caller waiting for it would otherwise spin);
// - a clean frame, sent again as a well-formed pulse train, decodes to the same frame;
// - a card read by exactly one format encodes back to the frame it was read from.

private let units: [UInt64] = [1_000, 100_000, 10_000_000]

private struct Timeline {
    var edges: [EdgeEvent] = []
    /// Times at which the caller lets time pass before the edge of the same index (0 = not).
    var pauses: [UInt64?] = []
}

private func timeline(_ input: inout FuzzInput) -> Timeline {
    var result = Timeline()
    var now: UInt64 = 1_000_000_000
    while !input.isAtEnd, result.edges.count < 4_096 {
        let flags = input.byte(), amount = UInt64(input.byte())
        let before = now
        switch flags >> 2 & 0x03 {
        case 3:
            switch amount % 4 {
            case 0: now = now >= amount * 1_000 ? now - amount * 1_000 : 0  // out of order
            case 1: now = UInt64.max - (amount << 8)                          // near the end of time
            case 2: now = UInt64.max
            default: now &+= amount << 40                                      // hours ahead
            }
        default:
            let (sum, overflow) = now.addingReportingOverflow(amount * units[Int(flags >> 2 & 0x03)])
            now = overflow ? .max : sum
        }
        let pause: UInt64? = flags & 0x10 != 0 && now > before ? before + (now - before) / 2 : nil
        result.pauses.append(pause)
        result.edges.append(EdgeEvent(line: flags & 0x01 == 0 ? .d0 : .d1, edge: flags & 0x02 == 0 ? .falling : .rising, tNs: now))
    }
    return result
}

/// How a caller drives the decoder between edges.
private enum Schedule: CaseIterable { case everyDeadline, never, chosenMoments }

private func decode(_ timeline: Timeline, swapsLines: Bool, schedule: Schedule) -> [DecoderEvent] {
    var decoder = try! EdgeDecoder(swapsLines: swapsLines)
    var events: [DecoderEvent] = []
    var latest: UInt64 = 0
    func collect(_ batch: DecoderEvents) {
        for event in batch {
            let time: UInt64 = switch event {
            case .frame(_, let at), .noise(_, let at), .fault(_, let at): at
            }
            invariant(time <= latest, "decoder event \(event) is stamped after the latest time it was given (\(latest))")
            events.append(event)
        }
    }
    for (edge, pause) in zip(timeline.edges, timeline.pauses) {
        switch schedule {
        case .everyDeadline:
            // A deadline is always after the time the decoder has reached (crashers/WiegandFuzz/deadline-before-last-edge
            // showed one before the last edge, where a caller advancing to it would spin).
            while let deadline = decoder.nextDeadline, deadline < edge.tNs {
                invariant(deadline > latest, "the decoder's deadline \(deadline) is not after the time it reached (\(latest))")
                let now = deadline
                latest = now
                collect(decoder.advance(to: now))
                if let next = decoder.nextDeadline {
                    invariant(next > now, "the decoder's deadline \(next) did not move when time reached \(now)")
                }
            }
        case .never: break
        case .chosenMoments:
            if let pause {
                latest = max(latest, pause)
                collect(decoder.advance(to: pause))
            }
        }
        latest = max(latest, edge.tNs)
        collect(decoder.handle(edge))
    }
    latest = .max
    collect(decoder.finish())
    return events
}

private let configurations: [(KeypadMode, String)] = [(.fourBit, "4bit"), (.eightBit, "8bit"), (.buffered26(), "buffered26"), (.bcd26, "bcd26")]

/// One input: libFuzzer calls this through the `LLVMFuzzerTestOneInput` symbol in main.swift.
func fuzzWiegand(_ bytes: UnsafeBufferPointer<UInt8>) {
    var input = FuzzInput(Array(bytes))
    let options = input.byte()
    let formatMask = input.integer(bytes: 2)
    let chosen = CardFormat.builtIn.enumerated().filter { formatMask >> UInt64($0.offset) & 1 == 1 }.map(\.element)
    let formats = chosen.isEmpty ? [CardFormat.h10301] : chosen
    let swapsLines = options & 0x04 != 0, reversesBytes = options & 0x08 != 0
    let line = timeline(&input)

    // Out-of-order edges included (crashers/WiegandFuzz/schedule-dependent-after-out-of-order-edge,
    // overlong-pulses-out-of-time-order): the output never depends on when time was let pass.
    let runs = Schedule.allCases.map { decode(line, swapsLines: swapsLines, schedule: $0) }
    invariant(runs.allSatisfy { $0 == runs[0] }, "decoder output depends on how often time is advanced:\n\(runs.map { "\($0)" }.joined(separator: "\n"))")

    // Clean frames survive being sent again.
    for case .frame(let frame, _) in runs[0] {
        var train = PulseTrain(startingAt: 1_000_000_000)
        train.send(frame)
        var decoder = try! EdgeDecoder()
        var again: [WiegandFrame] = []
        for edge in train.takeEdges() {
            for case .frame(let decoded, _) in decoder.handle(edge) { again.append(decoded) }
        }
        for case .frame(let decoded, _) in decoder.finish() { again.append(decoded) }
        invariant(again == [frame], "frame \(frame.bitString) sent again decoded as \(again.map(\.bitString))")
    }

    // The reader behind the decoder: cards, keys and PINs.
    let configuration = ReaderConfiguration(
        swapsLines: swapsLines, reversesBytes: reversesBytes, formats: formats, keypad: configurations[Int(options & 0x03)].0)
    var reader = try! WiegandReader(configuration: configuration)
    func check(_ event: ReaderEvent) {
        guard case .card(let frame, .card(let read), _) = event else { return }
        invariant(formats.contains(read.format), "card read with format \(read.format) that is not configured")
        let encoded = try? read.format.encode(read.fields, reversingBytes: reversesBytes)
        invariant(encoded == frame, "card \(read.fields) read as \(read.format) from \(frame.bitString) encodes to \(encoded?.bitString ?? "an error")")
    }
    var clock: UInt64 = 0
    for edge in line.edges {
        while let deadline = reader.nextDeadline, deadline < edge.tNs {
            invariant(deadline > clock, "the reader's deadline \(deadline) is not after the time it reached (\(clock))")
            clock = deadline
            reader.advance(to: clock, emit: check)
            invariant(reader.nextDeadline.map { $0 > clock } ?? true, "the reader's deadline did not move when time reached \(clock)")
        }
        clock = max(clock, edge.tNs)
        reader.handle(edge, emit: check)
    }
    reader.finish(emit: check)
}
