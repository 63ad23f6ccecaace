import Access
import Bridge
import Foundation
import KeywayTestSupport
import Testing

/// `keyway serve` delivers the webhook outbox itself: a receiver on loopback gets signed events from the running
/// service, and what happened while it was stopped arrives after it starts again.
@Suite(.serialized) struct ServeWebhookTests {
    /// The activity rows the reader supervision writes raise `reader.offline` / `reader.online`.
    @Test func readerOutageRowsRaiseReaderEvents() throws {
        let directory = try TestPaths.temporaryDirectory("serve-webhooks-reader")
        let access = try AccessControl.open(database: directory.appendingPathComponent("site.db"), timeZone: TimeZone(identifier: "UTC")!,
                                            clockPolicy: ClockPolicy(tolerance: nil), checkpointEvery: nil)
        try access.store.addDoor(name: "Front", mode: .card)
        try access.store.addWebhook(url: "http://127.0.0.1:9/hook", events: [.readerOffline, .readerOnline])
        try access.record(DoorEvent(.readerOffline, door: "Front", reader: "in", at: Date()))
        try access.record(DoorEvent(.readerOnline, door: "Front", reader: "in", at: Date(), detail: "offline for 3s"))
        #expect(try access.store.webhookDeliveries().map(\.type).sorted() == ["reader.offline", "reader.online"])
    }

    @Test(.timeLimit(.minutes(5))) func aRunningServeDeliversSignedEventsAcrossARestart() async throws {
        let folder = try TestPaths.temporaryDirectory("serve-webhooks")
        let site = folder.appendingPathComponent("site.yaml")
        // The one reader is on a GPIO chip that does not exist: the service runs, with that fault.
        try """
            site: {name: Hooks, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            wiegand:
              - {name: side, chip: /nonexistent/gpiochip0, d0: 1, d1: 2}
            doors:
              - {name: Front, reader: {wiegand: side}, relay: {gpio: {chip: /nonexistent/gpiochip0, line: 3}}}
            api: {socket: control.sock}
            """.write(to: site, atomically: true, encoding: .utf8)
        let config = ["--config", site.path]
        let receiver = try WebhookReceiver(directory: folder)
        defer { receiver.stop() }
        let socket = folder.appendingPathComponent("control.sock").path
        // The service puts the configured doors in the database; the key and the subscription are made beside it.
        let first = try Serve(site: site, socket: socket)
        #expect(try runKeyway(["people", "add", "Alice"] + config).status == 0)
        let issued = try runKeyway(["keys", "issue", "--person", "Alice", "--door", "Front", "--may-share", "--json"] + config)
        let key = try #require(issued.jsonLines.first?["id"] as? String, "\(issued.stdout) \(issued.stderr)")
        let added = try runKeyway(["webhooks", "add", receiver.url, "--events", "key.shared,key.revoked", "--secret-file", "-"] + config,
                                  stdin: receiver.secret)
        #expect(added.status == 0, "\(added.stderr)")

        #expect(try runKeyway(["keys", "share", key, "--to", "guest@example.com"] + config).status == 0)
        #expect(try await eventually(within: .seconds(90)) { receiver.records().contains { $0["type"] as? String == "key.shared" } })
        #expect(first.stop() == 0, "serve did not stop cleanly")

        // Stopped: the revocation waits in the outbox, and the next start delivers it.
        #expect(try runKeyway(["revoke", key] + config).status == 0)
        let second = try Serve(site: site, socket: socket)
        #expect(try await eventually(within: .seconds(90)) {
            receiver.records().filter { $0["type"] as? String == "key.revoked" }.count >= 2
        })
        #expect(second.stop() == 0)
        let records = receiver.records()
        #expect(!records.isEmpty && records.allSatisfy { $0["valid"] as? Bool == true }, "\(records)")
    }
}

/// `keyway serve --config FILE` as a child process, waited for until its control socket answers.
final class Serve {
    let process = Process()

    init(site: URL, socket: String) throws {
        process.executableURL = TestPaths.keyway
        process.arguments = ["serve", "--config", site.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning, Date() < deadline, try runKeyway(["status", "--socket", socket]).status != 0 {
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// SIGTERM, waited for; the exit status.
    func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
