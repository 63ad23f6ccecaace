import Access
import Foundation
import Logging
import Metrics
import Timebase

/// A door as the running site holds it: its state machine and where its actions go.
public struct DoorBinding: Sendable {
    public var configuration: DoorConfiguration
    /// The name the door's reader goes by (its PD's name, or the Wiegand reader's).
    public var reader: String
    public var relay: any RelayDriver
    public var indicator: any ReaderIndicator

    public init(configuration: DoorConfiguration, reader: String, relay: any RelayDriver, indicator: any ReaderIndicator) {
        self.configuration = configuration
        self.reader = reader
        self.relay = relay
        self.indicator = indicator
    }
}

/// The doors of a running site. Reader reports, contacts, operator actions and time come in; each goes
/// through the door's state machine, whose actions are carried out here: decisions by the access core
/// (logged before anything moves), relays, reader feedback, alarms. One actor, so a door's events are
/// handled strictly in order.
public actor SiteRuntime: ReaderReportSink {
    /// A door as installed: its binding, its state machine, and what it last did (for status).
    private struct InstalledDoor {
        var binding: DoorBinding
        var controller: DoorController
        var lastEvent: String?
    }

    private var doors: [String: InstalledDoor] = [:]
    private var doorOrder: [String] = []
    private var readers = ReaderRegistry()
    /// The last state of each contact, so a report of every input acts only on those that changed.
    private var contactStates: [InputReference.Source: Bool] = [:]
    private let access: AccessControl
    private let database: DatabaseQueue
    private let databaseFileQueue = DispatchQueue(label: "keyway.database.file")
    private let logger: Logger
    /// Faults in force; drivers report to it directly, from any thread.
    public nonisolated let faults: FaultBoard
    /// Decisions asked and not yet answered; shutdown waits for them.
    private(set) var decisionsInFlight = 0
    /// Set when the service stops: from then on nothing new is decided or actuated.
    private var stopping = false
    /// Set once shutdown has sent the locks: from then on nothing moves a door, not even a late decision.
    private var doorsSecured = false
    /// Shutdown waiting for the decisions in flight to be answered.
    private var decisionWaiters: [CheckedContinuation<Void, Never>] = []
    /// Those waiting for what the door behind a reader makes of its next presentation (`keyway sim`), by watch.
    private var outcomeWatchers: [UInt64: (reader: String, outcomes: AsyncStream<DoorOutcome>.Continuation)] = [:]
    private var lastWatch: UInt64 = 0
    /// A grant whose caller waits for the door (a digital key's unlock), by door: the door's next strike release
    /// takes it and settles it with the relay's confirmation.
    private var openingWatches: [String: OpeningWatch] = [:]
    /// A grant whose decision took longer than this is not acted on: the person may be gone.
    private let staleReadLimit: Duration
    /// Operators' mode changes in force and not written yet (the write waits its turn behind the decisions
    /// queued before it), by door, each with its turn: `followModes` keeps them rather than the recorded mode.
    private var modesBeingWritten: [String: (mode: DoorMode, turn: Int)] = [:]
    private var modeTurns = 0

    public init(access: AccessControl, logger: Logger, staleReadLimit: Duration = SiteConfiguration.Site.defaultStaleReadLimit) {
        self.access = access
        self.logger = logger
        self.staleReadLimit = staleReadLimit
        database = DatabaseQueue(access: access)
        faults = FaultBoard(logger: logger)
    }

    /// Monotonic nanoseconds, the door state machines' time.
    private func now() -> UInt64 { MonotonicClock.now() }

    // MARK: Configuration

    /// Installs the doors of a (re)loaded configuration. A door whose configuration did not change
    /// keeps its state (a pending PIN, an alarm); a new or changed one starts in its configured mode;
    /// a door that is gone is locked.
    public func install(_ bindings: [DoorBinding], readers readerKinds: [String: ReaderKind]) async {
        let changed = bindings.map(\.configuration).filter { doors[$0.name]?.binding.configuration != $0 }
        let storedModes = await register(changed)
        var installed: [String: InstalledDoor] = [:]
        for binding in bindings {
            let name = binding.configuration.name
            if var kept = doors[name], kept.binding.configuration == binding.configuration {
                kept.binding = binding
                installed[name] = kept
                continue
            }
            var configuration = binding.configuration
            configuration.mode = storedModes[name] ?? configuration.mode
            installed[name] = InstalledDoor(binding: binding, controller: DoorController(configuration: configuration))
        }
        let removed = doors.filter { installed[$0.key] == nil }
        let started = installed.filter { doors[$0.key]?.binding.configuration != $0.value.binding.configuration }
        doors = installed
        doorOrder = bindings.map(\.configuration.name)
        readers.replace(with: readerKinds)
        for door in removed.values { await drive(door.binding, .setRelay(unlocked: false), door: door.binding.configuration.name) }
        for name in started.keys.sorted() {
            guard let door = doors[name] else { continue }
            await perform(door.controller.start(), at: name)
        }
    }

    /// Registers new or changed doors with the access core, through the database queue. The database
    /// keeps the mode across restarts (a lockdown stays a lockdown); new doors get the configured one.
    private func register(_ configurations: [DoorConfiguration]) async -> [String: DoorMode] {
        guard !configurations.isEmpty else { return [:] }
        return await database.perform { [faults] access in
            var modes: [String: DoorMode] = [:]
            for configuration in configurations {
                do {
                    modes[configuration.name] = try access.ensureDoor(name: configuration.name, mode: configuration.mode).mode
                } catch {
                    faults.report("database", "cannot register door \(configuration.name): \(error)")
                }
            }
            return modes
        }
    }

    // MARK: Inputs

    public func report(_ report: ReaderReport, from reader: String) async {
        let presentation: Presentation
        switch report {
        case .online, .offline:
            let online = report == .online
            guard let transition = readers.setOnline(online, reader: reader) else { return }
            var metadata: Logger.Metadata = ["reader": "\(reader)"]
            if let outage = transition.outage { metadata["offline_for"] = "\(outage.text)" }
            logger.log(level: online ? .info : .warning, "reader \(online ? "online" : "offline")", metadata: metadata)
            Gauge(label: "keyway_reader_online", dimensions: [("reader", reader)]).record(online ? 1 : 0)
            if online { faults.clear("reader \(reader)") } else { faults.report("reader \(reader)", "offline") }
            // An outage leaves rows at the reader's door: when it began, and when it ended with its length.
            if let door = door(servedBy: reader), !online || transition.outage != nil {
                record(DoorEvent(online ? .readerOnline : .readerOffline, door: door, reader: reader, at: Date(),
                                 detail: transition.outage.map { "offline for \($0.text)" }))
            }
            if !online, let door = door(servedBy: reader) { await handle(.readerOffline, at: door) }
            return
        case .noise(let reason):
            Counter(label: "keyway_wiegand_noise_total", dimensions: [("reader", reader)]).increment()
            logger.debug("reader noise", metadata: ["reader": "\(reader)", "reason": "\(reason)"])
            return
        case .rejected(let rejection):
            await rejected(rejection, from: reader)
            return
        case .alarm(let alarm, let raised, let detail):
            readerAlarm(alarm, raised: raised, detail: detail, reader: reader)
            return
        case .card(let card): presentation = .card(card)
        case .pin(let pin): presentation = .pin(pin)
        }
        guard let door = door(servedBy: reader) else {
            logger.warning("event from a reader that serves no door", metadata: ["reader": "\(reader)"])
            return
        }
        readers.noteEvent(presentation.description, reader: reader)
        switch presentation {
        case .card(let card): await handle(.card(card), at: door)
        case .pin(let pin): await handle(.pin(pin), at: door)
        case .cardAndPin, .digitalKey: break
        }
    }

    /// Readers whose driver was stopped on purpose (shutdown, a reload that changed or removed them):
    /// no longer online, but not a fault, and no warning.
    public func readersStopped(_ names: [String]) async {
        for reader in names where readers.stopped(reader) {
            if let door = door(servedBy: reader) { await handle(.readerOffline, at: door) }
        }
        for reader in names {
            faults.clear("reader \(reader)")
            for alarm in ReaderAlarm.allCases { faults.clear(Self.faultSource(alarm, reader: reader)) }
        }
    }

    /// A report refused before any decision: counted, logged with its reason, written to the activity log at
    /// the reader's door, and shown there as a denial (the person at the reader learns it did not work).
    private func rejected(_ rejection: RejectedReport, from reader: String) async {
        Counter(label: "keyway_reader_rejected_reports_total", dimensions: [("reader", reader), ("reason", rejection.reason.rawValue)]).increment()
        logger.warning("report rejected", metadata: [
            "reader": "\(reader)", "reason": "\(rejection.reason.rawValue)", "detail": "\(rejection.detail)",
        ])
        let summary = "rejected (\(rejection.reason.rawValue))"
        readers.noteEvent(summary, reader: reader)
        guard let door = door(servedBy: reader), let binding = doors[door]?.binding else { return }
        doors[door]?.lastEvent = summary
        record(DoorEvent(.reportRejected, door: door, reader: reader, at: Date(), detail: rejection.detail, reason: rejection.reason))
        await drive(binding, .feedback(.denied), door: door)
        tellWatchers(.refused(rejection, door: door), reader: reader)
    }

    /// A reader alarm is a fault while it lasts: logged and counted (by the fault board) when it is raised or its
    /// problem changes, written to the activity log at the reader's door, and logged when it clears.
    private func readerAlarm(_ alarm: ReaderAlarm, raised: Bool, detail: String, reader: String) {
        let source = Self.faultSource(alarm, reader: reader)
        guard raised else {
            faults.clear(source)
            return
        }
        guard faults.report(source, detail) else { return }
        Counter(label: "keyway_reader_alarms_total", dimensions: [("reader", reader), ("alarm", alarm.rawValue)]).increment()
        readers.noteEvent(alarm.rawValue, reader: reader)
        guard let door = door(servedBy: reader) else { return }
        doors[door]?.lastEvent = "\(alarm.rawValue) at \(reader)"
        record(DoorEvent(alarm.event, door: door, reader: reader, at: Date(), detail: detail))
    }

    /// "reader front-reader tamper": one fault per alarm, so each clears on its own.
    private static func faultSource(_ alarm: ReaderAlarm, reader: String) -> String {
        "reader \(reader) \(alarm.rawValue)"
    }

    /// A contact input changed: `closed` is the physical contact; the door's wiring says what it means.
    public func inputChanged(_ source: InputReference.Source, closed: Bool) async {
        guard contactStates.updateValue(closed, forKey: source) != closed else { return }
        for name in doorOrder {
            guard let configuration = doors[name]?.binding.configuration else { continue }
            if let position = configuration.doorPosition, position.source == source {
                await handle(.doorPosition(open: closed != (position.normally == .closed)), at: name)
            }
            if let button = configuration.exitButton, button.source == source, closed != (button.normally == .closed) {
                await handle(.exitButtonPressed, at: name)
            }
        }
    }

    // MARK: Operator actions (worded by `DoorOperator`)

    /// The door's mode now and its configured mode; nil when the site has no such door.
    public func modes(ofDoor name: String) -> (current: DoorMode, configured: DoorMode)? {
        doors[name].map { ($0.controller.mode, $0.binding.configuration.mode) }
    }

    /// The doors' names, in configuration order.
    public var doorNames: [String] { doorOrder }

    /// A digital key presented at a door through the HTTP API: the door asks the access core as for a card
    /// (decision logged before the relay moves) and acts on the answer. Returns the decision; nil for no such door
    /// or while the service stops.
    public func present(digitalKey token: String, at name: String) async -> Decision? {
        guard doors[name] != nil else { return nil }
        let (answers, answered) = AsyncStream.makeStream(of: Decision.self, bufferingPolicy: .bufferingNewest(1))
        guard await handle(.digitalKey(token: token), at: name, answered: { answered.yield($0); answered.finish() }) else { return nil }
        for await decision in answers { return decision }
        return nil
    }

    /// Releases a door's strike for a while, for `actor` (whom the log names); the door refuses in lockdown.
    public func unlock(_ name: String, for duration: Duration, actor: String? = nil) async {
        await handle(.unlock(for: duration, actor: actor), at: name)
    }

    /// Puts a door in a mode at once (the relay acts now: a lockdown must not wait for a stalled database), then
    /// writes the mode to the access core, which keeps (and logs) it, through the database queue behind the
    /// decisions already asked. Returns the door's mode once it is written. A write that fails takes the change
    /// back, except a lockdown: it stays in force (a fault says it is not recorded) until the door's mode is
    /// changed again or the service restarts. Either way the error is thrown.
    public func setMode(_ mode: DoorMode, door name: String, actor: String) async throws -> DoorMode {
        modeTurns += 1
        let turn = modeTurns
        let previous = modesBeingWritten[name]
        if doors[name] != nil {
            modesBeingWritten[name] = (mode, turn)
            await followMode(of: name, at: Date())
        }
        let written = await database.perform { access in Result { try access.store.setMode(door: name, mode, actor: actor) } }
        let source = "door mode \(name)"
        switch written {
        case .success:
            faults.clear(source)
            if modesBeingWritten[name]?.turn == turn { modesBeingWritten[name] = nil }
        case .failure(let error):
            if mode == .lockdown, modesBeingWritten[name]?.turn == turn {
                faults.report(source, "lockdown in force but not recorded (it ends at a restart): \(error)")
            } else if modesBeingWritten[name]?.turn == turn {
                // Back to the mode before: the recorded one, or a lockdown kept unrecorded.
                modesBeingWritten[name] = previous?.mode == .lockdown ? previous : nil
            }
        }
        await followModes()
        try written.get()
        return doors[name]?.controller.mode ?? mode
    }

    /// Locks a door now, ending a timed release; its mode stays.
    public func relock(_ name: String) async {
        await handle(.relock, at: name)
    }

    /// Brings each door to the mode the access core says is in force now (operator changes, mode schedules),
    /// after reading what other processes committed (`keyway doors mode` writes the database directly), and
    /// shows a clock fault while it lasts.
    public func followModes() async {
        let refreshed = await database.perform { access in Result { try access.refresh() } }
        switch refreshed {
        case .success: faults.clear("database reads")
        case .failure(let error): faults.report("database reads", "changes from other processes (door modes) cannot be read: \(error)")
        }
        let date = Date()
        defer { showClockFault() }
        for name in doorOrder { await followMode(of: name, at: date) }
    }

    /// Brings a door to the mode in force: the recorded one, or an operator's change being written.
    private func followMode(of name: String, at date: Date) async {
        guard let mode = access.mode(ofDoor: name, at: date, settingTo: modesBeingWritten[name]?.mode),
              mode != doors[name]?.controller.mode else { return }
        logger.info("door mode", metadata: ["door": "\(name)", "mode": "\(mode.rawValue)"])
        await handle(.mode(mode), at: name)
    }

    /// Whether the database's path still leads to the file the service opened: a file deleted or replaced under the
    /// service is a fault in status and `keyway_database_file_fault` (1 missing, 2 replaced), and the access core
    /// denies every decision meantime (`database_missing`) and logs the alarm. The service asks every second.
    /// The check (a stat, and a log row once the file is back) runs on a queue of its own: off the cooperative pool, and
    /// not behind a stalled database's writes.
    public nonisolated func checkDatabaseFile() async {
        let state = await withCheckedContinuation { continuation in
            databaseFileQueue.async { [access] in continuation.resume(returning: access.checkDatabaseFile()) }
        }
        show(state)
    }

    private nonisolated func show(_ state: DatabaseFile.State) {
        Gauge(label: "keyway_database_file_fault").record(Self.databaseFileGauge[state] ?? 1)
        if let problem = state.problem {
            faults.report("database file", "\(access.store.file.path): \(problem)")
        } else {
            faults.clear("database file")
        }
    }

    private static let databaseFileGauge: [DatabaseFile.State: Int] = [.intact: 0, .missing: 1, .replaced: 2]

    /// The access core's clock fault as a fault in status (and `keyway_faults_total`), and as a gauge.
    private func showClockFault() {
        let fault = access.clockFault
        Gauge(label: "keyway_clock_fault").record(fault == nil ? 0 : 1)
        if let fault { faults.report("clock", fault.description) } else { faults.clear("clock") }
    }

    /// Runs the timers that are due (PIN timeouts, held-open).
    public func tick() async {
        let now = now()
        for name in doorOrder {
            guard let deadline = doors[name]?.controller.nextDeadline(), deadline <= now else { continue }
            await handle(.tick, at: name)
        }
    }

    /// Locks every door and waits, at most `patience` in all, until each relay confirms it (the PD ACKed
    /// its OUT, the GPIO line was set): the state the service leaves the site in when it stops. Decisions
    /// already asked finish and act first (while time allows); nothing after the locks moves a door; queued
    /// door events are written. Returns the doors that could not be confirmed locked, in configuration order.
    @discardableResult
    public func secureAllDoors(within patience: Duration) async -> [String] {
        let deadline = ContinuousClock.now + patience
        stopping = true
        if await awaitAtMost(until: deadline, { await self.decisionsSettled() }) == nil {
            logger.error("shutdown: decisions still waiting for the database; locking the doors anyway")
        }
        doorsSecured = true
        let relays = doorOrder.compactMap { name in doors[name].map { (name, $0.binding.relay) } }
        for (name, _) in relays { logger.info("relay locked", metadata: ["door": "\(name)"]) }
        let confirmations = await withTaskGroup(of: (String, Bool?).self) { group in
            for (name, relay) in relays {
                group.addTask { (name, await awaitAtMost(until: deadline) { await relay.lockConfirmed() }) }
            }
            var confirmed: Set<String> = []
            for await (name, result) in group where result == true { confirmed.insert(name) }
            return confirmed
        }
        let unconfirmed = relays.map(\.0).filter { !confirmations.contains($0) }
        // The door events still queued reach the log before the service goes (their writes are not cut short).
        await database.drain()
        return unconfirmed
    }

    /// Returns once no decision is in flight (each answered and acted on).
    func decisionsSettled() async {
        guard decisionsInFlight > 0 else { return }
        await withCheckedContinuation { decisionWaiters.append($0) }
    }

    // MARK: Watching a reader (`keyway sim`)

    /// What the door `reader` serves makes of presentations from now on (the first is kept), until
    /// `stopWatching(_:)`: a watch begins before the presentation, so its outcome cannot be missed.
    public func watchOutcomes(atReader reader: String) -> (id: UInt64, outcomes: AsyncStream<DoorOutcome>) {
        let (outcomes, continuation) = AsyncStream.makeStream(of: DoorOutcome.self, bufferingPolicy: .bufferingOldest(1))
        lastWatch += 1
        outcomeWatchers[lastWatch] = (reader, continuation)
        return (lastWatch, outcomes)
    }

    public func stopWatching(_ id: UInt64) {
        outcomeWatchers.removeValue(forKey: id)?.outcomes.finish()
    }

    private func tellWatchers(_ outcome: DoorOutcome, reader: String) {
        for watcher in outcomeWatchers.values where watcher.reader == reader { watcher.outcomes.yield(outcome) }
    }

    // MARK: Status

    /// The doors as `keyway status` shows them, in configuration order.
    func doorSnapshots() -> [DoorSnapshot] {
        doorOrder.compactMap { name in
            doors[name].map { door in
                DoorSnapshot(
                    name: name, mode: door.controller.mode, configuredMode: door.binding.configuration.mode,
                    open: door.controller.isOpen, alarms: door.controller.alarms, lastEvent: door.lastEvent)
            }
        }
    }

    func readerSnapshots() -> [(name: String, reader: ReaderRegistry.Reader)] { readers.all }

    // MARK: Carrying out a door's actions

    private func door(servedBy reader: String) -> String? {
        doorOrder.first { doors[$0]?.binding.reader == reader }
    }

    /// Returns whether the input asked the access core for a decision; `answered` hears it (as the door acted
    /// on it) once the door has acted.
    @discardableResult
    private func handle(_ input: DoorInput, at name: String, answered: (@Sendable (Decision) -> Void)? = nil) async -> Bool {
        if stopping {
            // Only answers to decisions already asked are taken; nothing new opens a door.
            guard case .decided = input, !doorsSecured else { return false }
        }
        guard let actions = doors[name]?.controller.handle(input, now: now()) else { return false }
        return await perform(actions, at: name, answered: answered)
    }

    @discardableResult
    private func perform(_ actions: [DoorAction], at name: String, answered: (@Sendable (Decision) -> Void)? = nil) async -> Bool {
        var asked = false
        for action in actions {
            guard let binding = doors[name]?.binding else { return asked }
            if case .decide(let id, let credential) = action {
                ask(id, credential, binding: binding, answered: answered)
                asked = true
            } else {
                await drive(binding, action, door: name)
            }
        }
        return asked
    }

    /// Queues the question for the access core (which logs the decision before it answers) and returns at once:
    /// only the door that asked waits for the database. Whoever reported the credential (a bus with an exit
    /// button's input next in line, a timer with a release after it) goes on; the answer comes back to the door
    /// as `.decided`. Questions are queued in the order asked, so they are decided in that order.
    private func ask(_ id: DecisionRequestID, _ presentation: Presentation, binding: DoorBinding,
                     answered: (@Sendable (Decision) -> Void)?) {
        let door = binding.configuration.name
        let started = now()
        let date = Date()
        decisionsInFlight += 1
        database.enqueue { [weak self] access in
            let decision = access.decide(presentation, door: door, reader: binding.reader, at: date)
            Task { await self?.answer(id, decision, to: presentation, binding: binding, askedAt: started, answered: answered) }
        }
    }

    /// A decision's answer: logged and counted, then acted on by the door that asked.
    private func answer(_ id: DecisionRequestID, _ decision: Decision, to presentation: Presentation, binding: DoorBinding,
                        askedAt started: UInt64, answered: (@Sendable (Decision) -> Void)?) async {
        let door = binding.configuration.name
        defer {
            decisionsInFlight -= 1
            if decisionsInFlight == 0 { resumeDecisionWaiters() }
        }
        let acted = logDecision(decision, to: presentation, binding: binding, askedAt: started)
        // Whoever hears this decision (a digital key's caller, `keyway sim` watching the reader) hears whether the
        // door took the release; a card at a reader answers nobody, and nothing waits for its relay.
        let heardBySomeone = answered != nil || outcomeWatchers.values.contains { $0.reader == binding.reader }
        let watch = heardBySomeone && acted.granted ? OpeningWatch() : nil
        if let watch { openingWatches[door] = watch }
        await handle(.decided(id, acted.granted ? .granted(extendedStrike: false) : .denied), at: door)
        var heard = acted
        if let watch {
            if openingWatches[door] === watch {
                // No release to confirm (the door is held unlocked by its mode): the grant stands as it is.
                openingWatches[door] = nil
            } else if await awaitAtMost(until: .now + staleReadLimit + Self.confirmationGrace, { await watch.confirmed() }) != true {
                // The caller hears that the door may be shut, rather than "opened" in front of a locked door.
                heard = acted.dropped(.openingUnconfirmed)
            }
        }
        answered?(heard)
        tellWatchers(.decided(heard, door: door), reader: binding.reader)
    }

    /// How long past the stale-read limit (within which a release is sent or dropped) its hardware may take to
    /// answer; a relay that says nothing by then has not confirmed the opening.
    static let confirmationGrace = Duration.seconds(1)

    /// A release the relay's hardware did not confirm: logged, counted and written to the activity log; the
    /// person at the door may have to try again.
    private func openingUnconfirmed(door: String, reader: String) {
        let detail = "the strike's release was not confirmed (refused, not answered or not sent in time): the door may not have opened"
        Counter(label: "keyway_openings_unconfirmed_total", dimensions: [("door", door)]).increment()
        logger.warning("opening not confirmed", metadata: ["door": "\(door)", "reader": "\(reader)", "detail": "\(detail)"])
        doors[door]?.lastEvent = "opening not confirmed"
        record(DoorEvent(.openingUnconfirmed, door: door, reader: reader, at: Date(), detail: detail))
    }

    /// Logs, counts and shows a decision; the decision the door acts on (a grant that came too late is dropped).
    private func logDecision(_ decision: Decision, to presentation: Presentation, binding: DoorBinding, askedAt started: UInt64) -> Decision {
        let door = binding.configuration.name
        let elapsed = now() - started
        let result = decision.granted ? "granted" : "denied"
        let credential = presentation.description
        Timer(label: "keyway_decision_duration_seconds", preferredDisplayUnit: .seconds).recordNanoseconds(Int64(elapsed))
        Counter(label: "keyway_decisions_total", dimensions: [("result", result), ("reason", decision.reason?.rawValue ?? "none")]).increment()
        var metadata: Logger.Metadata = [
            "door": "\(door)", "reader": "\(binding.reader)", "credential": "\(credential)", "result": "\(result)",
        ]
        if let reason = decision.reason { metadata["reason"] = "\(reason.rawValue)" }
        if let person = decision.personName { metadata["person"] = "\(person)" }
        if !decision.alarms.isEmpty { metadata["alarms"] = "\(decision.alarms.map(\.rawValue).joined(separator: ","))" }
        let failed = decision.reason == .internalError
        logger.log(level: failed ? .error : decision.alarms.isEmpty ? .info : .warning, "decision", metadata: metadata)
        doors[door]?.lastEvent = "\(result) \(credential)\(decision.reason.map { " (\($0.rawValue))" } ?? "")"
        // One fault per outage, whichever door meets it; the access core's log line names the SQLite error.
        if failed {
            faults.report("database", "decisions fail and are denied (database error, see the log)")
        } else if decision.reason == .databaseMissing {
            show(access.store.file.state)
        } else {
            faults.clear("database")
        }
        if decision.granted, Duration.nanoseconds(elapsed) > staleReadLimit {
            grantDropped(after: .nanoseconds(elapsed), door: door, reader: binding.reader)
            return decision.dropped(.staleRead)
        }
        return decision
    }

    /// A grant that came too late to open the door: the person who presented may be gone. Logged, counted, and
    /// written to the activity log after the grant's own row; the door shows a denial.
    private func grantDropped(after elapsed: Duration, door: String, reader: String) {
        let detail = "the decision took \(elapsed.text), over the limit of \(staleReadLimit.text): the door was not opened"
        Counter(label: "keyway_grants_dropped_total", dimensions: [("door", door), ("reason", DenyReason.staleRead.rawValue)]).increment()
        logger.warning("grant dropped", metadata: ["door": "\(door)", "reader": "\(reader)", "reason": "\(DenyReason.staleRead.rawValue)", "detail": "\(detail)"])
        doors[door]?.lastEvent = "grant dropped (\(DenyReason.staleRead.rawValue))"
        record(DoorEvent(.grantDropped, door: door, reader: reader, at: Date(), detail: detail, reason: .staleRead))
    }

    private func resumeDecisionWaiters() {
        for waiter in decisionWaiters { waiter.resume() }
        decisionWaiters = []
    }

    private func drive(_ binding: DoorBinding, _ action: DoorAction, door: String) async {
        let metadata: Logger.Metadata = ["door": "\(door)"]
        switch action {
        case .decide: break
        case .pulseRelay(let duration):
            let watch = openingWatches.removeValue(forKey: door)
            binding.relay.pulse(for: duration) { [weak self, reader = binding.reader] confirmed in
                watch?.settle(confirmed)
                if !confirmed { Task { await self?.openingUnconfirmed(door: door, reader: reader) } }
            }
            logger.info("relay pulse", metadata: metadata.merging(["seconds": "\(duration.seconds)"]) { $1 })
        case .setRelay(let unlocked):
            binding.relay.hold(unlocked: unlocked)
            logger.info(unlocked ? "relay held unlocked" : "relay locked", metadata: metadata)
        case .feedback(let feedback):
            binding.indicator.show(feedback.pattern)
        case .alarm(let alarm, let raised):
            if raised { Counter(label: "keyway_door_alarms_total", dimensions: [("door", door), ("alarm", alarm.rawValue)]).increment() }
            logger.log(level: raised ? .warning : .info, raised ? "alarm" : "alarm cleared",
                       metadata: metadata.merging(["alarm": "\(alarm.rawValue)"]) { $1 })
            doors[door]?.lastEvent = "\(alarm.rawValue)\(raised ? "" : " cleared")"
            if raised { record(DoorEvent(alarm.event, door: door, reader: binding.reader, at: Date())) }
        case .record(let event, let actor):
            logger.info("door event", metadata: metadata.merging(["event": "\(event.rawValue)"]) { $1 })
            doors[door]?.lastEvent = event.rawValue
            record(DoorEvent(event, door: door, reader: binding.reader, at: Date(), actor: actor))
        }
    }

    /// Writes a door event to the activity log. A database that refuses it is a fault; the action it
    /// belongs to (an exit, an operator's unlock) still happens.
    private func record(_ entry: DoorEvent) {
        database.enqueue { [faults] access in
            do {
                try access.record(entry)
                faults.clear("database")
            } catch {
                faults.report("database", "door events cannot be logged (\(error))")
            }
        }
    }
}

