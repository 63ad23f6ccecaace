import Foundation
@testable import GPIO
import KeywayTestSupport
import Testing
import Wiegand

@Suite struct EdgeSourceTests {
    @Test func inMemorySourceGivesItsEdgesThenEnds() {
        let edges = [EdgeEvent(line: .d0, edge: .falling, tNs: 1), EdgeEvent(line: .d0, edge: .rising, tNs: 50_001)]
        var source = InMemoryEdgeSource(edges)
        #expect(source.next(until: nil) == .edge(edges[0]))
        #expect(source.next(until: 0) == .edge(edges[1]))
        #expect(source.next(until: nil) == .end)
    }

    @Test func deliverHandsOverEveryEdgeInOrderUntilTheEndOrAStop() throws {
        let edges = (0..<4).map { EdgeEvent(line: $0 % 2 == 0 ? .d0 : .d1, edge: .falling, tNs: UInt64($0) * 1000) }
        var all = InMemoryEdgeSource(edges)
        var delivered: [EdgeEvent] = []
        try all.deliver(deadline: { nil }, edge: { delivered.append($0) }, idle: { _ in Issue.record("no idle in memory") })
        #expect(delivered == edges)

        var stopping = InMemoryEdgeSource(edges)
        delivered = []
        try stopping.deliver(until: { delivered.count == 2 }, deadline: { nil }, edge: { delivered.append($0) }, idle: { _ in })
        #expect(delivered == Array(edges.prefix(2)))
    }

    func replay(_ text: String) throws -> [Result<EdgeEvent, TimelineLineError>] {
        let directory = try TestPaths.temporaryDirectory("wiegand-replay")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("timeline.jsonl")
        try Data(text.utf8).write(to: file)
        var source = ReplayEdgeSource(reading: try FileHandle(forReadingFrom: file))
        var results: [Result<EdgeEvent, TimelineLineError>] = []
        while true {
            do {
                guard case .edge(let edge) = try source.next(until: nil) else { break }
                results.append(.success(edge))
            } catch let error as TimelineLineError {
                results.append(.failure(error))
            }
        }
        return results
    }

    @Test func replayReadsJSONLinesAndSkipsBlankOnes() throws {
        let results = try replay("""
            {"t_ns":123456789,"line":"D0","edge":"falling"}

            {"edge":"rising","line":"D0","t_ns":123506789}
            {"t_ns":18446744073709551615,"line":"D1","edge":"falling"}
            """)
        #expect(results == [
            .success(EdgeEvent(line: .d0, edge: .falling, tNs: 123_456_789)),
            .success(EdgeEvent(line: .d0, edge: .rising, tNs: 123_506_789)),
            .success(EdgeEvent(line: .d1, edge: .falling, tNs: .max)),
        ])
    }

    @Test func malformedLinesAreReportedWithTheirNumberAndReadingGoesOn() throws {
        let results = try replay("""
            {"t_ns":1,"line":"D0","edge":"falling"}
            not json
            {"line":"D0","edge":"falling"}
            {"t_ns":-5,"line":"D0","edge":"falling"}
            {"t_ns":1.5,"line":"D0","edge":"falling"}
            {"t_ns":2,"line":"D2","edge":"falling"}
            {"t_ns":2,"line":"D1","edge":"up"}
            {"t_ns":3,"line":"D1","edge":"rising"}
            """)
        #expect(results == [
            .success(EdgeEvent(line: .d0, edge: .falling, tNs: 1)),
            .failure(TimelineLineError(line: 2, message: "not a JSON object")),
            .failure(TimelineLineError(line: 3, message: "missing \"t_ns\"")),
            .failure(TimelineLineError(line: 4, message: "\"t_ns\" must be a non-negative integer (nanoseconds)")),
            .failure(TimelineLineError(line: 5, message: "\"t_ns\" must be a non-negative integer (nanoseconds)")),
            .failure(TimelineLineError(line: 6, message: "\"line\" must be \"D0\" or \"D1\"")),
            .failure(TimelineLineError(line: 7, message: "\"edge\" must be \"falling\" or \"rising\"")),
            .success(EdgeEvent(line: .d1, edge: .rising, tNs: 3)),
        ])
    }

    @Test func aReplayedTimelineDecodesLikeLiveEdges() throws {
        let frame = try CardFormat.h10301.encode(CardFields(facility: 68, card: 41551))
        var t: UInt64 = 1_000_000
        var text = ""
        for position in 0..<frame.bitCount {
            let line = frame.bit(at: position) ? "D1" : "D0"
            text += "{\"t_ns\":\(t),\"line\":\"\(line)\",\"edge\":\"falling\"}\n"
            text += "{\"t_ns\":\(t + 50_000),\"line\":\"\(line)\",\"edge\":\"rising\"}\n"
            t += 2_000_000
        }
        var reader = try WiegandReader()
        var events: [ReaderEvent] = []
        for case .success(let edge) in try replay(text) { reader.handle(edge) { events.append($0) } }
        reader.finish { events.append($0) }
        #expect(events.count == 1)
        guard case .card(_, .card(let read), _) = events.first else {
            Issue.record("expected a card, got \(events)")
            return
        }
        #expect(read.fields == CardFields(facility: 68, card: 41551))
    }

    /// The libgpiod adapter reads D0 and D1 from separate kernel queues; the merger puts them in time order.
    @Test func edgesFromTwoQueuesAreMergedInTimestampOrder() {
        var merger = EdgeMerger(window: 2_000)
        let d0 = EdgeEvent(line: .d0, edge: .falling, tNs: 10_000)
        let lateD1 = EdgeEvent(line: .d1, edge: .falling, tNs: 9_000)
        merger.insert(d0)
        #expect(merger.takeReady(now: 11_000) == nil, "held back for the window")
        #expect(merger.settledTime(now: 11_000) == 9_999, "time may not pass the held edge")
        merger.insert(lateD1)
        #expect(merger.settledTime(now: 11_000) == 8_999)
        #expect(merger.nextRelease == 11_000)
        #expect(merger.takeReady(now: 11_000) == lateD1)
        #expect(merger.takeReady(now: 11_000) == nil)
        #expect(merger.takeReady(now: 12_000) == d0)
        #expect(merger.nextRelease == nil)
        #expect(merger.settledTime(now: 20_000) == 20_000)
    }

    @Test func aMissingGPIOChipIsAClearError() {
        #expect {
            _ = try GPIODEdgeSource(chip: "gpiochip-keyway-missing", d0: 0, d1: 1)
        } throws: { error in
            guard case GPIOError.chipUnavailable(let chip, let reason) = error else { return false }
            return chip == "gpiochip-keyway-missing" && !reason.isEmpty
                && "\(error)".hasPrefix("cannot open GPIO chip gpiochip-keyway-missing: ")
        }
    }
}
