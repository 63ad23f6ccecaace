import Foundation

/// Keypad brute-force protection, as numbers: per reader, `failures` wrong codes within `window` lock that
/// reader's keypad for the next period of `lockouts` (escalating; the last one repeats), until `forgiveAfter`
/// passes without a wrong code. Site-wide, `siteFailures` within `siteWindow` lock every keypad for `siteLockout`,
/// catching guessing spread over doors. Cards keep working throughout.
public struct KeypadLockoutPolicy: Sendable {
    public var failures = 5
    public var window: TimeInterval = 60
    public var lockouts: [TimeInterval] = [30, 120, 600]
    public var forgiveAfter: TimeInterval = 3600
    public var siteFailures = 20
    public var siteWindow: TimeInterval = 300
    public var siteLockout: TimeInterval = 300

    public init() {}
}

/// Keypad lockout state, in memory (a restart forgives). Only keypad entries touch it, so a plain mutex is fine:
/// card decisions never do.
final class KeypadGuard: Sendable {
    private struct ReaderState {
        var recentFailures: [Date] = []
        var lockedUntil: Date?
        var level = 0
        var lastFailure: Date?
    }

    private struct State {
        var readers: [String: ReaderState] = [:]
        var siteFailures: [Date] = []
        var siteLockedUntil: Date?
    }

    private let policy: KeypadLockoutPolicy
    private let state = Locked(State())

    init(policy: KeypadLockoutPolicy) { self.policy = policy }

    func isLocked(reader: String, at date: Date) -> Bool {
        state.withLock { state in
            if let until = state.siteLockedUntil, date < until { return true }
            if let until = state.readers[reader]?.lockedUntil, date < until { return true }
            return false
        }
    }

    /// Counts a wrong code and returns the alarms it raised (a lockout starting).
    func recordFailure(reader: String, at date: Date) -> [Alarm] {
        state.withLock { state in
            var alarms: [Alarm] = []
            var entry = state.readers[reader] ?? ReaderState()
            if let last = entry.lastFailure, date.timeIntervalSince(last) >= policy.forgiveAfter { entry.level = 0 }
            entry.lastFailure = date
            entry.recentFailures = entry.recentFailures.filter { date.timeIntervalSince($0) < policy.window } + [date]
            if entry.recentFailures.count >= policy.failures {
                entry.lockedUntil = date + policy.lockouts[min(entry.level, policy.lockouts.count - 1)]
                entry.level += 1
                entry.recentFailures = []
                alarms.append(.keypadLockout)
            }
            state.readers[reader] = entry

            state.siteFailures = state.siteFailures.filter { date.timeIntervalSince($0) < policy.siteWindow } + [date]
            if state.siteFailures.count >= policy.siteFailures {
                state.siteLockedUntil = date + policy.siteLockout
                state.siteFailures = []
                alarms.append(.siteKeypadLockout)
            }
            return alarms
        }
    }
}
