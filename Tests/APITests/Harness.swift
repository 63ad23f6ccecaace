import Access
import Bridge
import Foundation
import HTTPTypes
import Hummingbird
import KeywayTestSupport
import Logging
import NIOEmbedded
import Testing
@testable import API

/// The door side for tests that need no hardware: the access core decides (and logs) a digital key at the door
/// exactly as `SiteRuntime` asks it to. End-to-end tests use the real site supervisor and a libosdp PD instead.
struct CoreDecidingSite: SiteControl {
    let access: AccessControl
    let doorNames: [String]

    func doorStates() async -> [DoorState] {
        doorNames.map { DoorState(name: $0, mode: "card_or_pin", configuredMode: "card_or_pin", open: nil, alarms: [], lastEvent: nil,
                                  reader: "\($0)-reader", readerOnline: true, secureChannel: false) }
    }

    func present(key token: String, at door: String) async -> Decision? {
        guard doorNames.contains(door) else { return nil }
        return access.decide(.digitalKey(token: token), door: door, reader: "\(door)-reader", at: Date())
    }

    /// The mode changes of `DoorOperator`, on the access core (the doors here are all card or PIN).
    func command(_ action: DoorRequestAction, door: String, for duration: Duration?, actor: String) async throws(BridgeError) -> String {
        guard doorNames.contains(door) else { throw .doorCommand("no door \"\(door)\"") }
        let mode: DoorMode
        switch action {
        case .lockdown: mode = .lockdown
        case .normal, .lock: mode = .cardOrPin
        case .unlock:
            guard access.mode(ofDoor: door, at: Date()) != .lockdown else { throw .doorCommand("\(door) is in lockdown") }
            return "\(door) unlocked for \(duration.map { "\($0.components.seconds) s" } ?? "good")"
        }
        do { try access.store.setMode(door: door, mode, actor: actor) } catch { throw .doorCommand("cannot change the mode of \(door): \(error)") }
        return "\(door) is now \(mode.rawValue)"
    }
}

/// An answer, with its JSON read loosely.
struct Answer {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var list: [[String: Any]] { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? [] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var text: String { String(decoding: body, as: UTF8.self) }

    subscript(path: String) -> Any? {
        var value: Any? = json
        for key in path.split(separator: ".") { value = (value as? [String: Any])?[String(key)] }
        return value
    }
}

/// Collects a response body; `limit` bytes end a stream (the writer throws `Enough`).
final class BodySink: @unchecked Sendable {
    var data = Data()
    let limit: Int?
    init(limit: Int?) { self.limit = limit }
    struct Enough: Error {}

