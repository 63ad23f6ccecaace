import Access
import Foundation
import KeywayTestSupport
import Logging
import Synchronization
import Testing
@testable import Bridge

private let second: UInt64 = 1_000_000_000
private let card = CardData.fields(format: "h10301", facility: 1, number: 100)

/// A relay and reader that remember what they were told; `confirms: false` is a relay whose lock is never
/// acknowledged (a PD that went silent).
private final class RecordingRelay: RelayDriver, ReaderIndicator {
    private let log = Mutex<[String]>([])
    private let confirms: Bool
    var actions: [String] { log.withLock { $0 } }

    init(confirms: Bool = true) { self.confirms = confirms }

    private func note(_ action: String) { log.withLock { $0.append(action) } }

    func pulse(for duration: Duration, confirmed: @escaping @Sendable (Bool) -> Void) {
        note("pulse")
        confirmed(true)
    }
    func hold(unlocked: Bool) { note(unlocked ? "held unlocked" : "locked") }
    func show(_ pattern: FeedbackPattern) { note("\(pattern.color)") }
    func lockConfirmed() async -> Bool {
        note("locked")
        guard confirms else {
            // Never answers: shutdown must not wait for it beyond its bound.
            try? await Task.sleep(for: .seconds(3600))
            return false
        }
        return true
    }
}

/// Two doors on recording relays, and the access core behind them.
private struct TwoDoors {
    let access: AccessControl
    let database: URL
    let secrets: URL
    let runtime: SiteRuntime
    let front: RecordingRelay
    let back: RecordingRelay

    init(_ label: String, back: RecordingRelay = RecordingRelay(), checkpoints: [any LogCheckpointSink]? = nil) async throws {
        let folder = try TestPaths.temporaryDirectory("bridge-\(label)")
        database = folder.appendingPathComponent("keyway.sqlite")
        secrets = folder.appendingPathComponent("secrets")
        access = try AccessControl.open(database: database, secrets: secrets, timeZone: .gmt, checkpointEvery: nil,
                                        checkpointSinks: checkpoints)
        for door in ["Front", "Back"] { try access.store.addDoor(name: door) }
        try access.store.addGroup(name: "Staff", doors: [(door: "Front", schedule: nil), (door: "Back", schedule: nil)])
        try access.store.addPerson(name: "Ada")
        try access.store.grant(person: "Ada", group: "Staff")
        try access.store.addCard(person: "Ada", card: card)
        runtime = SiteRuntime(access: access, logger: Logger(label: label))
        front = RecordingRelay()
        self.back = back
        await runtime.install([Self.binding("Front", relay: front), Self.binding("Back", relay: back)],
                              readers: ["front-reader": .osdp, "back-reader": .osdp])
    }

    private static func binding(_ door: String, relay: RecordingRelay) -> DoorBinding {
        let address = door == "Front" ? 1 : 2
        return DoorBinding(
            configuration: DoorConfiguration(
                name: door, reader: .osdp(bus: "main", address: address), relay: .osdp(bus: "main", address: address, output: 0),
                strike: .seconds(3), extendedStrike: .seconds(20), heldOpen: .seconds(30), doorPosition: nil, exitButton: nil,
                mode: .card, pinTimeout: .seconds(10)),
            reader: door == "Front" ? "front-reader" : "back-reader", relay: relay, indicator: relay)
    }

    var doors: DoorOperator { DoorOperator(site: runtime) }
}

@Suite struct DoorsLockedTests {
    // MARK: Mode changes act on the relay at once

    @Test func aLockdownDuringATimedUnlockRelocksTheStrikeAtOnce() {
        var door = DoorController(configuration: DoorConfiguration(
            name: "Lobby", reader: .osdp(bus: "main", address: 1), relay: .osdp(bus: "main", address: 1, output: 0),
            strike: .seconds(5), extendedStrike: .seconds(20), heldOpen: .seconds(30), doorPosition: nil, exitButton: nil,
            mode: .card, pinTimeout: .seconds(10)))
        let start: UInt64 = 1_000 * second
        #expect(door.handle(.unlock(for: .seconds(60)), now: start) == [.record(.unlocked), .pulseRelay(.seconds(60))])
        #expect(door.handle(.mode(.lockdown), now: start + second) == [.setRelay(unlocked: false)])
        // The release is over: an opening now is forced.
        #expect(door.handle(.doorPosition(open: true), now: start + 2 * second) == [.alarm(.forcedOpen, raised: true)])
    }

