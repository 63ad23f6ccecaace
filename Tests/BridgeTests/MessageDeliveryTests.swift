import Access
import Foundation
import KeywayTestSupport
import Testing
@testable import Bridge

/// Share links and passcodes sent through the outbox to real peers on loopback: an aiosmtpd relay
/// (Demo/smtp_sink.py, with STARTTLS on a throwaway certificate, or plain) and an SMS gateway stand-in (Demo/sms_sink.py).
@Suite(.serialized) struct MessageDeliveryTests {
    static let zone = TimeZone(identifier: "Europe/Paris")!
    let directory: URL
    let database: URL

    init() throws {
        directory = try TestPaths.temporaryDirectory("messages")
        database = directory.appendingPathComponent("site.db")
        let access = try open()
        try access.store.addDoor(name: "Front", mode: .card)
        try access.store.addPerson(name: "Alice")
    }

    func open() throws -> AccessControl {
        try AccessControl.open(database: database, timeZone: Self.zone, clockPolicy: ClockPolicy(tolerance: nil), checkpointEvery: nil)
    }

    static var fast: WebhookDispatchOptions {
        var options = WebhookDispatchOptions()
        options.pollInterval = .milliseconds(50)
        options.firstRetry = .milliseconds(100)
        options.longestRetry = .milliseconds(400)
        return options
    }

    static func link(_ token: String) -> String { "https://keyway.example/k/\(token)" }

    /// A share of Alice's key to `recipient`, its link sent by `channel`; returns the share and its link.
    func share(_ access: AccessControl, to recipient: String, channel: MessageChannel = .email,
               text: @escaping @Sendable (String) -> String = { "Open \(Self.link($0))" }) throws -> (id: String, link: String) {
        let key = try access.store.issueKey(person: "Alice", doors: ["Front"], mayShare: true)
        let message = MessageRequest(channel: channel, to: recipient) { MessageText(subject: "A key for Front ✓", text: text($0)) }
        let share = try access.store.shareKey(key.credential.id, to: recipient, message: message)
        return (share.credential.id, Self.link(share.token))
    }

    func run(_ dispatcher: WebhookDispatcher) -> Task<Void, any Error> { Task { try await dispatcher.run() } }

    func messageLog(_ access: AccessControl) throws -> [ActivityEntry] {
        try access.store.activity(limit: 1000).filter { $0.kind == .message }
    }

    func email(_ sink: Sink, starttls: EmailDelivery.StartTLS = .plaintext, ca: URL? = nil, login: Bool = false) -> DeliveryConfiguration {
        var email = EmailDelivery(host: starttls == .required ? "localhost" : "127.0.0.1", port: sink.port, fromAddress: "keyway@example.org",
                                  fromName: "Keyway Gate", starttls: starttls, caFile: ca,
                                  username: login ? "keyway" : nil, password: login ? SecretText("relay pass") : nil)
        email.timeout = .seconds(60)
        return DeliveryConfiguration(email: email)
    }

