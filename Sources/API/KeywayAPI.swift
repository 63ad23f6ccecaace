import Access
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import Logging
import Synchronization

/// How the API behaves beyond its routes: where it says it lives, cookie security, hash cost, lifetimes and rate limits.
public struct APISettings: Sendable {
    /// `http.public_url`: the base of set-password and share links.
    public var publicURL: String
    /// Cookies carry `Secure` when the API is reached over TLS (directly or through a proxy that terminates it).
    public var secureCookies: Bool
    /// bcrypt's cost (12 in service; tests lower it to stay fast).
    public var bcryptCost: UInt8 = 12
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    public var passwordLinkLifetime: Duration = .seconds(72 * 3600)
    /// Failed logins per account, and per client address, in `loginWindow`.
    public var loginFailuresPerAccount = 5
    public var loginFailuresPerAddress = 20
    public var loginWindow: Duration = .seconds(15 * 60)
    /// Unlocks per digital key in `unlockWindow`.
    public var unlocksPerKey = 10
    public var unlockWindow: Duration = .seconds(60)
    /// The live log stream's poll interval and longest life (a client reconnects with Last-Event-ID).
    public var streamPoll: Duration = .milliseconds(250)
    public var streamLifetime: Duration = .seconds(3600)
    /// Live log streams open at once, over all callers.
    public var maximumStreams = 32
    /// The channels `delivery:` configures: a share or passcode for an address on one is sent there.
    public var messageChannels: Set<MessageChannel> = []

    public init(publicURL: String, secureCookies: Bool) {
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.secureCookies = secureCookies
    }

    /// The one-time set-password link for a secret.
    public func passwordLink(_ secret: String) -> String { "\(publicURL)/set-password/\(secret)" }
    /// A share's link: its presentation token is the opaque secret.
    public func shareLink(_ token: String) -> String { "\(publicURL)/k/\(token)" }
}

/// The HTTP API of one site: routes on the storage protocols and the running site. Built once; the server
/// (`APIServer`) or a test drives its router.
public final class KeywayAPI: Sendable {
    let accounts: any AccountStorage
    let access: any AccessStorage
    let site: any SiteControl
    let settings: APISettings
    let logger: Logger
    let loginsPerAccount: RateLimiter
    let loginsPerAddress: RateLimiter
    let unlocksPerKey: RateLimiter
    /// A hash at the configured cost that no password matches: a login for an unknown account costs the same time.
    let decoyHash: String
    /// Live log streams open now.
    let openStreams = Atomic<Int>(0)
    /// Set when the service stops: live streams end.
    let stopping = Atomic<Bool>(false)
    /// The channels this site sends share links and passcodes by (`delivery:`): the pages offer sending only then.
    public var messageChannels: Set<MessageChannel> { settings.messageChannels }
    static let sessionCookie = "keyway_session"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    public init(accounts: any AccountStorage, access: any AccessStorage, site: any SiteControl, settings: APISettings,
                logger: Logger = Logger(label: "keyway.api")) {
        self.accounts = accounts
        self.access = access
        self.site = site
        self.settings = settings
        self.logger = logger
        loginsPerAccount = RateLimiter(limit: settings.loginFailuresPerAccount, window: settings.loginWindow)
        loginsPerAddress = RateLimiter(limit: settings.loginFailuresPerAddress, window: settings.loginWindow)
        unlocksPerKey = RateLimiter(limit: settings.unlocksPerKey, window: settings.unlockWindow)
        decoyHash = Bcrypt.hash(APISecret.make(prefix: ""), cost: settings.bcryptCost)
    }

    /// Ends live streams (the service is stopping).
    public func stop() { stopping.store(true, ordering: .releasing) }

