import Access
import Testing
@testable import Bridge

private let card = CardData.fields(format: "h10301", facility: 12, number: 3456)
private let second: UInt64 = 1_000_000_000

/// A door with a fake clock: `now` only moves when a test says so.
private struct DoorUnderTest {
    var controller: DoorController
    var now: UInt64 = 1_000 * second

    init(mode: DoorMode = .card) {
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

    /// What the door asked the access core in `actions`.
    func question(in actions: [DoorAction]) -> (DecisionRequestID, Presentation)? {
        for action in actions { if case .decide(let id, let presentation) = action { return (id, presentation) } }
        return nil
    }

    /// The decision request among `actions`, answered with `outcome`.
    mutating func answer(_ actions: [DoorAction], with outcome: DecisionOutcome) -> [DoorAction] {
        guard let (id, _) = question(in: actions) else {
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
        #expect(asked.count == 1)
        #expect(door.question(in: asked)?.1 == .card(card))
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

    @Test func aPinAloneIsAskedAbout() {
        var door = DoorUnderTest(mode: .cardOrPin)
        #expect(door.question(in: door.send(.pin("9876")))?.1 == .pin("9876"))
    }

    @Test func cardAndPinWaitsForThePinThenAsksForBoth() {
        var door = DoorUnderTest(mode: .cardAndPin)
        #expect(door.send(.card(card)) == [.feedback(.awaitingPIN)])
        _ = door.advance(9)
        let asked = door.send(.pin("4321"))
        #expect(door.question(in: asked)?.1 == .cardAndPin(card, pin: "4321"))
        #expect(door.answer(asked, with: .granted(extendedStrike: false)).contains(.pulseRelay(.seconds(5))))
    }

    @Test func cardAndPinTimeoutAsksAboutTheCardAloneSoTheDenialIsLogged() {
        var door = DoorUnderTest(mode: .cardAndPin)
        _ = door.send(.card(card))
        #expect(door.controller.nextDeadline() == door.now + 10 * second)
        let asked = door.advance(10)
        #expect(door.question(in: asked)?.1 == .card(card))
        // A PIN arriving afterwards is a PIN alone.
        #expect(door.question(in: door.send(.pin("4321")))?.1 == .pin("4321"))
    }

    @Test func readerGoingOfflineForgetsTheCardWaitingForItsPin() {
        var door = DoorUnderTest(mode: .cardAndPin)
        _ = door.send(.card(card))
        _ = door.send(.readerOffline)
        #expect(door.question(in: door.send(.pin("4321")))?.1 == .pin("4321"))
        #expect(door.controller.nextDeadline() == nil)
    }

    @Test func lockdownWinsOverAGrantDecidedBeforeIt() {
        var door = DoorUnderTest(mode: .cardOrPin)
        let asked = door.send(.card(card))
        #expect(door.send(.mode(.lockdown)) == [.setRelay(unlocked: false)])
        #expect(door.answer(asked, with: .granted(extendedStrike: false)) == [.feedback(.denied)])
        #expect(door.send(.exitButtonPressed) == [])
        #expect(door.send(.unlock(for: .seconds(5))) == [])
    }

    @Test func unlockedModeHoldsTheRelayAndLockingReleasesIt() {
        var door = DoorUnderTest()
        #expect(door.send(.mode(.unlocked)) == [.setRelay(unlocked: true)])
        #expect(door.send(.mode(.card)) == [.setRelay(unlocked: false)])
        #expect(door.send(.unlock(for: .seconds(8))) == [.record(.unlocked), .pulseRelay(.seconds(8))])
    }

    @Test func aDoorConfiguredUnlockedStartsUnlocked() {
        #expect(DoorUnderTest(mode: .unlocked).controller.start() == [.setRelay(unlocked: true)])
        #expect(DoorUnderTest(mode: .card).controller.start() == [.setRelay(unlocked: false)])
    }

    @Test func exitButtonReleasesTheStrikeAndTheDoorMayOpen() {
        var door = DoorUnderTest()
        #expect(door.send(.exitButtonPressed) == [.record(.requestToExit), .pulseRelay(.seconds(5))])
        #expect(door.send(.doorPosition(open: true)) == [.record(.opened)])
        #expect(door.send(.doorPosition(open: false)) == [.record(.closed)])
    }

    @Test func openingWithoutAGrantIsForcedOpen() {
        var door = DoorUnderTest()
        #expect(door.send(.doorPosition(open: true)) == [.alarm(.forcedOpen, raised: true)])
        #expect(door.send(.doorPosition(open: false)) == [.record(.closed), .alarm(.forcedOpen, raised: false)])
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
        #expect(door.send(.doorPosition(open: true)) == [.record(.opened)])
        #expect(door.advance(29) == [])
        #expect(door.advance(1) == [.alarm(.heldOpen, raised: true)])
        #expect(door.advance(60) == [])
        #expect(door.send(.doorPosition(open: false)) == [.record(.closed), .alarm(.heldOpen, raised: false)])
    }

    @Test func anUnlockedDoorMayStandOpen() {
        var door = DoorUnderTest(mode: .unlocked)
        #expect(door.send(.doorPosition(open: true)) == [.record(.opened)])
        #expect(door.advance(3600) == [])
    }

    @Test func grantsAtAnUnlockedDoorAreLoggedButDoNotPulse() {
        var door = DoorUnderTest(mode: .unlocked)
        #expect(door.answer(door.send(.card(card)), with: .granted(extendedStrike: false)) == [.feedback(.granted)])
    }
}
