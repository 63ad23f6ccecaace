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
// Every input meets the same site: the accounts, credentials and routes are made once per process (bcrypt,
// logins, the OpenAPI document) into a template folder, and the live site is a copy of it. An input that
// wrote to the database (its write-ahead log changed) leaves it to be replaced by a fresh copy before the
// next one, so nothing accumulates and each crash reproduces from its own input. The folders live on tmpfs
// where there is one: the API's parsing is under test here, not the disk's syncs (which cost most of the
// time on a disk).

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

/// A new private folder, on tmpfs when the machine has one.
private func makeFolder() throws -> URL {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
    var template = Array(base.appendingPathComponent("keyway-fuzz-api.XXXXXX").path.utf8CString)
    guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
    return URL(fileURLWithPath: String(cString: made))
}

private let settings: APISettings = {
    var settings = APISettings(publicURL: "https://keyway.example/", secureCookies: true)
    settings.bcryptCost = 4
    return settings
}()

/// The API on the site database in `folder`, as `keyway serve` builds it.
private final class Application: @unchecked Sendable {
    let folder: URL
    let access: AccessControl
    let storage: SQLiteSiteStorage
    let responder: RouterResponder<APIContext>

    init(folder: URL) throws {
        self.folder = folder
        access = try AccessControl.open(database: folder.appendingPathComponent("keyway.sqlite"), timeZone: .gmt, logger: logger,
                                        checkpointEvery: nil)
        storage = try SQLiteSiteStorage(access: access)
        let api = KeywayAPI(accounts: storage, access: storage, site: CoreDecidingSite(access: access), settings: settings, logger: logger)
        responder = api.router().buildResponder()
    }

    struct Answer {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: Data
    }

    func send(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields = [:], body: [UInt8] = []) -> Answer {
        wait { [responder] in
            let request = Request(head: HTTPRequest(method: method, scheme: "http", authority: "keyway.test", path: path, headerFields: headers),
                                  body: RequestBody(buffer: ByteBuffer(bytes: body)))
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
            return Answer(status: response.status, headers: response.headers, body: sink.data)
        }
    }

    /// When the database's write-ahead log was last written (every commit writes it), and its size.
    func lastWrite() -> [Int] {
        var status = stat()
        guard stat(folder.appendingPathComponent("keyway.sqlite-wal").path, &status) == 0 else { return [] }
        return [status.st_mtim.tv_sec, status.st_mtim.tv_nsec, Int(status.st_size)]
    }
}

/// The one in-memory connection every request of the process names (the API reads only its peer address): one left
/// open per site would keep its pipeline for the rest of the run.
private let channel = NIOAsyncTestingChannel()

/// The pristine site, made once: three doors, a resident with a key to them, an admin, the resident's and a staff
/// member's accounts, a session and two API tokens (rows in its database, so they hold in every copy).
private final class Template: @unchecked Sendable {
    let folder: URL
    let credentials: [HTTPFields]
    let keyID: String
    /// The documented routes, from the served OpenAPI document; the live stream never ends by itself.
    let routes: [String]

    init() throws {
        folder = try makeFolder()
        do {
            let building = try Application(folder: folder)
            let store = building.access.store
            for door in doors { try store.ensureDoor(name: door, mode: .cardOrPin) }
            try store.addPerson(name: "Ada")
            try store.addGroup(name: "Everywhere", doors: doors.map { (door: $0, schedule: nil) })
            try store.grant(person: "Ada", group: "Everywhere")
            keyID = try store.issueKey(person: "Ada", doors: doors, mayShare: true).credential.id
            let document = try JSONSerialization.jsonObject(with: building.send(.get, "/api/v1/openapi.json").body) as? [String: Any]
            routes = ((document?["paths"] as? [String: Any])?.keys.sorted() ?? []).filter { !$0.hasSuffix("/stream") }
            invariant(!routes.isEmpty, "the served OpenAPI document names no route")
            try Self.account(.admin, "admin@keyway.test", person: nil, on: building)
            try Self.account(.resident, "ada@keyway.test", person: "Ada", on: building)
            try Self.account(.staff, "desk@keyway.test", person: nil, on: building)
            let session = try Self.login("admin@keyway.test", on: building)
            credentials = [
                [:],
                session,
                [.cookie: session[.cookie] ?? ""],
                try Self.token(email: "ada@keyway.test", on: building),
                try Self.token(email: "desk@keyway.test", on: building),
                [.authorization: "Bearer not-a-token"],
            ]
        }
        // The building site's last database connection closes when its last reference goes, possibly a moment later on
        // another thread, and then folds the write-ahead log into the database and deletes it: copies are made from the
        // closed files only, never from a database being checkpointed under the copy (a run once died on a vanished log).
        let log = folder.appendingPathComponent("keyway.sqlite-wal").path
        let deadline = Date().addingTimeInterval(60)
        while FileManager.default.fileExists(atPath: log), Date() < deadline { usleep(10_000) }
        invariant(!FileManager.default.fileExists(atPath: log), "the template's database was still open after 60 s")
    }

