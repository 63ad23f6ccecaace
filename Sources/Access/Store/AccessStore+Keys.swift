import Foundation
import GRDB

// MARK: - Digital keys: issue and share

extension AccessStore {
    /// A digital key for a person's doors; `mayShare` lets them share it on.
    @discardableResult
    public func issueKey(person: String, doors: [String], validUntil: Date? = nil, mayShare: Bool = false,
                         actor: String = "keyway", at date: Date = Date()) throws -> IssuedKey {
        guard !doors.isEmpty else { throw AccessError.invalid("a key needs at least one door") }
        try requireWindow(date, validUntil)
        return try addKey(person: person, recipient: nil, parent: nil, doors: doors, validUntil: validUntil,
                          mayShare: mayShare, actor: actor, at: date)
    }

    /// Shares a key that allows it with a recipient (an email or phone number): a new key for its doors (or some of
    /// them), linked to its parent, that ends no later than it; `mayShare` (where the sharing policy allows
    /// re-sharing) lets the recipient share it on. Revoking the parent revokes it. The sharing policy applies.
    @discardableResult
    public func shareKey(_ id: String, to recipient: String, doors: [String]? = nil, validFrom: Date? = nil, validUntil: Date? = nil,
                         mayShare: Bool = false, message: MessageRequest? = nil, actor: String = "keyway", at date: Date = Date()) throws -> IssuedKey {
        guard Self.isRecipient(recipient) else {
            throw AccessError.invalid("'\(recipient)' is neither an email address nor a phone number")
        }
        // The parent is read and checked inside the share's own write transaction: a revocation either commits
        // first (and the share is refused) or after (and its cascade takes the share along).
        return try addKey(person: nil, recipient: recipient, parent: id, doors: doors ?? [], validFrom: validFrom, validUntil: validUntil,
                          mayShare: mayShare, message: message, actor: actor, at: date)
    }

    static func isRecipient(_ text: String) -> Bool {
        let email = text.split(separator: "@", omittingEmptySubsequences: false)
        if email.count == 2, !email[0].isEmpty, email[1].contains("."), !text.contains(" ") { return true }
        let digits = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return (6...15).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A share (`parent` set) takes its parent's doors, or the subset named (the sharing policy checks it), and ends no later than it.
    private func addKey(person: String?, recipient: String?, parent: String?, doors: [String], validFrom: Date? = nil, validUntil: Date?,
                        mayShare: Bool, message: MessageRequest? = nil, actor: String, at date: Date) throws -> IssuedKey {
        let id = Identifier.make("key")
        return try change { db in
            var doors = doors, validUntil = validUntil
            if let parent {
                let shared = try credential(parent, db)
                guard shared.kind == .key else { throw AccessError.invalid("\(parent) is not a digital key") }
                guard shared.isActive(at: date) else { throw AccessError.invalid("key \(parent) is not active") }
                guard shared.mayShare else { throw AccessError.invalid("key \(parent) may not be shared") }
                if doors.isEmpty { doors = shared.doors }
                validUntil = [validUntil, shared.validUntil].compactMap { $0 }.min()
                try requireWindow(validFrom ?? date, validUntil)
            }
            let token = try DigitalKeyToken(keyID: id, expiry: validUntil).encoded(signingWith: secrets.signingKey)
            let personID = try person.map { try resolve($0, in: PersonRow.self, db) }
            let doorIDs = try Set(doors.map { try resolve($0, in: DoorRow.self, db) })
            try db.execute(sql: """
                INSERT INTO credential (id, kind, person_id, valid_from, valid_until, parent_id, may_share, recipient, created_at, created_by)
                VALUES (?, 'key', ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, personID, validFrom?.timeIntervalSince1970, validUntil?.timeIntervalSince1970, parent, mayShare, recipient,
                                 date.timeIntervalSince1970, actor])
            for doorID in doorIDs {
                try db.execute(sql: "INSERT INTO credential_door (credential_id, door_id) VALUES (?, ?)", arguments: [id, doorID])
            }
            if let parent { try admitShare(id, of: parent, at: date, db) }
            try logCreated(id, personID: personID, detail: [parent.map { "shared from \($0)" }, recipient.map { "to \($0)" }]
                .compactMap { $0 }.joined(separator: " "), actor: actor, at: date, db)
            if let message { try queueMessage(message, credentialID: id, secret: token, at: date, db) }
            return IssuedKey(credential: try credential(id, db), token: token)
        }
    }
}
