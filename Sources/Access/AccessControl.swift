import Foundation
import GRDB
import Logging

/// The bridge's one entry point to access decisions.
///
/// `decide` is the real thing: inside one write transaction it brings the cache up to the database's latest
/// committed change (whichever process made it), decides, takes a use from a use-counted credential, and appends
/// the decision to the activity log — all or nothing. It never throws: any failure is a deny (`internal_error`),
/// logged. `check` is the dry run on the lock-free path: no use taken, nothing logged.
public final class AccessControl: Sendable {
    /// Management operations; changes made through it reach this instance's cache before they return.
    public let store: AccessStore
    let cache: VerificationCache
    private let keypads: KeypadGuard
    private let clock: ClockGuard
    private let logger: Logger
    /// Where log checkpoints go, and the sequence of the last one sent.
    private let checkpointSinks: [any LogCheckpointSink]
    private let lastCheckpoint = Locked<Int64>(0)
    private let checkpointTask = Locked<Task<Void, Never>?>(nil)
    /// Since when the database file has been missing or replaced, and how many decisions were denied for it.
    private let fileOutage = Locked<(state: DatabaseFile.State, since: Date, denied: Int)?>(nil)

    /// Opens the database (creating it and the secrets on first run unless `creating` is false; see `AccessStore.open`
    /// for `recreating` and `durability`) and loads the
    /// verification cache. `preload: false` loads only doors, schedules and groups; credentials are then read from
    /// SQLite as needed (for one-off checks from the command line).
    ///
    /// Every `checkpointEvery` (nil: never), a signed checkpoint of the log goes to `checkpointSinks` if rows were
    /// added since the last one; by default the sinks are `keyway.checkpoints` beside the database and `logger`.
    public static func open(database: URL, secrets: URL? = nil, timeZone: TimeZone,
                            logger: Logger = Logger(label: "keyway.access"),
                            lockout: KeypadLockoutPolicy = KeypadLockoutPolicy(), codePolicy: CodePolicy = CodePolicy(),
                            clockPolicy: ClockPolicy = ClockPolicy(), preload: Bool = true, creating: Bool = true,
                            recreating: Bool = false, durability: Durability = .fast, syncHooks: SyncHooks = SyncHooks(),
                            checkpointEvery: Duration? = .seconds(300),
                            checkpointSinks: [any LogCheckpointSink]? = nil) throws -> AccessControl {
        let plain = try AccessStore.open(database: database, secrets: secrets, timeZone: timeZone, codePolicy: codePolicy,
                                         creating: creating, recreating: recreating, durability: durability,
                                         syncHooks: syncHooks, logger: logger)
        let cache = try plain.pool.read { try VerificationCache.load(from: $0, credentials: preload) }
        let store = AccessStore(sharing: plain) { pool in try pool.read { try cache.catchUp(in: $0) } }
        let sinks = checkpointSinks ?? [LogCheckpointFile(url: LogCheckpointFile.defaultLocation(forDatabase: database)),
                                        LogCheckpointServiceLog(logger: logger)]
        let keypads = KeypadGuard(policy: lockout)
        keypads.replay(try plain.pool.read { try wrongCodes(in: $0, remembered: lockout.remembered) })
        let latestSeen = try plain.pool.read { try Int64.fetchOne($0, sql: "SELECT latest_ms FROM clock_watermark") }
        let clock = ClockGuard(policy: clockPolicy, persisted: latestSeen.map { Date(timeIntervalSince1970: Double($0) / 1000) })
        let access = AccessControl(store: store, cache: cache, keypads: keypads, clock: clock, logger: logger, checkpointSinks: sinks)
        try access.watchClock()
        if let checkpointEvery { access.checkpointPeriodically(every: checkpointEvery) }
        return access
    }

    private init(store: AccessStore, cache: VerificationCache, keypads: KeypadGuard, clock: ClockGuard, logger: Logger,
                 checkpointSinks: [any LogCheckpointSink]) {
        self.store = store
        self.cache = cache
        self.keypads = keypads
        self.clock = clock
        self.logger = logger
        self.checkpointSinks = checkpointSinks
    }