    /// A certificate for localhost that only this test trusts (its CA file is the certificate itself).
    func selfSignedCertificate() throws -> (cert: URL, key: URL) {
        let cert = directory.appendingPathComponent("relay.pem"), key = directory.appendingPathComponent("relay.key")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key.path, "-out", cert.path]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        return (cert, key)
    }

    @Test func aShareLinkArrivesOverSTARTTLSWithLoginAndIsLoggedMasked() async throws {
        let access = try open()
        let (cert, key) = try selfSignedCertificate()
        let password = directory.appendingPathComponent("sink-password")
        try Data("relay pass".utf8).write(to: password)
        let sink = try Sink(directory: directory, script: "smtp_sink.py",
                            ["--cert", cert.path, "--key", key.path, "--login", "keyway", "--password-file", password.path])
        defer { sink.stop() }
        let (shareID, link) = try share(access, to: "guest@example.org")
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast,
                                         delivery: email(sink, starttls: .required, ca: cert, login: true)))
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(120)) { sink.records().count == 1 })
        let record = try #require(sink.records().first)
        #expect(record["tls"] as? Bool == true && record["login"] as? String == "keyway")
        #expect(record["to"] as? [String] == ["guest@example.org"] && record["from"] as? String == "keyway@example.org")
        #expect(record["subject"] as? String == "A key for Front ✓")
        #expect((record["body"] as? String)?.contains(link) == true)
        let headers = try #require(record["headers"] as? [String: String])
        #expect(headers["Message-ID"]?.hasSuffix("@example.org>") == true && headers["Date"] != nil)
        #expect(headers["From"] == "Keyway Gate <keyway@example.org>" && headers["To"] == "guest@example.org")
        #expect(try await eventually { try access.store.messages().first?.sent != nil })
        let logged = try messageLog(access)
        #expect(logged.map(\.event) == ["sent"] && logged.first?.credentialID == shareID)
        #expect(logged.first?.detail == "email to g***@example.org via localhost:\(sink.port)")
        let token = String(link.split(separator: "/").last!)
        #expect(try access.store.activity(limit: 1000).allSatisfy { !($0.detail ?? "").contains(token) })
    }

    /// A relay offering AUTH LOGIN alone gets the user name and password that way, over TLS.
    @Test func authLoginIsUsedWhenPlainIsNotOffered() async throws {
        let access = try open()
        let (cert, key) = try selfSignedCertificate()
        let password = directory.appendingPathComponent("sink-password")
        try Data("relay pass".utf8).write(to: password)
        let sink = try Sink(directory: directory, script: "smtp_sink.py",
                            ["--cert", cert.path, "--key", key.path, "--login", "keyway", "--password-file", password.path, "--only-login"])
        defer { sink.stop() }
        let (_, link) = try share(access, to: "guest@example.org")
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast,
                                         delivery: email(sink, starttls: .required, ca: cert, login: true)))
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(120)) { sink.records().count == 1 })
        #expect(sink.records().first?["login"] as? String == "keyway")
        #expect((sink.records().first?["body"] as? String)?.contains(link) == true)
    }

    /// A relay that accepts the connection and never answers: the attempt ends at the configured timeout and is retried.
    @Test func aHungRelayTimesOut() async throws {
        let access = try open()
        let sink = try Sink(directory: directory, script: "smtp_sink.py", ["--silent"])
        defer { sink.stop() }
        _ = try share(access, to: "guest@example.org")
        var delivery = email(sink)
        delivery.email?.timeout = .seconds(1)
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast, delivery: delivery))
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(60)) { (try access.store.messages().first?.attempts ?? 0) >= 2 })
        #expect(try access.store.messages().first?.lastError?.contains("did not finish within 1s") == true)
    }

    /// A relay that offers no STARTTLS gets nothing when TLS is required: the attempt fails, is logged, and the message waits.
    @Test func starttlsRequiredButNotOfferedSendsNothing() async throws {
        let access = try open()
        let sink = try Sink(directory: directory, script: "smtp_sink.py", [])
        defer { sink.stop() }
        _ = try share(access, to: "guest@example.org")
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast, delivery: email(sink, starttls: .required)))
        defer { task.cancel() }
        #expect(try await eventually { (try access.store.messages().first?.attempts ?? 0) >= 2 })
        #expect(try access.store.messages().first?.lastError?.contains("does not offer STARTTLS") == true)
        #expect(sink.records().isEmpty)
        #expect(try messageLog(access).map(\.event) == ["failed"])
    }

    /// A certificate the configured CA did not sign is refused: nothing is sent in the clear instead.
    @Test func aRelayCertificateNotTrustedIsRefused() async throws {
        let access = try open()
        let (cert, key) = try selfSignedCertificate()
        let sink = try Sink(directory: directory, script: "smtp_sink.py", ["--cert", cert.path, "--key", key.path])
        defer { sink.stop() }
        _ = try share(access, to: "guest@example.org")
        // The system's roots do not know the throwaway certificate.
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast, delivery: email(sink, starttls: .required)))
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(60)) { (try access.store.messages().first?.attempts ?? 0) >= 1 })
        #expect(sink.records().isEmpty)
        #expect(try access.store.messages().first?.sent == nil)
    }

    /// A plain relay: a passcode's message, with lines starting with a dot, arrives exactly as written.
    @Test func aPasscodeArrivesOverAPlainRelayWithDotStuffing() async throws {
        let access = try open()
        let sink = try Sink(directory: directory, script: "smtp_sink.py", [])
        defer { sink.stop() }
        var request = PasscodeRequest(label: "Walker", doors: ["Front"])
        request.message = MessageRequest(channel: .email, to: "walker@example.net") {
            MessageText(subject: "Your passcode", text: "Your code is \($0)\n.\n..two dots\n.one dot")
        }
        let passcode = try access.store.createPasscode(request)
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast, delivery: email(sink)))
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(120)) { sink.records().count == 1 })
        let body = try #require(sink.records().first?["body"] as? String)
        #expect(body.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .newlines) == "Your code is \(passcode.code)\n.\n..two dots\n.one dot")
        #expect(try await eventually { try messageLog(access).first?.detail?.hasPrefix("email to w***@example.net") == true })
    }

    /// The relay refuses (451), then is down, then is back: every attempt is recorded, the first failure logged, and the
    /// message goes out once.
    @Test func aRelayThatRefusesOrIsDownIsRetriedAndNothingIsLost() async throws {
        let access = try open()
        let refusing = try Sink(directory: directory, script: "smtp_sink.py", ["--refuse", "451"])
        let port = refusing.port
        let (_, link) = try share(access, to: "guest@example.org")
        let delivery = email(refusing)
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast, delivery: delivery))
        defer { task.cancel() }
        #expect(try await eventually { (try access.store.messages().first?.attempts ?? 0) >= 2 })
        #expect(try access.store.messages().first?.lastError?.contains("451") == true)
        refusing.stop()
        let attemptsWhileDown = try access.store.messages().first?.attempts ?? 0
        #expect(try await eventually { (try access.store.messages().first?.attempts ?? 0) > attemptsWhileDown })
        #expect(try access.store.messages().first?.lastError?.contains("cannot connect") == true)
        let sink = try Sink(directory: directory, script: "smtp_sink.py", ["--port", String(port)])
        defer { sink.stop() }
        #expect(try await eventually(within: .seconds(120)) { sink.records().count == 1 })
        #expect((sink.records().first?["body"] as? String)?.contains(link) == true)
        #expect(try await eventually { try messageLog(access).map(\.event) == ["failed", "sent"] })
        #expect(try messageLog(access).first?.detail?.contains("g***@example.org") == true)
    }

    /// Queued with the relay down, the service stopped and started again (the database reopened): it is delivered once.
    @Test func aQueuedMessageSurvivesARestart() async throws {
        let down = try Sink(directory: directory, script: "smtp_sink.py", [])
        let port = down.port
        down.stop()
        var link = ""
        do {
            let access = try open()
            link = try share(access, to: "guest@example.org").link
            let task = run(WebhookDispatcher(store: access.store, options: Self.fast, delivery: email(down)))
            #expect(try await eventually { (try access.store.messages().first?.attempts ?? 0) >= 1 })
            task.cancel()
            _ = await task.result
        }
        let sink = try Sink(directory: directory, script: "smtp_sink.py", ["--port", String(port)])
        defer { sink.stop() }
        let access = try open()
        #expect(try access.store.messages().first?.sent == nil)
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast, delivery: email(sink)))
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(120)) { try access.store.messages().first?.sent != nil })
        #expect(sink.records().count == 1)
        #expect((sink.records().first?["body"] as? String)?.contains(link) == true)
    }

    /// A share revoked before its message went out is not sent: the message is dropped and that is logged.
    @Test func aMessageForARevokedShareIsDropped() async throws {
        let access = try open()
        let sink = try Sink(directory: directory, script: "smtp_sink.py", [])
        defer { sink.stop() }
        let (shareID, _) = try share(access, to: "guest@example.org")
        try access.store.revoke(shareID)
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast, delivery: email(sink)))
        defer { task.cancel() }
        #expect(try await eventually { try access.store.messages().first?.dropped != nil })
        #expect(sink.records().isEmpty)
        #expect(try messageLog(access).map(\.event) == ["dropped"])
    }

    /// The SMS gateway gets the template rendered: the recipient and text escaped for JSON, the credentials in a header.
    @Test func anSMSReachesTheGatewayFromTheTemplate() async throws {
        let access = try open()
        let gateway = try Sink(directory: directory, script: "sms_sink.py", [])
        defer { gateway.stop() }
        var sms = SMSDelivery(url: "http://127.0.0.1:\(gateway.port)/api/send", headers: [("Authorization", "Bearer {credentials}")],
                              body: #"{"to": "{to}", "message": "{text}", "sender": "Keyway"}"#, credentials: SecretText("tok-123"))
        sms.timeout = .seconds(30)
        let (_, link) = try share(access, to: "+447700900189", channel: .sms) { "Key \"Front\"\n\(Self.link($0)) ✓" }
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast, delivery: DeliveryConfiguration(sms: sms)))
        defer { task.cancel() }
        #expect(try await eventually(within: .seconds(120)) { gateway.records().count == 1 })
        let record = try #require(gateway.records().first)
        #expect(record["method"] as? String == "POST" && record["path"] as? String == "/api/send")
        let headers = try #require(record["headers"] as? [String: String])
        #expect(headers["authorization"] == "Bearer tok-123" && headers["content-type"] == "application/json")
        let body = try #require((record["body"] as? String).flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] })
        #expect(body == ["to": "+447700900189", "message": "Key \"Front\"\n\(link) ✓", "sender": "Keyway"])
        #expect(try await eventually { try messageLog(access).first?.detail == "sms to +44********89 via 127.0.0.1" })
    }

    /// A gateway answering 500 is retried; its answer's body (which may echo the code) is not kept.
    @Test func aGatewayErrorIsRetried() async throws {
        let access = try open()
        let gateway = try Sink(directory: directory, script: "sms_sink.py", ["--status", "500"])
        defer { gateway.stop() }
        let sms = SMSDelivery(url: "http://127.0.0.1:\(gateway.port)/send", body: "to={to}&text={text}", encoding: .form)
        _ = try share(access, to: "+447700900189", channel: .sms)
        let task = run(WebhookDispatcher(store: access.store, options: Self.fast, delivery: DeliveryConfiguration(sms: sms)))
        defer { task.cancel() }
        #expect(try await eventually { gateway.records().count >= 2 })
        #expect(try access.store.messages().first?.lastError == "the SMS gateway answered HTTP 500")
        #expect((gateway.records().first?["body"] as? String)?.hasPrefix("to=%2B447700900189&text=Open+https%3A%2F%2Fkeyway.example%2Fk%2F") == true)
    }

    @Test func templatesAreEscapedForTheirEncoding() {
        let values = ["{to}": "+44 7700", "{text}": "a \"b\" & c=d\n{to}", "{credentials}": "k"]
        #expect(SMSGateway.render(#"{"to":"{to}","text":"{text}"}"#, encoding: .json, values: values)
                == #"{"to":"+44 7700","text":"a \"b\" & c=d\n{to}"}"#)
        #expect(SMSGateway.render("to={to}&text={text}&key={credentials}&x={other}", encoding: .form, values: values)
                == "to=%2B44+7700&text=a+%22b%22+%26+c%3Dd%0A%7Bto%7D&key=k&x={other}")
    }

    @Test func recipientsAreMasked() {
        #expect(MessageRecipient.masked("guest@example.org") == "g***@example.org")
        #expect(MessageRecipient.masked("+447700900189") == "+44********89" && MessageRecipient.masked("+33612345678") == "+33*******78")
        #expect(MessageChannel.of("guest@example.org") == .email && MessageChannel.of("+447700900189") == .sms)
        #expect(MessageChannel.of("Guest") == nil && MessageChannel.of("a@b") == nil)
        // A phone number as people type it is sent as digits; names and addresses stay as written.
        #expect(MessageRecipient.normalized("+44 7700 900-123") == "+447700900123" && MessageRecipient.normalized("(030) 1234.5678") == "03012345678")
        #expect(MessageRecipient.normalized("Sam (cleaner)") == "Sam (cleaner)" && MessageRecipient.normalized("s.m@example.org") == "s.m@example.org")
        #expect(MessageRecipient.normalized("12 34") == "12 34")
        #expect(SMTPClient.dotStuffed(".a\r\nb\r\n.") == "..a\r\nb\r\n..\r\n.\r\n")
    }
}

