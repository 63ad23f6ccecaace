import Foundation

/// Keypad brute-force protection, as numbers: per reader, `failures` wrong codes within `window` lock that
/// reader's keypad for the next period of `lockouts` (escalating; the last one repeats), until `forgiveAfter`
/// passes without a wrong code. Slow guessing that stays under that rate is caught by the long window:
/// `slowFailures` within `slowWindow` at one reader raise `keypad_guessing` and lock it for `slowLockout`.
/// Site-wide, `siteFailures` within `siteWindow` lock every keypad for `siteLockout`, catching guessing spread
/// over doors. Cards keep working throughout, and so does card and PIN unless that very reader is locked.
public struct KeypadLockoutPolicy: Sendable {
    public var failures = 5
    public var window: TimeInterval = 60
    public var lockouts: [TimeInterval] = [30, 120, 600]
    public var forgiveAfter: TimeInterval = 3600
    public var slowFailures = 10
    public var slowWindow: TimeInterval = 3600
    public var slowLockout: TimeInterval = 900
    public var siteFailures = 20
    public var siteWindow: TimeInterval = 300
    public var siteLockout: TimeInterval = 300

    public init() {}

    /// How far back the log is replayed at start to rebuild the state: long enough for every window, lockout and
    /// the escalation's memory.
    var remembered: TimeInterval {
        [window, slowWindow, siteWindow].max()! + [forgiveAfter, slowLockout, siteLockout, lockouts.max() ?? 0].max()!
    }
}

/// Which lockout holds a keypad.
enum KeypadLock: Sendable, Hashable {
    /// This reader was guessed at.
    case reader
    /// Guessing spread over the site: keypads alone are refused, card and PIN still decides.
    case site
}

/// Keypad lockout state, in memory, rebuilt at start from the log's wrong-code rows (`replay`), so a restart
/// forgives nothing. Only keypad entries touch it, so a plain mutex is fine: card decisions never do.
final class KeypadGuard: Sendable {
    private struct ReaderState {
        var recentFailures: [Date] = []
        var hourFailures: [Date] = []
        var lockedUntil: Date?
        var level = 0
        var lastFailure: Date?
    }

    private struct State {
        var readers: [String: ReaderState] = [:]
        var siteFailures: [Date] = []
        var siteLockedUntil: Date?
    }

    let policy: KeypadLockoutPolicy
    private let state = Locked(State())

    init(policy: KeypadLockoutPolicy) { self.policy = policy }

    func lock(reader: String, at date: Date) -> KeypadLock? {
        state.withLock { state in
            if let until = state.readers[reader]?.lockedUntil, date < until { return .reader }
            if let until = state.siteLockedUntil, date < until { return .site }
            return nil
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
            entry.hourFailures = entry.hourFailures.filter { date.timeIntervalSince($0) < policy.slowWindow } + [date]
            if entry.recentFailures.count >= policy.failures {
                entry.lockedUntil = date + policy.lockouts[min(entry.level, policy.lockouts.count - 1)]
                entry.level += 1
                entry.recentFailures = []
                alarms.append(.keypadLockout)
            } else if entry.hourFailures.count >= policy.slowFailures {
                entry.lockedUntil = max(entry.lockedUntil ?? date, date + policy.slowLockout)
                entry.hourFailures = []
                alarms.append(.keypadGuessing)
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

    /// Rebuilds the state from past wrong codes, oldest first (their alarms were raised when they happened).
    func replay(_ failures: [(reader: String, at: Date)]) {
        for failure in failures { _ = recordFailure(reader: failure.reader, at: failure.at) }
    }
}