    struct Writer: ResponseBodyWriter {
        let sink: BodySink
        mutating func write(_ buffer: ByteBuffer) async throws {
            sink.data.append(contentsOf: buffer.readableBytesView)
            if let limit = sink.limit, sink.data.count >= limit { throw Enough() }
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

/// A site database with its API, driven through the router as the server drives it.
final class APIHarness: @unchecked Sendable {
    static let doors = ["Lobby", "Garage", "Roof", "Back Door"]
    let folder: URL
    let access: AccessControl
    let storage: SQLiteSiteStorage
    let api: KeywayAPI
    let responder: RouterResponder<APIContext>

    init(site: ((AccessControl) -> any SiteControl)? = nil, database: URL? = nil, access existing: AccessControl? = nil,
         adjust: (inout APISettings) -> Void = { _ in }) throws {
        folder = try TestPaths.temporaryDirectory("api")
        access = try existing ?? AccessControl.open(database: database ?? folder.appendingPathComponent("keyway.sqlite"), timeZone: .gmt,
                                                    checkpointEvery: nil)
        if existing == nil {
            for door in Self.doors { try access.store.ensureDoor(name: door, mode: .cardOrPin) }
            for person in ["Ada", "Bob"] { try access.store.addPerson(name: person) }
        }
        storage = try SQLiteSiteStorage(access: access)
        var settings = APISettings(publicURL: "https://keyway.example/", secureCookies: true)
        settings.bcryptCost = 4
        adjust(&settings)
        api = KeywayAPI(accounts: storage, access: storage, site: site?(access) ?? CoreDecidingSite(access: access, doorNames: Self.doors),
                        settings: settings)
        responder = api.router().buildResponder()
    }

    func send(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, headers: HTTPFields = [:],
              streamLimit: Int? = nil) async throws -> Answer {
        let request = Request(head: HTTPRequest(method: method, scheme: "http", authority: "keyway.test", path: path, headerFields: headers),
                              body: RequestBody(buffer: ByteBuffer(string: json ?? "")))
        let context = APIContext(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: Logger(label: "api-test")))
        let response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        let sink = BodySink(limit: streamLimit)
        do { try await response.body.write(BodySink.Writer(sink: sink)) } catch is BodySink.Enough {}
        return Answer(status: response.status, headers: response.headers, body: sink.data)
    }

    // MARK: Accounts as a newcomer makes them

    /// An account with a password, made as `keyway users add` does and set through its link.
    func account(_ role: Role, _ email: String, person: String? = nil, password: String = "correct horse battery") async throws -> User {
        let (user, link) = try await KeywayAPI.addUser(NewUser(email: email, name: email, role: role, person: person),
                                                       accounts: storage, settings: api.settings, actor: "test")
        let secret = String(link.url.split(separator: "/").last!)
        let set = try await send(.post, "/api/v1/password", json: #"{"token": "\#(secret)", "password": "\#(password)"}"#)
        precondition(set.status == .ok, "setting the password failed: \(set.text)")
        return user
    }

    /// A logged-in browser: the cookie and CSRF headers to send.
    func login(_ email: String, password: String = "correct horse battery") async throws -> Session {
        let answer = try await send(.post, "/api/v1/session", json: #"{"email": "\#(email)", "password": "\#(password)"}"#)
        precondition(answer.status == .created, "login failed: \(answer.text)")
        let cookie = answer.headers[.setCookie]!.split(separator: ";")[0]
        return Session(cookie: String(cookie), csrf: answer["csrf_token"] as! String)
    }

    /// An API token's Authorization header.
    func token(_ session: Session, role: Role? = nil, doors: [String]? = nil) async throws -> (id: String, headers: HTTPFields) {
        var body: [String: Any] = ["name": "test token"]
        if let role { body["role"] = role.rawValue }
        if let doors { body["doors"] = doors }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let answer = try await send(.post, "/api/v1/tokens", json: json, headers: session.headers(changing: true))
        precondition(answer.status == .created, "token failed: \(answer.text)")
        return (answer["token.id"] as! String, [.authorization: "Bearer \(answer["secret"] as! String)"])
    }

    struct Session {
        let cookie: String
        let csrf: String

        func headers(changing: Bool = false) -> HTTPFields {
            var fields: HTTPFields = [.cookie: cookie]
            if changing { fields[KeywayAPI.csrfHeader] = csrf }
            return fields
        }
    }
}

/// One request of a role matrix and the status each role gets back.
struct RoleRow {
    let method: HTTPRequest.Method
    let path: String
    let body: String?
    let admin: HTTPResponse.Status
    let staff: HTTPResponse.Status
    let resident: HTTPResponse.Status
}

extension APIHarness {
    /// An admin, a staff member and a resident (Ada), each logged in; and the admin's account.
    func roleSessions() async throws -> (sessions: [Role: Session], admin: User) {
        let admin = try await account(.admin, "admin@example.org")
        _ = try await account(.staff, "desk@example.org")
        _ = try await account(.resident, "ada@example.org", person: "Ada")
        return ([.admin: try await login("admin@example.org"), .staff: try await login("desk@example.org"),
                 .resident: try await login("ada@example.org")], admin)
    }

    /// Sends every row as `role` and expects the status the row gives that role.
    func expect(_ rows: [RoleRow], as role: Role, sessions: [Role: Session]) async throws {
        for row in rows {
            let expected = [Role.admin: row.admin, .staff: row.staff, .resident: row.resident][role]!
            let answer = try await send(row.method, row.path, json: row.body, headers: sessions[role]!.headers(changing: true))
            #expect(answer.status == expected, "\(role.rawValue) \(row.method) \(row.path) → \(answer.status) \(answer.text)")
        }
    }
}
