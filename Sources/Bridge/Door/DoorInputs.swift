/// What a reader reports about a card, before any decision.
public enum CardData: Sendable, Equatable, Hashable {
    /// Fields read through a known card format (`h10301`, ...).
    case decoded(format: String, facility: UInt64?, number: UInt64)
    /// Bits no configured format matched; the access core may still know them as raw bits.
    case raw(bitCount: Int, bytes: [UInt8])
}

/// A credential as the door asks the access core about it.
public enum PresentedCredential: Sendable, Equatable {
    case card(CardData)
    case pin(String)
    case cardAndPin(CardData, pin: String)
}

/// The identifier the door gives a decision request, to match the answer to the question.
public struct DecisionRequestID: Sendable, Hashable, CustomStringConvertible {
    let value: UInt64
    public var description: String { "#\(value)" }
}

/// The answer of the access core, as far as the door needs it.
public enum DecisionOutcome: Sendable, Equatable {
    /// `extendedStrike` for people who need longer to pass (ADA).
    case granted(extendedStrike: Bool)
    /// Denied for any reason, a fault included: the reason is the access log's business.
    case denied
}

/// Operator commands, from the control socket.
public enum DoorCommand: String, Sendable, Equatable, CaseIterable {
    /// Relock and require credentials (ends a held unlock).
    case lock
    /// Nobody enters, whatever they present.
    case lockdown
    /// Back to the configured mode.
    case normal
}

public enum DoorInput: Sendable, Equatable {
    case card(CardData)
    /// One keypad key: `0`-`9`, `*` (clear), `#` (enter).
    case key(Character)
    /// A PIN a reader assembled itself.
    case pin(String)
    case decided(DecisionRequestID, DecisionOutcome)
    /// The door position switch, already translated from the contact's wiring.
    case doorPosition(open: Bool)
    case exitButtonPressed
    /// Unlock now: for a while, or until `lock`/`normal` when `duration` is nil.
    case unlock(for: Duration?)
    case command(DoorCommand)
    /// The reader stopped answering: whatever was half-typed there is dropped.
    case readerOffline
    /// Time passed; handles timeouts due by `now`.
    case tick
}

/// Feedback on the reader, named by meaning; `ReaderFeedback.pattern` says how it looks.
public enum ReaderFeedback: String, Sendable, Equatable {
    case granted
    case denied
    case awaitingPIN = "awaiting_pin"
}

public enum DoorAlarm: String, Sendable, Hashable, CaseIterable {
    /// Opened without a grant, an exit request or an unlock.
    case forcedOpen = "forced_open"
    /// Left open longer than `held_open` after a legitimate opening.
    case heldOpen = "held_open"
}

/// Things that happened at a door and belong in the activity log besides decisions.
public enum DoorEvent: String, Sendable, Equatable {
    case exitRequest = "exit_request"
    case remoteUnlock = "remote_unlock"
    case pinTimeout = "pin_timeout"
    case pinTooLong = "pin_too_long"
    case pinWithoutCard = "pin_without_card"
    case cardNotAccepted = "card_not_accepted"
    case refusedInLockdown = "refused_in_lockdown"
    case modeChanged = "mode_changed"
}

public enum DoorAction: Sendable, Equatable {
    /// Ask the access core; answer with `.decided(id, ...)`. The core logs the decision before answering.
    case decide(DecisionRequestID, PresentedCredential)
    /// Release the strike for this long, then relock (the relay board times it where it can).
    case pulseRelay(Duration)
    /// Hold the strike released, or relock it.
    case setRelay(unlocked: Bool)
    case feedback(ReaderFeedback)
    case alarm(DoorAlarm, raised: Bool)
    case record(DoorEvent)
}
