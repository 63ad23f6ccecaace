import Foundation
import GRDB

// MARK: - Cards: enrolment, one or many at once

extension AccessStore {
    @discardableResult
    public func addCard(person: String, card: CardData, validFrom: Date? = nil, validUntil: Date? = nil,
                        actor: String = "keyway", at date: Date = Date()) throws -> Credential {
        let ids = try addCards([CardEnrollment(person: person, card: card, validFrom: validFrom, validUntil: validUntil)], actor: actor, at: date)
        return try credential(ids[0])
    }

    /// Enrolls many cards in one transaction (all or none), e.g. when migrating from another system; returns their ids.
    @discardableResult
    public func addCards(_ enrollments: [CardEnrollment], actor: String = "keyway", at date: Date = Date()) throws -> [String] {
        for enrollment in enrollments {
            try requireWindow(enrollment.validFrom, enrollment.validUntil)
            if case .fields(_, _, let number) = enrollment.card, number > UInt64(Int64.max) {
                throw AccessError.invalid("card number \(number) is out of range")
            }
        }
        return try change { db in
            var people: [String: String] = [:]
            return try enrollments.map { enrollment in
                let personID = try people[enrollment.person] ?? resolve(enrollment.person, in: PersonRow.self, db)
                people[enrollment.person] = personID
                return try insertCard(enrollment, personID: personID, actor: actor, at: date, db)
            }
        }
    }

    func insertCard(_ enrollment: CardEnrollment, personID: String, actor: String, at date: Date, _ db: Database) throws -> String {
        let card = enrollment.card
        if let holder = try AllowlistQueries.credentials(for: .card(card), in: db)
            .first(where: { !$0.revoked && ($0.validUntil.map { $0 > date.timeIntervalSince1970 } ?? true) }) {
            throw AccessError.conflict("\(card) is already assigned (\(holder.id)); revoke it first")
        }
        let fields: (format: String?, facility: Int64?, number: Int64?, bits: String?) = switch card {
        case .fields(let format, let facility, let number): (format, facility.map { Int64($0) }, Int64(number), nil)
        case .raw(let bits): (nil, nil, nil, CredentialRow.bitString(bits))
        }
        let id = Identifier.make("card")
        // Cached: an import inserts thousands in one transaction, which holds the writer doors wait for.
        try db.cachedStatement(sql: """
            INSERT INTO credential (id, kind, person_id, card_format, facility, card_number, card_bits, valid_from, valid_until,
                                    created_at, created_by)
            VALUES (?, 'card', ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, personID, fields.format, fields.facility, fields.number, fields.bits,
                             enrollment.validFrom?.timeIntervalSince1970, enrollment.validUntil?.timeIntervalSince1970,
                             date.timeIntervalSince1970, actor])
        try logCreated(id, personID: personID, detail: card.description, actor: actor, at: date, db)
        return id
    }
}