    deinit {
        checkpointTask.withLock { $0?.cancel() }
    }

    /// Decides on a presentation at a door's reader, consumes a use when one is due, and logs the decision
    /// (and any alarm it raised) before returning.
    public func decide(_ presentation: Presentation, door: String, reader: String, at date: Date) -> Decision {
        let keypad = "\(door)/\(reader)"
        guard checkDatabaseFile(at: date, deciding: true) == .intact else {
            logger.error("access decision denied: the database file is not the one opened", metadata: [
                "door": "\(door)", "reader": "\(reader)", "presentation": "\(presentation.description)",
            ])
            return .deny(.databaseMissing)
        }
        do {
            let clockSeen = clock.observe(date)
            return try store.write({ db -> (decision: Decision, usedUp: Bool) in
                try cache.catchUp(in: db)
                if let latest = clockSeen.persist { try Self.persistLatestTime(latest, in: db) }
                var outcome = try engine(.transaction(db), trustCache: true)
                    .evaluate(presentation, door: door, at: date, keypadLock: keypads.lock(reader: keypad, at: date),
                              clockTrusted: clockSeen.trusted)
                if clockSeen.faultBegan, let fault = clock.fault { outcome.decision = outcome.decision.adding([fault.alarm]) }
                var usedUp = false
                if outcome.decision.granted, let id = outcome.useToConsume {
                    // The atomic take: of two doors racing for the last use, exactly one sees a row change.
                    try db.execute(sql: "UPDATE credential SET uses_left = uses_left - 1 WHERE id = ? AND uses_left > 0 AND revoked_at IS NULL",
                                   arguments: [id])
                    usedUp = db.changesCount > 0
                    if !usedUp { outcome.decision = .deny(.useLimitReached, outcome.decision.subject) }
                }
                if outcome.wrongCode { outcome.decision = outcome.decision.adding(keypads.recordFailure(reader: keypad, at: date)) }
                let decision = outcome.decision
                let sequence = try store.log.append(ActivityDraft(
                    at: date, kind: .decision, event: outcome.wrongCode ? Self.wrongCodeEvent : nil, door: door, reader: reader,
                    credentialID: decision.credentialID,
                    personID: decision.personID, outcome: decision.granted ? "grant" : "deny", reason: decision.reason?.rawValue,
                    detail: presentation.description), in: db)
                for alarm in decision.alarms {
                    try store.log.append(ActivityDraft(at: date, kind: .alarm, event: alarm.rawValue, door: door, reader: reader,
                                                         credentialID: decision.credentialID, personID: decision.personID), in: db)
                }
                return (decision.logged(as: sequence), usedUp)
            // A use taken is on disk before the door moves: a power cut must not hand the last use out twice.
            }, durableFirst: { $0.usedUp }).decision
        } catch {
            logger.error("access decision failed; denying", metadata: ["door": "\(door)", "reader": "\(reader)", "error": "\(error)"])
            return .deny(.internalError)
        }
    }

    /// The decision `decide` would make, without taking a use, counting a wrong code or logging.
    public func check(_ presentation: Presentation, door: String, at date: Date) -> Decision {
        do {
            let outcome = try engine(.pool(store.pool), trustCache: cache.isCurrent.load(ordering: .acquiring))
                .evaluate(presentation, door: door, at: date, keypadLock: nil)
            if outcome.decision.granted, let id = outcome.useToConsume,
               try store.pool.read({ try Int.fetchOne($0, sql: "SELECT uses_left FROM credential WHERE id = ?", arguments: [id]) }) ?? 0 <= 0 {
                return .deny(.useLimitReached, outcome.decision.subject)
            }
            return outcome.decision
        } catch {
            logger.error("access check failed; denying", metadata: ["door": "\(door)", "error": "\(error)"])
            return .deny(.internalError)
        }
    }

