import Foundation
import Testing
@testable import Access

/// Monday 2026-03-02 10:00 in Paris.
private let monday = Site.time("2026-03-02 10:00")

@Suite struct DecisionTests {
    /// Alice, staff, in group Office (Front door always, Lab on weekdays 08–18), with card 12:345.
    func office() throws -> Site {
        let site = try Site()
        let store = site.store
        try store.addPerson(name: "Alice", kind: .staff)
        try store.addDoor(name: "Front", mode: .cardOrPin)
        try store.addDoor(name: "Lab", mode: .card)
        try store.addDoor(name: "Vault", mode: .card)
        try store.addSchedule(name: "Weekdays", intervals: [ScheduleInterval(days: Weekdays(parsing: "mon-fri")!,
                                                                              start: TimeOfDay(parsing: "08:00")!, end: TimeOfDay(parsing: "18:00")!)])
        try store.addGroup(name: "Office", doors: [("Front", nil), ("Lab", "Weekdays")])
        try store.grant(person: "Alice", group: "Office")
        try store.addCard(person: "Alice", card: Site.card(345))
        return site
    }

    @Test func aCardOpensItsGroupsDoors() throws {
        let site = try office()
        let decision = site.access.decide(.card(Site.card(345)), door: "Front", reader: "in", at: monday)
        #expect(decision.granted)
        #expect(decision.reason == nil)
        #expect(decision.personName == "Alice")
        #expect(decision.logSequence != nil)
        #expect(site.access.decide(.card(Site.card(345)), door: "Vault", reader: "in", at: monday).reason == .doorNotAllowed)
    }

    @Test func unknownCardsDoorsAndFormatsAreDenied() throws {
        let site = try office()
        #expect(site.access.decide(.card(Site.card(999)), door: "Front", reader: "in", at: monday).reason == .unknown)
        #expect(site.access.decide(.card(Site.card(345)), door: "Nowhere", reader: "in", at: monday).reason == .unknownDoor)
        #expect(site.access.decide(.card(Site.card(345, facility: 13)), door: "Front", reader: "in", at: monday).reason == .unknown)
    }

    @Test func groupSchedulesFollowTheSiteClockAndHolidays() throws {
        let site = try office()
        #expect(site.access.check(.card(Site.card(345)), door: "Lab", at: Site.time("2026-03-02 07:59")).reason == .outsideSchedule)
        #expect(site.access.check(.card(Site.card(345)), door: "Lab", at: Site.time("2026-03-02 08:00")).granted)
        #expect(site.access.check(.card(Site.card(345)), door: "Lab", at: Site.time("2026-03-07 10:00")).reason == .outsideSchedule)
        try site.store.addHoliday(day: "2026-03-03", name: "Test day")
        #expect(site.access.check(.card(Site.card(345)), door: "Lab", at: Site.time("2026-03-03 10:00")).reason == .holiday)
        // The always-open door ignores holidays.
        #expect(site.access.check(.card(Site.card(345)), door: "Front", at: Site.time("2026-03-03 10:00")).granted)
    }

    @Test func schedulesKeepWallClockTimeAcrossDaylightSaving() throws {
        let site = try office()
        // Paris moves to summer time on Sunday 2026-03-29; 08:00 stays 08:00 on Monday the 30th (06:00 UTC).
        let opening = try #require(SiteTime.parse("2026-03-30T06:00:00Z", timeZone: .gmt))
        #expect(site.access.check(.card(Site.card(345)), door: "Lab", at: opening).granted)
        #expect(site.access.check(.card(Site.card(345)), door: "Lab", at: opening - 60).reason == .outsideSchedule)
        // In winter 08:00 Paris is 07:00 UTC.
        let winter = try #require(SiteTime.parse("2026-03-02T06:30:00Z", timeZone: .gmt))
        #expect(site.access.check(.card(Site.card(345)), door: "Lab", at: winter).reason == .outsideSchedule)
    }

    @Test func validityWindowsSuspensionAndVacation() throws {
        let site = try office()
        try site.store.addPerson(name: "Bob")
        try site.store.grant(person: "Bob", group: "Office")
        try site.store.addCard(person: "Bob", card: Site.card(7), validFrom: Site.time("2026-03-02 09:00"), validUntil: Site.time("2026-03-02 11:00"))
        #expect(site.access.check(.card(Site.card(7)), door: "Front", at: Site.time("2026-03-02 08:59")).reason == .notYetValid)
        #expect(site.access.check(.card(Site.card(7)), door: "Front", at: Site.time("2026-03-02 10:59")).granted)
        #expect(site.access.check(.card(Site.card(7)), door: "Front", at: Site.time("2026-03-02 11:00")).reason == .expired)

        try site.store.setVacation("Alice", from: "2026-03-02", until: "2026-03-03")
        #expect(site.access.check(.card(Site.card(345)), door: "Front", at: Site.time("2026-03-03 23:59")).reason == .suspended)
        #expect(site.access.check(.card(Site.card(345)), door: "Front", at: Site.time("2026-03-04 00:00")).granted)
        try site.store.setSuspended("Alice", true)
        #expect(site.access.check(.card(Site.card(345)), door: "Front", at: Site.time("2026-03-04 00:00")).reason == .suspended)
    }

