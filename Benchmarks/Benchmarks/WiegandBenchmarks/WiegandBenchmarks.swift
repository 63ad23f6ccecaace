import Benchmark
import Wiegand

/// A long synthetic timeline: random H10301, H10306 and Corporate 1000 35-bit cards, 50 µs pulses 1 ms apart,
/// frames 100 ms apart. Built once; the benchmarks only decode.
struct SyntheticTimeline {
    let edges: [EdgeEvent]
    let frames: Int
    /// Time from the first edge to the end of the last frame's silence: laps are shifted by this much.
    let span: UInt64

    init(frames: Int) {
        var state: UInt64 = 0x5EED
        func random(below limit: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % limit
        }
        let formats: [CardFormat] = [.h10301, .h10306, .c1k35]
        var train = PulseTrain(startingAt: 0)
        for index in 0..<frames {
            let format = formats[index % formats.count]
            let facilityBits = format.fields.first { $0.field == .facility }!.length
            let cardBits = format.fields.first { $0.field == .card }!.length
            let frame = try! format.encode(CardFields(
                facility: random(below: 1 << UInt64(facilityBits)), card: random(below: 1 << UInt64(cardBits))
            ))
            train.send(frame)
        }
        self.edges = train.edges
        self.frames = frames
        self.span = train.now
    }
}

/// Plays a timeline for ever: each lap is shifted in time by the timeline's span, so a reader stays in its steady state.
struct EndlessPlayback {
    let timeline: SyntheticTimeline
    private var position = 0
    private var lapOffset: UInt64 = 0

    init(_ timeline: SyntheticTimeline) { self.timeline = timeline }

    mutating func next() -> EdgeEvent {
        var edge = timeline.edges[position]
        edge.tNs &+= lapOffset
        position += 1
        if position == timeline.edges.count {
            position = 0
            lapOffset &+= timeline.span
        }
        return edge
    }
}

let benchmarks: @Sendable () -> Void = {
    let timeline = SyntheticTimeline(frames: 3_000)
    let configuration = ReaderConfiguration(formats: [.h10301, .h10306, .c1k35])

    // One scaled iteration = one edge; throughput reads as edges per second.
    Benchmark(
        "Wiegand decode edges (H10301/H10306/C1k35 timeline)",
        configuration: .init(
            metrics: [.throughput, .wallClock, .mallocCountTotal],
            scalingFactor: .mega,
            maxDuration: .seconds(5),
            maxIterations: 20
        )
    ) { benchmark in
        var reader = try! WiegandReader(configuration: configuration)
        var playback = EndlessPlayback(timeline)
        var cards = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            reader.handle(playback.next()) { event in
                if case .card(_, .card, _) = event { cards += 1 }
            }
        }
        benchmark.stopMeasurement()
        blackHole(cards)
    }

    // One iteration = 1000 complete frames through the reader (edges in, cards out), unscaled, so the malloc
    // count is the exact total for 1000 frames after the reader's setup.
    Benchmark(
        "Wiegand decode 1000 frames (allocations in total)",
        configuration: .init(
            metrics: [.throughput, .wallClock, .mallocCountTotal],
            maxDuration: .seconds(3),
            maxIterations: 50
        )
    ) { benchmark in
        var reader = try! WiegandReader(configuration: configuration)
        var playback = EndlessPlayback(timeline)
        var cards = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let target = cards + 1_000
            while cards < target {
                reader.handle(playback.next()) { event in
                    if case .card(_, .card, _) = event { cards += 1 }
                }
            }
        }
        benchmark.stopMeasurement()
        blackHole(cards)
    }
}