    /// Appends a door or reader event to the activity log.
    @discardableResult
    public func record(_ event: DoorEvent) throws -> Int64 {
        try store.write({ db in
            try store.log.append(ActivityDraft(at: event.at, kind: .door, event: event.kind.rawValue, door: event.door,
                                                 reader: event.reader, reason: event.reason?.rawValue, detail: event.detail,
                                                 actor: event.actor), in: db)
        }, durableFirst: { _ in false })
    }

    /// Whether the database's path still leads to the file opened (one stat): the service asks every second, and
    /// every decision first. The start of an outage is logged as an alarm; its end (the same file back at its
    /// path) is logged and written to the activity log with the number of decisions denied meanwhile. A replaced
    /// file stays an outage until the original is back or the service restarts on the right one.
    @discardableResult
    public func checkDatabaseFile(at date: Date = Date()) -> DatabaseFile.State {
        checkDatabaseFile(at: date, deciding: false)
    }

    private func checkDatabaseFile(at date: Date, deciding: Bool) -> DatabaseFile.State {
        let state = store.file.state
        let ended = fileOutage.withLock { outage -> (state: DatabaseFile.State, since: Date, denied: Int)? in
            guard state == .intact else {
                if outage?.state != state {
                    logger.critical("alarm: database file \(state.rawValue)", metadata: [
                        "alarm": "\(DenyReason.databaseMissing.rawValue)", "path": "\(store.file.path)", "problem": "\(state.problem ?? "")",
                    ])
                    outage = (state, outage?.since ?? date, outage?.denied ?? 0)
                }
                if deciding { outage?.denied += 1 }
                return nil
            }
            defer { outage = nil }
            return outage
        }
        if let ended {
            logger.notice("database file back at its path", metadata: ["path": "\(store.file.path)", "decisions denied": "\(ended.denied)"])
            do {
                try store.write({ db in
                    try store.log.append(ActivityDraft(
                        at: date, kind: .alarm, event: DenyReason.databaseMissing.rawValue,
                        detail: "the database file was \(ended.state.rawValue) from \(ended.since.formatted(.iso8601)) until it was back; "
                            + "\(ended.denied) decisions meanwhile were denied and are not in this log"), in: db)
                }, durableFirst: { _ in true })
            } catch {
                logger.error("the database file's outage could not be logged", metadata: ["error": "\(error)"])
            }
        }
        return state
    }

    /// The door of that name, created with `mode` if missing (the bridge calls it for each configured door).
    @discardableResult
    public func ensureDoor(name: String, mode: DoorMode) throws -> Door {
        try store.ensureDoor(name: name, mode: mode, actor: "bridge")
    }

    /// The mode a door is in at a time (its scheduled mode while the schedule is open); nil for an unknown door.
    /// `settingTo`: the mode it will be in once an operator's change not yet written is.
    public func mode(ofDoor name: String, at date: Date, settingTo base: DoorMode? = nil) -> DoorMode? {
        let policy = cache.currentPolicy
        guard var door = policy.doorsByName[name] else { return nil }
        if let base { door.mode = base }
        let clockSeen = clock.observe(date)
        if clockSeen.faultBegan, let fault = clock.fault { logger.error("clock fault", metadata: ["fault": "\(fault.description)"]) }
        return policy.mode(of: door, at: store.clock.moment(date, holidays: policy.holidays), clockTrusted: clockSeen.trusted)
    }

    /// Set while the clock reads more than the tolerance before the latest time seen (persisted, so a restart
    /// with a clock set back is caught): time-bounded credentials and scheduled unlocks fail secure meanwhile.
    /// The service shows it as a fault.
    public var clockFault: ClockFault? { clock.fault }

    /// An operator says the clock is right: its time now becomes the latest seen, and the fault ends.
    public func acknowledgeClockFault(actor: String, at date: Date = Date()) throws {
        let fault = clock.fault
        try store.write({ db in
            try db.execute(sql: """
                INSERT INTO clock_watermark (id, latest_ms) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET latest_ms = excluded.latest_ms
                """, arguments: [Self.milliseconds(date)])
            try store.log.append(ActivityDraft(at: date, kind: .alarm, event: "clock_acknowledged",
                                               detail: fault?.latestSeen.map { "latest seen was \($0.formatted(.iso8601))" }, actor: actor), in: db)
        }, durableFirst: { _ in true })
        clock.acknowledge(at: date)
    }