    @Test func anOperatorsLockEndsATimedUnlockWithoutChangingTheMode() {
        var door = DoorController(configuration: DoorConfiguration(
            name: "Lobby", reader: .osdp(bus: "main", address: 1), relay: .osdp(bus: "main", address: 1, output: 0),
            strike: .seconds(5), extendedStrike: .seconds(20), heldOpen: .seconds(30), doorPosition: nil, exitButton: nil,
            mode: .card, pinTimeout: .seconds(10)))
        _ = door.handle(.unlock(for: .seconds(60)), now: second)
        #expect(door.handle(.relock, now: 2 * second) == [.setRelay(unlocked: false)])
        #expect(door.mode == .card)
        #expect(door.nextDeadline() == nil)
    }

    @Test(.timeLimit(.minutes(2))) func aLockdownOverTheSocketDuringATimedUnlockSendsTheLock() async throws {
        let site = try await TwoDoors("lockdown-timed")
        _ = try await site.doors.command(.unlock, door: "Back", for: .seconds(60))
        #expect(try await site.doors.command(.lockdown, door: "Back", for: nil) == "Back is now lockdown")
        #expect(site.back.actions == ["locked", "pulse", "locked"])
        // `door lock` in the door's own mode still ends a timed unlock.
        _ = try await site.doors.command(.unlock, door: "Front", for: .seconds(60))
        #expect(try await site.doors.command(.lock, door: "Front", for: nil) == "Front is now card")
        #expect(site.front.actions == ["locked", "pulse", "locked"])
    }

    /// Every change an operator makes is in the log with who made it, a timed unlock too (it is the door's own event).
    @Test(.timeLimit(.minutes(2))) func aTimedUnlockIsLoggedWithTheOperatorWhoAskedForIt() async throws {
        let site = try await TwoDoors("timed-actor")
        _ = try await site.doors.command(.unlock, door: "Back", for: .seconds(5), actor: "api:user_desk")
        #expect(try await eventually(within: .seconds(30)) {
            try site.access.store.activity().contains { $0.event == "unlocked" && $0.door == "Back" && $0.actor == "api:user_desk" }
        })
    }

    @Test(.timeLimit(.minutes(2))) func aLockdownWrittenByAnotherProcessRelocksAHeldDoorWithoutWaitingForACard() async throws {
        let site = try await TwoDoors("lockdown-cli")
        #expect(try await site.doors.command(.unlock, door: "Back", for: nil) == "Back is now unlocked")
        #expect(site.back.actions == ["locked", "held unlocked"])
        // `keyway doors mode Back lockdown`: its own connection to the database, not the service's.
        let cli = try AccessStore.open(database: site.database, secrets: site.secrets, timeZone: .gmt, creating: false)
        try cli.setMode(door: "Back", .lockdown, actor: "keyway doors mode")
        await site.runtime.followModes()
        #expect(site.back.actions == ["locked", "held unlocked", "locked"])
        #expect(await site.runtime.modes(ofDoor: "Back")?.current == .lockdown)
    }

    // MARK: The clock fault and the last checkpoint

    @Test(.timeLimit(.minutes(2))) func aClockSetBackIsAFaultInStatusUntilAcknowledged() async throws {
        let site = try await TwoDoors("clock-fault")
        // A decision stamped tomorrow: today's clock is now more than the tolerance behind the latest time seen.
        _ = site.access.decide(.card(card), door: "Front", reader: "front-reader", at: Date() + 86_400)
        await site.runtime.followModes()
        let faults = site.runtime.faults.list()
        #expect(faults.count == 1)
        #expect(faults.first?.hasPrefix("clock: the clock reads ") == true)
        // The operator says today's clock is right.
        try site.access.acknowledgeClockFault(actor: "test")
        await site.runtime.followModes()
        #expect(site.runtime.faults.list() == [])
    }

    // MARK: Shutdown waits for the locks, within a bound

    @Test(.timeLimit(.minutes(2))) func shutdownLocksEveryDoorAndNamesTheOneThatNeverConfirmed() async throws {
        let site = try await TwoDoors("unconfirmed", back: RecordingRelay(confirms: false))
        _ = try await site.doors.command(.unlock, door: "Front", for: nil)
        _ = try await site.doors.command(.unlock, door: "Back", for: nil)
        #expect(await site.runtime.secureAllDoors(within: .seconds(1)) == ["Back"])
        #expect(site.front.actions.last == "locked")
        #expect(site.back.actions.last == "locked")
        // Nothing moves a door after the locks, not even a card.
        await site.runtime.report(.card(card), from: "front-reader")
        #expect(site.front.actions.last == "locked")
    }
}

/// Checkpoints as they are published.
private final class RecordedCheckpoints: LogCheckpointSink {
    let name = "test"
    private let published = Mutex<[LogCheckpoint]>([])
    var all: [LogCheckpoint] { published.withLock { $0 } }
    func publish(_ checkpoint: LogCheckpoint) throws { published.withLock { $0.append(checkpoint) } }
}

