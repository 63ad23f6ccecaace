import Foundation

/// The values the store takes and hands out (the CLI prints them as JSON): plain values, not database rows.
public struct Person: Sendable, Hashable, Codable {
    public let id: String
    public let name: String
    public let kind: PersonKind
    public let suspended: Bool
    public let vacationStart: String?
    public let vacationEnd: String?
}

public struct Door: Sendable, Hashable, Codable {
    public let id: String
    public let name: String
    public let mode: DoorMode
    public let scheduledMode: DoorMode?
    public let modeSchedule: String?
    public let duressGrants: Bool
}

public struct ScheduleRecord: Sendable, Hashable, Codable {
    public let id: String
    public let name: String
}

public struct AccessGroup: Sendable, Hashable, Codable {
    public let id: String
    public let name: String
}

/// How many times a passcode opens a door.
public enum UseLimit: Sendable, Hashable {
    case unlimited
    case count(Int)

    /// `1`, `N` or `unlimited`.
    public init?(parsing text: String) {
        if text == "unlimited" { self = .unlimited; return }
        guard let count = Int(text), count > 0 else { return nil }
        self = .count(count)
    }
}

/// A credential as listings show it: never a code, never a token.
public struct Credential: Sendable, Hashable, Codable {
    public let id: String
    public let kind: CredentialKind
    public let person: String?
    public let label: String?
    /// A card's fields (`h10301 12:345`) or a code's mask (`••••••`).
    public let shown: String?
    public let doors: [String]
    public let validFrom: Date?
    public let validUntil: Date?
    public let schedule: String?
    /// nil: unlimited.
    public let usesLeft: Int?
    public let duress: Bool
    public let parent: String?
    public let recipient: String?
    public let mayShare: Bool
    public let revokedAt: Date?
    public let revokedBy: String?
    public let revokedReason: String?

    /// Not revoked and inside its window at `date`.
    public func isActive(at date: Date) -> Bool {
        revokedAt == nil && (validFrom.map { $0 <= date } ?? true) && (validUntil.map { date < $0 } ?? true)
    }
}

/// A card to enroll with `addCards`.
public struct CardEnrollment: Sendable, Hashable {
    /// The holder (id or name).
    public var person: String
    public var card: CardData
    public var validFrom: Date?
    public var validUntil: Date?

    public init(person: String, card: CardData, validFrom: Date? = nil, validUntil: Date? = nil) {
        self.person = person
        self.card = card
        self.validFrom = validFrom
        self.validUntil = validUntil
    }
}

/// What to create with `createPasscode`.
public struct PasscodeRequest: Sendable {
    /// Set for a per-person passcode (it identifies them in the log); else give a label.
    public var person: String?
    public var label: String?
    public var doors: [String]
    public var validFrom: Date?
    public var validUntil: Date?
    public var schedule: String?
    public var uses: UseLimit = .unlimited
    /// nil: generate one.
    public var code: String?
    public var duress = false
    /// The resident issuing it as a guest pass (id or name): the sharing policy applies, and their unit's
    /// move-out revokes it. nil: issued by management.
    public var issuedBy: String?
    /// Sends the code to someone (queued in the passcode's own transaction); nil: it is only shown once.
    public var message: MessageRequest?

    public init(person: String? = nil, label: String? = nil, doors: [String]) {
        self.person = person
        self.label = label
        self.doors = doors
    }
}

/// A new code, shown once: only its keyed digest is stored.
public struct IssuedCode: Sendable, Hashable {
    public let credential: Credential
    public let code: String
}

/// A new digital key with its signed token.
public struct IssuedKey: Sendable, Hashable {
    public let credential: Credential
    public let token: String
}
