import Wiegand

/// Merges edges read from separate per-line queues into one stream in timestamp order.
///
/// An edge is handed out only once it is `window` old, so that an earlier edge still on its way through the other
/// line's queue is merged in front of it. Time is only reported as passed up to the next edge held back.
struct EdgeMerger {
    let window: UInt64
    private var pending: [EdgeEvent] = []

    init(window: UInt64) {
        self.window = window
    }

    mutating func insert(_ edge: EdgeEvent) {
        let position = pending.lastIndex { $0.tNs <= edge.tNs }.map { $0 + 1 } ?? 0
        pending.insert(edge, at: position)
    }

    /// The earliest edge, if it has waited out the window by `now`.
    mutating func takeReady(now: UInt64) -> EdgeEvent? {
        guard let first = pending.first, now >= first.tNs &+ window else { return nil }
        return pending.removeFirst()
    }

    /// How far the decoder may advance at `now`: not past an edge still held back.
    func settledTime(now: UInt64) -> UInt64 {
        guard let first = pending.first else { return now }
        return min(now, first.tNs > 0 ? first.tNs - 1 : 0)
    }

    /// When the earliest held edge becomes ready; nil when none is held.
    var nextRelease: UInt64? { pending.first.map { $0.tNs &+ window } }
}
