import Foundation

/// How far the clock may go back before it is distrusted: NTP steps and a few seconds of jitter are normal; a
/// clock set back by hours would revive expired codes and replay yesterday's schedules.
/// `tolerance` nil: the clock is not watched (the command line's dry runs judge the time they are given).
public struct ClockPolicy: Sendable {
    public var tolerance: TimeInterval?
    /// The system clock, read at start and off the door path to persist the latest time seen.
    public var now: @Sendable () -> Date

    public init(tolerance: TimeInterval? = 300, now: @escaping @Sendable () -> Date = { Date() }) {
        self.tolerance = tolerance
        self.now = now
    }
}

/// The clock went back: it reads `observed`, but `latestSeen` was seen (and persisted) before.
public struct ClockFault: Sendable, Hashable {
    public let latestSeen: Date
    public let observed: Date

    public var description: String {
        "the clock reads \(observed.formatted(.iso8601)), before \(latestSeen.formatted(.iso8601)) already seen: "
            + "time-bounded credentials and scheduled unlocks fail secure (clock_untrusted) until it catches up or an operator acknowledges"
    }
}

/// The latest time seen, and whether the clock is trusted. Pure state: the caller persists `latest` when told to
/// (in the decision's own transaction, or off the door path), so a restart with a clock set back is caught too.
final class ClockGuard: Sendable {
    private struct State {
        var latest: Date?
        var persisted: Date?
        var fault: ClockFault?
    }

    /// The persisted time is moved on at most this often: a write per decision would be wasted.
    static let persistEvery: TimeInterval = 60

    let policy: ClockPolicy
    private let state: Locked<State>

    init(policy: ClockPolicy, persisted: Date?) {
        self.policy = policy
        state = Locked(State(latest: persisted, persisted: persisted))
    }

    struct Observation {
        var trusted: Bool
        /// This observation started a fault: raise the alarm once.
        var faultBegan = false
        /// A time to persist as the latest seen.
        var persist: Date?
    }

    /// Judges a time from the clock: trusted unless it is more than the tolerance before the latest time seen.
    /// A fault clears by itself when the clock catches up.
    func observe(_ date: Date) -> Observation {
        guard let tolerance = policy.tolerance else { return Observation(trusted: true) }
        return state.withLock { state in
            guard let latest = state.latest else {
                state.latest = date
                state.persisted = date
                return Observation(trusted: true, persist: date)
            }
            if date < latest - tolerance {
                let began = state.fault == nil
                state.fault = ClockFault(latestSeen: latest, observed: date)
                return Observation(trusted: false, faultBegan: began)
            }
            state.fault = nil
            guard date > latest else { return Observation(trusted: true) }
            state.latest = date
            guard date >= (state.persisted ?? .distantPast) + Self.persistEvery else { return Observation(trusted: true) }
            state.persisted = date
            return Observation(trusted: true, persist: date)
        }
    }

    var fault: ClockFault? { state.withLock { $0.fault } }

    /// An operator says the clock is right now: it becomes the latest time seen.
    func acknowledge(at date: Date) {
        state.withLock { $0 = State(latest: date, persisted: date, fault: nil) }
    }
}
