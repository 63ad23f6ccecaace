import Access
import Foundation
import KeywayTestSupport
import Logging
import Synchronization
import Testing
@testable import Bridge

/// A relay and reader that remember what they were told; the relay confirms its releases, or refuses them.
private final class Recorder: RelayDriver, ReaderIndicator {
    private let log = Mutex<[String]>([])
    private let confirms: Bool
    var actions: [String] { log.withLock { $0 } }
    private func note(_ action: String) { log.withLock { $0.append(action) } }

    init(confirms: Bool = true) { self.confirms = confirms }

    func pulse(for duration: Duration, confirmed: @escaping @Sendable (Bool) -> Void) {
        note("pulse")
        confirmed(confirms)
    }
    func hold(unlocked: Bool) { note(unlocked ? "held unlocked" : "locked") }
    func lockConfirmed() async -> Bool { true }
    func show(_ pattern: FeedbackPattern) { note("\(pattern.color)") }
}

/// A digital key presented at a door (the HTTP API's unlock) goes the way of a card at its reader.
@Suite struct DigitalKeyAtTheDoorTests {
    private static func site(relayConfirms: Bool = true) async throws -> (AccessControl, SiteRuntime, Recorder, IssuedKey) {
        let folder = try TestPaths.temporaryDirectory("bridge-key")
        let access = try AccessControl.open(database: folder.appendingPathComponent("keyway.sqlite"), timeZone: .gmt, checkpointEvery: nil)
        for door in ["Front", "Back"] { try access.store.addDoor(name: door) }
        try access.store.addPerson(name: "Ada")
        let key = try access.store.issueKey(person: "Ada", doors: ["Front"])
        // No practical limit: a whole suite on two cores can hold an answer's hop back for many seconds, and
        // staleness is tested elsewhere.
        let runtime = SiteRuntime(access: access, logger: Logger(label: "bridge-key"), staleReadLimit: .seconds(600))
        let recorder = Recorder(confirms: relayConfirms)
        let configuration = DoorConfiguration(
            name: "Front", reader: .osdp(bus: "main", address: 1), relay: .osdp(bus: "main", address: 1, output: 0), strike: .seconds(3),
            extendedStrike: .seconds(20), heldOpen: .seconds(30), doorPosition: nil, exitButton: nil, mode: .card, pinTimeout: .seconds(10))
        await runtime.install([DoorBinding(configuration: configuration, reader: "front-reader", relay: recorder, indicator: recorder)],
                              readers: ["front-reader": .osdp])
        return (access, runtime, recorder, key)
    }

    @Test func theDoorAsksTheAccessCoreAboutAKey() {
        var controller = DoorController(configuration: DoorConfiguration(
            name: "Front", reader: .wiegand(name: "r"), relay: .osdp(bus: "b", address: 1, output: 0), strike: .seconds(3),
            extendedStrike: .seconds(20), heldOpen: .seconds(30), doorPosition: nil, exitButton: nil, mode: .cardOrPin, pinTimeout: .seconds(10)))
        let actions = controller.handle(.digitalKey(token: "kw1.key_x.0.sig"), now: 1)
        guard case .decide(_, .digitalKey(let token))? = actions.first else {
            Issue.record("no decision asked: \(actions)")
            return
        }
        #expect(token == "kw1.key_x.0.sig")
    }

    @Test func aKeyIsDecidedLoggedThenPulsesTheRelay() async throws {
        let (access, runtime, recorder, key) = try await Self.site()
        let decision = try #require(await runtime.present(digitalKey: key.token, at: "Front"))
        #expect(decision.granted)
        #expect(decision.credentialID == key.credential.id)
        let logged = try #require(try access.store.activity(door: "Front").last { $0.kind == .decision })
        #expect(logged.sequence == decision.logSequence)
        #expect(logged.outcome == "grant")
        #expect(recorder.actions == ["locked", "pulse", "green"])
        #expect(await runtime.present(digitalKey: key.token, at: "Cellar") == nil)
    }

    @Test func lockdownAndRevocationRefuseAKeyAndTheRelayStaysPut() async throws {
        let (access, runtime, recorder, key) = try await Self.site()
        _ = try await DoorOperator(site: runtime).command(.lockdown, door: "Front", for: nil)
        let lockedDown = try #require(await runtime.present(digitalKey: key.token, at: "Front"))
        #expect(lockedDown.reason == .doorLockedDown)
        _ = try await DoorOperator(site: runtime).command(.normal, door: "Front", for: nil)
        try access.store.revoke(key.credential.id)
        let revoked = try #require(await runtime.present(digitalKey: key.token, at: "Front"))
        #expect(revoked.reason == .revoked)
        #expect(!recorder.actions.contains("pulse"))
    }

    /// A release the relay does not confirm (a NAK, no answer, an OUT dropped unsent): the key's holder hears that
    /// the door may not have opened, not "opened"; the grant's row stays and an opening_unconfirmed row follows it.
    @Test func aReleaseTheRelayDoesNotConfirmIsNotAnsweredAsOpened() async throws {
        let (access, runtime, recorder, key) = try await Self.site(relayConfirms: false)
        let decision = try #require(await runtime.present(digitalKey: key.token, at: "Front"))
        #expect(!decision.granted && decision.reason == .openingUnconfirmed && decision.credentialID == key.credential.id)
        #expect(recorder.actions.contains("pulse"))
        let deadline = ContinuousClock.now + .seconds(60)
        var rows: [String] = []
        while ContinuousClock.now < deadline {
            rows = try access.store.activity(door: "Front").filter { $0.kind == .decision || $0.event == "opening_unconfirmed" }
                .map { $0.event ?? $0.outcome ?? "" }
            if rows.count >= 2 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(rows == ["grant", "opening_unconfirmed"])
    }
}
