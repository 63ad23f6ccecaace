import Access

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

public enum DoorInput: Sendable, Equatable {
    case card(CardData)
    /// A PIN, assembled from key presses by the reader's side (`PasscodeAssembler`).
    case pin(String)
    /// A digital key presented through the HTTP API: decided like a card at the door's reader.
    case digitalKey(token: String)
    case decided(DecisionRequestID, DecisionOutcome)
    /// The door's mode changed (an operator, a mode schedule); the access core holds the truth.
    case mode(DoorMode)
    /// The door position switch, already translated from the contact's wiring.
    case doorPosition(open: Bool)
    case exitButtonPressed
    /// An operator (`actor`, whom the log names) releases the strike for a while.
    case unlock(for: Duration, actor: String? = nil)
    /// An operator locks the door now: a timed release ends, the mode stays.
    case relock
    /// The reader stopped answering: a card waiting for its PIN is forgotten.
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

    /// How the activity log names it.
    var event: DoorEvent.Kind {
        switch self {
        case .forcedOpen: .forcedOpen
        case .heldOpen: .heldOpen
        }
    }
}

public enum DoorAction: Sendable, Equatable {
    /// Ask the access core; answer with `.decided(id, ...)`. The core logs the decision before answering.
    case decide(DecisionRequestID, Presentation)
    /// Release the strike for this long, then relock (the relay board times it where it can).
    case pulseRelay(Duration)
    /// Hold the strike released, or relock it.
    case setRelay(unlocked: Bool)
    case feedback(ReaderFeedback)
    case alarm(DoorAlarm, raised: Bool)
    /// A door event for the activity log (decisions are logged by the access core itself), with the operator who
    /// caused it, if one did.
    case record(DoorEvent.Kind, actor: String? = nil)
}