/// Runs blocking work (waiting for the peer) on a thread of its own, off the cooperative pool.
@discardableResult
private func offPool<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
    }
}

/// Eight doors, each on its own libosdp PD on one 9600 baud line: the site of the shutdown report.
@Suite(.serialized) struct DoorsLockedEndToEndTests {
    static let addresses: [UInt8] = Array(1...8)

    private static func door(_ address: UInt8) -> String { "Door \(address)" }

    /// The OUT "permanent off, abort timed" for output 0 of `address`, as the PD logged it.
    private static func isLock(_ event: PeerEvent, address: UInt8) -> Bool {
        event.string("type") == "output" && event.int("address") == Int(address) && event.int("output_no") == 0
            && event.int("control_code") == 1
    }

    @Test(.timeLimit(.minutes(4))) func stopWaitsUntilEveryPDHasItsLockAndCheckpointsTheLog() async throws {
        let folder = try TestPaths.temporaryDirectory("bridge-stop-locks")
        // A line with a hand on it: the lock frames can be made to need the control panel's retry.
        let line = try LineRelay()
        defer { line.stop() }
        let device = line.controlPanelSide
        let peer = try await offPool { try OSDPPeer(.init(addresses: Self.addresses, device: line.peripheralSide)) }
        defer { peer.terminate() }
        let pds = Self.addresses.map { "      - {address: \($0), name: reader-\($0), secure: off}" }.joined(separator: "\n")
        let doors = Self.addresses.map { address in
            """
              - name: \(Self.door(address))
                reader: {bus: doors, address: \(address)}
                relay: {bus: doors, address: \(address), output: 0}
            """
        }.joined(separator: "\n")
        let yaml = """
            site: {name: Locks, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - name: doors
                device: \(device)
                baud: 9600
                pds:
            \(pds)
            doors:
            \(doors)
            api: {socket: control.sock}
            """
        let file = folder.appendingPathComponent("site.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let configuration = try loadSiteConfiguration(path: file.path)
        let checkpoints = RecordedCheckpoints()
        let access = try AccessControl.open(database: configuration.database, secrets: configuration.secrets, timeZone: .gmt,
                                            checkpointEvery: nil, checkpointSinks: [checkpoints])
        let supervisor = SiteSupervisor(configuration: configuration, source: .file(file.path), access: access, logger: Logger(label: "stop-locks"))
        await supervisor.start()
        for address in Self.addresses { try await offPool { try peer.awaitOnline(address: address, timeout: 90) } }
        // Each door's relay is locked when the site starts: those locks are not the ones shutdown sends.
        for address in Self.addresses { try await offPool { try peer.awaitEvent("command", timeout: 30) { Self.isLock($0, address: address) } } }

        // A lockdown during a timed unlock reaches the PD as a lock.
        let first = Self.addresses[0]
        _ = try await DoorOperator(site: supervisor.runtime).command(.unlock, door: Self.door(first), for: .seconds(60))
        try await offPool { try peer.awaitEvent("command", timeout: 30) { $0.string("type") == "output" && $0.int("control_code") == 5 } }
        _ = try await DoorOperator(site: supervisor.runtime).command(.lockdown, door: Self.door(first), for: nil)
        try await offPool { try peer.awaitEvent("command", timeout: 30) { Self.isLock($0, address: first) } }
        _ = try await DoorOperator(site: supervisor.runtime).command(.normal, door: Self.door(first), for: nil)
        try await offPool { try peer.awaitEvent("command", timeout: 30) { Self.isLock($0, address: first) } }

        // Every door held unlocked, every hold seen by its PD.
        for address in Self.addresses {
            _ = try await DoorOperator(site: supervisor.runtime).command(.unlock, door: Self.door(address), for: nil)
        }
        for address in Self.addresses {
            try await offPool {
                try peer.awaitEvent("command", timeout: 30) { $0.string("type") == "output" && $0.int("address") == Int(address) && $0.int("control_code") == 2 }
            }
        }
        #expect(checkpoints.all.isEmpty)

        // Noise on the line as the service stops: the next three frames to the PDs are lost, and each costs the
        // control panel its reply timeout (200 ms) before it sends again. Shutdown waits for every ACK regardless.
        line.corrupt(next: 3, .toPeripherals)
        #expect(await supervisor.stop() == [])
        // The link is closed now; each PD already has its lock.
        for address in Self.addresses {
            #expect(throws: Never.self) { try peer.awaitEvent("command", timeout: 1) { Self.isLock($0, address: address) } }
        }
        // The log's last rows (the mode changes) are covered by a checkpoint sent at stop.
        #expect(checkpoints.all.count == 1)
    }
}