    /// A live site: a copy of the template's files (the database, the secrets and the log key).
    func copy() throws -> Application {
        let live = try makeFolder()
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !name.hasSuffix("-shm") {
            let destination = live.appendingPathComponent(name)
            // libFuzzer's timer signal interrupts the copy now and then (EINTR), which Foundation does not retry.
            for attempt in 1... {
                do {
                    try FileManager.default.copyItem(at: folder.appendingPathComponent(name), to: destination)
                    break
                } catch where attempt < 5 {
                    unlink(destination.path)
                }
            }
        }
        return try Application(folder: live)
    }

    private static func account(_ role: Role, _ email: String, person: String?, on site: Application) throws {
        let (_, link) = wait { [storage = site.storage] in
            try! await KeywayAPI.addUser(NewUser(email: email, name: email, role: role, person: person), accounts: storage,
                                         settings: settings, actor: "fuzz")
        }
        let secret = link.url.split(separator: "/").last.map(String.init) ?? ""
        let set = site.send(.post, "/api/v1/password", body: Array(#"{"token": "\#(secret)", "password": "correct horse battery"}"#.utf8))
        guard set.status == .ok else { throw CocoaError(.userCancelled) }
    }

    /// A session's cookie and CSRF header.
    private static func login(_ email: String, on site: Application) throws -> HTTPFields {
        let answer = site.send(.post, "/api/v1/session", body: Array(#"{"email": "\#(email)", "password": "correct horse battery"}"#.utf8))
        guard answer.status == .created, let cookie = answer.headers[.setCookie]?.split(separator: ";").first,
              let json = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any], let csrf = json["csrf_token"] as? String,
              let csrfHeader = HTTPField.Name("X-CSRF-Token") else { throw CocoaError(.userCancelled) }
        var headers: HTTPFields = [.cookie: String(cookie)]
        headers[csrfHeader] = csrf
        return headers
    }

    /// An API token for `email`'s account, made by logging in as it.
    private static func token(email: String, on site: Application) throws -> HTTPFields {
        let session = try login(email, on: site)
        let answer = site.send(.post, "/api/v1/tokens", headers: session, body: Array(#"{"name": "fuzz"}"#.utf8))
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
nonisolated(unsafe) private var template: Template?
nonisolated(unsafe) private var site: Application?
/// The live database's last write when the input began.
nonisolated(unsafe) private var writtenBefore: [Int] = []
/// Folders of replaced sites not removed yet: a site's last database connection may close on another thread a moment
/// after the site is let go, deleting its -wal and -shm files under a removal of the folder, which would then give up.
nonisolated(unsafe) private var replaced: [URL] = []

private func removeReplaced() {
    replaced.removeAll { folder in
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            unlink(folder.appendingPathComponent(name).path)
        }
        return rmdir(folder.path) == 0 || errno == ENOENT
    }
}

private let methods: [HTTPRequest.Method] = [.get, .post, .patch, .delete, .put, .head, .options]

/// Text for a path segment or a query: printable bytes as they are, others percent-encoded.
private func text(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "%") ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
    }.joined()
}

/// One input: libFuzzer calls this through the `LLVMFuzzerTestOneInput` symbol in main.swift.
func fuzzAPI(_ bytes: UnsafeBufferPointer<UInt8>) {
    if template == nil {
        template = try! Template()
        // The folders go when the run ends (a crash leaves them for the reproducer's author to look at).
        atexit {
            replaced += [site?.folder, template?.folder].compactMap { $0 }
            removeReplaced()
        }
    }
    guard let template else { return }
    if site == nil || site?.lastWrite() != writtenBefore {
        if let old = site?.folder { replaced.append(old) }
        site = nil
        removeReplaced()
        site = try! template.copy()
        writtenBefore = site?.lastWrite() ?? []
    }
    guard let site else { return }
    var input = FuzzInput(Array(bytes))
    let method = methods[Int(input.byte()) % methods.count]
    let credentials = template.credentials[Int(input.byte()) % template.credentials.count]
    let routeChoice = Int(input.byte())
    let parameter = text(input.bytes(Int(input.byte() % 48)))
    let query = text(input.bytes(Int(input.byte() % 96)))
    let body = input.rest()

    var path: String
    if routeChoice < template.routes.count * 4 {
        // A documented route, its {parameters} filled with the input's text or with something the site has: the resident's
        // key, a door, the resident.
        let route = template.routes[routeChoice % template.routes.count]
        let value = [parameter, template.keyID, doors[0], "Ada"][routeChoice / template.routes.count]
        path = route.split(separator: "/", omittingEmptySubsequences: false).map { segment in
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
}
