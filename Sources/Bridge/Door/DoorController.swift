/// One door as a state machine: reader events, decisions, contacts and time go in; relay, reader
/// feedback, alarms and log records come out. It never reads a clock and never does I/O, so every
/// rule here is tested with a fake clock. Doubt always ends locked: a denial, a lost decision,
/// a reader that went away.
public struct DoorController: Sendable {
    public let name: String
    public let configuredMode: DoorMode
    private let strike: Duration
    private let extendedStrike: Duration
    private let heldOpen: UInt64
    private let pinTimeout: UInt64

    /// An operator's override of the configured mode, if any.
    public private(set) var override: Override?
    public private(set) var alarms: Set<DoorAlarm> = []
    /// nil until the door position switch reports (or when there is none).
    public private(set) var isOpen: Bool?

    private var pinEntry: PINEntry
    private var cardAwaitingPIN: (card: CardData, deadline: UInt64)?
    private var outstanding: Set<DecisionRequestID> = []
    private var nextRequest: UInt64 = 1
    /// Until when the strike is released by a pulse; an opening before then is legitimate.
    private var releasedUntil: UInt64 = 0
    private var openedAt: UInt64?

    public enum Override: String, Sendable, Equatable {
        case unlocked
        case locked
        case lockdown
    }

    public init(configuration: DoorConfiguration, keyTimeout: Duration = .seconds(5)) {
        name = configuration.name
        configuredMode = configuration.mode
        strike = configuration.strike
        extendedStrike = configuration.extendedStrike
        heldOpen = configuration.heldOpen.nanoseconds
        pinTimeout = configuration.pinTimeout.nanoseconds
        pinEntry = PINEntry(keyTimeout: keyTimeout)
    }

    /// The mode in force: the configured one unless an operator overrode it.
    public var mode: DoorMode {
        switch override {
        case nil: configuredMode
        case .unlocked: .unlocked
        case .lockdown: .lockdown
        // "lock" on a door configured unlocked still lets credentials in.
        case .locked: configuredMode == .unlocked ? .cardOnly : configuredMode
        }
    }

    /// The relay state to establish when the service starts.
    public func start() -> [DoorAction] { [.setRelay(unlocked: mode == .unlocked)] }

    /// The earliest time `.tick` has something to do.
    public func nextDeadline() -> UInt64? {
        [
            cardAwaitingPIN?.deadline,
            pinEntry.deadline,
            releasedUntil > 0 ? releasedUntil : nil,
            heldOpenDeadline,
        ].compactMap { $0 }.min()
    }

    /// When an open door starts to count as held open; nil when it cannot (closed, unlocked, alarm already up).
    private var heldOpenDeadline: UInt64? {
        guard let openedAt, mode != .unlocked, alarms.isEmpty else { return nil }
        return openedAt + heldOpen
    }

    public mutating func handle(_ input: DoorInput, now: UInt64) -> [DoorAction] {
        var actions = expireTimers(now: now)
        switch input {
        case .card(let card): actions += present(card: card, now: now)
        case .key(let key): actions += press(key, now: now)
        case .pin(let pin): actions += present(pin: pin)
        case .decided(let id, let outcome): actions += apply(outcome, for: id, now: now)
        case .doorPosition(let open): actions += doorPositionChanged(open: open, now: now)
        case .exitButtonPressed: actions += release(for: strike, now: now, recording: .exitRequest)
        case .unlock(let duration?): actions += release(for: duration, now: now, recording: .remoteUnlock)
        case .unlock(nil): actions += setOverride(.unlocked)
        case .command(.lock): actions += setOverride(.locked)
        case .command(.lockdown): actions += setOverride(.lockdown)
        case .command(.normal): actions += setOverride(nil)
        case .readerOffline:
            pinEntry.reset()
            cardAwaitingPIN = nil
        case .tick: break
        }
        return actions
    }

    // MARK: Credentials

    private mutating func present(card: CardData, now: UInt64) -> [DoorAction] {
        switch mode {
        case .lockdown: return refuse(.refusedInLockdown)
        case .pinOnly: return refuse(.cardNotAccepted)
        case .cardAndPin:
            pinEntry.reset()
            cardAwaitingPIN = (card, now + pinTimeout)
            return [.feedback(.awaitingPIN)]
        case .cardOnly, .cardOrPin, .unlocked:
            return [ask(.card(card))]
        }
    }