/// `keyway serve` sends the message outbox itself, as `delivery:` configures it: a share queued while the service was
/// stopped is sent once it starts again.
@Suite(.serialized) struct ServeMessageTests {
    @Test(.timeLimit(.minutes(5))) func aRunningServeSendsAMessageQueuedWhileItWasStopped() async throws {
        let folder = try TestPaths.temporaryDirectory("serve-messages")
        let sink = try Sink(directory: folder, script: "smtp_sink.py", [])
        defer { sink.stop() }
        let site = folder.appendingPathComponent("site.yaml")
        // The one reader is on a GPIO chip that does not exist: the service runs, with that fault.
        try """
            site: {name: Mail, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            wiegand:
              - {name: side, chip: /nonexistent/gpiochip0, d0: 1, d1: 2}
            doors:
              - {name: Front, reader: {wiegand: side}, relay: {gpio: {chip: /nonexistent/gpiochip0, line: 3}}}
            api: {socket: control.sock}
            delivery:
              email: {host: 127.0.0.1, port: \(sink.port), from: "Keyway <keyway@example.org>", starttls: none}
            """.write(to: site, atomically: true, encoding: .utf8)
        let socket = folder.appendingPathComponent("control.sock").path
        let first = try Serve(site: site, socket: socket)
        #expect(first.stop() == 0, "serve did not stop cleanly")

        // Stopped: the share and its message are made beside it, in the site's database with its secrets.
        let access = try AccessControl.open(database: folder.appendingPathComponent("keyway.sqlite"), secrets: folder.appendingPathComponent("secrets"),
                                            timeZone: TimeZone(identifier: "UTC")!, clockPolicy: ClockPolicy(tolerance: nil), checkpointEvery: nil)
        try access.store.addPerson(name: "Alice")
        let key = try access.store.issueKey(person: "Alice", doors: ["Front"], mayShare: true)
        let share = try access.store.shareKey(key.credential.id, to: "guest@example.org", message: MessageRequest(channel: .email, to: "guest@example.org") {
            MessageText(subject: "A key for Front", text: "Open \(MessageDeliveryTests.link($0))")
        })
        let second = try Serve(site: site, socket: socket)
        #expect(try await eventually(within: .seconds(90)) { sink.records().count == 1 })
        #expect((sink.records().first?["body"] as? String)?.contains(MessageDeliveryTests.link(share.token)) == true)
        #expect(try await eventually(within: .seconds(30)) {
            try access.store.activity(limit: 1000).contains { $0.kind == .message && $0.event == "sent" && $0.credentialID == share.credential.id }
        })
        #expect(second.stop() == 0)
    }
}

