import Access
import Dispatch
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

/// The doors of a running site. Reader events, contacts, operator commands and time come in; each
/// goes through the door's state machine, whose actions are carried out here: decisions by the access
/// core (logged before anything moves), relays, reader feedback, alarms. One actor, so a door's events
/// are handled strictly in order.
public actor SiteRuntime {
    private struct Door {
        var binding: DoorBinding
        var controller: DoorController
        var lastEvent: String?
    }

    private var doors: [String: Door] = [:]
    private var doorOrder: [String] = []
    private var readers: [String: ReaderState] = [:]
    private var faults: [String: String] = [:]
    /// The last state of each contact, so a report of every input acts only on those that changed.
    private var contactStates: [InputReference.Source: Bool] = [:]
    private let access: AccessControl
    private let logger: Logger
    /// The access core's writes (decisions, door events) run here, in order, off the actor: a database
    /// that stalls (a write lock held by another process, slow storage) holds up only the writes behind
    /// it, never the other doors' exits, alarms, timers or `keyway status`.
    private let database = DispatchQueue(label: "keyway.database")
    /// Decisions asked and not yet answered; shutdown waits for them.
    private(set) var decisionsInFlight = 0
    /// Set when the service stops: from then on nothing new is decided or actuated.
    private var stopping = false

    private struct ReaderState {
        var kind: ReaderKind
        var online: Bool
        var lastEvent: String?
    }

    public init(access: AccessControl, logger: Logger) {
        self.access = access
        self.logger = logger
    }

    /// Monotonic nanoseconds, the door state machines' time.
    private func now() -> UInt64 { MonotonicClock.now() }

    // MARK: Configuration

    /// Installs the doors of a (re)loaded configuration. A door whose configuration did not change
    /// keeps its state (a pending PIN, an alarm); a new or changed one starts in its configured mode;
    /// a door that is gone is locked.
    public func install(_ bindings: [DoorBinding], readers readerKinds: [String: ReaderKind]) async {
        var installed: [String: Door] = [:]
        for binding in bindings {
            if var kept = doors[binding.configuration.name], kept.binding.configuration == binding.configuration {
                kept.binding = binding
                installed[binding.configuration.name] = kept
                continue
            }
            var configuration = binding.configuration
            do {
                // The database keeps the mode across restarts (a lockdown stays a lockdown); new doors get the configured one.
                configuration.mode = try access.ensureDoor(name: configuration.name, mode: configuration.mode).mode
            } catch {
                reportFault("database", "cannot register door \(configuration.name): \(error)")
            }
            installed[binding.configuration.name] = Door(binding: binding, controller: DoorController(configuration: configuration))
        }
        let removed = doors.filter { installed[$0.key] == nil }
        let started = installed.filter { doors[$0.key]?.binding.configuration != $0.value.binding.configuration }
        doors = installed
        doorOrder = bindings.map(\.configuration.name)
        readers = readerKinds.reduce(into: [:]) { result, reader in
            result[reader.key] = self.readers[reader.key] ?? ReaderState(kind: reader.value, online: false)
        }
        for door in removed.values { await drive(door.binding, .setRelay(unlocked: false), door: door.binding.configuration.name) }
        for name in started.keys.sorted() {
            guard let door = doors[name] else { continue }
            await perform(door.controller.start(), at: name)
        }
    }

    // MARK: Inputs

    public func readerEvent(_ event: ReaderEvent, from reader: String) async {
        switch event {
        case .online, .offline:
            let online = event == .online
            guard readers[reader]?.online != online else { return }
            readers[reader]?.online = online
            readers[reader]?.lastEvent = online ? "online" : "offline"
            logger.log(level: online ? .info : .warning, "reader \(online ? "online" : "offline")", metadata: ["reader": "\(reader)"])
            if online { clearFault("reader \(reader)") } else { reportFault("reader \(reader)", "offline") }
            if !online, let door = door(servedBy: reader) { await handle(.readerOffline, at: door) }
            return
        case .noise(let reason):
            Counter(label: "keyway_wiegand_noise_total", dimensions: [("reader", reader)]).increment()
            logger.debug("reader noise", metadata: ["reader": "\(reader)", "reason": "\(reason)"])
            return
        case .card, .pin:
            break
        }
        guard let door = door(servedBy: reader) else {
            logger.warning("event from a reader that serves no door", metadata: ["reader": "\(reader)"])
            return
        }
        readers[reader]?.lastEvent = event.summary
        switch event {
        case .card(let card): await handle(.card(card), at: door)
        case .pin(let pin): await handle(.pin(pin), at: door)
        case .online, .offline, .noise: break
        }
    }

    /// Readers whose driver was stopped on purpose (shutdown, a reload that changed or removed them):
    /// no longer online, but not a fault, and no warning.
    public func readersStopped(_ names: [String]) async {
        for reader in names where readers[reader]?.online == true {
            readers[reader]?.online = false
            readers[reader]?.lastEvent = "stopped"
            if let door = door(servedBy: reader) { await handle(.readerOffline, at: door) }
        }
        for reader in names { clearFault("reader \(reader)") }
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

    /// An operator's command from the control socket; returns what happened, in words. Mode changes
    /// go to the access core, which keeps (and logs) them; a timed unlock is the door's alone.
    public func command(_ action: DoorRequestAction, door name: String, for duration: Duration?) async throws(DoorCommandError) -> String {
        guard let door = doors[name] else {
            let hint = closestMatch(to: name, among: doorOrder).map { ", did you mean \"\($0)\"?" } ?? ""
            throw DoorCommandError(description: "no door \"\(name)\"\(hint)")
        }
        let configured = door.binding.configuration.mode
        let newMode: DoorMode
        switch action {
        case .unlock:
            guard door.controller.mode != .lockdown else {
                throw DoorCommandError(description: "\(name) is in lockdown: `keyway door normal \(name)` first")
            }
            guard let duration else {
                newMode = .unlocked
                break
            }
            await handle(.unlock(for: duration), at: name)
            return "\(name) unlocked for \(duration.text)"
        // Locking a door configured unlocked still lets credentials in.
        case .lock: newMode = configured == .unlocked ? .card : configured
        case .lockdown: newMode = .lockdown
        case .normal: newMode = configured
        }
        do {
            try access.store.setMode(door: name, newMode, actor: "keyway door \(action.rawValue)")
        } catch {
            throw DoorCommandError(description: "cannot change the mode of \(name): \(error)")
        }
        await followModes()
        return "\(name) is now \(doors[name]?.controller.mode.rawValue ?? newMode.rawValue)"
    }

    /// Brings each door to the mode the access core says is in force now (operator changes, mode schedules).
    public func followModes() async {
        let date = Date()
        for name in doorOrder {
            guard let mode = access.mode(ofDoor: name, at: date), mode != doors[name]?.controller.mode else { continue }
            logger.info("door mode", metadata: ["door": "\(name)", "mode": "\(mode.rawValue)"])
            await handle(.mode(mode), at: name)
        }
    }

    /// Runs the timers that are due (PIN timeouts, held-open).
    public func tick() async {
        let now = now()
        for name in doorOrder {
            guard let deadline = doors[name]?.controller.nextDeadline(), deadline <= now else { continue }
            await handle(.tick, at: name)
        }
    }

    /// Locks every door: the state the service leaves the site in when it stops. Decisions already
    /// asked finish and act first; nothing after them opens a door; queued door events are written.
    public func secureAllDoors() async {
        stopping = true
        while decisionsInFlight > 0 { try? await Task.sleep(for: .milliseconds(10)) }
        for name in doorOrder {
            guard let door = doors[name] else { continue }
            await drive(door.binding, .setRelay(unlocked: false), door: name)
        }
        // The door events still queued reach the log before the service goes.
        await withCheckedContinuation { continuation in database.async { continuation.resume() } }
    }

    // MARK: Faults and status

    public func reportFault(_ source: String, _ problem: String) {
        guard faults[source] != problem else { return }
        faults[source] = problem
        Counter(label: "keyway_faults_total", dimensions: [("source", source)]).increment()
        logger.error("fault", metadata: ["source": "\(source)", "problem": "\(problem)"])
    }

    public func clearFault(_ source: String) {
        guard faults.removeValue(forKey: source) != nil else { return }
        logger.info("fault cleared", metadata: ["source": "\(source)"])
    }

    public func doorStatus() -> [ServiceStatus.Door] {
        doorOrder.compactMap { name in
            doors[name].map { door in
                ServiceStatus.Door(
                    name: name, mode: door.controller.mode.rawValue, configuredMode: door.binding.configuration.mode.rawValue,
                    open: door.controller.isOpen, alarms: door.controller.alarms.map(\.rawValue).sorted(), lastEvent: door.lastEvent)
            }
        }
    }

    public func readerStatus() -> [ServiceStatus.Reader] {
        readers.keys.sorted().compactMap { name in
            readers[name].map { ServiceStatus.Reader(name: name, kind: $0.kind.rawValue, online: $0.online, lastEvent: $0.lastEvent) }
        }
    }

    public func faultList() -> [String] { faults.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" } }

    // MARK: Carrying out a door's actions

    private func door(servedBy reader: String) -> String? {
        doorOrder.first { doors[$0]?.binding.reader == reader }
    }

    private func handle(_ input: DoorInput, at name: String) async {
        guard doors[name] != nil else { return }
        if stopping {
            // Only answers to decisions already asked are taken; nothing new opens a door.
            guard case .decided = input else { return }
        }
        let actions = doors[name]!.controller.handle(input, now: now())
        await perform(actions, at: name)
    }

    private func perform(_ actions: [DoorAction], at name: String) async {
        for action in actions {
            guard let binding = doors[name]?.binding else { return }
            if case .decide(let id, let credential) = action {
                let outcome = await decide(credential, binding: binding)
                await handle(.decided(id, outcome), at: name)
            } else {
                await drive(binding, action, door: name)
            }
        }
    }

    /// Asks the access core, which logs the decision before it answers; the answer is what the door acts on.
    private func decide(_ presentation: Presentation, binding: DoorBinding) async -> DecisionOutcome {
        let door = binding.configuration.name
        let started = now()
        let date = Date()
        decisionsInFlight += 1
        let decision = await withCheckedContinuation { continuation in
            database.async { [access] in continuation.resume(returning: access.decide(presentation, door: door, reader: binding.reader, at: date)) }
        }
        decisionsInFlight -= 1
        let elapsed = now() - started
        let result = decision.granted ? "granted" : "denied"
        Timer(label: "keyway_decision_duration_seconds", preferredDisplayUnit: .seconds).recordNanoseconds(Int64(elapsed))
        Counter(label: "keyway_decisions_total", dimensions: [("result", result), ("reason", decision.reason?.rawValue ?? "none")]).increment()
        var metadata: Logger.Metadata = [
            "door": "\(door)", "reader": "\(binding.reader)", "credential": "\(presentation.summary)", "result": "\(result)",
        ]
        if let reason = decision.reason { metadata["reason"] = "\(reason.rawValue)" }
        if let person = decision.personName { metadata["person"] = "\(person)" }
        if !decision.alarms.isEmpty { metadata["alarms"] = "\(decision.alarms.map(\.rawValue).joined(separator: ","))" }
        let failed = decision.reason == .internalError
        logger.log(level: failed ? .error : decision.alarms.isEmpty ? .info : .warning, "decision", metadata: metadata)
        doors[door]?.lastEvent = "\(result) \(presentation.summary)\(decision.reason.map { " (\($0.rawValue))" } ?? "")"
        // One fault per outage, whichever door meets it; the access core's log line names the SQLite error.
        if failed {
            reportFault("database", "decisions fail and are denied (database error, see the log)")
        } else {
            clearFault("database")
        }
        return decision.granted ? .granted(extendedStrike: false) : .denied
    }

    private func drive(_ binding: DoorBinding, _ action: DoorAction, door: String) async {
        let metadata: Logger.Metadata = ["door": "\(door)"]
        switch action {
        case .decide: break
        case .pulseRelay(let duration):
            binding.relay.pulse(for: duration)
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
            if raised { record(alarm.event, door: door, reader: binding.reader) }
        case .record(let event):
            logger.info("door event", metadata: metadata.merging(["event": "\(event.rawValue)"]) { $1 })
            doors[door]?.lastEvent = event.rawValue
            record(event, door: door, reader: binding.reader)
        }
    }

    /// Writes a door event to the activity log. A database that refuses it is a fault; the action it
    /// belongs to (an exit, an operator's unlock) still happens.
    private func record(_ event: DoorEvent.Kind, door: String, reader: String) {
        let entry = DoorEvent(event, door: door, reader: reader, at: Date())
        database.async { [access] in
            do {
                try access.record(entry)
                Task { await self.clearFault("database") }
            } catch {
                Task { await self.reportFault("database", "door events cannot be logged (\(error))") }
            }
        }
    }
}

/// How a reader is connected.
public enum ReaderKind: String, Sendable {
    case osdp
    case wiegand
}

public struct DoorCommandError: Error, CustomStringConvertible {
    public let description: String
}

extension Presentation {
    /// For logs and status: a card's fields, a PIN's length only.
    var summary: String {
        switch self {
        case .card(let card): card.summary
        case .pin(let pin): "PIN (\(pin.count) digits)"
        case .cardAndPin(let card, let pin): "\(card.summary) + PIN (\(pin.count) digits)"
        case .digitalKey: "digital key"
        }
    }
}

extension CardData {
    var summary: String {
        switch self {
        case .fields(let format, let facility, let number): "\(format) \(facility.map { "\($0)/" } ?? "")\(number)"
        case .raw(let bits): "\(bits.count)-bit raw card"
        }
    }
}

extension ReaderEvent {
    var summary: String {
        switch self {
        case .card(let card): card.summary
        case .pin(let pin): "PIN (\(pin.count) digits)"
        case .online: "online"
        case .offline: "offline"
        case .noise(let reason): "noise (\(reason))"
        }
    }
}