    /// Observes the system clock off the door path (at start and with each checkpoint): persists the latest time
    /// seen, and logs and records the start of a fault.
    private func watchClock() throws {
        let date = clock.policy.now()
        let clockSeen = clock.observe(date)
        guard clockSeen.faultBegan || clockSeen.persist != nil else { return }
        try store.write({ db in
            if let latest = clockSeen.persist { try Self.persistLatestTime(latest, in: db) }
            if clockSeen.faultBegan, let fault = clock.fault {
                logger.error("clock fault", metadata: ["fault": "\(fault.description)"])
                try store.log.append(ActivityDraft(at: date, kind: .alarm, event: fault.alarm.rawValue, detail: fault.description), in: db)
            }
        }, durableFirst: { _ in false })
    }

    private static func persistLatestTime(_ date: Date, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO clock_watermark (id, latest_ms) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET latest_ms = max(latest_ms, excluded.latest_ms)
            """, arguments: [milliseconds(date)])
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Applies changes other processes committed to the cache now (decisions do it themselves; dry runs do not).
    public func refresh() throws {
        try store.pool.read { try cache.catchUp(in: $0) }
    }

    /// Marks a decision row whose code matched nothing (or not the card's holder): what keypad lockouts count.
    static let wrongCodeEvent = "wrong_code"

    /// The wrong codes of the log's last `remembered` seconds of guessing (up to the last wrong code, whatever the
    /// clock says now), oldest first.
    private static func wrongCodes(in db: Database, remembered: TimeInterval) throws -> [(reader: String, at: Date)] {
        // The event is spelled out, not bound, so SQLite uses the partial index on wrong codes.
        guard let last = try Int64.fetchOne(db, sql: "SELECT max(at_ms) FROM activity WHERE event = '\(wrongCodeEvent)'") else {
            return []
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT door, reader, at_ms FROM activity WHERE event = '\(wrongCodeEvent)' AND kind = 'decision' AND at_ms >= ? ORDER BY seq
            """, arguments: [last - Int64(remembered * 1000)])
        return rows.map { row in
            ("\(row["door"] as String? ?? "")/\(row["reader"] as String? ?? "")", Date(timeIntervalSince1970: Double(row["at_ms"] as Int64) / 1000))
        }
    }

    /// Sends a signed checkpoint of the log to every sink, unless no row was added since the last one sent.
    /// Returns the checkpoint sent; throws after trying every sink if one of them failed.
    @discardableResult
    public func checkpointLog(at date: Date = Date()) throws -> LogCheckpoint? {
        try lastCheckpoint.withLock { last in
            guard let checkpoint = try store.checkpoint(at: date), checkpoint.sequence != last else { return nil }
            var failures: [String] = []
            for sink in checkpointSinks {
                do { try sink.publish(checkpoint) } catch { failures.append("\(sink.name): \(error)") }
            }
            guard failures.isEmpty else {
                throw AccessError.invalid("the log checkpoint could not be sent to \(failures.joined(separator: "; "))")
            }
            last = checkpoint.sequence
            return checkpoint
        }
    }

    private func checkpointPeriodically(every interval: Duration) {
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                do {
                    try self.watchClock()
                    try self.checkpointLog()
                } catch {
                    self.logger.error("activity log checkpoint failed", metadata: ["error": "\(error)"])
                }
            }
        }
        checkpointTask.withLock { $0 = task }
    }

    private func engine(_ access: DatabaseAccess, trustCache: Bool) -> RuleEngine {
        RuleEngine(policy: cache.currentPolicy, allowlist: AllowlistReader(cache: cache, database: access, trustCache: trustCache),
                   secrets: store.secrets, clock: store.clock)
    }
}
