import Synchronization

/// A link's events, kept in order for callers that wait for the ones they want: a CLI command waiting for its PD
/// to come online, a test waiting for a card. It is the one consumer of `OSDPLink.events`.
///
/// Waiting is by continuation, not by polling: a waiter wakes when an event arrives, when its timeout passes, or
/// when the link stops.
public final class OSDPEventInbox: Sendable {
    private struct State {
        /// Events not yet taken, oldest first.
        var pending: [OSDPLinkEvent] = []
        /// The last `capacity` events taken, oldest first.
        var recent: [OSDPLinkEvent] = []
        var finished = false
        /// Bumped on every change, so a waiter that registers late still sees what it missed.
        var version: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// Starts taking `link`'s events. `remembering` keeps that many events after they are taken, for `received`.
    public init(_ link: OSDPLink, remembering capacity: Int = 0) {
        self.capacity = max(0, capacity)
        let events = link.events
        Task { [weak self] in
            for await event in events { self?.update { $0.pending.append(event) } }
            self?.update { $0.finished = true }
        }
    }

    /// The events remembered after they were taken, then those not yet taken, oldest first.
    public var received: [OSDPLinkEvent] { state.withLock { $0.recent + $0.pending } }

    /// The next event within `timeout`, or nil if none came (or the link stopped).
    public func next(within timeout: Duration) async -> OSDPLinkEvent? {
        await take(within: timeout) { $0 }
    }

    /// Waits up to `timeout` for the first event not yet taken that `matching` picks, and takes it together with
    /// every event before it. Nil if none came in time or the link stopped first.
    public func take<Value>(within timeout: Duration, _ matching: (OSDPLinkEvent) -> Value?) async -> Value? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (value, version, finished) = state.withLock { state -> (Value?, UInt64, Bool) in
                for (index, event) in state.pending.enumerated() {
                    guard let value = matching(event) else { continue }
                    state.recent += state.pending.prefix(through: index)
                    state.recent.removeFirst(max(0, state.recent.count - capacity))
                    state.pending.removeFirst(index + 1)
                    return (value, state.version, state.finished)
                }
                return (nil, state.version, state.finished)
            }
            if let value { return value }
            if finished || ContinuousClock.now >= deadline { return nil }
            await waitForChange(after: version, until: deadline)
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let waiters = state.withLock { state in
            change(&state)
            state.version &+= 1
            defer { state.waiters.removeAll() }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the inbox changed after `version`, or at `deadline`.
    private func waitForChange(after version: UInt64, until deadline: ContinuousClock.Instant) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id = state.withLock { state -> UInt64? in
                guard state.version == version else { return nil }
                state.nextWaiter &+= 1
                state.waiters[state.nextWaiter] = continuation
                return state.nextWaiter
            }
            guard let id else { return continuation.resume() }
            Task { [weak self] in
                try? await Task.sleep(until: deadline)
                self?.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
            }
        }
    }
}
