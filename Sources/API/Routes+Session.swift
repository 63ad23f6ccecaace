import Access
import Foundation
import Hummingbird
import HummingbirdBcrypt

struct LoginBody: Decodable {
    let email: String
    let password: String
}

struct PasswordBody: Decodable {
    let token: String
    let password: String
}

struct UserView: Encodable {
    let id: String
    let site: String
    let email: String
    let name: String
    let role: String
    let person: String?
    let disabled: Bool
    let hasPassword: Bool
    let createdAt: Date

    init(_ user: User) {
        id = user.id
        site = user.site
        email = user.email
        name = user.name
        role = user.role.rawValue
        person = user.person
        disabled = user.disabled
        hasPassword = user.hasPassword
        createdAt = user.createdAt
    }
}

struct SessionView: Encodable {
    let user: UserView
    /// The role requests act with (a token's, when narrower).
    let role: String
    let via: String
    let csrfToken: String?
    let expiresAt: Date?
}

extension KeywayAPI {
    func addSessionRoutes(_ v1: RouterGroup<APIContext>) {
        v1.post("session") { request, context in try await self.login(request, context) }
        v1.get("session") { request, context in
            let caller = try await self.caller(request, context)
            return JSONBody.response(SessionView(user: UserView(caller.user), role: caller.role.rawValue,
                                                 via: caller.token == nil ? "session" : "token", csrfToken: nil,
                                                 expiresAt: caller.session?.record.expiresAt ?? caller.token?.expiresAt))
        }
        v1.delete("session") { request, context in
            let caller = try await self.caller(request, context)
            guard let session = caller.session else {
                throw APIError.invalid("logging out ends a browser session; an API token is revoked with DELETE /api/v1/tokens/{id}")
            }
            try await self.accounts.endSession(digest: APISecret.digest(session.secret), at: Date())
            var response = Response(status: .noContent)
            response.headers[.setCookie] = self.cookie(value: "", maxAge: 0)
            return response
        }
        v1.post("password") { request, context in
            let body = try await JSONBody.decode(PasswordBody.self, from: request, context: context)
            let secret = try Input.secret(body.token, "token")
            let password = try Input.password(body.password)
            // Links are guessed no better than tokens, but each address gets as few tries as at the login.
            if let wait = self.loginsPerAddress.wait(context.clientAddress) { throw Self.tooMany(wait) }
            let cost = self.settings.bcryptCost
            let hash = await self.bcrypt { Bcrypt.hash(password, cost: cost) }
            guard let user = try await self.accounts.usePasswordLink(digest: APISecret.digest(secret), passwordHash: hash, at: Date()) else {
                self.loginsPerAddress.record(context.clientAddress)
                throw APIError(.badRequest, "invalid_link", "the set-password link is unknown, already used or expired: ask an admin for a new one")
            }
            return JSONBody.response(UserView(user))
        }
    }

    private func login(_ request: Request, _ context: APIContext) async throws -> Response {
        let body = try await JSONBody.decode(LoginBody.self, from: request, context: context)
        let email = try Input.email(body.email)
        guard body.password.utf8.count <= APILimits.passwordBytes.upperBound else { throw APIError.invalid("the password is too long") }
        let address = context.clientAddress
        if let wait = loginsPerAccount.wait(email) ?? loginsPerAddress.wait(address) { throw Self.tooMany(wait) }
        let user = try await accounts.user(email: email)
        var hash: String?
        if let user { hash = try await accounts.passwordHash(user: user.id) }
        let password = body.password, stored = hash, decoy = decoyHash
        let matches = await bcrypt { Bcrypt.verify(password, hash: stored ?? decoy) } && stored != nil
        guard let user, matches, !user.disabled else {
            loginsPerAccount.record(email)
            loginsPerAddress.record(address)
            throw APIError(.unauthorized, "login_failed", "wrong e-mail or password (or the account is disabled)")
        }
        loginsPerAccount.reset(email)
        let secret = APISecret.make(prefix: "")
        let csrf = APISecret.make(prefix: "")
        let lifetime = settings.sessionLifetime
        let expires = Date().addingTimeInterval(Double(lifetime.components.seconds))
        try await accounts.startSession(NewSession(id: APISecret.identifier("ses"), digest: APISecret.digest(secret),
                                                   csrfDigest: APISecret.digest(csrf), userID: user.id, expiresAt: expires), at: Date())
        var response = JSONBody.response(SessionView(user: UserView(user), role: user.role.rawValue, via: "session", csrfToken: csrf,
                                                     expiresAt: expires), status: .created)
        response.headers[.setCookie] = cookie(value: secret, maxAge: Int(lifetime.components.seconds))
        return response
    }

    func cookie(value: String, maxAge: Int) -> String {
        "\(Self.sessionCookie)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (settings.secureCookies ? "; Secure" : "")
    }

    static func tooMany(_ wait: Int) -> APIError {
        APIError(.tooManyRequests, "rate_limited", "too many attempts: try again in \(wait) s", retryAfter: wait)
    }
}
