import Access
import Timebase

/// One door as a state machine: credentials, decisions, mode changes, contacts and time go in;
/// relay, reader feedback, alarms and log records come out. It never reads a clock and never does
/// I/O, so every rule here is tested with a fake clock. Every credential goes to the access core,
/// which decides and logs; the door only waits for the PIN of card-and-PIN, and doubt ends locked:
/// a denial, an answer to a question never asked, a grant arriving after lockdown began.
public struct DoorController: Sendable {
    public let name: String
    public private(set) var mode: DoorMode
    public private(set) var alarms: Set<DoorAlarm> = []
    /// nil until the door position switch reports (or when there is none).
    public private(set) var isOpen: Bool?

    private let strike: Duration
    private let extendedStrike: Duration
    private let heldOpen: Duration
    private let pinTimeout: Duration
    private var cardAwaitingPIN: (card: CardData, deadline: UInt64)?
    private var outstanding: Set<DecisionRequestID> = []
    private var nextRequest: UInt64 = 1
    /// Until when the strike is released by a pulse; an opening before then is legitimate.
    private var releasedUntil: UInt64 = 0
    private var openedAt: UInt64?

    public init(configuration: DoorConfiguration) {
        name = configuration.name
        mode = configuration.mode
        strike = configuration.strike
        extendedStrike = configuration.extendedStrike
        heldOpen = configuration.heldOpen
        pinTimeout = configuration.pinTimeout
    }

    /// The relay state to establish when the service starts.
    public func start() -> [DoorAction] { [.setRelay(unlocked: mode == .unlocked)] }

    /// The earliest time `.tick` has something to do.
    public func nextDeadline() -> UInt64? {
        [cardAwaitingPIN?.deadline, releasedUntil > 0 ? releasedUntil : nil, heldOpenDeadline].compactMap { $0 }.min()
    }

    /// When an open door starts to count as held open; nil when it cannot (closed, unlocked, alarm already up).
    private var heldOpenDeadline: UInt64? {
        guard let openedAt, mode != .unlocked, alarms.isEmpty else { return nil }
        return openedAt.advanced(by: heldOpen)
    }

    public mutating func handle(_ input: DoorInput, now: UInt64) -> [DoorAction] {
        var actions = expireTimers(now: now)
        switch input {
        case .card(let card):
            if mode == .cardAndPin {
                cardAwaitingPIN = (card, now.advanced(by: pinTimeout))
                actions.append(.feedback(.awaitingPIN))
            } else {
                actions.append(ask(.card(card)))
            }
        case .pin(let pin):
            if let awaiting = cardAwaitingPIN {
                cardAwaitingPIN = nil
                actions.append(ask(.cardAndPin(awaiting.card, pin: pin)))
            } else {
                actions.append(ask(.pin(pin)))
            }
        case .digitalKey(let token): actions.append(ask(.digitalKey(token: token)))
        case .decided(let id, let outcome): actions += apply(outcome, for: id, now: now)
        case .mode(let newMode): actions += change(to: newMode)
        case .doorPosition(let open): actions += doorPositionChanged(open: open, now: now)
        case .exitButtonPressed: actions += release(for: strike, now: now, recording: .requestToExit)
        case .unlock(let duration, let actor): actions += release(for: duration, now: now, recording: .unlocked, by: actor)
        case .relock: actions += relock()
        case .readerOffline: cardAwaitingPIN = nil
        case .tick: break
        }
        return actions
    }

    // MARK: Decisions

    private mutating func ask(_ presentation: Presentation) -> DoorAction {
        let id = DecisionRequestID(value: nextRequest)
        nextRequest += 1
        outstanding.insert(id)
        return .decide(id, presentation)
    }

    private mutating func apply(_ outcome: DecisionOutcome, for id: DecisionRequestID, now: UInt64) -> [DoorAction] {
        // An answer to a question this door did not ask (or already had answered) opens nothing.
        guard outstanding.remove(id) != nil else { return [] }
        switch outcome {
        case .denied:
            return [.feedback(.denied)]
        case .granted(let extended):
            // Lockdown may have begun while the access core was deciding; it wins.
            guard mode != .lockdown else { return [.feedback(.denied)] }
            guard mode != .unlocked else { return [.feedback(.granted)] }
            return release(for: extended ? extendedStrike : strike, now: now) + [.feedback(.granted)]
        }
    }

    // MARK: Strike, mode and door position

    /// Releases the strike for a while; never in lockdown, whoever asks.
    private mutating func release(for duration: Duration, now: UInt64, recording event: DoorEvent.Kind? = nil,
                                  by actor: String? = nil) -> [DoorAction] {
        guard mode != .lockdown else { return [] }
        releasedUntil = max(releasedUntil, now.advanced(by: duration))
        return (event.map { [.record($0, actor: actor)] } ?? []) + [.pulseRelay(duration)]
    }

    /// A new mode acts on the relay at once, whatever it was doing: held, locked, or released by a pulse (an
    /// operator's timed unlock, a grant), which the new setting ends. Relocking a relay already locked costs one
    /// command; leaving a strike released into a lockdown is what must never happen.
    private mutating func change(to newMode: DoorMode) -> [DoorAction] {
        guard newMode != mode else { return [] }
        mode = newMode
        if mode != .cardAndPin { cardAwaitingPIN = nil }
        releasedUntil = 0
        var actions: [DoorAction] = [.setRelay(unlocked: mode == .unlocked)]
        if mode == .unlocked { actions += clear(.heldOpen) }
        return actions
    }

    /// Ends a timed release now (an operator's `door lock`): the strike relocks and the mode stays.
    private mutating func relock() -> [DoorAction] {
        releasedUntil = 0
        return [.setRelay(unlocked: mode == .unlocked)]
    }

    private mutating func doorPositionChanged(open: Bool, now: UInt64) -> [DoorAction] {
        guard open != isOpen else { return [] }
        isOpen = open
        guard open else {
            openedAt = nil
            return [.record(.closed)] + alarms.sorted { $0.rawValue < $1.rawValue }.flatMap { clear($0) }
        }
        openedAt = now
        let legitimate = mode == .unlocked || now < releasedUntil
        guard !legitimate else { return [.record(.opened)] }
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
            // The card alone goes to the access core, which denies it for want of a PIN and logs that.
            cardAwaitingPIN = nil
            actions.append(ask(.card(awaiting.card)))
        }
        if releasedUntil > 0, now >= releasedUntil { releasedUntil = 0 }
        if let heldOpenDeadline, now >= heldOpenDeadline {
            alarms.insert(.heldOpen)
            actions.append(.alarm(.heldOpen, raised: true))
        }
        return actions
    }
}


