import Foundation

/// What a reader delivered at a door: the only input the rule engine decides on.
/// Access knows nothing of Wiegand or OSDP; the bridge turns reader events into presentations.
public enum Presentation: Sendable, Hashable {
    case card(CardData)
    case pin(String)
    /// A card followed by a PIN at a reader of a `card_and_pin` door.
    case cardAndPin(CardData, pin: String)
    /// A digital key token presented by a phone (see `DigitalKeyToken`).
    case digitalKey(token: String)
}

/// A card as decoded by the reader side: its fields in a named format, or raw bits when no format matched.
public enum CardData: Sendable, Hashable {
    case fields(format: String, facility: UInt32?, number: UInt64)
    case raw(bits: [Bool])
}

/// The one spelling of a credential in the activity log, listings and status: a card's fields, a code's length,
/// a key's id; never a code's digits or a whole token.
extension Presentation: CustomStringConvertible {
    /// `card h10301 12:345`, `pin ••••••`, `card h10301 12:345 + pin ••••`, `key key_…`.
    public var description: String {
        switch self {
        case .card(let card): card.description
        case .pin(let code): "pin \(CodePolicy.mask(code))"
        case .cardAndPin(let card, let code): "\(card) + pin \(CodePolicy.mask(code))"
        case .digitalKey(let token): "key \(token.split(separator: ".").dropFirst().first.map(String.init) ?? "?")"
        }
    }
}

extension CardData: CustomStringConvertible {
    /// `card h10301 12:345` (`card h10302 345` without a facility), `card raw 26 bits`.
    public var description: String {
        switch self {
        case .fields(let format, let facility, let number): "card \(format) \(facility.map { "\($0):" } ?? "")\(number)"
        case .raw(let bits): "card raw \(bits.count) bits"
        }
    }
}

/// Door modes of real controllers (Mercury's reader access modes).
public enum DoorMode: String, Sendable, Hashable, Codable, CaseIterable {
    case card
    case pin
    case cardAndPin = "card_and_pin"
    case cardOrPin = "card_or_pin"
    case unlocked
    case lockdown
}

public enum PersonKind: String, Sendable, Hashable, Codable, CaseIterable {
    case resident, staff, visitor, vendor
}

public enum CredentialKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A card: opens the doors of its person's groups.
    case card
    /// A person's PIN: opens the doors of its person's groups; the second factor of card and PIN.
    case pin
    /// A passcode: names its doors itself; temporary or per person, optionally use-counted.
    case passcode
    /// A digital key: names its doors, presented as a signed token; shares are keys linked to their parent.
    case key

    /// PINs and passcodes are entered on a keypad and stored only as keyed digests.
    var isCode: Bool { self == .pin || self == .passcode }
}

/// Why a presentation was denied: one reason per decision, from a fixed set.
public enum DenyReason: String, Sendable, Hashable, Codable, CaseIterable {
    case unknown
    case revoked
    case expired
    case notYetValid = "not_yet_valid"
    case outsideSchedule = "outside_schedule"
    case holiday
    case wrongPin = "wrong_pin"
    case useLimitReached = "use_limit_reached"
    case suspended
    case doorNotAllowed = "door_not_allowed"
    case lockout
    case duress
    /// The read cannot be a credential: a card's parity is wrong, its bit count impossible, the report malformed.
    case formatError = "format_error"
    /// The report names a reader the door's device does not serve (an OSDP PD serves its reader 0).
    case unknownReader = "unknown_reader"
    /// The token's signature does not verify with the site key.
    case invalidSignature = "invalid_signature"
    /// The door is in lockdown: nothing opens it.
    case doorLockedDown = "door_locked_down"
    /// The door's current mode does not accept this kind of presentation (a PIN at a card-only door).
    case modeMismatch = "mode_mismatch"
    /// A card alone at a door in card-and-PIN mode: the PIN is still to come.
    case pinRequired = "pin_required"
    case unknownDoor = "unknown_door"
    /// The time given is implausible (a board without a real-time clock booting in 1970): fail secure.
    case clockError = "clock_error"
    /// The database failed: fail secure.
    case internalError = "internal_error"
    /// The database file was deleted or replaced under the service: nothing can be decided or logged.
    case databaseMissing = "database_missing"
    /// The clock went back further than the site tolerates: time-bounded credentials fail secure until an operator
    /// acknowledges it or time catches up with the latest time seen.
    case clockUntrusted = "clock_untrusted"
    /// The read may be older than the site allows (a reader's buffered report, a line that held it up): the
    /// person may have gone long ago. Or a grant came too late to act on.
    case staleRead = "stale_read"
    /// Granted and logged, but the strike's release was not confirmed (the reader refused the command, did not
    /// answer, or it was not sent in time): the door may not have opened. Only a caller who waits for the door
    /// (a digital key's unlock) hears it; the grant's row stays, an `opening_unconfirmed` row follows it.
    case openingUnconfirmed = "opening_unconfirmed"
}

