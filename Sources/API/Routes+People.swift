import Access
import Foundation
import Hummingbird

/// A person as listed (the CLI's `keyway people`): never their credentials.
struct PersonView: Encodable {
    let id: String
    /// The site it belongs to (its id is unique within the site).
    let site: String
    let name: String
    let kind: String
    let suspended: Bool
    let vacationStart: String?
    let vacationEnd: String?

    init(_ person: Person, site: String) {
        id = person.id
        self.site = site
        name = person.name
        kind = person.kind.rawValue
        suspended = person.suspended
        vacationStart = person.vacationStart
        vacationEnd = person.vacationEnd
    }
}

struct NewPersonBody: Decodable {
    let name: String
    /// resident (the default), staff, visitor or vendor.
    let kind: PersonKind?
}

extension KeywayAPI {
    /// People, as `keyway people add|list|suspend|reinstate` manage them: staff and admins.
    func addPeopleRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("people") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "listing people")
            let parameters = request.uri.queryParameters
            let search = try Input.optionalText(parameters["search"].map(String.init), "search", max: APILimits.nameLength)
            let after = try Input.optionalText(parameters["after"].map(String.init), "after", max: APILimits.nameLength)
            let people = try await self.access.people(search: search, afterName: after, limit: try Input.pageSize(parameters["limit"]))
            return JSONBody.response(people.map { PersonView($0, site: self.accounts.siteID) })
        }
        v1.post("people") { request, context in
            let caller = try await self.changingPeople(request, context, "adding people")
            let body = try await JSONBody.decode(NewPersonBody.self, from: request, context: context)
            let person = try await self.access.addPerson(name: try Input.text(body.name, "name", max: APILimits.nameLength),
                                                         kind: body.kind ?? .resident, actor: caller.actor, at: Date())
            return JSONBody.response(PersonView(person, site: self.accounts.siteID), status: .created)
        }
        for (action, suspended) in [("suspend", true), ("reinstate", false)] {
            v1.post("people/:person/\(action)") { request, context in
                let caller = try await self.changingPeople(request, context, suspended ? "suspending people" : "reinstating people")
                let person = try await self.access.setSuspended(person: try Input.path(context, "person"), suspended, actor: caller.actor,
                                                                at: Date())
                return JSONBody.response(PersonView(person, site: self.accounts.siteID))
            }
        }
    }

    /// Staff or admin, and not through a token limited to doors: a person reaches every door of their groups.
    func changingPeople(_ request: Request, _ context: APIContext, _ what: String) async throws -> Caller {
        let caller = try await caller(request, context)
        try caller.require(.staff, what)
        guard caller.token?.doors == nil else { throw APIError.forbidden("\(what) needs a token not limited to doors") }
        return caller
    }
}
