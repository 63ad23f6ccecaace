import Access
import Bridge
import Foundation
import KeywayTestSupport
import Logging
import Testing

/// `keyway status` shows each webhook subscription's deliveries: how many wait, since when, and whether (since when,
/// and why) its receiver fails.
@Suite struct WebhookStatusTests {
    let folder: URL
    let access: AccessControl
    var store: AccessStore { access.store }

    init() throws {
        folder = try TestPaths.temporaryDirectory("webhook-status")
        access = try AccessControl.open(database: folder.appendingPathComponent("keyway.sqlite"), timeZone: .gmt,
                                        clockPolicy: ClockPolicy(tolerance: nil), checkpointEvery: nil)
        try store.addDoor(name: "Front", mode: .card)
        try store.addPerson(name: "Alice")
    }

    /// A card nobody holds at Front: one `access.denied` event.
    func deny(at date: Date) {
        _ = access.decide(.card(.fields(format: "h10301", facility: 1, number: 99)), door: "Front", reader: "in", at: date)
    }

    @Test func failingSinceIsTheOldestPendingEventsFirstFailureAndEndsWithItsDelivery() throws {
        let hook = try store.addWebhook(url: "http://127.0.0.1:9/hooks", events: [.accessDenied]).subscription
        let quiet = try store.addWebhook(url: "http://127.0.0.1:9/quiet", events: [.doorForced]).subscription
        let start = Date(timeIntervalSince1970: 1_900_000_000)
        deny(at: start)
        deny(at: start + 60)
        let head = try #require(try store.dueWebhooks(at: start + 61).first { $0.subscription == hook.id })
        try store.markWebhookFailed(head.delivery, status: 500, error: nil, retryAt: start + 62, at: start + 61)
        try store.markWebhookFailed(head.delivery, status: nil, error: "connection refused", retryAt: start + 70, at: start + 65)
        var states = try store.webhookStates()
        #expect(states.map(\.id) == [hook.id, quiet.id])
        #expect(states[0] == WebhookState(id: hook.id, url: hook.url, pending: 2, oldestPending: start, failingSince: start + 61,
                                          lastError: "connection refused"))
        #expect(states[1] == WebhookState(id: quiet.id, url: quiet.url, pending: 0, oldestPending: nil, failingSince: nil, lastError: nil))
        let shown = ServiceStatus.Webhook(states[0]).summary(now: start + 300)
        #expect(shown == "webhook \(hook.id) http://127.0.0.1:9/hooks: 2 pending, oldest 5 min old, FAILING since 2030-03-17T17:47:41Z (connection refused)")
        #expect(ServiceStatus.Webhook(states[1]).summary(now: start) == "webhook \(quiet.id) http://127.0.0.1:9/quiet: nothing pending")

        // The receiver answers again: the next event has not failed yet, so nothing is failing.
        try store.markWebhookDelivered(head.delivery, status: 204, at: start + 120)
        states = try store.webhookStates()
        #expect(states[0] == WebhookState(id: hook.id, url: hook.url, pending: 1, oldestPending: start + 60, failingSince: nil, lastError: nil))
        // A status code alone is its error.
        let next = try #require(try store.dueWebhooks(at: start + 121).first { $0.subscription == hook.id })
        try store.markWebhookFailed(next.delivery, status: 503, error: nil, retryAt: start + 130, at: start + 121)
        #expect(try store.webhookStates()[0].lastError == "HTTP 503")
        #expect(try store.webhookStates()[0].failingSince == start + 121)
    }

    @Test func theRunningServicesStatusCarriesTheDispatchersFailures() async throws {
        let hook = try store.addWebhook(url: "http://127.0.0.1:9/hooks", events: [.accessDenied]).subscription
        let file = folder.appendingPathComponent("site.yaml")
        try """
            site: {name: Hooks, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses: []
            doors: []
            api: {socket: control.sock}
            """.write(to: file, atomically: true, encoding: .utf8)
        let configuration = try loadSiteConfiguration(path: file.path)
        let supervisor = SiteSupervisor(configuration: configuration, source: .file(file.path), access: access, logger: Logger(label: "hooks"))
        deny(at: Date())
        var options = WebhookDispatchOptions()
        options.pollInterval = .milliseconds(50)
        options.firstRetry = .milliseconds(100)
        options.longestRetry = .milliseconds(400)
        // Nothing listens on the discard port: every attempt fails to connect.
        let dispatcher = Task { try await WebhookDispatcher(store: store, options: options).run() }
        defer { dispatcher.cancel() }
        #expect(try await eventually(within: .seconds(120)) { await supervisor.status().webhooks.first?.failingSince != nil })
        let shown = try #require(await supervisor.status().webhooks.first)
        #expect(shown.id == hook.id && shown.pending == 1 && shown.oldestPending != nil && shown.lastError?.isEmpty == false)
        dispatcher.cancel()
        _ = await dispatcher.result
    }
}
