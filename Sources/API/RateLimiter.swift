import Synchronization

/// At most `limit` events per key in any `window` (a sliding window of the events' times). Keys beyond
/// `capacity` evict the key seen least recently, so a flood of addresses cannot grow it without bound.
final class RateLimiter: Sendable {
    let limit: Int
    let window: Duration
    private let capacity: Int
    private let events = Mutex<[String: [ContinuousClock.Instant]]>([:])

    init(limit: Int, window: Duration, capacity: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.capacity = capacity
    }

    /// nil when another event is allowed now; else the whole seconds until it is.
    func wait(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        events.withLock { events in
            let recent = (events[key] ?? []).filter { now - $0 < window }
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            let remaining = window - (now - oldest)
            return max(1, Int(remaining.components.seconds) + 1)
        }
    }

    func record(_ key: String, now: ContinuousClock.Instant = .now) {
        events.withLock { events in
            var recent = (events[key] ?? []).filter { now - $0 < window }
            recent.append(now)
            if recent.count > limit { recent.removeFirst(recent.count - limit) }
            events[key] = recent
            if events.count > capacity,
               let stalest = events.min(by: { ($0.value.last ?? now) < ($1.value.last ?? now) })?.key {
                events[stalest] = nil
            }
        }
    }

    /// Counts an event if it is allowed; returns the wait otherwise.
    func attempt(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        if let wait = wait(key, now: now) { return wait }
        record(key, now: now)
        return nil
    }

    func reset(_ key: String) {
        _ = events.withLock { $0.removeValue(forKey: key) }
    }
}
