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
        #expect(keypads.isLocked(reader: "a", at: now + 29))
        #expect(!keypads.isLocked(reader: "a", at: now + 31))
        now += 31
        #expect(fail("a", times: 5) == [.keypadLockout])
        #expect(keypads.isLocked(reader: "a", at: now + 119))
        #expect(!keypads.isLocked(reader: "a", at: now + 121))
        // Two wrong codes on each of a few readers: none locks alone, the site does.
        #expect(fail("b", times: 2) == [.siteKeypadLockout])
        #expect(keypads.isLocked(reader: "c", at: now + 1))
    }
}
