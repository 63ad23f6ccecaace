import Access
import API
import Dispatch
import Foundation
import FuzzSupport
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded

// The HTTP API: each input is one request (method, credentials, a route of the served OpenAPI document with
// its parameters filled from the input, a query string and a body), answered by the real router on a real
// site database, as `keyway serve` answers it. The doors decide in the access core (no relays here).
//
// Invariants:
// - no answer is a 5xx: whatever a client sends is a clear 4xx or a success;
// - every error answer is JSON naming an error code;
// - every JSON answer parses.
//
// The site is shared by the inputs of one process (accounts, keys and passcodes accumulate) and made anew
// every 10 000 inputs, or when a fuzzed request ended the admin's session or disabled an account, so a
// reproducer may need the inputs before it; each run prints nothing for a clean input.

private let logger = Logger(label: "keyway.fuzz") { _ in SwiftLogNoOpLogHandler() }
private let doors = ["Lobby", "Garage", "Back Door"]

/// The doors' decisions, made by the access core as `SiteRuntime` asks it to.
private struct CoreDecidingSite: SiteControl {
    let access: AccessControl

    func doorStates() async -> [DoorState] {
        doors.map { DoorState(name: $0, mode: "card_or_pin", configuredMode: "card_or_pin", open: nil, alarms: [], lastEvent: nil,
                              reader: "\($0) reader", readerOnline: true, secureChannel: false) }
    }

    func present(key token: String, at door: String) async -> Decision? {
        guard doors.contains(door) else { return nil }
        return access.decide(.digitalKey(token: token), door: door, reader: "\(door) reader", at: Date())
    }
}

/// A site with an admin session, a resident's and a staff member's API tokens, and a resident's key.
private final class Site: @unchecked Sendable {
    let folder: URL
    let responder: RouterResponder<APIContext>
    var credentials: [HTTPFields] = []
    let keyID: String
    /// The documented routes, from the served OpenAPI document; the live stream never ends by itself.
    private(set) var templates: [String] = []

