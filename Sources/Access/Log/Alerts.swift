import Foundation

/// What a manager is alerted to: activity rows that need a person's attention, named by kind.
public enum AlertKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A door opened without a grant, an exit request or an unlock.
    case forced
    /// A door left open longer than its `held_open` time.
    case heldOpen = "held_open"
    /// A reader stopped answering.
    case readerOffline = "reader_offline"
    /// A door's release (a grant, an exit, an operator's unlock) that its relay did not confirm: the door may not
    /// have opened for someone allowed in, and the relay or its link needs a look.
    case openingUnconfirmed = "opening_unconfirmed"
    /// Wrong codes locked a keypad (one reader's, or every keypad), or slow guessing was caught.
    case keypadLockout = "keypad_lockout"
    /// A duress code was entered.
    case duress
    /// A code (a guest passcode or a person's PIN) tried outside the hours its issuer set for it: outside its
    /// weekly schedule, before its window opens or after it ends. The issuer's stated hours are the code's usual
    /// hours; the door refused it, and someone holding it came at a time they were not expected.
    case outOfHours = "out_of_hours"
}

/// Which activity rows are which alert, as data. A row matches when its kind, and each field given, match.
struct AlertSource: Sendable {
    let alert: AlertKind
    let activity: ActivityKind
    var events: [String] = []
    var outcome: String? = nil
    var reasons: [DenyReason] = []
    /// The row's credential is one of these kinds.
    var credentialKinds: [CredentialKind] = []

    static let all: [AlertSource] = [
        .init(alert: .forced, activity: .door, events: [DoorEvent.Kind.forcedOpen.rawValue]),
        .init(alert: .heldOpen, activity: .door, events: [DoorEvent.Kind.heldOpen.rawValue]),
        .init(alert: .readerOffline, activity: .door, events: [DoorEvent.Kind.readerOffline.rawValue]),
        .init(alert: .openingUnconfirmed, activity: .door, events: [DoorEvent.Kind.openingUnconfirmed.rawValue]),
        .init(alert: .keypadLockout, activity: .alarm,
              events: [Alarm.keypadLockout, .siteKeypadLockout, .keypadGuessing].map(\.rawValue)),
        .init(alert: .duress, activity: .alarm, events: [Alarm.duress.rawValue]),
        .init(alert: .outOfHours, activity: .decision, outcome: "deny", reasons: [.outsideSchedule, .notYetValid, .expired],
              credentialKinds: [.passcode, .pin]),
    ]

    /// Every alert row satisfies this: the partial index `activity_alert` holds exactly these rows, and SQLite uses
    /// it only for a query that states this very text. A source it does not cover needs a new migration that remakes
    /// the index (`remakeIndex`; the tests find every kind's rows through it, so a gap fails them).
    static let indexedRows = """
        ((kind = 'door' AND event IN ('forced_open', 'held_open', 'reader_offline', 'opening_unconfirmed')) \
        OR (kind = 'alarm' AND event IN ('keypad_lockout', 'site_keypad_lockout', 'keypad_guessing', 'duress')) \
        OR (kind = 'decision' AND outcome = 'deny' AND reason IN ('outside_schedule', 'not_yet_valid', 'expired')))
        """

    /// This source's rows, in SQL on `activity` (values are constants of this file, quoted here).
    var condition: String {
        func quoted(_ values: [String]) -> String { values.map { "'\($0)'" }.joined(separator: ", ") }
        var parts = ["kind = '\(activity.rawValue)'"]
        if !events.isEmpty { parts.append("event IN (\(quoted(events)))") }
        if let outcome { parts.append("outcome = '\(outcome)'") }
        if !reasons.isEmpty { parts.append("reason IN (\(quoted(reasons.map(\.rawValue))))") }
        if !credentialKinds.isEmpty {
            parts.append("credential_id IN (SELECT id FROM credential WHERE kind IN (\(quoted(credentialKinds.map(\.rawValue)))))")
        }
        return "(" + parts.joined(separator: " AND ") + ")"
    }

    /// The alert a row (already matched in SQL, credential kind included) is.
    static func kind(of entry: ActivityEntry) -> AlertKind? {
        all.first { source in
            source.activity == entry.kind && (source.events.isEmpty || entry.event.map(source.events.contains) == true)
                && (source.outcome == nil || source.outcome == entry.outcome)
                && (source.reasons.isEmpty || entry.reason.map { source.reasons.map(\.rawValue).contains($0) } == true)
        }?.alert
    }

    /// The index of alert rows made again with today's `indexedRows` (migration "alerts: unconfirmed openings").
    static let remakeIndex = """
        DROP INDEX activity_alert;
        CREATE INDEX activity_alert ON activity(seq) WHERE \(indexedRows);
        """

    /// The table of acknowledgements and the index of alert rows.
    static let schema = """
        CREATE INDEX activity_alert ON activity(seq) WHERE \(indexedRows);
        CREATE TABLE alert_acknowledgement (
            seq INTEGER PRIMARY KEY REFERENCES activity(seq), acknowledged_by TEXT NOT NULL, acknowledged_at REAL NOT NULL);
        """
}

/// An alert: its activity row, what kind it is, and who acknowledged it.
public struct Alert: Sendable, Hashable, Codable {
    public let kind: AlertKind
    public let entry: ActivityEntry
    /// The actor who acknowledged it (an account, or `<account> via <token>`), and the account's name.
    public let acknowledgedBy: String?
    public let acknowledgedByName: String?
    public let acknowledgedAt: Date?
}

/// A filtered page of alerts, newest first (`before`, the cursor, is a sequence), or those after `after`, oldest first.
public struct AlertQuery: Sendable, Hashable {
    /// nil: every kind.
    public var kinds: [AlertKind]?
    public var from: Date?
    public var until: Date?
    /// true: only acknowledged ones; false: only those not acknowledged yet.
    public var acknowledged: Bool?
    /// Only alerts at these doors (names): an API token limited to doors.
    public var doors: [String]?
    public var door: String?
    /// Only the alert with this sequence.
    public var sequence: Int64?
    public var before: Int64?
    public var after: Int64?
    public var limit: Int

    public init(limit: Int) {
        self.limit = limit
    }
}

/// Alerts as the HTTP API needs them (`SQLiteSiteStorage+Alerts`).
public protocol AlertStorage: Sendable {
    func alerts(_ query: AlertQuery) async throws -> [Alert]
    /// Marks an alert (its activity row's sequence) acknowledged by `actor`, logged; an acknowledged one stays as it
    /// was. nil: no alert has that sequence.
    func acknowledgeAlert(_ sequence: Int64, actor: String, at date: Date) async throws -> Alert?
}
