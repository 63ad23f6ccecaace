import Testing
@testable import Bridge

private let card = CardData.decoded(format: "h10301", facility: 12, number: 3456)
private let second: UInt64 = 1_000_000_000

/// A door with a fake clock: `now` only moves when a test says so.
private struct DoorUnderTest {
    var controller: DoorController
    var now: UInt64 = 1_000 * second

    init(mode: DoorMode = .cardOnly) {
        controller = DoorController(configuration: DoorConfiguration(
            name: "Lobby", reader: .osdp(bus: "main", address: 1), relay: .osdp(bus: "main", address: 1, output: 0),
            strike: .seconds(5), extendedStrike: .seconds(20), heldOpen: .seconds(30), doorPosition: nil, exitButton: nil,
            mode: mode, pinTimeout: .seconds(10)))
    }

    mutating func send(_ input: DoorInput) -> [DoorAction] { controller.handle(input, now: now) }

    mutating func advance(_ seconds: UInt64) -> [DoorAction] {
        now += seconds * second
        return send(.tick)
    }

    mutating func type(_ keys: String) -> [DoorAction] { keys.flatMap { send(.key($0)) } }

    /// The decision request among `actions`, answered with `outcome`.
    mutating func answer(_ actions: [DoorAction], with outcome: DecisionOutcome) -> [DoorAction] {
        guard case .decide(let id, _)? = actions.first(where: { if case .decide = $0 { true } else { false } }) else {
            Issue.record("no decision was requested in \(actions)")
            return []
        }
        return send(.decided(id, outcome))
    }
}

@Suite struct DoorControllerTests {
    @Test func grantedCardPulsesTheStrikeAndShowsGreen() {
        var door = DoorUnderTest()
        let asked = door.send(.card(card))
        guard case .decide(_, .card(card))? = asked.first, asked.count == 1 else {
            Issue.record("expected one decision request, got \(asked)")
            return
        }
        // Nothing is actuated until the decision (logged by the access core) comes back.
        #expect(door.answer(asked, with: .granted(extendedStrike: false)) == [.pulseRelay(.seconds(5)), .feedback(.granted)])
    }

    @Test func deniedCardShowsRedAndNeverTouchesTheRelay() {
        var door = DoorUnderTest()
        #expect(door.answer(door.send(.card(card)), with: .denied) == [.feedback(.denied)])
    }

    @Test func extendedGrantUsesTheExtendedStrike() {
        var door = DoorUnderTest()
        #expect(door.answer(door.send(.card(card)), with: .granted(extendedStrike: true)).first == .pulseRelay(.seconds(20)))
    }

    @Test func anAnswerToAQuestionNeverAskedOpensNothing() {
        var door = DoorUnderTest()
        let asked = door.send(.card(card))
        #expect(!door.answer(asked, with: .granted(extendedStrike: false)).isEmpty)
        // The same answer again (a duplicate, a replay) does nothing.
        #expect(door.answer(asked, with: .granted(extendedStrike: false)) == [])
    }

    @Test func pinIsAssembledFromKeysAndEndsWithHash() {
        var door = DoorUnderTest(mode: .cardOrPin)
        #expect(door.type("12*98") == [])
        let asked = door.type("76#")
        #expect(asked.count == 1)
        guard case .decide(_, .pin("9876"))? = asked.first else {
            Issue.record("expected the PIN 9876 after * cleared 12, got \(asked)")
            return
        }
    }

    @Test func aPauseBetweenKeysForgetsWhatWasTyped() {
        var door = DoorUnderTest(mode: .pinOnly)
        _ = door.type("12")
        _ = door.advance(6)
        guard case .decide(_, .pin("34"))? = door.type("34#").first else {
            Issue.record("the digits before the pause should be gone")
            return
        }
    }

    @Test func cardOnlyDoorsIgnoreTheKeypad() {
        var door = DoorUnderTest(mode: .cardOnly)
        #expect(door.type("1234#") == [])
    }

    @Test func tooLongAPinIsRefused() {
        var door = DoorUnderTest(mode: .pinOnly)
        #expect(door.type("1234567890123") == [.record(.pinTooLong), .feedback(.denied)])
    }

    @Test func cardAndPinWaitsForThePinThenAsksForBoth() {
        var door = DoorUnderTest(mode: .cardAndPin)
        #expect(door.send(.card(card)) == [.feedback(.awaitingPIN)])
        _ = door.advance(9)
        let asked = door.type("4321#")
        guard case .decide(_, .cardAndPin(card, pin: "4321"))? = asked.first else {
            Issue.record("expected card and PIN together, got \(asked)")
            return
        }
        #expect(door.answer(asked, with: .granted(extendedStrike: false)).contains(.pulseRelay(.seconds(5))))
    }

    @Test func cardAndPinTimesOutAndDenies() {
        var door = DoorUnderTest(mode: .cardAndPin)
        _ = door.send(.card(card))
        #expect(door.controller.nextDeadline() == door.now + 10 * second)
        #expect(door.advance(10) == [.record(.pinTimeout), .feedback(.denied)])
        // The PIN arriving late is a PIN without a card.
        #expect(door.type("4321#") == [.record(.pinWithoutCard), .feedback(.denied)])
    }

