import Access
import Foundation
import Hummingbird

/// A card to enrol, as `keyway cards add` takes it: `format` and `card` (and `facility` when the format has one),
/// or `bits` for a card no format decodes.
struct NewCardBody: Decodable {
    let format: String?
    let facility: UInt32?
    let card: UInt64?
    let bits: String?
    let validFrom: String?
    let validUntil: String?

    func cardData() throws(APIError) -> CardData {
        switch (format, card, bits) {
        case (let format?, let number?, nil):
            guard !format.isEmpty, format.count <= APILimits.nameLength,
                  format.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw .invalid("format is a card format's name, e.g. h10301 (letters, digits, - and _)")
            }
            guard number <= UInt64(Int64.max) else { throw .invalid("card is at most \(Int64.max)") }
            return .fields(format: format, facility: facility, number: number)
        case (nil, nil, let bits?):
            guard APILimits.cardBits.contains(bits.count), bits.allSatisfy({ $0 == "0" || $0 == "1" }) else {
                throw .invalid("bits is \(APILimits.cardBits.lowerBound) to \(APILimits.cardBits.upperBound) characters, only 0 and 1")
            }
            guard facility == nil else { throw .invalid("facility goes with format and card, not with bits") }
            return .raw(bits: bits.map { $0 == "1" })
        default:
            throw .invalid("give format and card (and facility if the format has one), or bits")
        }
    }
}

extension KeywayAPI {
    /// A person's credentials of every kind, for the managers' People page: list, enrol a card, revoke one.
    func addPersonCredentialRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("people/:person/credentials") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "listing a person's credentials")
            let person = try Input.path(context, "person")
            let held = try await self.access.credentials(ofPerson: person, limit: try Input.pageSize(request.uri.queryParameters["limit"]))
            return JSONBody.response(held.filter(caller.maySee).map { issued in
                var view = CredentialView(issued, site: self.accounts.siteID)
                view.shown = issued.credential.shown
                return view
            })
        }
        v1.post("people/:person/cards") { request, context in
            let caller = try await self.changingPeople(request, context, "enrolling cards")
            let person = try Input.path(context, "person")
            let body = try await JSONBody.decode(NewCardBody.self, from: request, context: context)
            let card = try await self.access.addCard(person: person, card: try body.cardData(),
                                                     validFrom: try Input.date(body.validFrom, "valid_from"),
                                                     validUntil: try Input.date(body.validUntil, "valid_until"), actor: caller.actor, at: Date())
            var view = CredentialView(card, site: self.accounts.siteID)
            view.shown = card.credential.shown
            return JSONBody.response(view, status: .created)
        }
        v1.delete("people/:person/credentials/:id") { request, context in
            let caller = try await self.changingPeople(request, context, "revoking a person's credentials")
            let person = try Input.path(context, "person")
            let id = try Input.path(context, "id")
            guard let issued = try await self.access.credential(id, ofPerson: person) else {
                throw APIError.notFound("\(person) holds no credential \(id)")
            }
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            let reason = buffer.readableBytes == 0 ? nil
                : try Input.optionalText(try JSONBody.decoder.decode(RevokeBody.self, from: Data(buffer.readableBytesView)).reason,
                                         "reason", max: APILimits.reasonLength)
            guard issued.credential.revokedAt == nil else { throw APIError(.conflict, "conflict", "\(id) is already revoked") }
            return JSONBody.response(RevokedView(revoked: try await self.access.revoke(id, reason: reason, actor: caller.actor, at: Date())))
        }
    }
}