    init() throws {
        var template = Array(FileManager.default.temporaryDirectory.appendingPathComponent("keyway-fuzz-api.XXXXXX").path.utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        folder = URL(fileURLWithPath: String(cString: made))
        let access = try AccessControl.open(database: folder.appendingPathComponent("keyway.sqlite"), timeZone: .gmt, logger: logger,
                                            checkpointEvery: nil)
        for door in doors { try access.store.ensureDoor(name: door, mode: .cardOrPin) }
        try access.store.addPerson(name: "Ada")
        try access.store.addGroup(name: "Everywhere", doors: doors.map { (door: $0, schedule: nil) })
        try access.store.grant(person: "Ada", group: "Everywhere")
        keyID = try access.store.issueKey(person: "Ada", doors: doors, mayShare: true).credential.id
        let storage = try SQLiteSiteStorage(access: access)
        var settings = APISettings(publicURL: "https://keyway.example/", secureCookies: true)
        settings.bcryptCost = 4
        let api = KeywayAPI(accounts: storage, access: storage, site: CoreDecidingSite(access: access), settings: settings, logger: logger)
        responder = api.router().buildResponder()
        let document = try JSONSerialization.jsonObject(with: send(.get, "/api/v1/openapi.json").body) as? [String: Any]
        templates = ((document?["paths"] as? [String: Any])?.keys.sorted() ?? []).filter { !$0.hasSuffix("/stream") }
        invariant(!templates.isEmpty, "the served OpenAPI document names no route")
        try account(.admin, "admin@keyway.test", person: nil, settings: settings, storage: storage)
        try account(.resident, "ada@keyway.test", person: "Ada", settings: settings, storage: storage)
        try account(.staff, "desk@keyway.test", person: nil, settings: settings, storage: storage)
        let session = try login("admin@keyway.test")
        credentials = [
            [:],
            session.headers,
            [.cookie: session.headers[.cookie] ?? ""],
            try token(email: "ada@keyway.test"),
            try token(email: "desk@keyway.test"),
            [.authorization: "Bearer not-a-token"],
        ]
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    struct Answer {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: Data
    }

    func send(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields = [:], body: [UInt8] = []) -> Answer {
        wait { [responder] in
            let request = Request(head: HTTPRequest(method: method, scheme: "http", authority: "keyway.test", path: path, headerFields: headers),
                                  body: RequestBody(buffer: ByteBuffer(bytes: body)))
            // An in-memory connection (the API reads only its peer address), finished after the answer: one left open
            // per input would keep its pipeline alive for the rest of a long run.
            let channel = NIOAsyncTestingChannel()
            let context = APIContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            let response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as any HTTPResponseError {
                response = try! error.response(from: request, context: context)
            } catch {
                invariant(false, "\(method) \(path) threw \(error) past the API's error handling")
                fatalError()
            }
            let sink = Sink()
            try? await response.body.write(Sink.Writer(sink: sink))
            _ = try? await channel.finish()
            return Answer(status: response.status, headers: response.headers, body: sink.data)
        }
    }

    @discardableResult
    private func account(_ role: Role, _ email: String, person: String?, settings: APISettings, storage: SQLiteSiteStorage) throws -> User {
        let (user, link) = wait {
            try! await KeywayAPI.addUser(NewUser(email: email, name: email, role: role, person: person), accounts: storage,
                                         settings: settings, actor: "fuzz")
        }
        let secret = link.url.split(separator: "/").last.map(String.init) ?? ""
        let set = send(.post, "/api/v1/password", body: Array(#"{"token": "\#(secret)", "password": "correct horse battery"}"#.utf8))
        guard set.status == .ok else { throw CocoaError(.userCancelled) }
        return user
    }

    private struct Session { let headers: HTTPFields }

    private func login(_ email: String) throws -> Session {
        let answer = send(.post, "/api/v1/session", body: Array(#"{"email": "\#(email)", "password": "correct horse battery"}"#.utf8))
        guard answer.status == .created, let cookie = answer.headers[.setCookie]?.split(separator: ";").first,
              let json = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any], let csrf = json["csrf_token"] as? String,
              let csrfHeader = HTTPField.Name("X-CSRF-Token") else { throw CocoaError(.userCancelled) }
        var headers: HTTPFields = [.cookie: String(cookie)]
        headers[csrfHeader] = csrf
        return Session(headers: headers)
    }

    /// An API token for `email`'s account, made by logging in as it.
    private func token(email: String) throws -> HTTPFields {
        let session = try login(email)
        let answer = send(.post, "/api/v1/tokens", headers: session.headers, body: Array(#"{"name": "fuzz"}"#.utf8))
        guard answer.status == .created, let json = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any],
              let secret = json["secret"] as? String else { throw CocoaError(.userCancelled) }
        return [.authorization: "Bearer \(secret)"]
    }
}

/// Collects a response body.
private final class Sink: @unchecked Sendable {
    var data = Data()
    struct Writer: ResponseBodyWriter {
        let sink: Sink
        mutating func write(_ buffer: ByteBuffer) async throws { sink.data.append(contentsOf: buffer.readableBytesView) }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

/// The answer the task writes once, read after the semaphore.
private final class Slot<Value>: @unchecked Sendable {
    var value: Value?
}

/// Runs an async operation from the fuzzer's thread and waits for it.
private func wait<Value>(_ operation: @escaping @Sendable () async -> Value) -> Value {
    let slot = Slot<Value>()
    let done = DispatchSemaphore(value: 0)
    Task {
        slot.value = await operation()
        done.signal()
    }
    done.wait()
    return slot.value!
}

// libFuzzer calls the harness from one thread.
nonisolated(unsafe) private var site: Site?
nonisolated(unsafe) private var inputsOnSite = 0
private let methods: [HTTPRequest.Method] = [.get, .post, .patch, .delete, .put, .head, .options]

/// Text for a path segment or a query: printable bytes as they are, others percent-encoded.
private func text(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "%") ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
    }.joined()
}

/// One input: libFuzzer calls this through the `LLVMFuzzerTestOneInput` symbol in main.swift.
func fuzzAPI(_ bytes: UnsafeBufferPointer<UInt8>) {
    if site == nil || inputsOnSite >= 10_000 {
        site = nil
        site = try! Site()
        inputsOnSite = 0
    }
    guard let site else { return }
    inputsOnSite += 1
    var input = FuzzInput(Array(bytes))
    let method = methods[Int(input.byte()) % methods.count]
    let credentials = site.credentials[Int(input.byte()) % site.credentials.count]
    let routeChoice = Int(input.byte())
    let parameter = text(input.bytes(Int(input.byte() % 48)))
    let query = text(input.bytes(Int(input.byte() % 96)))
    let body = input.rest()

    var path: String
    if routeChoice < site.templates.count * 4 {
        // A documented route, its {parameters} filled with the input's text or, half the time, the resident's key.
        let template = site.templates[routeChoice % site.templates.count]
        let value = (routeChoice / site.templates.count) & 1 == 0 ? parameter : site.keyID
        path = template.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? value : String(segment)
        }.joined(separator: "/")
    } else {
        path = "/api/v1/" + parameter
    }
    if !query.isEmpty { path += "?" + query }

    let answer = site.send(method, path, headers: credentials, body: body)
    let code = answer.status.code
    invariant(code < 500, "\(method) \(path) answered \(code): \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
    let json = answer.headers[.contentType]?.hasPrefix("application/json") == true
    if json && !answer.body.isEmpty && method != .head {
        let parsed = try? JSONSerialization.jsonObject(with: answer.body)
        invariant(parsed != nil, "\(method) \(path) answered JSON that does not parse")
        if code >= 400 {
            let error = (parsed as? [String: Any])?["error"] as? [String: Any]
            invariant((error?["code"] as? String)?.isEmpty == false, "\(method) \(path) answered \(code) without an error code")
        }
    } else if code >= 400 && method != .head {
        invariant(false, "\(method) \(path) answered \(code) without a JSON error")
    }
    // The admin's session ended, or an account was disabled: the next inputs get a fresh site.
    if (method == .delete && path.hasPrefix("/api/v1/session")) || (method == .patch && path.hasPrefix("/api/v1/users/")) {
        inputsOnSite = 10_000
    }
}
