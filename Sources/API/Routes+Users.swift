import Access
import Foundation
import Hummingbird

struct NewUserBody: Decodable {
    let email: String
    let name: String
    let role: String
    let person: String?
}

/// Any of: disable or enable; a new role; a new person (left out: the account keeps its person).
struct UserChangeBody: Decodable {
    let disabled: Bool?
    let role: String?
    let person: String?
}

/// A one-time set-password link, shown once.
public struct PasswordLinkView: Encodable, Sendable {
    public let url: String
    public let expiresAt: Date
}

struct CreatedUserView: Encodable {
    let user: UserView
    /// Shown once: the account's one-time link to set its password.
    let passwordLink: PasswordLinkView
}

struct NewTokenBody: Decodable {
    let name: String
    let role: String?
    let doors: [String]?
    let expiresAt: String?
}

struct TokenView: Encodable {
    let id: String
    let site: String
    let name: String
    let role: String
    let doors: [String]?
    let user: String
    let createdAt: Date
    let expiresAt: Date?
    let lastUsedAt: Date?
    let revokedAt: Date?

    init(_ token: APIToken) {
        id = token.id
        site = token.site
        name = token.name
        role = token.role.rawValue
        doors = token.doors
        user = token.userID
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
    }
}

struct CreatedTokenView: Encodable {
    let token: TokenView
    /// Shown once: `Authorization: Bearer <secret>`.
    let secret: String
}

extension KeywayAPI {
    func addUserRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("users") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.admin, "listing accounts")
            return JSONBody.response(try await self.accounts.users().map(UserView.init))
        }
        v1.post("users") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.admin, "adding accounts")
            let body = try await JSONBody.decode(NewUserBody.self, from: request, context: context)
            guard let role = Role(rawValue: body.role) else { throw APIError.invalid("role is admin, staff or resident") }
            let new = NewUser(email: try Input.email(body.email), name: try Input.text(body.name, "name", max: APILimits.nameLength), role: role,
                              person: try Input.optionalText(body.person, "person", max: APILimits.nameLength))
            guard role != .resident || new.person != nil else { throw APIError.invalid("a resident's account names their person") }
            let (user, link) = try await Self.addUser(new, accounts: self.accounts, settings: self.settings, actor: caller.actor)
            return JSONBody.response(CreatedUserView(user: UserView(user), passwordLink: link), status: .created)
        }
        v1.post("users/:id/password-link") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.admin, "making set-password links")
            let id = try Input.path(context, "id")
            guard let user = try await self.accounts.user(id: id) else { throw APIError.notFound("no account \(id)") }
            return JSONBody.response(try await Self.passwordLink(for: user, accounts: self.accounts, settings: self.settings, actor: caller.actor),
                                     status: .created)
        }
        v1.patch("users/:id") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.admin, "changing accounts")
            let id = try Input.path(context, "id")
            let body = try await JSONBody.decode(UserChangeBody.self, from: request, context: context)
            guard body.disabled != nil || body.role != nil || body.person != nil else {
                throw APIError.invalid("give disabled, role or person")
            }
            guard id != caller.user.id || body.disabled != true else { throw APIError.invalid("an admin cannot disable their own account") }
            let role = try body.role.map { text throws(APIError) -> Role in
                guard let role = Role(rawValue: text) else { throw APIError.invalid("role is admin, staff or resident") }
                return role
            }
            let person = try Input.optionalText(body.person, "person", max: APILimits.nameLength)
            guard let user = try await self.accounts.user(id: id) else { throw APIError.notFound("no account \(id)") }
            if role != nil || person != nil {
                let newRole = role ?? user.role
                guard id != caller.user.id || newRole == user.role else { throw APIError.invalid("an admin cannot change their own role") }
                guard newRole != .resident || person != nil || user.personID != nil else {
                    throw APIError.invalid("a resident's account names their person")
                }
                _ = try await self.accounts.setRole(user: id, newRole, person: person ?? user.personID, actor: caller.actor, at: Date())
            }
            guard let disabled = body.disabled else { return JSONBody.response(UserView(try await self.accounts.user(id: id) ?? user)) }
            return JSONBody.response(UserView(try await self.accounts.setDisabled(user: id, disabled, actor: caller.actor, at: Date())))
        }
    }

    /// Adds an account and makes its one-time set-password link (what `keyway users add` does too).
    public static func addUser(_ new: NewUser, accounts: any AccountStorage, settings: APISettings,
                               actor: String) async throws -> (user: User, link: PasswordLinkView) {
        let user = try await accounts.addUser(new, actor: actor, at: Date())
        return (user, try await passwordLink(for: user, accounts: accounts, settings: settings, actor: actor))
    }

    /// A new one-time set-password link for an account (earlier ones stop working).
    public static func passwordLink(for user: User, accounts: any AccountStorage, settings: APISettings,
                                    actor: String) async throws -> PasswordLinkView {
        let secret = APISecret.make(prefix: "")
        let expires = Date().addingTimeInterval(Double(settings.passwordLinkLifetime.components.seconds))
        try await accounts.addPasswordLink(user: user.id, digest: APISecret.digest(secret), expiresAt: expires, actor: actor, at: Date())
        return PasswordLinkView(url: settings.passwordLink(secret), expiresAt: expires)
    }

    func addTokenRoutes(_ v1: RouterGroup<APIContext>) {
        v1.post("tokens") { request, context in
            let caller = try await self.caller(request, context)
            let body = try await JSONBody.decode(NewTokenBody.self, from: request, context: context)
            let role = try body.role.map { text throws(APIError) -> Role in
                guard let role = Role(rawValue: text) else { throw APIError.invalid("role is admin, staff or resident") }
                return role
            } ?? caller.role
            guard role <= caller.role else { throw APIError.forbidden("a token's role is at most the caller's (\(caller.role.rawValue))") }
            let doors = try Input.doors(body.doors, required: false)
            try caller.requireDoors(doors ?? [])
            if caller.token?.doors != nil && doors == nil { throw APIError.forbidden("a door-limited token can only make tokens for its doors") }
            let now = Date()
            let secret = APISecret.make(prefix: "kwt_")
            let token = try await self.accounts.addToken(
                NewAPIToken(id: APISecret.identifier("tok"), digest: APISecret.digest(secret),
                            name: try Input.text(body.name, "name", max: APILimits.nameLength), role: role, doors: doors,
                            userID: caller.user.id, expiresAt: try Input.end(body.expiresAt, "expires_at", now: now)),
                actor: caller.actor, at: now)
            return JSONBody.response(CreatedTokenView(token: TokenView(token), secret: secret), status: .created)
        }
        v1.get("tokens") { request, context in
            let caller = try await self.caller(request, context)
            let parameter = request.uri.queryParameters["all"]
            guard parameter == nil || parameter == "true" || parameter == "false" else { throw APIError.invalid("all is true or false") }
            let all = parameter == "true"
            if all { try caller.require(.admin, "listing every account's tokens") }
            return JSONBody.response(try await self.accounts.tokens(user: all ? nil : caller.user.id).map(TokenView.init))
        }
        v1.delete("tokens/:id") { request, context in
            let caller = try await self.caller(request, context)
            let id = try Input.path(context, "id")
            let tokens = try await self.accounts.tokens(user: caller.role == .admin ? nil : caller.user.id)
            guard tokens.contains(where: { $0.id == id }) else { throw APIError.notFound("no token \(id) of yours") }
            return JSONBody.response(TokenView(try await self.accounts.revokeToken(id, actor: caller.actor, at: Date())))
        }
    }
}
