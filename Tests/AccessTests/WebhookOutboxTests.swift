import Foundation
import GRDB
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")

/// The webhook outbox is written by the activity row's own transaction; subscriptions are bounded from outside.
@Suite struct WebhookOutboxTests {
    private let receiver = "http://127.0.0.1:9/hooks"

    private func pendingTypes(_ site: Site) throws -> [String] {
        try site.store.webhookDeliveries(pendingOnly: true).reversed().map(\.type)
    }

    /// Each event type from the activity row that raises it; rows nobody subscribed to add nothing.
    @Test func eachEventComesFromItsActivityRow() throws {
        let site = try Site.aliceAtFront(mode: .cardOrPin)
        try site.store.addCard(person: "Alice", card: Site.card(1))
        try site.store.addWebhook(url: receiver, events: .all)
        _ = site.access.decide(.card(Site.card(1)), door: "Front", reader: "in", at: monday)
        _ = site.access.decide(.card(Site.card(2)), door: "Front", reader: "in", at: monday)
        try site.access.record(DoorEvent(.forcedOpen, door: "Front", at: monday))
        try site.access.record(DoorEvent(.heldOpen, door: "Front", at: monday))
        try site.access.record(DoorEvent(.openingUnconfirmed, door: "Front", reader: "in", at: monday))
        try site.access.record(DoorEvent(.closed, door: "Front", at: monday))
        let key = try site.store.issueKey(person: "Alice", doors: ["Front"], mayShare: true, at: monday)
        try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        try site.store.revoke(key.credential.id, at: monday)
        var request = PasscodeRequest(label: "Walker", doors: ["Front"])
        request.uses = .count(1)
        let passcode = try site.store.createPasscode(request, at: monday)
        _ = site.access.decide(.pin(passcode.code), door: "Front", reader: "in", at: monday + 1)
        let duress = try site.store.addPIN(person: "Alice", duress: true)
        _ = site.access.decide(.pin(duress.code), door: "Front", reader: "in", at: monday + 2)
        for attempt in 0..<5 { _ = site.access.decide(.pin("90000\(attempt)"), door: "Front", reader: "pad", at: monday + 3) }
        #expect(try site.store.logExpiredPasscodes(at: monday + 4) == 1)
        #expect(try site.store.logExpiredPasscodes(at: monday + 5) == 0)
        #expect(try pendingTypes(site) == [
            "access.granted", "access.denied", "door.forced", "door.held", "door.unconfirmed",
            "key.shared", "key.revoked", "key.revoked",
            "access.granted", "passcode.used", "access.granted", "duress",
            "access.denied", "access.denied", "access.denied", "access.denied", "access.denied", "lockout", "passcode.expired",
        ])
    }

    /// A database made before an event existed raises it once a newer Keyway opens it: the event-source table is
    /// the code's list, rewritten at open, not what the migration that made the table wrote.
    @Test func aDatabaseMadeBeforeAnEventRaisesItOnceOpened() throws {
        let site = try Site.aliceAtFront(mode: .card)
        let sources = "SELECT count(*) FROM webhook_event_source"
        #expect(try site.store.pool.read { try Int.fetchOne($0, sql: sources) } == WebhookEventSource.all.count)
        // What the first webhook migration left: every source but the unconfirmed opening, which came later.
        try site.store.pool.write { db in
            try db.execute(sql: "DELETE FROM webhook_event_source WHERE event_type = 'door.unconfirmed'")
        }
        // One subscription names the event, one asks for all: both get it.
        let named = try site.store.addWebhook(url: receiver, events: [.doorUnconfirmed])
        let every = try site.store.addWebhook(url: receiver, events: .all)
        #expect(every.subscription.events == ["all"])
        try site.access.record(DoorEvent(.openingUnconfirmed, door: "Front", reader: "in", at: monday))
        #expect(try pendingTypes(site).isEmpty)

        let reopened = try AccessControl.open(database: site.database, timeZone: Site.zone, clockPolicy: ClockPolicy(tolerance: nil),
                                              checkpointEvery: nil)
        try reopened.record(DoorEvent(.openingUnconfirmed, door: "Front", reader: "in", at: monday + 1))
        let raised = try reopened.store.webhookDeliveries(pendingOnly: true)
        #expect(raised.map(\.type) == ["door.unconfirmed", "door.unconfirmed"])
        #expect(Set(raised.map(\.subscription)) == [named.subscription.id, every.subscription.id])
        #expect(try reopened.store.pool.read { try Int.fetchOne($0, sql: sources) } == WebhookEventSource.all.count)
    }

    /// No committed row, no event: a share the policy refuses leaves no `key.shared` behind; one it allows leaves one,
    /// pointing at its own log row.
    @Test func anEventIsInTheOutboxOnlyIfItsRowCommitted() throws {
        let site = try Site.aliceAtFront(mode: .card)
        let hook = try site.store.addWebhook(url: receiver, events: [.keyShared])
        let key = try site.store.issueKey(person: "Alice", doors: ["Front"], mayShare: true, at: monday)
        try site.store.setSharingPolicy(SharingRules(mayShare: false), for: .site)
        #expect(throws: SharingRefusal.self) { try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday) }
        #expect(try site.store.webhookDeliveries().isEmpty)
        try site.store.setSharingPolicy(SharingRules(mayShare: true), for: .site)
        let share = try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        let delivery = try #require(try site.store.webhookDeliveries().first)
        let row = try #require(try site.store.activity().first { $0.sequence == delivery.sequence })
        #expect(row.kind == .credentialCreated && row.credentialID == share.credential.id)
        #expect(delivery.subscription == hook.subscription.id)
        // Removing the subscription takes its waiting events along.
        try site.store.removeWebhook(hook.subscription.id)
        #expect(try site.store.webhookDeliveries().isEmpty)
    }

    /// Per subscription, only the oldest undelivered event is due, and not before its retry time.
    @Test func onlyTheOldestEventOfASubscriptionIsDueAndRetriesWait() throws {
        let site = try Site.aliceAtFront(mode: .card)
        let hook = try site.store.addWebhook(url: receiver, events: [.accessDenied])
        for number in 2...4 { _ = site.access.decide(.card(Site.card(UInt64(number))), door: "Front", reader: "in", at: monday) }
        let first = try #require(try site.store.dueWebhooks(at: monday).first)
        #expect(try site.store.dueWebhooks(at: monday).count == 1)
        #expect(first.secret == hook.secret)
        let payload = try JSONSerialization.jsonObject(with: first.body) as? [String: Any]
        #expect(payload?["type"] as? String == "access.denied" && payload?["door"] as? String == "Front")
        try site.store.markWebhookFailed(first.delivery, status: 503, error: nil, retryAt: monday + 60, at: monday)
        #expect(try site.store.dueWebhooks(at: monday + 30).isEmpty)
        #expect(try site.store.dueWebhooks(at: monday + 60).first?.delivery == first.delivery)
        try site.store.markWebhookDelivered(first.delivery, status: 204, at: monday + 61)
        #expect(try site.store.dueWebhooks(at: monday + 61).first.map { $0.delivery > first.delivery } == true)
        #expect(try site.store.webhooks().first?.pending == 2)
    }

    /// The secret is stored sealed: the database file never holds it, and it opens only with this site's secrets.
    @Test func theSecretIsSealedWithTheSiteSecrets() throws {
        let site = try Site.aliceAtFront(mode: .card)
        let hook = try site.store.addWebhook(url: receiver, events: [.duress])
        for file in [site.database.path, site.database.path + "-wal"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.range(of: Data(hook.secret.utf8)) == nil, "\(file) holds the secret")
        }
        #expect(hook.secret.count == 64)
        #expect(WebhookSignature.sign(body: Data("{}".utf8), secret: "s3cret", timestamp: 1_700_000_000)
            == "t=1700000000,v1=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf")
    }

    @Test func subscriptionsAreBoundedFromOutside() throws {
        let site = try Site.aliceAtFront(mode: .card)
        for url in ["ftp://example.com/x", "http://", "example.com/hook", "http://user:pw@example.com/",
                    "https://example.com/#frag", "http://example.com/" + String(repeating: "a", count: 2048)] {
            #expect(throws: AccessError.self, "\(url)") { try site.store.addWebhook(url: url, events: [.duress]) }
        }
        #expect(throws: AccessError.self) { try WebhookEvents.parse("access.granted,door.exploded") }
        #expect(try WebhookEvents.parse("all") == .all && WebhookEvents.parse("duress, all") == .all)
        #expect(try WebhookEvents.parse("duress,lockout") == [.duress, .lockout])
        #expect(throws: AccessError.self) { try site.store.addWebhook(url: receiver, events: []) }
        #expect(throws: AccessError.self) { try site.store.addWebhook(url: receiver, events: [.duress], secret: "short") }
        #expect(throws: AccessError.notFound(what: "webhook", "hook_nope")) { try site.store.removeWebhook("hook_nope") }
        try site.store.addWebhook(url: "https://hooks.example.com:8443/keyway?site=1", events: [.duress])
    }
}