    @Test func revocationIsImmediateAndRecorded() throws {
        let site = try office()
        let card = try #require(site.store.credentials(person: "Alice").first)
        try site.store.revoke(card.id, reason: "lost", actor: "manager")
        #expect(site.access.decide(.card(Site.card(345)), door: "Front", reader: "in", at: monday).reason == .revoked)
        let revoked = try site.store.credential(card.id)
        #expect(revoked.revokedBy == "manager")
        #expect(revoked.revokedReason == "lost")
        #expect(revoked.revokedAt != nil)
        #expect(throws: AccessError.self) { try site.store.revoke(card.id) }
        // A revoked card can be assigned again, once: not while it is assigned.
        try site.store.addCard(person: "Alice", card: Site.card(345))
        #expect(site.access.decide(.card(Site.card(345)), door: "Front", reader: "in", at: monday).granted)
        #expect(throws: AccessError.self) { try site.store.addCard(person: "Alice", card: Site.card(345)) }
    }

    @Test func doorModes() throws {
        let site = try office()
        let pin = try site.store.addPIN(person: "Alice", code: "739182")
        try site.store.addDoor(name: "Gate", mode: .cardAndPin)
        try site.store.addGroup(name: "Gates", doors: [("Gate", nil)])
        try site.store.grant(person: "Alice", group: "Gates")
        let access = site.access
        #expect(access.check(.pin(pin.code), door: "Lab", at: monday).reason == .modeMismatch)
        #expect(access.check(.pin(pin.code), door: "Front", at: monday).granted)
        #expect(access.check(.card(Site.card(345)), door: "Gate", at: monday).reason == .pinRequired)
        #expect(access.check(.cardAndPin(Site.card(345), pin: pin.code), door: "Gate", at: monday).granted)
        #expect(access.check(.cardAndPin(Site.card(345), pin: "000001"), door: "Gate", at: monday).reason == .wrongPin)
        #expect(access.check(.pin("12a4"), door: "Front", at: monday).reason == .formatError)

        try site.store.setMode(door: "Gate", .lockdown)
        #expect(access.check(.cardAndPin(Site.card(345), pin: pin.code), door: "Gate", at: monday).reason == .doorLockedDown)
        try site.store.setMode(door: "Gate", .unlocked)
        #expect(access.check(.card(Site.card(999)), door: "Gate", at: monday).granted)
    }

    @Test func aDoorModeOnASchedule() throws {
        let site = try office()
        try site.store.addDoor(name: "Lobby", mode: .card, scheduledMode: .unlocked, modeSchedule: "Weekdays")
        #expect(site.access.mode(ofDoor: "Lobby", at: monday) == .unlocked)
        #expect(site.access.mode(ofDoor: "Lobby", at: Site.time("2026-03-02 19:00")) == .card)
        #expect(site.access.check(.card(Site.card(999)), door: "Lobby", at: monday).granted)
        #expect(site.access.check(.card(Site.card(999)), door: "Lobby", at: Site.time("2026-03-02 19:00")).reason == .unknown)
    }

    /// A lockdown is an operator's emergency stop: a mode schedule (the lobby unlocked on weekdays) must not open the
    /// door under it, nor the schedule's end change it.
    @Test func aLockdownHoldsThroughTheDoorsModeSchedule() throws {
        let site = try office()
        try site.store.addDoor(name: "Lobby", mode: .card, scheduledMode: .unlocked, modeSchedule: "Weekdays")
        try site.store.setMode(door: "Lobby", .lockdown)
        #expect(site.access.mode(ofDoor: "Lobby", at: monday) == .lockdown)
        #expect(site.access.mode(ofDoor: "Lobby", at: Site.time("2026-03-02 19:00")) == .lockdown)
        #expect(site.access.check(.card(Site.card(999)), door: "Lobby", at: monday).reason == .doorLockedDown)
    }

    @Test func duressCodesGrantWithAnAlarmOrDenyPerDoor() throws {
        let site = try office()
        let duress = try site.store.addPIN(person: "Alice", code: "580214", duress: true)
        try site.store.addDoor(name: "Bank", mode: .pin, duressGrants: false)
        try site.store.addGroup(name: "Banking", doors: [("Bank", nil)])
        try site.store.grant(person: "Alice", group: "Banking")
        let atFront = site.access.decide(.pin(duress.code), door: "Front", reader: "keypad", at: monday)
        #expect(atFront.granted)
        #expect(atFront.alarms == [.duress])
        let atBank = site.access.decide(.pin(duress.code), door: "Bank", reader: "keypad", at: monday)
        #expect(!atBank.granted)
        #expect(atBank.reason == .duress)
        #expect(atBank.alarms == [.duress])
        let alarms = try site.store.activity().filter { $0.kind == .alarm }
        #expect(alarms.map(\.event) == ["duress", "duress"])
    }

    @Test func anUnsetClockDenies() throws {
        let site = try office()
        let decision = site.access.decide(.card(Site.card(345)), door: "Front", reader: "in", at: Date(timeIntervalSince1970: 0))
        #expect(decision.reason == .clockError)
        #expect(try site.store.activity().last?.reason == "clock_error")
    }

    @Test func aDatabaseFailureDeniesAndWritesNothing() throws {
        let site = try office()
        var request = PasscodeRequest(label: "Courier", doors: ["Front"])
        request.uses = .count(1)
        let passcode = try site.store.createPasscode(request)
        // The log cannot be written: the decision must deny, and the use it would have taken stays.
        try site.store.pool.write { try $0.execute(sql: "DROP TABLE activity") }
        let decision = site.access.decide(.pin(passcode.code), door: "Front", reader: "keypad", at: monday)
        #expect(!decision.granted)
        #expect(decision.reason == .internalError)
        #expect(try site.store.credential(passcode.credential.id).usesLeft == 1)
        #expect(site.access.decide(.card(Site.card(345)), door: "Front", reader: "in", at: monday).reason == .internalError)
    }
}
