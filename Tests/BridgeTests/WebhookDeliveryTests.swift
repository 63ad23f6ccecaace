import Access
import Bridge
import Foundation
import KeywayTestSupport
import Testing

/// Webhook delivery against a real receiver on loopback (Demo/webhook_receiver.py): it checks each signature
/// from its side and records what it got.
@Suite(.serialized) struct WebhookDeliveryTests {
    static let zone = TimeZone(identifier: "Europe/Paris")!
    let directory: URL
    let database: URL
    let access: AccessControl
    var store: AccessStore { access.store }

    init() throws {
        directory = try TestPaths.temporaryDirectory("webhooks")
        database = directory.appendingPathComponent("site.db")
        access = try AccessControl.open(database: database, timeZone: Self.zone, clockPolicy: ClockPolicy(tolerance: nil), checkpointEvery: nil)
        try store.addDoor(name: "Front", mode: .card)
        try store.addPerson(name: "Alice")
        try store.addGroup(name: "All", doors: [("Front", nil)])
        try store.grant(person: "Alice", group: "All")
        try store.addCard(person: "Alice", card: Self.card(1))
    }

    static func card(_ number: UInt64) -> CardData { .fields(format: "h10301", facility: 12, number: number) }

    static var fast: WebhookDispatchOptions {
        var options = WebhookDispatchOptions()
        options.pollInterval = .milliseconds(50)
        options.firstRetry = .milliseconds(100)
        options.longestRetry = .milliseconds(400)
        return options
    }

    /// `count` card presentations at Front, alternately granted (card 1) and denied (card 2).
    func swipes(_ count: Int) {
        for index in 0..<count {
            _ = access.decide(.card(Self.card(index % 2 == 0 ? 1 : 2)), door: "Front", reader: "in", at: Date())
        }
    }

    func subscribe(_ receiver: WebhookReceiver, events: String = "access.granted,access.denied") throws -> CreatedWebhook {
        try store.addWebhook(url: receiver.url, events: WebhookEvents.parse(events), secret: receiver.secret)
    }

    /// Every expected event arrived, valid, and the first arrival of each came in outbox order (repeats, at least once,
    /// only of what was already sent).
    func expectComplete(_ records: [[String: Any]], expected: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        var seen: [String] = []
        var lastDelivery = 0
        for record in records where record["valid"] as? Bool == true {
            guard let id = record["id"] as? String, let delivery = Int(record["delivery"] as? String ?? "") else { continue }
            if seen.contains(id) { continue }
            #expect(delivery > lastDelivery, "out of order: \(id)", sourceLocation: sourceLocation)
            lastDelivery = delivery
            seen.append(id)
        }
        #expect(seen.count == expected, "got \(seen.count) of \(expected)", sourceLocation: sourceLocation)
    }

    @Test func eventsArriveSignedInOrderWithTheirTypes() async throws {
        let receiver = try WebhookReceiver(directory: directory)
        defer { receiver.stop() }
        try subscribe(receiver, events: "all")
        swipes(2)
        try access.record(DoorEvent(.forcedOpen, door: "Front", at: Date()))
        let key = try store.issueKey(person: "Alice", doors: ["Front"], mayShare: true)
        try store.shareKey(key.credential.id, to: "guest@example.com")
        try store.revoke(key.credential.id)
        var request = PasscodeRequest(label: "Walker", doors: ["Front"])
        request.uses = .count(1)
        let passcode = try store.createPasscode(request)
        // Front takes cards only: the passcode is refused (access.denied), and its single use is not taken.
        _ = access.decide(.pin(passcode.code), door: "Front", reader: "in", at: Date())

        let dispatcher = WebhookDispatcher(store: store, options: Self.fast)
        let task = Task { try await dispatcher.run() }
        defer { task.cancel() }
        let expected = ["access.granted", "access.denied", "door.forced", "key.shared", "key.revoked", "key.revoked", "access.denied"]
        #expect(try await eventually(within: .seconds(180)) { receiver.records().count >= expected.count })
        let records = receiver.records()
        #expect(records.map { $0["type"] as? String } == expected)
        #expect(records.allSatisfy { $0["valid"] as? Bool == true })
        expectComplete(records, expected: expected.count)
        #expect(try await eventually { try store.webhooks().first?.pending == 0 })
        #expect(try store.webhookDeliveries().allSatisfy { $0.delivered != nil && $0.lastStatus == 200 })
    }

