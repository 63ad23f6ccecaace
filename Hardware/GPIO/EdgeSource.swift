import Wiegand

/// What an edge source has next.
public enum EdgeReading: Sendable, Hashable {
    /// The next edge, in timestamp order across both lines.
    case edge(EdgeEvent)
    /// The deadline passed with no edge; `now` is the monotonic time in nanoseconds, to pass to the decoder.
    case idle(now: UInt64)
    /// The source has no more edges (end of a recording).
    case end
}

/// Where a reader's edges come from: GPIO lines, a recorded timeline, or a test's list.
/// Adapters only deliver edges; decoding is the Wiegand decoder's job.
public protocol EdgeSource {
    /// The next edge, waiting at most until `deadline` (monotonic nanoseconds; nil waits for an edge or the end).
    /// Recorded sources never wait: their time is the edges' own timestamps.
    mutating func next(until deadline: UInt64?) throws -> EdgeReading
}

extension EdgeSource {
    /// Hands the source's edges to `edge` in order until the source ends or `shouldStop()` holds. Before each
    /// wait it asks `deadline()` when the consumer next needs to see time pass (a decoder's frame end); when that
    /// passes with no edge, `idle(now)` gets the time. Read errors end the loop and are thrown.
    public mutating func deliver(
        until shouldStop: () -> Bool = { false }, deadline: () -> UInt64?,
        edge: (EdgeEvent) -> Void, idle: (_ now: UInt64) -> Void
    ) throws {
        while !shouldStop() {
            switch try next(until: deadline()) {
            case .edge(let event): edge(event)
            case .idle(let now): idle(now)
            case .end: return
            }
        }
    }
}

/// Edges held in memory, delivered in the order given (tests and simulations).
public struct InMemoryEdgeSource: EdgeSource, Sendable {
    private let edges: [EdgeEvent]
    private var position = 0

    public init(_ edges: [EdgeEvent]) {
        self.edges = edges
    }

    public mutating func next(until deadline: UInt64?) -> EdgeReading {
        guard position < edges.count else { return .end }
        defer { position += 1 }
        return .edge(edges[position])
    }
}
