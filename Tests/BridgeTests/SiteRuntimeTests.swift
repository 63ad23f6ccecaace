import Access
import Foundation
import KeywayTestSupport
import Logging
import Synchronization
import Testing
@testable import Bridge

/// A door's relay and reader, or a reader's wire, that remembers what it was told.
private final class RecordingHardware: RelayDriver, ReaderIndicator, SwitchedOutput {
    private let log = Mutex<[String]>([])
    var actions: [String] { log.withLock { $0 } }

    func note(_ action: String) { log.withLock { $0.append(action) } }

    func pulse(for duration: Duration, confirmed: @escaping @Sendable (Bool) -> Void) {
        note("pulse")
        confirmed(true)
    }
    func hold(unlocked: Bool) { note(unlocked ? "held unlocked" : "locked") }
    func lockConfirmed() async -> Bool {
        note("locked")
        return true
    }
    func show(_ pattern: FeedbackPattern) { note("\(pattern.color)") }
    func play(on: Duration, off: Duration, times: Int) { note("\(times)x \(on) on \(off) off") }
    func hold(active: Bool) { note(active ? "on" : "off") }
}

/// Another process holding the database's write lock (a stuck admin tool, a backup): the service's
/// writes fail ("database is locked") once the access core's busy timeout has passed. Running as
/// root, a read-only folder or file would not stop the service, and a replaced file is not noticed
/// by an open connection; this is the database error a test can cause for certain.
private final class DatabaseLockHolder {
    private let process = Process()
    private let input = Pipe()

    struct NotLocked: Error {}

