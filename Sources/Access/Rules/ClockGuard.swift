import Foundation

/// How far the clock may go back before it is distrusted: NTP steps and a few seconds of jitter are normal; a
/// clock set back by hours would revive expired codes and replay yesterday's schedules.
/// `tolerance` nil: the clock is not watched (the command line's dry runs judge the time they are given).
public struct ClockPolicy: Sendable {
    public var tolerance: TimeInterval?
    /// The system clock, read at start and off the door path to persist the latest time seen.
    public var now: @Sendable () -> Date
    /// Whether the system clock is synchronised now (the kernel's NTP status), asked with every time judged;
    /// false is a fault like a clock set back. nil: not asked (a site without NTP says so in its configuration).
    public var synchronised: (@Sendable () -> Bool)?

    public init(
        tolerance: TimeInterval? = 300, now: @escaping @Sendable () -> Date = { Date() }, synchronised: (@Sendable () -> Bool)? = nil
    ) {
        self.tolerance = tolerance
        self.now = now
        self.synchronised = synchronised
    }
}

/// Why the clock is not trusted now.
public struct ClockFault: Sendable, Hashable {
    public enum Cause: Sendable, Hashable {
        /// The clock reads `observed`, but `latestSeen` was seen (and persisted) before.
        case setBack(latestSeen: Date)
        /// The kernel says the clock is not synchronised (no NTP since boot, or NTP lost): it may read anything.
        case unsynchronised
    }

    public let cause: Cause
    public let observed: Date

    /// The latest time seen before a clock set back.
    public var latestSeen: Date? {
        if case .setBack(let latest) = cause { latest } else { nil }
    }

    /// The alarm it raises once, when it begins.
    public var alarm: Alarm {
        switch cause {
        case .setBack: .clockSetBack
        case .unsynchronised: .clockUnsynchronised
        }
    }

    public var description: String {
        let consequence = "time-bounded credentials and scheduled unlocks fail secure (clock_untrusted)"
        return switch cause {
        case .setBack(let latest):
            "the clock reads \(observed.formatted(.iso8601)), before \(latest.formatted(.iso8601)) already seen: "
                + "\(consequence) until it catches up or an operator acknowledges"
        case .unsynchronised:
            "the system clock is not synchronised (NTP): \(consequence) until it is, "
                + "or the site's configuration says it has no NTP (site.clock_sync: not_required)"
        }
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

    /// Judges a time from the clock: trusted unless it is more than the tolerance before the latest time seen,
    /// or the clock is not synchronised. A fault clears by itself when the clock catches up or is synchronised.
    func observe(_ date: Date) -> Observation {
        guard let tolerance = policy.tolerance else { return Observation(trusted: true) }
        let synchronised = policy.synchronised?() ?? true
        return state.withLock { state in
            if let latest = state.latest, date < latest - tolerance {
                return Self.fault(.setBack(latestSeen: latest), observed: date, in: &state)
            }
            // An unsynchronised clock may be ahead: what it reads is not kept as the latest time seen.
            guard synchronised else { return Self.fault(.unsynchronised, observed: date, in: &state) }
            guard let latest = state.latest else {
                state = State(latest: date, persisted: date)
                return Observation(trusted: true, persist: date)
            }
            state.fault = nil
            guard date > latest else { return Observation(trusted: true) }
            state.latest = date
            guard date >= (state.persisted ?? .distantPast) + Self.persistEvery else { return Observation(trusted: true) }
            state.persisted = date
            return Observation(trusted: true, persist: date)
        }
    }

    /// A fault begins when there was none or its cause changed.
    private static func fault(_ cause: ClockFault.Cause, observed: Date, in state: inout State) -> Observation {
        let began = state.fault.map { !$0.cause.isSameKind(as: cause) } ?? true
        state.fault = ClockFault(cause: cause, observed: observed)
        return Observation(trusted: false, faultBegan: began)
    }

    var fault: ClockFault? { state.withLock { $0.fault } }

    /// An operator says the clock is right now: it becomes the latest time seen.
    func acknowledge(at date: Date) {
        state.withLock { $0 = State(latest: date, persisted: date, fault: nil) }
    }
}

extension ClockFault.Cause {
    func isSameKind(as other: Self) -> Bool {
        switch (self, other) {
        case (.setBack, .setBack), (.unsynchronised, .unsynchronised): true
        default: false
        }
    }
}
