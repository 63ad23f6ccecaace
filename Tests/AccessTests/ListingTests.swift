import Foundation
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")

/// What the store lists is what was written: every column comes back by name, into the right field.
@Suite struct ListingTests {
    @Test func aCredentialListsEveryFieldItWasCreatedWith() throws {
        let site = try Site()
        let store = site.store
        try store.addPerson(name: "Alice", kind: .staff)
        try store.addDoor(name: "Front", mode: .pin)
        try store.addDoor(name: "Back", mode: .pin)
        try store.addSchedule(name: "Tuesdays", intervals: [ScheduleInterval(days: Weekdays(parsing: "tue")!,
                                                                              start: TimeOfDay(parsing: "09:00")!, end: TimeOfDay(parsing: "12:00")!)])
        var request = PasscodeRequest(label: "Cleaner", doors: ["Front", "Back"])
        request.validFrom = Site.time("2026-03-01 00:00")
        request.validUntil = Site.time("2026-04-01 00:00")
        request.schedule = "Tuesdays"
        request.uses = .count(3)
        request.duress = true
        let passcode = try store.createPasscode(request, at: monday).credential
        #expect(try store.credential(passcode.id) == passcode)
        #expect(passcode.kind == .passcode && passcode.person == nil && passcode.label == "Cleaner")
        #expect(passcode.shown == "••••••" && passcode.doors == ["Back", "Front"] && passcode.schedule == "Tuesdays")
        #expect(passcode.validFrom == request.validFrom && passcode.validUntil == request.validUntil)
        #expect(passcode.usesLeft == 3 && passcode.duress && passcode.parent == nil && !passcode.mayShare)

        let key = try store.issueKey(person: "Alice", doors: ["Front"], validUntil: Site.time("2026-06-01 00:00"), mayShare: true, at: monday)
        let share = try store.shareKey(key.credential.id, to: "guest@example.com", at: monday).credential
        #expect(key.credential.person == "Alice" && key.credential.mayShare && key.credential.shown == nil)
        #expect(share.parent == key.credential.id && share.recipient == "guest@example.com" && !share.mayShare)

        try store.revoke(key.credential.id, reason: "moved out", actor: "manager", at: monday + 60)
        let revoked = try store.credential(share.id)
        #expect(revoked.revokedAt == monday + 60 && revoked.revokedBy == "manager" && revoked.revokedReason == "moved out")
        #expect(try store.credentials(person: "Alice").map(\.id) == [key.credential.id])
        #expect(try store.credentials(activeAt: monday + 120).map(\.id) == [passcode.id])
    }

    @Test func peopleAndDoorsListWhatWasWritten() throws {
        let site = try Site()
        let store = site.store
        try store.addSchedule(name: "Office hours", intervals: [ScheduleInterval(days: .everyDay,
                                                                                  start: TimeOfDay(parsing: "08:00")!, end: TimeOfDay(parsing: "18:00")!)])
        let lobby = try store.addDoor(name: "Lobby", mode: .card, scheduledMode: .unlocked, modeSchedule: "Office hours", duressGrants: false)
        try store.addDoor(name: "Back", mode: .cardAndPin)
        #expect(try store.doors().map(\.name) == ["Back", "Lobby"])
        let listed = try #require(store.doors().last)
        #expect(listed.id == lobby.id && listed.mode == .card && listed.scheduledMode == .unlocked)
        #expect(listed.modeSchedule == "Office hours" && !listed.duressGrants)

        try store.addPerson(name: "Bob", kind: .vendor)
        try store.addPerson(name: "Alice", kind: .visitor)
        try store.setSuspended("Bob", true)
        try store.setVacation("Alice", from: "2026-07-01", until: "2026-07-14")
        let people = try store.people()
        #expect(people.map(\.name) == ["Alice", "Bob"])
        #expect(people.map(\.kind) == [.visitor, .vendor] && people.map(\.suspended) == [false, true])
        #expect(people[0].vacationStart == "2026-07-01" && people[0].vacationEnd == "2026-07-14" && people[1].vacationStart == nil)
        #expect(throws: AccessError.invalid("a vacation needs a first and a last day, in order")) {
            try store.setVacation("Alice", from: "2026-07-14", until: "2026-07-01")
        }
        #expect(throws: AccessError.invalid("a vacation needs a first and a last day, in order")) {
            try store.setVacation("Alice", from: "2026-07-14", until: nil)
        }
    }

    /// One spelling of a credential, wherever it is shown: listings, the activity log, conflicts.
    @Test func aCredentialIsSpelledOneWay() throws {
        let raw = CardData.raw(bits: Array(repeating: true, count: 26))
        #expect(Site.card(1001, facility: 1).description == "card h10301 1:1001")
        #expect(CardData.fields(format: "h10302", facility: nil, number: 123_456_789).description == "card h10302 123456789")
        #expect(raw.description == "card raw 26 bits")
        #expect(Presentation.pin("482916").description == "pin ••••••")
        #expect(Presentation.cardAndPin(Site.card(1001, facility: 1), pin: "4829").description == "card h10301 1:1001 + pin ••••")
        #expect(Presentation.digitalKey(token: "kw1.key_abc.0.c2ln").description == "key key_abc")

        let site = try Site.aliceAtFront(mode: .card)
        let card = try site.store.addCard(person: "Alice", card: Site.card(1001, facility: 1), at: monday)
        let rawCard = try site.store.addCard(person: "Alice", card: raw, at: monday)
        #expect(card.shown == "card h10301 1:1001" && rawCard.shown == "card raw 26 bits")
        #expect(try site.store.activity().filter { $0.kind == .credentialCreated }.map(\.detail) == ["card h10301 1:1001", "card raw 26 bits"])
        _ = site.access.decide(.card(raw), door: "Front", reader: "in", at: monday)
        #expect(try site.store.activity().last?.detail == "card raw 26 bits")
        #expect(throws: AccessError.conflict("card h10301 1:1001 is already assigned (\(card.id)); revoke it first")) {
            try site.store.addCard(person: "Alice", card: Site.card(1001, facility: 1), at: monday)
        }
    }
}
