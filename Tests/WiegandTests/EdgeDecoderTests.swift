import KeywayTestSupport
import Testing
@testable import Wiegand

@Suite struct EdgeDecoderTests {
    let h10301Frame = WiegandFrame(value: 0x089449F, bitCount: 26)!

    @Test func aCleanFrameEndsAfterTheSilence() throws {
        var timeline = Timeline()
        timeline.send(h10301Frame)
        var decoder = try EdgeDecoder()
        var events: [DecoderEvent] = []
        for edge in timeline.edges { events.append(contentsOf: decoder.handle(edge)) }
        #expect(events.isEmpty, "the frame must wait for the silence")
        let lastEdge = try #require(timeline.edges.last).tNs
        #expect(decoder.nextDeadline == lastEdge + 25_000_000)
        #expect(Array(decoder.advance(to: lastEdge + 24_999_999)).isEmpty)
        #expect(Array(decoder.advance(to: lastEdge + 25_000_000)) == [.frame(h10301Frame, endedAt: lastEdge)])
        #expect(decoder.nextDeadline == nil)
    }

    @Test func theNextFrameClosesThePreviousOne() throws {
        var timeline = Timeline()
        timeline.send(h10301Frame)
        timeline.send(bits: "1011")
        let frames = try decoderEvents(timeline.edges).compactMap(\.frame)
        #expect(frames == [h10301Frame, WiegandFrame(bitString: "1011")!])
    }

    @Test func jitterInsideTheLimitsIsAccepted() throws {
        var generator = SeededGenerator(seed: 7)
        var timeline = Timeline()
        for position in 0..<26 {
            timeline.pulse(on: h10301Frame.bit(at: position) ? .d1 : .d0, width: .random(in: 10_000...150_000, using: &generator))
            timeline.wait(.random(in: 200_000...20_000_000, using: &generator))
        }
        #expect(try decoderEvents(timeline.edges) == [.frame(h10301Frame, endedAt: timeline.edges.last!.tNs)])
    }

    @Test(arguments: [
        (UInt64(9_999), NoiseReason.pulseTooShort),
        (150_001, .pulseTooLong),
    ])
    func aPulseOutOfRangeVoidsTheFrame(width: UInt64, reason: NoiseReason) throws {
        var timeline = Timeline()
        timeline.pulse(on: .d0)
        timeline.wait(1_000_000)
        timeline.pulse(on: .d1, width: width)
        timeline.wait(1_000_000)
        timeline.send(bits: "1011")  // the tail must not be read as a 4-bit key
        let events = try decoderEvents(timeline.edges)
        #expect(events.compactMap(\.noiseReason) == [reason])
        #expect(events.compactMap(\.frame).isEmpty)
    }

    @Test func aTooLongPulseIsReportedWhenItPassesTheLimitAndOnce() throws {
        var decoder = try EdgeDecoder()
        #expect(Array(decoder.handle(EdgeEvent(line: .d0, edge: .falling, tNs: 1_000))).isEmpty)
        #expect(decoder.nextDeadline == 1_000 + 150_001)
        #expect(Array(decoder.advance(to: 151_001)) == [.noise(.pulseTooLong, at: 151_000)])
        #expect(Array(decoder.handle(EdgeEvent(line: .d0, edge: .rising, tNs: 400_000))).isEmpty)
        #expect(Array(decoder.finish()).isEmpty, "a voided frame ends silently")
    }

    @Test(arguments: [
        (UInt64(199_999), NoiseReason.intervalTooShort),
        (20_000_001, .intervalTooLong),
    ])
    func anIntervalOutOfRangeVoidsTheFrame(interval: UInt64, reason: NoiseReason) throws {
        var timeline = Timeline()
        timeline.pulse(on: .d1)
        timeline.wait(interval)
        timeline.pulse(on: .d1)
        let events = try decoderEvents(timeline.edges)
        #expect(events.compactMap(\.noiseReason) == [reason])
        #expect(events.compactMap(\.frame).isEmpty)
    }

