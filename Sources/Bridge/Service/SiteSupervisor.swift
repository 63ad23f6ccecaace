import Access
import Foundation
import GPIO
import Logging
import Timebase

/// The running site as a whole: its configuration, the access core, the doors, and a driver per bus
/// and Wiegand reader. It answers the control socket and applies reloads: a bus or reader whose
/// configuration did not change keeps running untouched.
public actor SiteSupervisor {
    public private(set) var configuration: SiteConfiguration
    public let runtime: SiteRuntime
    private let source: ConfigurationSource
    private let access: AccessControl
    private let logger: Logger
    private let startedAt = Date()
    private var buses: [String: RunningDriver<OSDPBusDriver>] = [:]
    private var wiegandReaders: [String: RunningDriver<WiegandReaderDriver>] = [:]
    private var contacts: [GPIOLine: RunningDriver<GPIOContactLine>] = [:]
    /// GPIO outputs (relays, reader LED and beeper wires): a line is requested once and kept across
    /// reloads. A line that changes polarity is requested again, which fails while the old one holds
    /// it: a fault until the next restart, never an inverted output.
    private var gpioOutputs: [GPIOOutputKey: GPIOSwitchedOutput] = [:]

    private struct GPIOOutputKey: Hashable {
        let line: GPIOLine
        let activeLow: Bool
    }
    /// The demo's simulated readers; a simulated site reads no GPIO.
    private let simulator: Simulator
    private var readsGPIO: Bool { !simulator.isActive }

    private struct RunningDriver<Driver: Sendable> {
        let driver: Driver
        let task: Task<Void, Never>
    }

    /// Where the configuration comes from, so `reload` can read it again.
    public enum ConfigurationSource: Sendable {
        case file(String)
        /// Text in the program (the demo), checked with this environment.
        case text(String, name: String, environment: [String: String])

        public func load() throws(ConfigurationError) -> SiteConfiguration {
            switch self {
            case .file(let path): try loadSiteConfiguration(path: path)
            case .text(let yaml, let name, let environment):
                try parseSiteConfiguration(
                    yaml: yaml, file: name, baseDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                    environment: environment)
            }
        }

        var name: String {
            switch self {
            case .file(let path): path
            case .text(_, let name, _): name
            }
        }
    }

    public init(
        configuration: SiteConfiguration, source: ConfigurationSource, access: AccessControl, logger: Logger,
        simulatedReaders: [String: SimulatedOSDPReader] = [:]
    ) {
        self.configuration = configuration
        self.source = source
        self.access = access
        self.logger = logger
        simulator = Simulator(osdpReaders: simulatedReaders)
        runtime = SiteRuntime(access: access, logger: logger, staleReadLimit: configuration.site.staleReadLimit)
    }

    /// Starts every bus and reader and installs the doors.
    public func start() async {
        await apply(configuration)
    }

    /// How long shutdown waits, in all, for every door's lock to be confirmed before it closes the buses.
    static let lockConfirmationPatience = Duration.seconds(5)

    /// Stops every driver after locking every door and waiting (at most `lockConfirmationPatience`) for
    /// each lock to be confirmed, and sends a last signed checkpoint of the activity log. Returns the doors
    /// that could not be confirmed locked; each is logged as an error, for a person to check.
    @discardableResult
    public func stop() async -> [String] {
        let unconfirmed = await runtime.secureAllDoors(within: Self.lockConfirmationPatience)
        for door in unconfirmed {
            logger.critical("door not confirmed locked: check it", metadata: ["door": "\(door)"])
        }
        do {
            try access.checkpointLog()
        } catch {
            logger.error("final activity log checkpoint failed", metadata: ["error": "\(error)"])
        }
        for running in buses.values { running.driver.stop() }
        for running in wiegandReaders.values { running.driver.stop() }
        for running in contacts.values { running.driver.stop() }
        for running in buses.values { await running.task.value }
        for running in wiegandReaders.values { await running.task.value }
        for running in contacts.values { await running.task.value }
        buses = [:]
        wiegandReaders = [:]
        contacts = [:]
        simulator.stop()
        return unconfirmed
    }

    /// Reads the configuration again. A bad file changes nothing and its problems are returned.
    public func reload() async -> ControlResponse {
        let fresh: SiteConfiguration
        do {
            fresh = try source.load()
        } catch {
            logger.error("configuration refused; the running one stays", metadata: ["problems": "\(error.issues.count)"])
            for issue in error.issues { logger.error("\(issue)") }
            return .failure("configuration refused, the running one stays:\n\(error)")
        }
        var notes: [String] = []
        if fresh.database != configuration.database || fresh.durability != configuration.durability
            || fresh.secrets != configuration.secrets || fresh.site != configuration.site
            || fresh.api != configuration.api || fresh.metrics != configuration.metrics || fresh.http != configuration.http
            || fresh.delivery != configuration.delivery {
            notes.append("site, database, secrets, api, metrics, http and delivery changes take effect at the next restart")
        }
        await apply(fresh)
        logger.info("configuration reloaded", metadata: ["file": "\(source.name)"])
        return .success((["configuration reloaded"] + notes).joined(separator: "; "))
    }

    private func apply(_ fresh: SiteConfiguration) async {
        let previous = configuration
        configuration = fresh
        for (name, running) in buses where fresh.bus(named: name) != previous.bus(named: name) || fresh.bus(named: name) == nil {
            running.driver.stop()
            await running.task.value
            buses[name] = nil
        }
        for bus in fresh.buses where buses[bus.name] == nil {
            let driver = OSDPBusDriver(
                configuration: bus, sink: runtime, faults: runtime.faults, logger: logger, staleReadLimit: configuration.site.staleReadLimit)
            buses[bus.name] = RunningDriver(driver: driver, task: Task { await driver.run() })
        }
        for (name, running) in wiegandReaders where fresh.wiegandReader(named: name) != previous.wiegandReader(named: name)
            || fresh.wiegandReader(named: name) == nil {
            running.driver.stop()
            await running.task.value
            wiegandReaders[name] = nil
        }
        for reader in fresh.wiegandReaders where wiegandReaders[reader.name] == nil {
            do {
                let driver = try WiegandReaderDriver(configuration: reader, sink: runtime, faults: runtime.faults, logger: logger)
                if readsGPIO { driver.startReadingGPIO() }
                wiegandReaders[reader.name] = RunningDriver(driver: driver, task: Task { await driver.run() })
            } catch {
                runtime.faults.report("wiegand \(reader.name)", "\(error)")
            }
        }
        if readsGPIO { await watchContacts(of: fresh) }
        await runtime.install(fresh.doors.map(binding), readers: readerKinds(fresh))
    }

    /// Door position switches and exit buttons on GPIO lines; OSDP inputs come with their bus.
    private func watchContacts(of site: SiteConfiguration) async {
        let lines = Set(site.doors.flatMap { [$0.doorPosition, $0.exitButton] }.compactMap { input -> GPIOLine? in
            if case .gpio(let line)? = input?.source { line } else { nil }
        })
        for (line, running) in contacts where !lines.contains(line) {
            running.driver.stop()
            await running.task.value
            contacts[line] = nil
        }
        for line in lines where contacts[line] == nil {
            do {
                let contact = try GPIOContactLine(chip: line.chip, offset: UInt32(line.line))
                contacts[line] = RunningDriver(driver: contact, task: Task { [runtime] in
                    for await closed in contact.changes { await runtime.inputChanged(.gpio(line), closed: closed) }
                })
            } catch {
                runtime.faults.report("contact \(line.chip) line \(line.line)", error.description)
            }
        }
    }

    private func readerKinds(_ site: SiteConfiguration) -> [String: ReaderKind] {
        var kinds: [String: ReaderKind] = [:]
        for bus in site.buses { for pd in bus.pds { kinds[pd.name] = .osdp } }
        for reader in site.wiegandReaders { kinds[reader.name] = .wiegand }
        return kinds
    }

    private func binding(for door: DoorConfiguration) -> DoorBinding {
        let reader: String
        let indicator: any ReaderIndicator
        switch door.reader {
        case .osdp(let bus, let address):
            reader = configuration.bus(named: bus)?.pd(at: address)?.name ?? bus
            indicator = buses[bus].map { $0.driver.indicator(address: address) } ?? LoggedIndicator(reader: reader, logger: logger)
        case .wiegand(let name):
            reader = name
            indicator = wiegandIndicator(configuration.wiegandReader(named: name)) ?? LoggedIndicator(reader: name, logger: logger)
        }
        let relay: any RelayDriver
        switch door.relay {
        case .osdp(let bus, let address, let output):
            relay = buses[bus].map { $0.driver.relay(address: address, output: output) } ?? FaultyRelay(door: door.name, problem: "bus \(bus) is not running", faults: runtime.faults)
        case .gpio(let line):
            do {
                relay = GPIORelay(output: try gpioOutput(line, activeLow: false))
            } catch {
                relay = FaultyRelay(door: door.name, problem: error.description, faults: runtime.faults)
            }
        }
        return DoorBinding(configuration: door, reader: reader, relay: relay, indicator: indicator)
    }

    /// The reader's LED and beeper wires; nil when neither is wired (or neither can be driven, a fault).
    private func wiegandIndicator(_ reader: WiegandReaderConfiguration?) -> WiegandIndicator? {
        guard let reader else { return nil }
        func wire(_ line: GPIOLine?, _ role: String) -> GPIOSwitchedOutput? {
            guard let line else { return nil }
            do {
                // Readers' control wires are active low.
                return try gpioOutput(line, activeLow: true)
            } catch {
                runtime.faults.report("wiegand \(reader.name) \(role)", error.description)
                return nil
            }
        }
        let led = wire(reader.led, "led"), beeper = wire(reader.beeper, "beeper")
        return led == nil && beeper == nil ? nil : WiegandIndicator(led: led, beeper: beeper)
    }

    private func gpioOutput(_ line: GPIOLine, activeLow: Bool) throws(GPIOError) -> GPIOSwitchedOutput {
        let key = GPIOOutputKey(line: line, activeLow: activeLow)
        if let existing = gpioOutputs[key] { return existing }
        let opened = GPIOSwitchedOutput(
            try GPIOOutputLine(chip: line.chip, offset: UInt32(line.line), activeLow: activeLow),
            faults: runtime.faults, faultSource: "gpio \(line.chip) line \(line.line)")
        gpioOutputs[key] = opened
        return opened
    }

    // MARK: Control socket

    /// Answers a control-socket request from `peer`, who is named in the log as the acting user of every
    /// door command and reload.
    public func handle(_ request: ControlRequest, from peer: ControlPeer?) async -> ControlResponse {
        let user = peer?.description ?? "unknown peer"
        do throws(BridgeError) {
            switch request {
            case .status:
                return .success(status: await status())
            case .reload:
                logger.notice("reload requested", metadata: ["user": "\(user)"])
                return await reload()
            case .door(let name, let action, let seconds):
                logger.notice("door command", metadata: [
                    "door": "\(name)", "action": "\(action.rawValue)", "seconds": "\(seconds.map { "\($0)" } ?? "-")", "user": "\(user)",
                ])
                let duration = try seconds.map { seconds throws(BridgeError) in
                    switch parseDuration(seconds: seconds, within: .relayPulse) {
                    case .success(let duration): return duration
                    case .failure(let problem): throw .doorCommand("cannot \(action.rawValue) \(name) for \(problem)")
                    }
                }
                return .success(try await DoorOperator(site: runtime).command(action, door: name, for: duration, actor: "keyway door \(action.rawValue) by \(user)"))
            case .simulateCard(let reader, let format, let facility, let card):
                let readers = wiegandReaders.mapValues(\.driver)
                return .success(try await simulated(at: reader) { [simulator] () throws(BridgeError) in
                    try simulator.presentCard(at: reader, format: format, facility: facility, card: card, wiegandReaders: readers)
                })
            case .simulateKeys(let reader, let keys):
                guard keys.count <= Self.keysAtOnce else { throw .simulation("at most \(Self.keysAtOnce) keys at once") }
                let readers = wiegandReaders.mapValues(\.driver)
                // Keys without # leave a PIN unfinished: the door decides nothing yet.
                return .success(try await simulated(at: reader, awaitingDecision: keys.contains("#")) { [simulator] () throws(BridgeError) in
                    try simulator.typeKeys(keys, at: reader, wiegandReaders: readers)
                })
            case .followLog:
                return .failure("follow is answered by the socket itself")
            }
        } catch {
            return .failure(error.description)
        }
    }

    /// A PIN and its # with room to spare; a simulated keypad types one frame per key.
    static let keysAtOnce = 32

    /// How long `keyway sim` waits for the door's answer before it says that none came.
    static let simulationPatience = Duration.seconds(10)

    /// Presents at a simulated reader, then waits (at most `simulationPatience`) for what the reader's door made of
    /// it; returns that in words.
    private func simulated(at reader: String, awaitingDecision: Bool = true,
                           _ present: () throws(BridgeError) -> String) async throws(BridgeError) -> String {
        let watch = await runtime.watchOutcomes(atReader: reader)
        let presented: String
        do {
            presented = try present()
        } catch {
            await runtime.stopWatching(watch.id)
            throw error
        }
        guard awaitingDecision else {
            await runtime.stopWatching(watch.id)
            return Simulator.words(presented: presented, outcome: nil, waited: nil)
        }
        let outcomes = watch.outcomes
        let outcome = await awaitAtMost(until: .now + Self.simulationPatience) { () async -> DoorOutcome? in
            for await outcome in outcomes { return outcome }
            return nil
        } ?? nil
        await runtime.stopWatching(watch.id)
        return Simulator.words(presented: presented, outcome: outcome, waited: Self.simulationPatience)
    }

    public func status() async -> ServiceStatus {
        var buses: [BusSnapshot] = []
        for bus in configuration.buses {
            if let driver = self.buses[bus.name]?.driver { buses.append(await driver.snapshot()) }
        }
        // The outbox is read from the database: an unreadable one is a fault of its own, the rest of the status stands.
        var faults = runtime.faults.list()
        var webhooks: [WebhookState] = []
        do { webhooks = try access.store.webhookStates() } catch { faults.append("webhook state unreadable: \(error)") }
        return ServiceStatus(
            site: configuration.site.name, configuration: source.name, startedAt: startedAt, buses: buses,
            readers: await runtime.readerSnapshots(), doors: await runtime.doorSnapshots(), faults: faults, webhooks: webhooks)
    }
}