    public func router() -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: ErrorMiddleware())
        let v1 = router.group("api/v1")
        v1.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        addSessionRoutes(v1)
        addUserRoutes(v1)
        addTokenRoutes(v1)
        addDoorRoutes(v1)
        addKeyRoutes(v1)
        addDeviceBindingRoutes(v1)
        addPasscodeRoutes(v1)
        addActivityRoutes(v1)
        addPeopleRoutes(v1)
        addPersonCredentialRoutes(v1)
        addPolicyRoutes(v1)
        addExportRoutes(v1)
        addUnitRoutes(v1)
        addSharingPolicyRoutes(v1)
        addWebhookRoutes(v1)
        addAlertRoutes(v1)
        addImportRoutes(v1)
        addPolicyListRoutes(v1)
        return router
    }

    // MARK: Who is calling

    /// The account (and token or session) behind a request, or 401/403. Cookie sessions must send the CSRF token
    /// on every method that changes something.
    func caller(_ request: Request, _ context: APIContext) async throws -> Caller {
        let now = Date()
        if let authorization = request.headers[.authorization] {
            guard authorization.utf8.count <= APILimits.secretLength + 7, authorization.hasPrefix("Bearer "),
                  case let secret = String(authorization.dropFirst(7)), !secret.isEmpty else {
                throw APIError(.unauthorized, "invalid_token", "Authorization must be \"Bearer <API token>\"")
            }
            guard let (token, user) = try await accounts.token(digest: APISecret.digest(secret), at: now), !user.disabled else {
                throw APIError(.unauthorized, "invalid_token", "the API token is unknown, revoked or expired")
            }
            return Caller(user: user, token: token, session: nil)
        }
        guard let secret = request.cookies[Self.sessionCookie]?.value, !secret.isEmpty, secret.utf8.count <= APILimits.secretLength else {
            throw APIError.unauthenticated
        }
        guard let (session, user) = try await accounts.session(digest: APISecret.digest(secret), at: now), !user.disabled else {
            throw APIError(.unauthorized, "session_ended", "the session has ended or expired: log in again")
        }
        if ![.get, .head, .options].contains(request.method) {
            guard let csrf = request.headers[Self.csrfHeader], csrf.utf8.count <= APILimits.secretLength,
                  APISecret.same(APISecret.digest(csrf), session.csrfDigest) else {
                throw APIError(.forbidden, "csrf", "a session's changes need the CSRF token from the login answer in the X-CSRF-Token header")
            }
        }
        return Caller(user: user, token: nil, session: (session, secret))
    }

    /// bcrypt off the cooperative threads (it takes a quarter of a second by design), one at a time and at a low
    /// priority: a flood of logins queues up behind itself and never takes the cores from the doors.
    func bcrypt<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            Self.bcryptQueue.async { continuation.resume(returning: work()) }
        }
    }

    private static let bcryptQueue = DispatchQueue(label: "keyway.api.bcrypt", qos: .utility)
}

/// The account a request acts for, narrowed by its API token's role and doors.
struct Caller: Sendable {
    let user: User
    let token: APIToken?
    let session: (record: SessionRecord, secret: String)?
    /// A resident's unit (id), where it matters: they see and revoke what anyone in their unit issued.
    var unitID: String? = nil

    var role: Role { min(user.role, token?.role ?? user.role) }
    /// What the activity log and `created_by` name.
    var actor: String { token.map { APIActor.token($0.id, of: user.id) } ?? APIActor.user(user.id) }

    func require(_ needed: Role, _ what: String) throws(APIError) {
        guard role >= needed else { throw .forbidden("\(what) needs the \(needed.rawValue) role; this caller is \(role.rawValue)") }
    }

    /// A token limited to doors reaches no other.
    func mayReach(door: String) -> Bool { token?.doors.map { $0.contains(door) } ?? true }

    func requireDoors(_ doors: [String]) throws(APIError) {
        if let outside = doors.first(where: { !mayReach(door: $0) }) {
            throw .forbidden("this API token is limited to doors \(token?.doors?.joined(separator: ", ") ?? ""); \(outside) is not one")
        }
    }

    /// True when a key or passcode is this caller's own: their person's, or issued by them.
    func owns(_ issued: IssuedCredential) -> Bool {
        (user.person != nil && issued.credential.person == user.person) || APIActor.isOwn(issued.issuer, userID: user.id)
            || (unitID != nil && issued.issuerUnit == unitID)
    }

    /// Staff and admins see every key and passcode, a resident only their own; a door-limited token those at its doors.
    func maySee(_ issued: IssuedCredential) -> Bool {
        (role >= .staff || owns(issued)) && (token?.doors == nil || issued.credential.doors.contains(where: mayReach(door:)))
    }
}