    @Test func overlappingPulsesAreNoiseAndHeldLowLinesAFault() throws {
        var decoder = try EdgeDecoder()
        _ = decoder.handle(EdgeEvent(line: .d0, edge: .falling, tNs: 1_000_000))
        #expect(Array(decoder.handle(EdgeEvent(line: .d1, edge: .falling, tNs: 1_020_000)))
            == [.noise(.bothLinesActive, at: 1_020_000)])
        #expect(decoder.nextDeadline == 11_020_000)
        #expect(Array(decoder.advance(to: 11_019_999)).isEmpty)
        #expect(Array(decoder.advance(to: 11_020_000)) == [.fault(.bothLow, at: 11_020_000)])
        #expect(Array(decoder.advance(to: 50_000_000)).isEmpty, "the fault is reported once")
        _ = decoder.handle(EdgeEvent(line: .d1, edge: .rising, tNs: 60_000_000))
        _ = decoder.handle(EdgeEvent(line: .d0, edge: .rising, tNs: 60_000_100))
        #expect(Array(decoder.finish()).isEmpty)
    }

    @Test func theFaultThresholdIsConfigurable() throws {
        var timing = DecoderTiming()
        timing.bothLowFault = 2_000_000
        var timeline = Timeline()
        timeline.edges = [
            EdgeEvent(line: .d0, edge: .falling, tNs: 0),
            EdgeEvent(line: .d1, edge: .falling, tNs: 10),
            EdgeEvent(line: .d0, edge: .rising, tNs: 2_000_010),
            EdgeEvent(line: .d1, edge: .rising, tNs: 2_000_020),
        ]
        #expect(try decoderEvents(timeline.edges, timing: timing) == [
            .noise(.bothLinesActive, at: 10), .fault(.bothLow, at: 2_000_010),
        ])
    }

    @Test func lostEdgesAndBackwardStampsVoidTheFrame() throws {
        let lostRising = [
            EdgeEvent(line: .d0, edge: .falling, tNs: 0),
            EdgeEvent(line: .d0, edge: .falling, tNs: 100_000),
            EdgeEvent(line: .d0, edge: .rising, tNs: 150_000),
        ]
        #expect(try decoderEvents(lostRising) == [.noise(.missedEdge, at: 100_000)])
        let backwards = [
            EdgeEvent(line: .d0, edge: .falling, tNs: 5_000_000),
            EdgeEvent(line: .d0, edge: .rising, tNs: 4_000_000),
        ]
        #expect(try decoderEvents(backwards) == [.noise(.outOfOrder, at: 5_000_000)])  // stamped at the last trusted time
    }

    @Test func aStaleClockReadingChangesNothing() throws {
        var decoder = try EdgeDecoder()
        _ = decoder.handle(EdgeEvent(line: .d1, edge: .falling, tNs: 10_000_000))
        _ = decoder.handle(EdgeEvent(line: .d1, edge: .rising, tNs: 10_050_000))
        #expect(Array(decoder.advance(to: 5_000_000)).isEmpty)
        #expect(Array(decoder.advance(to: 40_000_000)) == [.frame(WiegandFrame(bitString: "1")!, endedAt: 10_050_000)])
    }

    @Test func moreThan64BitsIsNoise() throws {
        var timeline = Timeline()
        timeline.send(bits: String(repeating: "10", count: 33))
        let events = try decoderEvents(timeline.edges)
        #expect(events.compactMap(\.noiseReason) == [.frameTooLong])
        #expect(events.compactMap(\.frame).isEmpty)
    }

    @Test func swappedLinesReadD0AsOne() throws {
        var timeline = Timeline()
        timeline.send(bits: "0001")
        #expect(try decoderEvents(timeline.edges, swapsLines: true).compactMap(\.frame) == [WiegandFrame(bitString: "1110")!])
    }

    @Test func limitsAreConfigurablePerReader() throws {
        // A slow simulator: 1 ms pulses, 5 ms apart; the default limits call the pulse too long.
        var timeline = Timeline()
        timeline.timing.pulseWidth = 1_000_000
        timeline.timing.bitInterval = 5_000_000
        timeline.send(bits: "0110")
        #expect(try decoderEvents(timeline.edges).compactMap(\.noiseReason).first == .pulseTooLong)
        let slow = DecoderTiming(pulseWidth: 100_000...2_000_000, bitInterval: 3_000_000...10_000_000, frameSilence: 50_000_000)
        #expect(try decoderEvents(timeline.edges, timing: slow).compactMap(\.frame) == [WiegandFrame(bitString: "0110")!])
    }

    @Test func impossibleTimingIsRejectedWithAReason() {
        #expect(throws: WiegandConfigurationError.invalidTiming("the longest pulse must be shorter than the shortest bit interval")) {
            try EdgeDecoder(timing: DecoderTiming(pulseWidth: 10_000...300_000))
        }
        #expect(throws: WiegandConfigurationError.self) { try EdgeDecoder(timing: DecoderTiming(frameSilence: 100)) }
        #expect(throws: WiegandConfigurationError.self) { try EdgeDecoder(timing: DecoderTiming(pulseWidth: 0...100)) }
        #expect(throws: WiegandConfigurationError.self) { try EdgeDecoder(timing: DecoderTiming(bothLowFault: 0)) }
    }

    @Test func pulseStatisticsSummariseWidthsAndIntervals() {
        var timeline = Timeline()
        timeline.pulse(on: .d0, width: 40_000)
        timeline.wait(1_000_000)
        timeline.pulse(on: .d1, width: 60_000)
        timeline.wait(3_000_000)
        timeline.pulse(on: .d1, width: 50_000)
        var statistics = PulseStatistics()
        for edge in timeline.edges { statistics.record(edge) }
        #expect(statistics.widths.count == 3)
        #expect(statistics.widths.minimum == 40_000)
        #expect(statistics.widths.maximum == 60_000)
        #expect(statistics.widths.mean == 50_000)
        #expect(statistics.intervals.count == 2)
        #expect(statistics.intervals.mean == 2_000_000)
        statistics.reset()
        #expect(statistics.widths.count == 0)
    }
}