    /// The delivering process is killed (SIGKILL) in the middle and started again: every event arrives, the first
    /// arrival of each in order.
    @Test func aRestartInTheMiddleLosesNothingAndKeepsOrder() async throws {
        let receiver = try WebhookReceiver(directory: directory, delay: 0.02)
        defer { receiver.stop() }
        try subscribe(receiver)
        swipes(120)
        let first = try Deliverer(database: database)
        #expect(try await eventually(within: .seconds(180)) { receiver.records().count >= 20 })
        first.kill()
        let atKill = receiver.records().count
        #expect(atKill < 120, "all delivered before the restart: the test proves nothing")
        swipes(30)
        let second = try Deliverer(database: database)
        defer { second.kill() }
        #expect(try await eventually(within: .seconds(120)) { Set(receiver.records().compactMap { $0["id"] as? String }).count >= 150 })
        expectComplete(receiver.records(), expected: 150)
        #expect(try await eventually { try store.webhooks().first?.pending == 0 })
    }

    /// The receiver is down: attempts fail and are recorded, the events wait; once it is up, retries deliver them all in order.
    @Test func aReceiverDownThenUpGetsEverythingByRetries() async throws {
        let receiver = try WebhookReceiver(directory: directory)
        try subscribe(receiver)
        receiver.stop()
        swipes(5)
        let dispatcher = WebhookDispatcher(store: store, options: Self.fast)
        let task = Task { try await dispatcher.run() }
        defer { task.cancel() }
        #expect(try await eventually { (try store.webhooks().first?.attempts ?? 0) >= 2 })
        let waiting = try #require(try store.webhooks().first)
        #expect(waiting.pending == 5 && waiting.lastStatus == nil && waiting.lastError != nil)
        try receiver.start()
        defer { receiver.stop() }
        #expect(try await eventually(within: .seconds(180)) { try store.webhooks().first?.pending == 0 })
        expectComplete(receiver.records(), expected: 5)
    }

    /// A receiver holding another secret refuses every delivery (401): the event is not dropped, the refusal is
    /// visible, and it goes through once the receiver has the right secret.
    @Test func aBadSignatureIsRefusedByTheReceiverAndRetried() async throws {
        let receiver = try WebhookReceiver(directory: directory)
        try store.addWebhook(url: receiver.url, events: [.accessGranted], secret: String(repeating: "x", count: 64))
        swipes(1)
        let dispatcher = WebhookDispatcher(store: store, options: Self.fast)
        let task = Task { try await dispatcher.run() }
        defer { task.cancel() }
        #expect(try await eventually { try store.webhooks().first?.lastStatus == 401 })
        #expect(receiver.records().allSatisfy { $0["valid"] as? Bool == false })
        #expect(try store.webhookDeliveries(pendingOnly: true).count == 1)
        receiver.stop()
        try receiver.start(secret: String(repeating: "x", count: 64))
        defer { receiver.stop() }
        #expect(try await eventually(within: .seconds(180)) { try store.webhooks().first?.pending == 0 })
        #expect(receiver.records().last?["valid"] as? Bool == true)
    }
}

/// `keyway webhooks deliver` as a child process.
final class Deliverer {
    let process = Process()

    init(database: URL) throws {
        process.executableURL = TestPaths.keyway
        process.arguments = ["webhooks", "deliver", "--db", database.path, "--time-zone", "Europe/Paris",
                             "--poll-interval", "100ms", "--first-retry", "100ms", "--longest-retry", "400ms"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// Demo/webhook_receiver.py on a loopback port of its own (kept across a stop and start), its log kept too.
final class WebhookReceiver: @unchecked Sendable {
    let directory: URL
    private(set) var secret: String
    private var port = 0
    private var sink: Sink?
    private let delay: Double
    private let log: URL

    var url: String { "http://127.0.0.1:\(port)/hooks/keyway" }

    init(directory: URL, delay: Double = 0) throws {
        self.directory = directory
        self.delay = delay
        secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        log = directory.appendingPathComponent("received-\(UUID().uuidString.prefix(6)).jsonl")
        try start()
    }

    func start(secret newSecret: String? = nil) throws {
        if let newSecret { secret = newSecret }
        let secretFile = directory.appendingPathComponent("receiver-secret")
        try Data(secret.utf8).write(to: secretFile)
        let sink = try Sink(directory: directory, script: "webhook_receiver.py", log: log,
                            ["--secret-file", secretFile.path, "--port", String(port), "--delay", String(delay)])
        self.sink = sink
        port = sink.port
    }

    func stop() { sink?.stop() }

    func records() -> [[String: Any]] { Sink.records(in: log) }
}
