/// A link's events, kept in order for callers that wait for the ones they want: a CLI command waiting for its PD
/// to come online, a test waiting for a card. It is the one consumer of `OSDPLink.events`.
///
/// Waiting is by continuation, not by polling: a waiter wakes when an event arrives, when its timeout passes, or
/// when the link stops. An actor rather than a lock: events arrive while a caller looks through them, and the
/// actor orders the two without either blocking a thread.
public actor OSDPEventInbox {
    /// Events not yet taken, oldest first.
    private var pending: [OSDPLinkEvent] = []
    /// The last `capacity` events taken, oldest first.
    private var recent: [OSDPLinkEvent] = []
    private let capacity: Int
    private var finished = false
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var lastWaiter: UInt64 = 0

    /// Starts taking `link`'s events. `remembering` keeps that many events after they are taken, for `received`.
    public init(_ link: OSDPLink, remembering capacity: Int = 0) {
        self.capacity = max(0, capacity)
        let events = link.events
        Task { [weak self] in
            for await event in events { await self?.arrived(event) }
            await self?.ended()
        }
    }

    /// The events remembered after they were taken, then those not yet taken, oldest first.
    public var received: [OSDPLinkEvent] { recent + pending }

    /// The next event within `timeout`, or nil if none came (or the link stopped).
    public func next(within timeout: Duration) async -> OSDPLinkEvent? {
        await take(within: timeout) { $0 }
    }

    /// Waits up to `timeout` for the first event not yet taken that `matching` picks, and takes it together with
    /// every event before it. Nil if none came in time or the link stopped first.
    public func take<Value: Sendable>(
        within timeout: Duration, _ matching: @Sendable (OSDPLinkEvent) -> Value?
    ) async -> Value? {
        let deadline = ContinuousClock.now + timeout
        while true {
            for (index, event) in pending.enumerated() {
                guard let value = matching(event) else { continue }
                recent += pending.prefix(through: index)
                recent.removeFirst(max(0, recent.count - capacity))
                pending.removeFirst(index + 1)
                return value
            }
            if finished || ContinuousClock.now >= deadline { return nil }
            await waitForChange(until: deadline)
        }
    }

    private func arrived(_ event: OSDPLinkEvent) {
        pending.append(event)
        wakeAll()
    }

    private func ended() {
        finished = true
        wakeAll()
    }

    private func wakeAll() {
        let woken = waiters.values
        waiters.removeAll()
        for waiter in woken { waiter.resume() }
    }

    /// Returns when an event arrives or the link ends, or at `deadline`.
    private func waitForChange(until deadline: ContinuousClock.Instant) async {
        lastWaiter &+= 1
        let id = lastWaiter
        await withCheckedContinuation { continuation in
            waiters[id] = continuation
            Task { [weak self] in
                try? await Task.sleep(until: deadline)
                await self?.timedOut(id)
            }
        }
    }

    private func timedOut(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
