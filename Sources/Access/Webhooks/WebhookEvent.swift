import Crypto
import Foundation

/// The events a webhook subscription can ask for.
public enum WebhookEventType: String, Sendable, Hashable, Codable, CaseIterable {
    case accessGranted = "access.granted"
    case accessDenied = "access.denied"
    case doorForced = "door.forced"
    case doorHeld = "door.held"
    case doorUnconfirmed = "door.unconfirmed"
    case readerOffline = "reader.offline"
    case readerOnline = "reader.online"
    case passcodeUsed = "passcode.used"
    case passcodeExpired = "passcode.expired"
    case keyShared = "key.shared"
    case keyRevoked = "key.revoked"
    case lockout
    case duress
}

/// What a subscription asks for: `all` (every event, kinds a later Keyway adds included, as GitHub's and Stripe's
/// wildcards do), or some events by name.
public enum WebhookEvents: Sendable, Hashable, ExpressibleByArrayLiteral {
    case all
    case only(Set<WebhookEventType>)

    /// What the store keeps for `all`: no event's name.
    static let allMarker = "*"

    public init(arrayLiteral types: WebhookEventType...) { self = .only(Set(types)) }

    /// A comma-separated list of names, or `all` (alone or among names); an unknown name is refused with the list of
    /// known ones.
    public static func parse(_ text: String) throws -> WebhookEvents {
        var types = Set<WebhookEventType>()
        for name in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if name == "all" { return .all }
            guard let type = WebhookEventType(rawValue: name) else {
                throw AccessError.invalid("'\(name.prefix(60))' is not a webhook event; known: all, "
                                          + WebhookEventType.allCases.map(\.rawValue).joined(separator: ", "))
            }
            types.insert(type)
        }
        return .only(types)
    }

    /// `all` takes in any other choice.
    public func union(_ other: WebhookEvents) -> WebhookEvents {
        switch (self, other) {
        case (.only(let mine), .only(let theirs)): .only(mine.union(theirs))
        default: .all
        }
    }

    public var isEmpty: Bool { self == .only([]) }

    /// As listed and logged: `all`, or the names in order.
    public var names: [String] {
        switch self {
        case .all: ["all"]
        case .only(let types): types.map(\.rawValue).sorted()
        }
    }

    /// The rows of `webhook_subscription_event`.
    var stored: [String] { self == .all ? [Self.allMarker] : names }
}

/// Which activity rows raise which event, as data: the outbox trigger (`Schema.webhooksSchema`) matches each new
/// activity row against these, in the row's own transaction. nil matches anything. The `webhook_event_source` table
/// is this list, rewritten at open when it differs (`Schema.syncWebhookEventSources`): an event added here reaches
/// databases made before it without a migration of its own.
struct WebhookEventSource: Sendable {
    let type: WebhookEventType
    let kind: ActivityKind
    var event: String? = nil
    var outcome: String? = nil
    /// The kind of the row's credential.
    var credentialKind: CredentialKind? = nil
    /// The row's credential is a share (it has a parent).
    var shared: Bool? = nil

    static let all: [WebhookEventSource] = [
        .init(type: .accessGranted, kind: .decision, outcome: "grant"),
        .init(type: .accessDenied, kind: .decision, outcome: "deny"),
        .init(type: .doorForced, kind: .door, event: DoorEvent.Kind.forcedOpen.rawValue),
        .init(type: .doorHeld, kind: .door, event: DoorEvent.Kind.heldOpen.rawValue),
        // A release (a grant's, an exit's, an operator's unlock) the relay did not confirm; SiteRuntime writes it.
        .init(type: .doorUnconfirmed, kind: .door, event: DoorEvent.Kind.openingUnconfirmed.rawValue),
        // Rows the reader supervision (SiteRuntime) writes when a reader stops or resumes answering.
        .init(type: .readerOffline, kind: .door, event: DoorEvent.Kind.readerOffline.rawValue),
        .init(type: .readerOnline, kind: .door, event: DoorEvent.Kind.readerOnline.rawValue),
        .init(type: .passcodeUsed, kind: .decision, outcome: "grant", credentialKind: .passcode),
        .init(type: .passcodeExpired, kind: .credentialRevoked, event: "expired", credentialKind: .passcode),
        .init(type: .keyShared, kind: .credentialCreated, credentialKind: .key, shared: true),
        .init(type: .keyRevoked, kind: .credentialRevoked, event: "revoked", credentialKind: .key),
        .init(type: .lockout, kind: .alarm, event: Alarm.keypadLockout.rawValue),
        .init(type: .lockout, kind: .alarm, event: Alarm.siteKeypadLockout.rawValue),
        .init(type: .duress, kind: .alarm, event: Alarm.duress.rawValue),
    ]
}

/// What a receiver gets: one activity row as JSON, the same bytes on every attempt. `id` is stable across
/// retries and restarts (deliveries are at least once: receivers drop an id they have seen).
public struct WebhookPayload: Sendable, Codable, Hashable {
    public let id: String
    public let type: String
    public let sequence: Int64
    public let occurredAt: String
    public let door: String?
    public let reader: String?
    public let credentialID: String?
    public let personID: String?
    public let outcome: String?
    public let reason: String?
    public let detail: String?

    enum CodingKeys: String, CodingKey {
        case id, type, sequence, door, reader, outcome, reason, detail
        case occurredAt = "occurred_at", credentialID = "credential_id", personID = "person_id"
    }

    init(type: WebhookEventType, entry: ActivityEntry) {
        id = "evt_\(entry.sequence)_\(type.rawValue)"
        self.type = type.rawValue
        sequence = entry.sequence
        occurredAt = entry.at.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        door = entry.door
        reader = entry.reader
        credentialID = entry.credentialID
        personID = entry.personID
        outcome = entry.outcome
        reason = entry.reason
        detail = entry.detail
    }

    var body: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and numbers only: encoding cannot fail.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}

/// The signature header every delivery carries: `Keyway-Signature: t=<unix seconds>,v1=<hex>` where
/// v1 = HMAC-SHA256(secret, "<t>.<body>"), the secret being the subscription's secret as shown once at creation
/// (its UTF-8 bytes). Receivers recompute it and refuse stale timestamps.
public enum WebhookSignature {
    public static let header = "Keyway-Signature"

    public static func sign(body: Data, secret: String, timestamp: Int64) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