/// Edges stamped earlier than the one before (two lines merged from a kernel that reorders, a clock
/// stepped back) must not leak into the decoder's time: found by the Wiegand fuzz target.
@Suite struct OutOfOrderEdgeTests {
    /// Random short timelines with gaps from a microsecond to tens of milliseconds, some stamped backwards.
    private func timeline(_ generator: inout SeededGenerator) -> [EdgeEvent] {
        var now: UInt64 = 1_000_000_000
        return (0..<Int.random(in: 1...24, using: &generator)).map { _ in
            let gap = UInt64.random(in: 0...255, using: &generator) * [1_000, 100_000, 10_000_000].randomElement(using: &generator)!
            now = Bool.random(using: &generator) && Int.random(in: 0..<4, using: &generator) == 0 ? now - min(now, gap) : now + gap
            return EdgeEvent(line: Bool.random(using: &generator) ? .d0 : .d1,
                             edge: Bool.random(using: &generator) ? .falling : .rising, tNs: now)
        }
    }

    /// Feeds the edges, letting time pass at every deadline first when `atDeadlines`; checks on the way
    /// that a deadline is never at or before the time the decoder has reached (a caller would spin).
    private func decode(_ edges: [EdgeEvent], atDeadlines: Bool) throws -> [DecoderEvent] {
        var decoder = try EdgeDecoder()
        var events: [DecoderEvent] = []
        var reached: UInt64 = 0
        for edge in edges {
            if atDeadlines {
                while let deadline = decoder.nextDeadline, deadline < edge.tNs {
                    try #require(deadline > reached, "deadline \(deadline) is not after \(reached)")
                    reached = deadline
                    events += decoder.advance(to: deadline)
                }
            }
            events += decoder.handle(edge)
            reached = max(reached, edge.tNs)
            if let deadline = decoder.nextDeadline { try #require(deadline > reached, "deadline \(deadline) is not after \(reached)") }
        }
        return events + decoder.finish()
    }

    @Test func theOutputDoesNotDependOnWhenTimeIsLetPassAndStaysInTimeOrder() throws {
        var generator = SeededGenerator(seed: 2026_12_07)
        for _ in 0..<20_000 {
            let edges = timeline(&generator)
            let eager = try decode(edges, atDeadlines: true)
            #expect(eager == (try decode(edges, atDeadlines: false)), "\(edges)")
            let stamps = eager.map { event -> UInt64 in
                switch event { case .frame(_, let at), .noise(_, let at), .fault(_, let at): at }
            }
            #expect(stamps == stamps.sorted(), "\(edges)")
        }
    }
}