    private mutating func press(_ key: Character, now: UInt64) -> [DoorAction] {
        // Card-only doors ignore their keypad: nothing typed there can matter.
        guard mode != .cardOnly else { return [] }
        switch pinEntry.press(key, now: now) {
        case .collecting, .cleared: return []
        case .overflow:
            cardAwaitingPIN = nil
            return refuse(.pinTooLong)
        case .submitted(let pin): return present(pin: pin)
        }
    }

    private mutating func present(pin: String) -> [DoorAction] {
        if let awaiting = cardAwaitingPIN {
            cardAwaitingPIN = nil
            return [ask(.cardAndPin(awaiting.card, pin: pin))]
        }
        switch mode {
        case .lockdown: return refuse(.refusedInLockdown)
        case .cardAndPin: return refuse(.pinWithoutCard)
        case .cardOnly: return []
        case .pinOnly, .cardOrPin, .unlocked: return [ask(.pin(pin))]
        }
    }

    private mutating func ask(_ credential: PresentedCredential) -> DoorAction {
        let id = DecisionRequestID(value: nextRequest)
        nextRequest += 1
        outstanding.insert(id)
        return .decide(id, credential)
    }

    private func refuse(_ event: DoorEvent) -> [DoorAction] { [.record(event), .feedback(.denied)] }

    private mutating func apply(_ outcome: DecisionOutcome, for id: DecisionRequestID, now: UInt64) -> [DoorAction] {
        // An answer to a question this door did not ask (or already had answered) opens nothing.
        guard outstanding.remove(id) != nil else { return [] }
        switch outcome {
        case .denied:
            return [.feedback(.denied)]
        case .granted(let extended):
            // Lockdown may have begun while the access core was deciding; it wins.
            guard mode != .lockdown else { return refuse(.refusedInLockdown) }
            guard mode != .unlocked else { return [.feedback(.granted)] }
            return release(for: extended ? extendedStrike : strike, now: now) + [.feedback(.granted)]
        }
    }

    // MARK: Strike and door position

    /// Releases the strike for a while; never in lockdown, whoever asks.
    private mutating func release(for duration: Duration, now: UInt64, recording event: DoorEvent? = nil) -> [DoorAction] {
        guard mode != .lockdown else { return [] }
        releasedUntil = max(releasedUntil, now + duration.nanoseconds)
        return (event.map { [.record($0)] } ?? []) + [.pulseRelay(duration)]
    }

    private mutating func setOverride(_ newOverride: Override?) -> [DoorAction] {
        let before = mode
        override = newOverride
        if mode != .cardAndPin { cardAwaitingPIN = nil }
        pinEntry.reset()
        guard mode != before else { return [] }
        var actions: [DoorAction] = [.record(.modeChanged), .setRelay(unlocked: mode == .unlocked)]
        if mode == .unlocked, alarms.contains(.heldOpen) { actions += clear(.heldOpen) }
        if mode == .lockdown { releasedUntil = 0 }
        return actions
    }

    private mutating func doorPositionChanged(open: Bool, now: UInt64) -> [DoorAction] {
        guard open != isOpen else { return [] }
        isOpen = open
        guard open else {
            openedAt = nil
            return alarms.sorted { $0.rawValue < $1.rawValue }.flatMap { clear($0) }
        }
        openedAt = now
        let legitimate = mode == .unlocked || now < releasedUntil
        guard !legitimate else { return [] }
        alarms.insert(.forcedOpen)
        return [.alarm(.forcedOpen, raised: true)]
    }

    private mutating func clear(_ alarm: DoorAlarm) -> [DoorAction] {
        guard alarms.remove(alarm) != nil else { return [] }
        return [.alarm(alarm, raised: false)]
    }

    /// Everything whose time has come, before the input at `now` is looked at.
    private mutating func expireTimers(now: UInt64) -> [DoorAction] {
        var actions: [DoorAction] = []
        if let awaiting = cardAwaitingPIN, now >= awaiting.deadline {
            cardAwaitingPIN = nil
            actions += refuse(.pinTimeout)
        }
        _ = pinEntry.expire(now: now)
        if releasedUntil > 0, now >= releasedUntil { releasedUntil = 0 }
        if let heldOpenDeadline, now >= heldOpenDeadline {
            alarms.insert(.heldOpen)
            actions.append(.alarm(.heldOpen, raised: true))
        }
        return actions
    }
}
