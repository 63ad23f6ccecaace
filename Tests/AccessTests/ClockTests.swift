import Foundation
import Synchronization
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")

/// A clock set back must not revive what time had ended: the latest time seen is persisted, and a backward jump
/// beyond the tolerance makes time-bounded credentials and scheduled unlocks fail secure.
@Suite struct ClockTests {
    @Test func aClockSetBackDoesNotReviveAnExpiredPasscode() throws {
        let site = try Site.aliceAtFront(mode: .cardOrPin, clock: ClockPolicy(now: { monday }))
        try site.store.addCard(person: "Alice", card: Site.card(1))
        var request = PasscodeRequest(label: "Plumber", doors: ["Front"])
        request.validUntil = monday + 2 * 3600
        let plumber = try site.store.createPasscode(request, at: monday)
        #expect(site.access.decide(.pin(plumber.code), door: "Front", reader: "keypad", at: monday + 3 * 3600).reason == .expired)

        // Someone sets the clock back two hours: the code would be inside its window again.
        let setBack = site.access.decide(.pin(plumber.code), door: "Front", reader: "keypad", at: monday + 3600)
        #expect(setBack.reason == .clockUntrusted)
        #expect(setBack.alarms == [.clockSetBack])
        #expect(site.access.clockFault?.latestSeen == monday + 3 * 3600)
        // A card without a window does not depend on the time: it still opens.
        #expect(site.access.decide(.card(Site.card(1)), door: "Front", reader: "in", at: monday + 3600 + 1).granted)
        // Within the tolerance the clock is trusted again (it caught up).
        #expect(site.access.decide(.pin(plumber.code), door: "Front", reader: "keypad", at: monday + 3 * 3600 - 60).reason == .expired)
        #expect(site.access.clockFault == nil)
    }

    @Test func aRestartWithTheClockSetBackIsCaughtUntilAcknowledged() throws {
        let site = try Site.aliceAtFront(mode: .card, clock: ClockPolicy())
        let key = try site.store.issueKey(person: "Alice", doors: ["Front"], validUntil: Date() + 30 * 86_400)
        let tomorrow = Date() + 86_400
        #expect(site.access.decide(.digitalKey(token: key.token), door: "Front", reader: "in", at: tomorrow).granted)

        let restarted = try AccessControl.open(database: site.database, timeZone: Site.zone, checkpointEvery: nil)
        let fault = try #require(restarted.clockFault)
        #expect(try #require(fault.latestSeen).timeIntervalSince(tomorrow).magnitude < 0.01)
        #expect(try restarted.store.activity().contains { $0.kind == .alarm && $0.event == "clock_set_back" })
        #expect(restarted.decide(.digitalKey(token: key.token), door: "Front", reader: "in", at: Date()).reason == .clockUntrusted)

        try restarted.acknowledgeClockFault(actor: "test")
        #expect(restarted.clockFault == nil)
        #expect(restarted.decide(.digitalKey(token: key.token), door: "Front", reader: "in", at: Date()).granted)
        let again = try AccessControl.open(database: site.database, timeZone: Site.zone, checkpointEvery: nil)
        #expect(again.clockFault == nil)
    }

    @Test func scheduledUnlocksFailSecureWhileTheClockIsUntrusted() throws {
        let site = try Site(clock: ClockPolicy(now: { monday }))
        try site.store.addSchedule(name: "Weekdays", intervals: [
            ScheduleInterval(days: Weekdays(parsing: "mon-fri")!, start: TimeOfDay(parsing: "08:00")!, end: TimeOfDay(parsing: "18:00")!),
        ])
        try site.store.addDoor(name: "Lobby", mode: .card, scheduledMode: .unlocked, modeSchedule: "Weekdays")
        #expect(site.access.mode(ofDoor: "Lobby", at: monday) == .unlocked)
        #expect(site.access.mode(ofDoor: "Lobby", at: monday + 86_400 * 2) == .unlocked) // Wednesday
        // Back to Monday from Wednesday: the schedule cannot be trusted to unlock.
        #expect(site.access.mode(ofDoor: "Lobby", at: monday) == .card)
        #expect(site.access.decide(.card(Site.card(42)), door: "Lobby", reader: "in", at: monday).reason == .unknown)
    }

    @Test func anUnsynchronisedClockFailsTimeBoundedAccessSecureUntilItIsSynchronised() throws {
        let synchronised = Mutex(false)
        let site = try Site.aliceAtFront(mode: .cardOrPin, clock: ClockPolicy(now: { monday }, synchronised: { synchronised.withLock { $0 } }))
        try site.store.addCard(person: "Alice", card: Site.card(1))
        var request = PasscodeRequest(label: "Plumber", doors: ["Front"])
        request.validUntil = monday + 2 * 3600
        let plumber = try site.store.createPasscode(request, at: monday)

        let first = site.access.decide(.pin(plumber.code), door: "Front", reader: "keypad", at: monday + 60)
        #expect(first.reason == .clockUntrusted)
        #expect(site.access.clockFault?.cause == .unsynchronised)
        #expect(site.access.decide(.pin(plumber.code), door: "Front", reader: "keypad", at: monday + 120).reason == .clockUntrusted)
        // Raised once, when the service saw it first (at start).
        #expect(try site.store.activity().filter { $0.event == "clock_unsynchronised" }.count == 1)
        // A card without a window does not depend on the time: it still opens.
        #expect(site.access.decide(.card(Site.card(1)), door: "Front", reader: "in", at: monday + 180).granted)

        synchronised.withLock { $0 = true }
        #expect(site.access.decide(.pin(plumber.code), door: "Front", reader: "keypad", at: monday + 240).granted)
        #expect(site.access.clockFault == nil)
    }

    @Test func scheduledUnlocksWaitForASynchronisedClockAndTheFaultIsLoggedAtStart() throws {
        let synchronised = Mutex(false)
        let site = try Site(clock: ClockPolicy(now: { monday }, synchronised: { synchronised.withLock { $0 } }))
        #expect(try site.store.activity().contains { $0.kind == .alarm && $0.event == "clock_unsynchronised" })
        try site.store.addSchedule(name: "Weekdays", intervals: [
            ScheduleInterval(days: Weekdays(parsing: "mon-fri")!, start: TimeOfDay(parsing: "08:00")!, end: TimeOfDay(parsing: "18:00")!),
        ])
        try site.store.addDoor(name: "Lobby", mode: .card, scheduledMode: .unlocked, modeSchedule: "Weekdays")
        #expect(site.access.mode(ofDoor: "Lobby", at: monday) == .card)
        synchronised.withLock { $0 = true }
        #expect(site.access.mode(ofDoor: "Lobby", at: monday) == .unlocked)
    }
}
