import Foundation

/// What an account may do through the HTTP API, from most to least: an admin manages everything (users too),
/// staff everything but users, a resident only what concerns their own person.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case resident, staff, admin

    private var rank: Int {
        switch self {
        case .resident: 0
        case .staff: 1
        case .admin: 2
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// An account of the HTTP API. Its id is globally unique (`usr_` and a UUID) and the account belongs to one site.
public struct User: Sendable, Hashable, Codable {
    public let id: String
    public let site: String
    public let email: String
    public let name: String
    public let role: Role
    /// The person (id) whose keys and passcodes are this account's own; a resident has one.
    public let personID: String?
    /// That person's name.
    public let person: String?
    public let disabled: Bool
    /// False until the one-time link has been used: such an account cannot log in.
    public let hasPassword: Bool
    public let createdAt: Date
}

/// An account to create.
public struct NewUser: Sendable, Hashable {
    public var email: String
    public var name: String
    public var role: Role
    /// A person's id or name.
    public var person: String?

    public init(email: String, name: String, role: Role, person: String? = nil) {
        self.email = email
        self.name = name
        self.role = role
        self.person = person
    }
}

/// An API token as listed: never its secret (only a digest is stored).
public struct APIToken: Sendable, Hashable, Codable {
    public let id: String
    public let site: String
    public let name: String
    /// What the token may do: at most its owner's role.
    public let role: Role
    /// The doors it is limited to (names); nil: every door its role allows.
    public let doors: [String]?
    public let userID: String
    public let createdAt: Date
    public let expiresAt: Date?
    public let lastUsedAt: Date?
    public let revokedAt: Date?
}

/// A token to create; `digest` is SHA-256 of its secret, which the caller shows once.
public struct NewAPIToken: Sendable, Hashable {
    public var id: String
    public var digest: Data
    public var name: String
    public var role: Role
    public var doors: [String]?
    public var userID: String
    public var expiresAt: Date?

    public init(id: String, digest: Data, name: String, role: Role, doors: [String]?, userID: String, expiresAt: Date?) {
        self.id = id
        self.digest = digest
        self.name = name
        self.role = role
        self.doors = doors
        self.userID = userID
        self.expiresAt = expiresAt
    }
}

/// A logged-in browser session; the cookie's secret and the CSRF token are stored as digests.
public struct SessionRecord: Sendable, Hashable {
    public let id: String
    public let userID: String
    public let csrfDigest: Data
    public let expiresAt: Date
}

/// A session to start.
public struct NewSession: Sendable, Hashable {
    public var id: String
    public var digest: Data
    public var csrfDigest: Data
    public var userID: String
    public var expiresAt: Date

    public init(id: String, digest: Data, csrfDigest: Data, userID: String, expiresAt: Date) {
        self.id = id
        self.digest = digest
        self.csrfDigest = csrfDigest
        self.userID = userID
        self.expiresAt = expiresAt
    }
}

/// A credential as the API lists it: the core's listing and who issued it.
public struct IssuedCredential: Sendable, Hashable {
    public let credential: Credential
    /// The actor that created it (`usr_…`, `usr_… via tok_…`, `keyway` for the CLI).
    public let issuer: String?
    public let createdAt: Date
    /// The unit (id) its issuer lived in when it was made, for a guest pass (a resident's share or passcode).
    public var issuerUnit: String? = nil
}

/// Whose activity rows a caller may see: a resident sees rows about their person, their own credentials and
/// those they issued, and the changes they made.
public struct ActivityScope: Sendable, Hashable {
    public var personID: String?
    /// The account id whose actions and issued credentials count as theirs.
    public var userID: String
    /// Their unit (id): the guest passes anyone in it issued count as theirs too.
    public var unitID: String? = nil

    public init(personID: String?, userID: String) {
        self.personID = personID
        self.userID = userID
    }
}

/// A filtered page of the activity log, newest first; `before` is the cursor (a sequence number).
public struct ActivityQuery: Sendable, Hashable {
    public var from: Date?
    public var until: Date?
    public var door: String?
    /// A person's id or name.
    public var person: String?
    /// A credential's id: a key's usage history, say.
    public var credential: String?
    /// `grant` or `deny`.
    public var outcome: String?
    public var reason: String?
    /// Only rows at these doors (names): an API token limited to doors.
    public var doors: [String]?
    /// Rows with a sequence below this (a page's cursor); nil: from the newest.
    public var before: Int64?
    /// Rows with a sequence above this, oldest first (the live stream); exclusive with `before`.
    public var after: Int64?
    public var limit: Int
    public var scope: ActivityScope?

    public init(limit: Int) {
        self.limit = limit
    }
}

/// The actor string the activity log and `created_by` hold for an account, or for a token of it.
public enum APIActor {
    public static func user(_ userID: String) -> String { userID }
    public static func token(_ tokenID: String, of userID: String) -> String { "\(userID) via \(tokenID)" }

    /// True when `actor` is the account itself or one of its tokens.
    public static func isOwn(_ actor: String?, userID: String) -> Bool {
        guard let actor else { return false }
        return actor == userID || actor.hasPrefix(userID + " via ")
    }
}

/// Which keys or passcodes to list, oldest first, a page at a time.
public struct CredentialQuery: Sendable, Hashable {
    public var kind: CredentialKind
    /// Only a person's (id) …
    public var personID: String?
    /// … or, with `personID`, also those this account issued (`created_by` is it or one of its tokens).
    public var issuedBy: String?
    /// … or, with `personID`, also the guest passes issued by a resident of this unit (id).
    public var issuedInUnit: String?
    /// Only those active at this time.
    public var activeAt: Date?
    /// The page after this credential (id); nil: from the first.
    public var after: String?
    public var limit: Int

    public init(kind: CredentialKind, limit: Int) {
        self.kind = kind
        self.limit = limit
    }
}