    @Test func readerGoingOfflineDropsAHalfTypedPin() {
        var door = DoorUnderTest(mode: .cardAndPin)
        _ = door.send(.card(card))
        _ = door.type("43")
        _ = door.send(.readerOffline)
        #expect(door.type("21#") == [.record(.pinWithoutCard), .feedback(.denied)])
    }

    @Test func lockdownRefusesEverythingAndWinsOverALateGrant() {
        var door = DoorUnderTest(mode: .cardOrPin)
        let asked = door.send(.card(card))
        #expect(door.send(.command(.lockdown)) == [.record(.modeChanged), .setRelay(unlocked: false)])
        #expect(door.answer(asked, with: .granted(extendedStrike: false)) == [.record(.refusedInLockdown), .feedback(.denied)])
        #expect(door.send(.card(card)) == [.record(.refusedInLockdown), .feedback(.denied)])
        #expect(door.send(.exitButtonPressed) == [])
        #expect(door.send(.unlock(for: .seconds(5))) == [])
        #expect(door.send(.command(.normal)) == [.record(.modeChanged), .setRelay(unlocked: false)])
        #expect(door.controller.mode == .cardOrPin)
    }

    @Test func unlockHoldsUntilLockedAndTimedUnlockPulses() {
        var door = DoorUnderTest()
        #expect(door.send(.unlock(for: nil)) == [.record(.modeChanged), .setRelay(unlocked: true)])
        #expect(door.send(.command(.lock)) == [.record(.modeChanged), .setRelay(unlocked: false)])
        #expect(door.send(.unlock(for: .seconds(8))) == [.record(.remoteUnlock), .pulseRelay(.seconds(8))])
    }

    @Test func lockingADoorConfiguredUnlockedStillAcceptsCards() {
        var door = DoorUnderTest(mode: .unlocked)
        #expect(door.controller.start() == [.setRelay(unlocked: true)])
        _ = door.send(.command(.lock))
        #expect(door.controller.mode == .cardOnly)
    }

    @Test func exitButtonReleasesTheStrikeAndTheDoorMayOpen() {
        var door = DoorUnderTest()
        #expect(door.send(.exitButtonPressed) == [.record(.exitRequest), .pulseRelay(.seconds(5))])
        #expect(door.send(.doorPosition(open: true)) == [])
        #expect(door.send(.doorPosition(open: false)) == [])
    }

    @Test func openingWithoutAGrantIsForcedOpen() {
        var door = DoorUnderTest()
        #expect(door.send(.doorPosition(open: true)) == [.alarm(.forcedOpen, raised: true)])
        #expect(door.send(.doorPosition(open: false)) == [.alarm(.forcedOpen, raised: false)])
    }

    @Test func openingAfterTheStrikeRelockedIsForcedOpen() {
        var door = DoorUnderTest()
        _ = door.answer(door.send(.card(card)), with: .granted(extendedStrike: false))
        _ = door.advance(6)
        #expect(door.send(.doorPosition(open: true)) == [.alarm(.forcedOpen, raised: true)])
    }

    @Test func doorLeftOpenAfterAGrantRaisesHeldOpenOnce() {
        var door = DoorUnderTest()
        _ = door.answer(door.send(.card(card)), with: .granted(extendedStrike: false))
        _ = door.advance(1)
        #expect(door.send(.doorPosition(open: true)) == [])
        #expect(door.advance(29) == [])
        #expect(door.advance(1) == [.alarm(.heldOpen, raised: true)])
        #expect(door.advance(60) == [])
        #expect(door.send(.doorPosition(open: false)) == [.alarm(.heldOpen, raised: false)])
    }

    @Test func anUnlockedDoorMayStandOpen() {
        var door = DoorUnderTest(mode: .unlocked)
        #expect(door.send(.doorPosition(open: true)) == [])
        #expect(door.advance(3600) == [])
    }

    @Test func grantsAtAnUnlockedDoorAreLoggedButDoNotPulse() {
        var door = DoorUnderTest(mode: .unlocked)
        #expect(door.answer(door.send(.card(card)), with: .granted(extendedStrike: false)) == [.feedback(.granted)])
    }
}

@Suite struct PINEntryTests {
    @Test func hashAloneSubmitsNothing() {
        var entry = PINEntry(keyTimeout: .seconds(5))
        #expect(entry.press("#", now: 0) == .cleared)
        #expect(entry.isEmpty)
    }

    @Test func deadlineFollowsTheLastKey() {
        var entry = PINEntry(keyTimeout: .seconds(5))
        _ = entry.press("1", now: 0)
        _ = entry.press("2", now: 2 * second)
        #expect(entry.deadline == 7 * second)
        let expiredEarly = entry.expire(now: 6 * second)
        #expect(!expiredEarly)
        let expiredOnTime = entry.expire(now: 7 * second)
        #expect(expiredOnTime)
        #expect(entry.deadline == nil)
    }
}