/// Something a decision raises beyond grant or deny, for the bridge to signal.
public enum Alarm: String, Sendable, Hashable, Codable, CaseIterable {
    /// A duress code was entered (a silent alarm).
    case duress
    /// This attempt locked the reader's keypad (too many wrong codes).
    case keypadLockout = "keypad_lockout"
    /// Wrong codes across the site crossed the site-wide limit: every keypad is locked.
    case siteKeypadLockout = "site_keypad_lockout"
    /// Slow guessing: wrong codes at one reader crossed the long-window limit (e.g. 10 in an hour).
    case keypadGuessing = "keypad_guessing"
    /// The clock was set back beyond the tolerance: time-bounded credentials and scheduled unlocks fail secure.
    case clockSetBack = "clock_set_back"
    /// The system clock is not synchronised (NTP) on a site that requires it: the same fail-secure as a clock set back.
    case clockUnsynchronised = "clock_unsynchronised"
}

/// The answer to a presentation. A grant carries no reason; a deny exactly one.
public struct Decision: Sendable, Hashable {
    public let granted: Bool
    public let reason: DenyReason?
    /// The credential that decided, when one was identified.
    public let credentialID: String?
    public let personID: String?
    public let personName: String?
    public let alarms: [Alarm]
    /// The activity log row that recorded this decision (nil for dry runs).
    public let logSequence: Int64?

    static func grant(_ subject: Subject, alarms: [Alarm] = []) -> Decision {
        Decision(granted: true, reason: nil, credentialID: subject.credentialID, personID: subject.personID,
                 personName: subject.personName, alarms: alarms, logSequence: nil)
    }

    static func deny(_ reason: DenyReason, _ subject: Subject = Subject(), alarms: [Alarm] = []) -> Decision {
        Decision(granted: false, reason: reason, credentialID: subject.credentialID, personID: subject.personID,
                 personName: subject.personName, alarms: alarms, logSequence: nil)
    }

    func adding(_ extra: [Alarm]) -> Decision {
        Decision(granted: granted, reason: reason, credentialID: credentialID, personID: personID,
                 personName: personName, alarms: alarms + extra, logSequence: logSequence)
    }

    /// A grant the door did not act on (it came too late): denied for `reason`, its log row unchanged.
    public func dropped(_ reason: DenyReason) -> Decision {
        Decision(granted: false, reason: reason, credentialID: credentialID, personID: personID,
                 personName: personName, alarms: alarms, logSequence: logSequence)
    }

    func logged(as sequence: Int64) -> Decision {
        Decision(granted: granted, reason: reason, credentialID: credentialID, personID: personID,
                 personName: personName, alarms: alarms, logSequence: sequence)
    }

    /// Who a decision is about, as far as it is known.
    struct Subject: Sendable, Hashable {
        var credentialID: String?
        var personID: String?
        var personName: String?
    }
}

/// A door or reader happening the bridge reports, for the activity log.
public struct DoorEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case opened, closed
        case forcedOpen = "forced_open"
        case heldOpen = "held_open"
        case requestToExit = "request_to_exit"
        case unlocked
        /// A reader's (or its PD's) tamper switch opened.
        case tamper
        /// A reader's PD reports a power failure.
        case powerFailure = "power_failure"
        /// A reader configured for Secure Channel could not or would not use it: nothing it reports is acted on.
        case secureChannelFailed = "secure_channel_failed"
        /// A reader's report was refused before any decision (`reason` says why).
        case reportRejected = "report_rejected"
        /// A reader stopped answering, or started again (`detail`: for how long it was offline).
        case readerOffline = "reader_offline"
        case readerOnline = "reader_online"
        /// A granted decision came too late to open the door (`reason` stale_read).
        case grantDropped = "grant_dropped"
        /// The strike's release (a grant, an exit, an operator's unlock) was not confirmed by the relay's hardware:
        /// the door may not have opened.
        case openingUnconfirmed = "opening_unconfirmed"
    }

    public let kind: Kind
    public let door: String
    public let reader: String?
    public let at: Date
    /// Free text for people reading the log (never a PIN or a key).
    public let detail: String?
    /// Why a report was rejected (`reportRejected`).
    public let reason: DenyReason?
    /// The operator who caused it (an operator's timed unlock), as the activity log names them.
    public let actor: String?

    public init(_ kind: Kind, door: String, reader: String? = nil, at: Date, detail: String? = nil, reason: DenyReason? = nil,
                actor: String? = nil) {
        self.kind = kind
        self.door = door
        self.reader = reader
        self.at = at
        self.detail = detail
        self.reason = reason
        self.actor = actor
    }
}