/// A Python peer from Demo/ on loopback (an SMTP, SMS or webhook sink) that records what it receives as JSON lines.
final class Sink: @unchecked Sendable {
    let directory: URL
    private(set) var port = 0
    private var process: Process?
    private let log: URL

    /// Starts `script` with `--log` and `--port-file` and waits for the port it bound; `log` (a new file unless given)
    /// is where it writes what it receives.
    init(directory: URL, script: String, log: URL? = nil, _ arguments: [String]) throws {
        self.directory = directory
        self.log = log ?? directory.appendingPathComponent("sink-\(UUID().uuidString.prefix(6)).jsonl")
        let portFile = directory.appendingPathComponent("sink-port-\(UUID().uuidString.prefix(6))")
        let process = Process()
        process.executableURL = TestPaths.python
        process.arguments = [TestPaths.repository.appendingPathComponent("Demo/\(script)").path, "--log", self.log.path,
                             "--port-file", portFile.path] + arguments
        try process.run()
        self.process = process
        let deadline = Date() + 60
        while Date() < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let value = Int(text) {
                port = value
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw SinkError()
    }

    /// SIGKILL: a child of the test process may inherit a mask that blocks SIGTERM.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func records() -> [[String: Any]] { Self.records(in: log) }

    static func records(in log: URL) -> [[String: Any]] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    struct SinkError: Error {}
}
