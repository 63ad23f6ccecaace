/// A refusal's reason as a person reads it ("it was revoked"), for the terminal (`keyway sim`); the web pages
/// keep their own copy in their script. A switch, so a new reason cannot be added without its words.
extension DenyReason {
    public var words: String {
        switch self {
        case .unknown: "the card or code is not known here"
        case .revoked: "it was revoked"
        case .expired: "it has expired"
        case .notYetValid: "it is not valid yet"
        case .outsideSchedule: "it is outside the allowed hours"
        case .holiday: "the door is closed for a holiday"
        case .wrongPin: "the PIN was wrong"
        case .useLimitReached: "it has already been used up"
        case .suspended: "its holder is suspended"
        case .doorNotAllowed: "it does not open this door"
        case .lockout: "too many wrong tries: wait a few minutes"
        case .duress: "a duress code was used"
        case .formatError: "the reader sent something unreadable"
        case .unknownReader: "the reader is not known"
        case .invalidSignature: "the key is not genuine"
        case .doorLockedDown: "the door is locked down"
        case .modeMismatch: "the door does not take this kind of credential now"
        case .pinRequired: "the door needs a PIN as well"
        case .unknownDoor: "there is no such door"
        case .clockError: "the door's clock is wrong"
        case .internalError: "the system had a fault (fail secure)"
        case .databaseMissing: "the database is missing (fail secure)"
        case .clockUntrusted: "the door's clock cannot be trusted"
        case .staleRead: "the read came too late to act on"
        case .openingUnconfirmed: "the door did not confirm it opened: try again"
        }
    }
}