    init(database: URL) throws {
        let output = Pipe()
        process.executableURL = TestPaths.python
        process.arguments = ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            sys.stdin.readline()
            db.execute("ROLLBACK")
            """, database.path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        guard String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).hasPrefix("locked") else {
            release()
            throw NotLocked()
        }
    }

    func release() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

@Suite struct SiteRuntimeTests {
    private static let card = CardData.fields(format: "h10301", facility: 1, number: 100)

    /// Front's exit button, on its PD's first input: reported by the same bus as Front's cards.
    private static let exitButton = InputReference.Source.osdp(bus: "main", address: 1, input: 0)

    private static func binding(_ door: String, reader: String, hardware: RecordingHardware) -> DoorBinding {
        DoorBinding(
            configuration: DoorConfiguration(
                name: door, reader: .osdp(bus: "main", address: door == "Front" ? 1 : 2),
                relay: .osdp(bus: "main", address: door == "Front" ? 1 : 2, output: 0), strike: .seconds(3),
                extendedStrike: .seconds(20), heldOpen: .seconds(30), doorPosition: nil,
                exitButton: door == "Front" ? InputReference(source: exitButton, normally: .open) : nil, mode: .card,
                pinTimeout: .seconds(10)),
            reader: reader, relay: hardware, indicator: hardware)
    }

    /// Front and Back, each with its own OSDP reader and relay, both open to Ada's card; Front has an exit button.
    /// `syncs` is told of each sync of the database's log.
    /// `staleReadLimit`: by default none in practice (a loaded suite can delay an answer's hop back for seconds).
    private static func twoDoors(_ label: String, staleReadLimit: Duration = .seconds(600), durability: Durability = .fast,
                                  syncs: RecordingHardware? = nil) async throws -> (
        access: AccessControl, database: URL, runtime: SiteRuntime, front: RecordingHardware, back: RecordingHardware
    ) {
        let folder = try TestPaths.temporaryDirectory("bridge-\(label)")
        let database = folder.appendingPathComponent("keyway.sqlite")
        var hooks = SyncHooks()
        if let syncs { hooks.observer = { syncs.note("synced") } }
        let access = try AccessControl.open(
            database: database, secrets: folder.appendingPathComponent("secrets"), timeZone: .gmt, clockPolicy: ClockPolicy(tolerance: nil),
            durability: durability, syncHooks: hooks)
        for door in ["Front", "Back"] { try access.store.addDoor(name: door) }
        try access.store.addGroup(name: "Staff", doors: [(door: "Front", schedule: nil), (door: "Back", schedule: nil)])
        try access.store.addPerson(name: "Ada")
        try access.store.grant(person: "Ada", group: "Staff")
        try access.store.addCard(person: "Ada", card: card)
        let runtime = SiteRuntime(access: access, logger: Logger(label: label), staleReadLimit: staleReadLimit)
        let front = syncs ?? RecordingHardware(), back = RecordingHardware()
        await runtime.install(
            [binding("Front", reader: "front-reader", hardware: front), binding("Back", reader: "back-reader", hardware: back)],
            readers: ["front-reader": .osdp, "back-reader": .osdp])
        return (access, database, runtime, front, back)
    }

    @Test(.timeLimit(.minutes(2))) func aDatabaseErrorIsACountedDenialInStatusAndTheOtherDoorsKeepWorking() async throws {
        let (access, database, runtime, front, back) = try await Self.twoDoors("database-fault")

        let lock = try DatabaseLockHolder(database: database)
        let frontCard = Task { await runtime.report(.card(Self.card), from: "front-reader") }
        while await runtime.decisionsInFlight == 0 { try await Task.sleep(for: .milliseconds(10)) }
        // The other door keeps working while that decision waits for the database: an operator's timed
        // unlock needs no decision, and its log entry waits its turn.
        #expect(try await DoorOperator(site: runtime).command(.unlock, door: "Back", for: .seconds(2)) == "Back unlocked for 2s")
        #expect(back.actions == ["locked", "pulse"])
        #expect(await runtime.decisionsInFlight == 1)

        await frontCard.value
        await runtime.decisionsSettled()
        // Denied, red, and the strike untouched.
        #expect(front.actions == ["locked", "red"])
        #expect(runtime.faults.list() == ["database: decisions fail and are denied (database error, see the log)"])
        #expect(await runtime.doorSnapshots().first?.lastEvent == "denied card h10301 1:100 (internal_error)")

        // The database recovers: decisions work again without a restart and the fault clears.
        lock.release()
        await runtime.report(.card(Self.card), from: "back-reader")
        await runtime.decisionsSettled()
        #expect(back.actions == ["locked", "pulse", "pulse", "green"])
        #expect(runtime.faults.list() == [])
        #expect(try access.store.activity(door: "Front").filter { $0.kind == .decision }.isEmpty)
        let backLog = try access.store.activity(door: "Back")
        #expect(backLog.filter { $0.kind == .decision }.map(\.outcome) == ["grant"])
        #expect(backLog.contains { $0.kind == .door && $0.event == "unlocked" })
    }

    /// A grant that took longer than the stale-read limit (the database held it up) is not acted on: the person
    /// may be gone. The grant's row stays; a grant_dropped row (stale_read) follows it, and the door shows a denial.
    @Test(.timeLimit(.minutes(2))) func aGrantThatComesTooLateOpensNothingAndIsLogged() async throws {
        let (access, database, runtime, front, _) = try await Self.twoDoors("late-grant", staleReadLimit: .milliseconds(300))
        let lock = try DatabaseLockHolder(database: database)
        let frontCard = Task { await runtime.report(.card(Self.card), from: "front-reader") }
        while await runtime.decisionsInFlight == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .seconds(1))
        lock.release()
        await frontCard.value
        await runtime.decisionsSettled()

        #expect(front.actions == ["locked", "red"])
        #expect(await runtime.doorSnapshots().first?.lastEvent == "grant dropped (stale_read)")
        #expect(try await eventually {
            try access.store.activity(door: "Front").filter { $0.kind == .decision || $0.event == "grant_dropped" }
                .map { $0.event ?? $0.outcome ?? "" } == ["grant", "grant_dropped"]
        })
        #expect(try access.store.activity(door: "Front").last?.reason == "stale_read")
    }

    /// `keyway sim` hears what the door behind its reader made of a presentation: a refusal before any decision, the
    /// decision the door acted on; nothing from another reader's door.
    @Test(.timeLimit(.minutes(2))) func aWatchHearsItsReadersDoorRefuseOrDecide() async throws {
        let (_, _, runtime, _, _) = try await Self.twoDoors("watch")
        let other = await runtime.watchOutcomes(atReader: "back-reader")
        let refusal = await runtime.watchOutcomes(atReader: "front-reader")
        await runtime.report(.rejected(RejectedReport(.formatError, "parity")), from: "front-reader")
        await runtime.stopWatching(refusal.id)
        var heard: [DoorOutcome] = []
        for await outcome in refusal.outcomes { heard.append(outcome) }
        #expect(heard == [.refused(RejectedReport(.formatError, "parity"), door: "Front")])

        let decision = await runtime.watchOutcomes(atReader: "front-reader")
        await runtime.report(.card(Self.card), from: "front-reader")
        await runtime.decisionsSettled()
        await runtime.stopWatching(decision.id)
        heard = []
        for await outcome in decision.outcomes { heard.append(outcome) }
        guard case .decided(let answer, let door)? = heard.first else { Issue.record("no decision heard: \(heard)"); return }
        #expect(heard.count == 1 && answer.granted && answer.personName == "Ada" && door == "Front")

        await runtime.stopWatching(other.id)
        for await outcome in other.outcomes { Issue.record("the other door's watch heard \(outcome)") }
    }

    @Test(.timeLimit(.minutes(2))) func anOperatorsModeChangeIsWrittenOffTheActorAndBeforeTheNextDecision() async throws {
        let (access, database, runtime, front, back) = try await Self.twoDoors("mode-write")

        // With the database's write lock held elsewhere, the mode write waits for it; the site does not.
        let lock = try DatabaseLockHolder(database: database)
        let lockdown = Task { try await DoorOperator(site: runtime).command(.lockdown, door: "Back", for: nil) }
        try await Task.sleep(for: .milliseconds(300))
        // Had the write run on the actor, this would wait for the database's busy timeout and the lockdown fail.
        #expect(try await DoorOperator(site: runtime).command(.unlock, door: "Front", for: .seconds(1)) == "Front unlocked for 1s")
        #expect(front.actions == ["locked", "pulse"])
        lock.release()
        #expect(try await lockdown.value == "Back is now lockdown")

        // The card after the command is decided with the mode it wrote.
        await runtime.report(.card(Self.card), from: "back-reader")
        await runtime.decisionsSettled()
        #expect(back.actions == ["locked", "locked", "red"])
        #expect(try access.store.activity(door: "Back").filter { $0.kind == .decision }.map(\.outcome) == ["deny"])
    }

    /// A lockdown during a timed release acts on the relay at once, though the database is stalled: the mode's write
    /// (queued behind the decisions asked before it) used to come first, so the strike stayed released while it waited.
    /// The row follows once the database is back, and the operator's answer with it.
    @Test(.timeLimit(.minutes(2))) func aLockdownLocksTheDoorBeforeItsRowIsWritten() async throws {
        let (access, database, runtime, _, back) = try await Self.twoDoors("mode-first")
        #expect(try await DoorOperator(site: runtime).command(.unlock, door: "Back", for: .seconds(60)) == "Back unlocked for 60s")
        let lock = try DatabaseLockHolder(database: database)
        let lockdown = Task { try await DoorOperator(site: runtime).command(.lockdown, door: "Back", for: nil) }
        let locked = try await eventually { back.actions.count > 2 }
        let modeMeanwhile = await runtime.modes(ofDoor: "Back")?.current
        lock.release()
        #expect(locked, "the relay waited for the database: \(back.actions)")
        #expect(back.actions == ["locked", "pulse", "locked"])
        #expect(modeMeanwhile == .lockdown)
        #expect(try await lockdown.value == "Back is now lockdown")
        #expect(try access.store.doors().first { $0.name == "Back" }?.mode == .lockdown)
        #expect(try access.store.activity(door: "Back").contains { $0.event == "door_mode" && $0.detail == "lockdown" })
    }

    /// A lockdown whose row cannot be written (the database stayed locked past its busy timeout) stays in force, with a
    /// fault saying it is not recorded; an unlocked mode that cannot be written is taken back. The operator hears the error.
    @Test(.timeLimit(.minutes(2))) func aLockdownThatCannotBeWrittenStaysAndAnUnlockIsTakenBack() async throws {
        let (access, database, runtime, front, back) = try await Self.twoDoors("mode-unwritten")
        let lock = try DatabaseLockHolder(database: database)
        await #expect(throws: (any Error).self) { try await runtime.setMode(.lockdown, door: "Back", actor: "test") }
        await #expect(throws: (any Error).self) { try await runtime.setMode(.unlocked, door: "Front", actor: "test") }
        await runtime.followModes()
        #expect(await runtime.modes(ofDoor: "Back")?.current == .lockdown)
        #expect(await runtime.modes(ofDoor: "Front")?.current == .card)
        #expect(back.actions == ["locked", "locked"])
        #expect(front.actions == ["locked", "held unlocked", "locked"])
        #expect(runtime.faults.list().contains { $0.hasPrefix("door mode Back: lockdown in force but not recorded") }, "\(runtime.faults.list())")

        // Once the database is back, the operator's next change is written and the fault ends.
        lock.release()
        #expect(try await runtime.setMode(.card, door: "Back", actor: "test") == .card)
        #expect(!runtime.faults.list().contains { $0.hasPrefix("door mode Back") })
        #expect(try access.store.doors().first { $0.name == "Back" }?.mode == .card)
    }

    /// A bus reports in order, and used to wait for each report's decision: a card waiting for a stalled
    /// database held up the exit button on the same PD's input (3.1 s seen) until the card was answered.
    @Test(.timeLimit(.minutes(2))) func anExitButtonIsNotHeldUpByACardWaitingForTheDatabase() async throws {
        let (_, database, runtime, front, _) = try await Self.twoDoors("exit-button")
        let lock = try DatabaseLockHolder(database: database)
        let bus = Task {
            await runtime.report(.card(Self.card), from: "front-reader")
            await runtime.inputChanged(Self.exitButton, closed: true)
        }
        #expect(try await eventually { front.actions.contains("pulse") })
        lock.release()
        await bus.value
        await runtime.decisionsSettled()
        // The exit released the strike first; the card's answer (whichever) came after it.
        #expect(Array(front.actions.prefix(2)) == ["locked", "pulse"], "\(front.actions)")
        #expect(front.actions.count == 3 || front.actions.count == 4, "\(front.actions)")
    }

    /// A use taken from a counted passcode is on disk before the strike moves; a card's row is synced after
    /// its pulse, within milliseconds (fast mode); in strict mode it is synced before.
    @Test(.timeLimit(.minutes(2))) func aCountedUseIsOnDiskBeforeTheStrikeMoves() async throws {
        for durability in Durability.allCases {
            let front = RecordingHardware()
            let (access, _, runtime, _, _) = try await Self.twoDoors("durability-\(durability)", durability: durability, syncs: front)
            var request = PasscodeRequest(label: "Delivery", doors: ["Front"])
            request.uses = .count(2)
            let code = try access.store.createPasscode(request).code
            _ = try await runtime.setMode(.cardOrPin, door: "Front", actor: "test")

            var start = front.actions.count
            await runtime.report(.pin(code), from: "front-reader")
            await runtime.decisionsSettled()
            #expect(Array(front.actions.dropFirst(start)) == ["synced", "pulse", "green"], "\(durability)")

            start = front.actions.count
            await runtime.report(.card(Self.card), from: "front-reader")
            await runtime.decisionsSettled()
            let card = Array(front.actions.dropFirst(start))
            if durability == .strict {
                #expect(card == ["synced", "pulse", "green"])
            } else {
                #expect(try await eventually(within: .seconds(120)) { front.actions.dropFirst(start).contains("synced") })
            }
        }
    }

    /// Deleted under the running service, the database went on taking decisions into a file no one would
    /// read again, with nothing in status.
    @Test(.timeLimit(.minutes(2))) func aDeletedDatabaseIsAFaultAndEveryCardIsDeniedUntilItIsBack() async throws {
        let (_, database, runtime, front, _) = try await Self.twoDoors("database-file")
        let aside = database.appendingPathExtension("aside")
        try FileManager.default.moveItem(at: database, to: aside)
        await runtime.checkDatabaseFile()
        #expect(runtime.faults.list().contains { $0.hasPrefix("database file: \(database.path): the database file is gone") }, "\(runtime.faults.list())")

        await runtime.report(.card(Self.card), from: "front-reader")
        await runtime.decisionsSettled()
        #expect(front.actions == ["locked", "red"])
        #expect(await runtime.doorSnapshots().first?.lastEvent == "denied card h10301 1:100 (database_missing)")

        try FileManager.default.moveItem(at: aside, to: database)
        await runtime.checkDatabaseFile()
        #expect(runtime.faults.list() == [])
        await runtime.report(.card(Self.card), from: "front-reader")
        await runtime.decisionsSettled()
        #expect(front.actions == ["locked", "red", "pulse", "green"])
    }
}

@Suite struct WiegandIndicatorTests {
    @Test func oneLEDWireShowsGreenLitAmberBlinkingAndRedAsTheReadersOwn() {
        let led = RecordingHardware(), beeper = RecordingHardware()
        let indicator = WiegandIndicator(led: led, beeper: beeper)
        indicator.show(ReaderFeedback.granted.pattern)
        indicator.show(ReaderFeedback.awaitingPIN.pattern)
        indicator.show(ReaderFeedback.denied.pattern)
        #expect(led.actions == ["1x 3.0 seconds on 0.0 seconds off", "10x 0.5 seconds on 0.5 seconds off", "off"])
        #expect(beeper.actions == ["1x 0.2 seconds on 0.0 seconds off", "1x 0.1 seconds on 0.0 seconds off", "3x 0.1 seconds on 0.1 seconds off"])
    }

    @Test func aReaderWithOnlyABeeperWireStillBeeps() {
        let beeper = RecordingHardware()
        WiegandIndicator(led: nil, beeper: beeper).show(ReaderFeedback.denied.pattern)
        #expect(beeper.actions == ["3x 0.1 seconds on 0.1 seconds off"])
    }
}
