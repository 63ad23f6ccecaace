import Access
import Foundation
import Hummingbird

/// A unit (apartment, suite) and who lives there.
struct UnitView: Encodable {
    let id: String
    let site: String
    let name: String
    /// Names, sorted.
    let residents: [String]

    init(_ unit: Access.Unit, site: String) {
        id = unit.id
        self.site = site
        name = unit.name
        residents = unit.residents
    }
}

struct NewUnitBody: Decodable {
    let name: String
}

struct MoveInBody: Decodable {
    let person: String
}

struct MoveOutBody: Decodable {
    /// Left out: the whole unit moves out.
    let person: String?
}

struct MoveOutView: Encodable {
    let unit: String
    let residents: [String]
    /// Every credential revoked, in the one transaction.
    let revoked: [String]
}

/// One entry of the managers' "active visitor access": a guest pass, who issued it, uses left and last use.
struct GuestPassView: Encodable {
    let id: String
    let kind: String
    let label: String?
    let recipient: String?
    let doors: [String]
    let validFrom: Date?
    let validUntil: Date?
    /// nil: unlimited.
    let usesLeft: Int?
    let parent: String?
    let issuer: String
    let lastUsed: Date?

    init(_ pass: GuestPass) {
        let credential = pass.credential
        id = credential.id
        kind = credential.kind.rawValue
        label = credential.label
        recipient = credential.recipient
        doors = credential.doors
        validFrom = credential.validFrom
        validUntil = credential.validUntil
        usesLeft = credential.usesLeft
        parent = credential.parent
        issuer = pass.issuer
        lastUsed = pass.lastUsed
    }
}

extension KeywayAPI {
    func addUnitRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("units") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "listing units")
            return JSONBody.response(try await self.access.units().map { UnitView($0, site: self.accounts.siteID) })
        }
        v1.post("units") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "adding units")
            let body = try await JSONBody.decode(NewUnitBody.self, from: request, context: context)
            let unit = try await self.access.addUnit(name: try Input.text(body.name, "name", max: APILimits.nameLength),
                                                     actor: caller.actor, at: Date())
            return JSONBody.response(UnitView(unit, site: self.accounts.siteID), status: .created)
        }
        v1.post("units/:unit/residents") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "moving people in")
            let unit = try Input.path(context, "unit")
            let body = try await JSONBody.decode(MoveInBody.self, from: request, context: context)
            let moved = try await self.access.moveIn(person: try Input.text(body.person, "person", max: APILimits.nameLength), unit: unit,
                                                     actor: caller.actor, at: Date())
            return JSONBody.response(UnitView(moved, site: self.accounts.siteID))
        }
        v1.post("units/:unit/move-out") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "moving people out")
            let unit = try Input.path(context, "unit")
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            let person = buffer.readableBytes == 0 ? nil
                : try Input.optionalText(try JSONBody.decoder.decode(MoveOutBody.self, from: Data(buffer.readableBytesView)).person,
                                         "person", max: APILimits.nameLength)
            let moved = try await self.access.moveOut(unit: unit, person: person, actor: caller.actor, at: Date())
            return JSONBody.response(MoveOutView(unit: moved.unit, residents: moved.residents, revoked: moved.revoked))
        }
        // Active visitor access: staff and admins for any unit, a resident for their own (another's is not found).
        v1.get("units/:unit/passes") { request, context in
            let caller = try await self.caller(request, context)
            let unit = try Input.path(context, "unit")
            let active = request.uri.queryParameters["active"]
            guard active == nil || active == "true" || active == "false" else { throw APIError.invalid("active is true or false") }
            let units = try await self.access.units()
            guard let found = units.first(where: { $0.id == unit }) ?? units.first(where: { $0.name == unit }) else {
                throw APIError.notFound("no unit \(unit)")
            }
            if caller.role < .staff {
                guard let person = caller.user.personID, try await self.access.unit(ofPerson: person) == found.name else {
                    throw APIError.notFound("no unit \(unit)")
                }
            }
            let passes = try await self.access.guestPasses(ofUnit: found.id, activeAt: active == "false" ? nil : Date())
                .filter { caller.token?.doors == nil || $0.credential.doors.contains(where: caller.mayReach(door:)) }
            return JSONBody.response(passes.map(GuestPassView.init))
        }
    }
}