/// What a door made of a presentation at its reader: the decision it acted on (a grant that came too late is a
/// denial), or a refusal before any decision (an unreadable card).
public enum DoorOutcome: Sendable, Equatable {
    case decided(Decision, door: String)
    case refused(RejectedReport, door: String)
}

/// A door as `keyway status` shows it.
struct DoorSnapshot {
    let name: String
    let mode: DoorMode
    let configuredMode: DoorMode
    let open: Bool?
    let alarms: Set<DoorAlarm>
    let lastEvent: String?
}

/// The result of `work`, or nil if `deadline` comes first; the work then goes on unawaited (a relay's
/// confirmation that never comes must not hold up shutdown).
func awaitAtMost<Value: Sendable>(
    until deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () async -> Value
) async -> Value? {
    let (results, continuation) = AsyncStream<Value?>.makeStream()
    Task { continuation.yield(await work()) }
    let timer = Task {
        try? await Task.sleep(until: deadline)
        continuation.yield(nil)
    }
    var iterator = results.makeAsyncIterator()
    let first = await iterator.next() ?? nil
    continuation.finish()
    timer.cancel()
    return first
}

/// Whether a strike release was confirmed, told once by the relay (from any thread) and awaited by one caller.
final class OpeningWatch: Sendable {
    private let answers: AsyncStream<Bool>
    private let answer: AsyncStream<Bool>.Continuation

    init() {
        (answers, answer) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingOldest(1))
    }

    func settle(_ confirmed: Bool) {
        answer.yield(confirmed)
        answer.finish()
    }

    /// The relay's answer; false if it ended without one.
    func confirmed() async -> Bool {
        for await confirmed in answers { return confirmed }
        return false
    }
}
