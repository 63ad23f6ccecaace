import Foundation
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")

@Suite struct KeypadLockoutTests {
    @Test func fiveWrongCodesLockTheKeypadButNotTheCards() throws {
        let site = try Site.aliceAtFront(mode: .cardOrPin)
        try site.store.addCard(person: "Alice", card: Site.card(1))
        let pin = try site.store.addPIN(person: "Alice", code: "605918")

        var alarms: [Alarm] = []
        for attempt in 0..<5 {
            let decision = site.access.decide(.pin("90000\(attempt)"), door: "Front", reader: "keypad", at: monday + Double(attempt))
            #expect(decision.reason == .unknown)
            alarms += decision.alarms
        }
        #expect(alarms == [.keypadLockout])
        #expect(site.access.decide(.pin(pin.code), door: "Front", reader: "keypad", at: monday + 10).reason == .lockout)
        #expect(site.access.decide(.card(Site.card(1)), door: "Front", reader: "keypad", at: monday + 10).granted)
        // Another reader is not locked; the first one opens again after the first period (30 s).
        #expect(site.access.decide(.pin(pin.code), door: "Front", reader: "side", at: monday + 10).granted)
        #expect(site.access.decide(.pin(pin.code), door: "Front", reader: "keypad", at: monday + 35).granted)
    }

    @Test func lockoutsEscalateAndTheSiteCounterCatchesSpreadGuessing() {
        var policy = KeypadLockoutPolicy()
        policy.siteFailures = 12
        let keypads = KeypadGuard(policy: policy)
        var now = monday
        func fail(_ reader: String, times: Int) -> [Alarm] {
            (0..<times).flatMap { _ in now += 1; return keypads.recordFailure(reader: reader, at: now) }
        }
        #expect(fail("a", times: 5) == [.keypadLockout])
        #expect(keypads.lock(reader: "a", at: now + 29) != nil)
        #expect(keypads.lock(reader: "a", at: now + 31) == nil)
        now += 31
        #expect(fail("a", times: 5) == [.keypadLockout])
        #expect(keypads.lock(reader: "a", at: now + 119) != nil)
        #expect(keypads.lock(reader: "a", at: now + 121) == nil)
        // Two wrong codes on each of a few readers: none locks alone, the site does.
        #expect(fail("b", times: 2) == [.siteKeypadLockout])
        #expect(keypads.lock(reader: "c", at: now + 1) != nil)
    }

    /// A lockout survives a restart: the state is rebuilt from the log's wrong-code rows.
    @Test func aRestartRemembersAnActiveLockout() throws {
        let site = try Site.aliceAtFront(mode: .cardOrPin)
        let pin = try site.store.addPIN(person: "Alice", code: "605918")
        for attempt in 0..<5 {
            _ = site.access.decide(.pin("90000\(attempt)"), door: "Front", reader: "keypad", at: monday + Double(attempt))
        }
        let restarted = try AccessControl.open(database: site.database, timeZone: Site.zone, clockPolicy: ClockPolicy(tolerance: nil), checkpointEvery: nil)
        #expect(restarted.decide(.pin(pin.code), door: "Front", reader: "keypad", at: monday + 10).reason == .lockout)
        #expect(restarted.decide(.pin(pin.code), door: "Front", reader: "keypad", at: monday + 40).granted)
    }

    /// Slow guessing, one wrong code every 20 s, never trips the one-minute rule; the hourly rule raises an alarm
    /// and locks that keypad.
    @Test func slowGuessingRaisesAnAlarm() throws {
        let site = try Site.aliceAtFront(mode: .cardOrPin)
        let pin = try site.store.addPIN(person: "Alice", code: "605918")
        var alarms: [Alarm] = []
        var now = monday
        for attempt in 0..<12 {
            now = monday + Double(attempt * 20)
            alarms += site.access.decide(.pin(String(700_000 + attempt * 7)), door: "Front", reader: "keypad", at: now).alarms
        }
        #expect(alarms == [.keypadGuessing])
        #expect(site.access.decide(.pin(pin.code), door: "Front", reader: "keypad", at: now + 30).reason == .lockout)
        #expect(try site.store.activity().contains { $0.kind == .alarm && $0.event == "keypad_guessing" })
    }

    /// A site-wide lockout (guessing spread over doors) stops keypads alone; at a card-and-PIN door a valid card
    /// still gets its PIN checked rather than a silent `lockout`. A lockout of that very reader still refuses it.
    @Test func aSiteLockoutLeavesCardAndPinWorking() throws {
        var policy = KeypadLockoutPolicy()
        policy.siteFailures = 4
        let site = try Site.aliceAtFront(mode: .cardAndPin, lockout: policy)
        try site.store.addCard(person: "Alice", card: Site.card(1))
        let pin = try site.store.addPIN(person: "Alice", code: "605918")
        var alarms: [Alarm] = []
        for reader in ["a", "b", "c", "d"] {
            alarms += site.access.decide(.cardAndPin(Site.card(1), pin: "700001"), door: "Front", reader: reader, at: monday).alarms
        }
        #expect(alarms == [.siteKeypadLockout])
        #expect(site.access.decide(.cardAndPin(Site.card(1), pin: pin.code), door: "Front", reader: "e", at: monday + 1).granted)
    }

    @Test func codesShorterThanTheSiteMinimumAreRefused() throws {
        let site = try Site.aliceAtFront(mode: .cardOrPin)
        #expect(throws: AccessError.invalid("a code has 6 to 12 digits")) { try site.store.addPIN(person: "Alice", code: "58392") }
        var request = PasscodeRequest(label: "Gate", doors: ["Front"])
        request.code = "5839"
        #expect(throws: AccessError.self) { try site.store.createPasscode(request) }
        var policy = CodePolicy()
        policy.minimumLength = 8
        #expect(throws: CodePolicy.Rejection.length(8...12)) { try policy.validate("583920") }
    }
}
