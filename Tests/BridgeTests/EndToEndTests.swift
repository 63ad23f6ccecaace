import Access
import Foundation
import KeywayTestSupport
import Logging
import Testing
import Wiegand
@testable import Bridge

/// Runs blocking work (waiting for the peer) on a thread of its own: blocking one of the few
/// cooperative threads would starve the very site the test waits for.
private func offPool<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
    }
}

/// A one-door site whose reader and relay board is a real libosdp PD on a pseudo-terminal, run by
/// the real site supervisor, control panel and access core.
private final class SiteUnderTest: @unchecked Sendable {
    static let door = "Lobby"
    static let passcode = "482916"

    let folder: URL
    let device: String
    let file: URL
    private(set) var peer: OSDPPeer
    let access: AccessControl
    let supervisor: SiteSupervisor

    init() async throws {
        folder = try TestPaths.temporaryDirectory("bridge-e2e")
        device = folder.appendingPathComponent("ttyDoor").path
        peer = try await offPool { [device] in try OSDPPeer(.init(addresses: [1], link: device, extraArguments: ["--outputs", "2"])) }
        let yaml = """
            site: {name: E2E, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - name: door-bus
                device: \(device)
                pds:
                  - {address: 1, name: door-reader, secure: off, outputs: 2}
            doors:
              - name: \(Self.door)
                reader: {bus: door-bus, address: 1}
                relay: {bus: door-bus, address: 1, output: 0}
                strike: 3s
                mode: card_or_pin
                door_position: {bus: door-bus, address: 1, input: 0, normally: closed}
                exit_button: {bus: door-bus, address: 1, input: 1, normally: open}
            api: {socket: control.sock}
            """
        file = folder.appendingPathComponent("site.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let configuration = try loadSiteConfiguration(path: file.path)
        access = try AccessControl.open(database: configuration.database, secrets: configuration.secrets, timeZone: .gmt)
        try Self.seed(access.store)
        supervisor = SiteSupervisor(configuration: configuration, source: .file(file.path), access: access, logger: Logger(label: "e2e"))
        await supervisor.start()
        // Generous: on a loaded machine the first polls may time out and the bus backs off a little.
        try await awaitOnline()
    }

    private static func seed(_ store: AccessStore) throws {
        try store.addDoor(name: door, mode: .cardOrPin)
        try store.addGroup(name: "Staff", doors: [(door: door, schedule: nil)])
        try store.addPerson(name: "Ada")
        try store.grant(person: "Ada", group: "Staff")
        try store.addCard(person: "Ada", card: .fields(format: "h10301", facility: 1, number: 100))
        let lost = try store.addCard(person: "Ada", card: .fields(format: "h10301", facility: 1, number: 200))
        try store.revoke(lost.id, reason: "lost")
        var delivery = PasscodeRequest(label: "Delivery", doors: [door])
        delivery.code = passcode
        delivery.uses = .count(1)
        try store.createPasscode(delivery)
    }

    /// The PD online at both ends: the service serves its cards (a read it may have kept from before is refused).
    func awaitOnline() async throws {
        let peer = peer
        try await offPool { try peer.awaitOnline(address: 1, timeout: 60) }
        #expect(try await eventually(within: .seconds(60)) { await self.supervisor.status().buses.first?.pds.first?.online == true })
    }

    func swipe(facility: UInt64, card: UInt64) throws {
        let frame = try CardFormat.h10301.encode(CardFields(facility: facility, card: card))
        let bits = (0..<frame.bitCount).map { frame.bit(at: $0) ? "1" : "0" }.joined()
        try peer.send(["cmd": "card", "address": 1, "bitstring": bits, "format": "wiegand"])
    }

    /// The strike pulse the panel sent to the PD (OUT, temporary on, in tenths of a second).
    func awaitStrikePulse(tenths: Int = 30) async throws {
        let peer = peer
        try await offPool { try peer.awaitEvent("command") { event in
            event.string("type") == "output" && event.int("output_no") == 0 && event.int("control_code") == 5
                && event.int("timer_count") == tenths
        } }
    }

    /// Rewrites the configuration file with one replacement.
    func edit(_ text: String, to replacement: String) throws {
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: text, with: replacement)
            .write(to: file, atomically: true, encoding: .utf8)
    }

    /// The reader's LED lit in `color` (OSDP colour code).
    func awaitLED(color: Int) async throws {
        let peer = peer
        try await offPool { try peer.awaitEvent("command") { $0.string("type") == "led" && $0.int("on_color") == color } }
    }

    func awaitCommand(_ type: String) async throws {
        let peer = peer
        try await offPool { try peer.awaitCommand(type, address: 1) }
    }

    /// True when a strike pulse reaches the PD within half a second.
    func pulseArrivesSoon() async throws -> Bool {
        let peer = peer
        return try await offPool {
            (try? peer.awaitEvent("command", timeout: 0.5) { $0.string("type") == "output" && $0.int("control_code") == 5 }) != nil
        }
    }

    func restartPeer() async throws {
        let (old, device) = (peer, device)
        peer = try await offPool {
            // The link goes first, as udev removes it with the adapter: a reopen through a dangling link could
            // land on another test's new pseudo-terminal that took the freed number.
            unlink(device)
            old.kill()
            return try OSDPPeer(.init(addresses: [1], link: device, extraArguments: ["--outputs", "2"]))
        }
    }

    /// The decisions the activity log holds for the door, oldest first.
    func decisions() throws -> [ActivityEntry] {
        try access.store.activity(door: Self.door).filter { $0.kind == .decision }
    }

    func stop() async {
        await supervisor.stop()
        let peer = peer
        _ = try? await offPool { peer.terminate() }
    }
}

@Suite(.serialized) struct EndToEndTests {
    @Test func aCardAtThePDPulsesTheRelayLightsGreenBeepsAndIsLogged() async throws {
        let site = try await SiteUnderTest()
        try site.swipe(facility: 1, card: 100)
        try await site.awaitStrikePulse()
        try await site.awaitLED(color: 2)
        try await site.awaitCommand("buzzer")
        let decision = try #require(try site.decisions().last)
        #expect(decision.outcome == "grant")
        #expect(decision.reader == "door-reader")
        await site.stop()
    }

    @Test func aRevokedCardIsRefused() async throws {
        let site = try await SiteUnderTest()
        try site.swipe(facility: 1, card: 200)
        try await site.awaitLED(color: 1)
        // Commands reach the PD in order: a pulse for this card would have come before its LED.
        #expect(try await !site.pulseArrivesSoon())
        let decision = try #require(try site.decisions().last)
        #expect(decision.outcome == "deny")
        #expect(decision.reason == "revoked")
        await site.stop()
    }

    @Test func aTemporaryPasscodeOpensOnceThenIsRefused() async throws {
        let site = try await SiteUnderTest()
        try site.peer.pressKeys(address: 1, SiteUnderTest.passcode + "#")
        try await site.awaitStrikePulse()
        try await site.awaitLED(color: 2)
        try site.peer.pressKeys(address: 1, SiteUnderTest.passcode + "#")
        try await site.awaitLED(color: 1)
        let decisions = try site.decisions()
        #expect(decisions.map(\.outcome) == ["grant", "deny"])
        #expect(decisions.last?.reason == "use_limit_reached")
        // The PIN itself is never written to the log.
        #expect(try site.access.store.activity().allSatisfy { !($0.detail ?? "").contains(SiteUnderTest.passcode) })
        await site.stop()
    }

    @Test func aPDKilledAndRestartedServesAgainWithoutARestartOfTheService() async throws {
        let site = try await SiteUnderTest()
        try await site.restartPeer()
        try await site.awaitOnline()
        try site.swipe(facility: 1, card: 100)
        try await site.awaitStrikePulse()
        #expect(try site.decisions().last?.outcome == "grant")
        let status = await site.supervisor.status()
        #expect(status.buses.first?.open == true)
        await site.stop()
    }

    @Test func reloadRefusesABadFileAndAppliesAGoodOneWithoutReopeningTheBus() async throws {
        let site = try await SiteUnderTest()
        let openedAt = try #require(await site.supervisor.status().buses.first?.openedAt)
        try site.edit("strike: 3s", to: "strike: 3s\n    strick: 4s")
        let refused = await site.supervisor.reload()
        #expect(!refused.ok)
        #expect(refused.error?.contains("doors[0].strick: unknown key \"strick\", did you mean \"strike\"?") == true)

        try site.edit("strike: 3s\n    strick: 4s", to: "strike: 4s")
        #expect(await site.supervisor.reload().ok)
        try site.swipe(facility: 1, card: 100)
        try await site.awaitStrikePulse(tenths: 40)
        // The bus was left alone: its port was not reopened.
        #expect(await site.supervisor.status().buses.first?.openedAt == openedAt)
        await site.stop()
    }

    @Test func theDoorContactsOnThePDGiveForcedOpenAndTheExitButtonUnlocks() async throws {
        let site = try await SiteUnderTest()
        try site.peer.setInputs(address: 1, [1, 0, 0, 0])  // door closed, button released
        try site.peer.setInputs(address: 1, [0, 0, 0, 0])  // opened with the strike locked
        #expect(try await eventually { await site.supervisor.status().doors.first?.alarms == ["forced_open"] })
        // Door events are written off the site's actor, so the write may land after the status or the relay
        // command shows: wait for it.
        #expect(try await eventually { try site.access.store.activity(door: SiteUnderTest.door).contains { $0.event == "forced_open" } })

        try site.peer.setInputs(address: 1, [1, 0, 0, 0])  // closed again: the alarm clears
        #expect(try await eventually { await site.supervisor.status().doors.first?.alarms == [] })
        try site.peer.setInputs(address: 1, [1, 1, 0, 0])  // the exit button
        try await site.awaitStrikePulse()
        #expect(try await eventually { try site.access.store.activity(door: SiteUnderTest.door).contains { $0.event == "request_to_exit" } })
        await site.stop()
    }
}
