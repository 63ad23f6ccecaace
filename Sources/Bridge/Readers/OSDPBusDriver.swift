import Foundation
import Logging
import Metrics
import OSDP
import OSDPLink
import Serial
import Synchronization
import Timebase
import Wiegand

/// One configured RS-485 bus at run time. It finds and opens the port (retrying while an adapter is
/// missing), turns bus events into reader reports and contact changes for the site, sends relay and
/// LED/buzzer commands in order, and counts what the metrics show.
public final class OSDPBusDriver: Sendable {
    public let configuration: BusConfiguration
    private let sink: any ReaderReportSink
    private let faults: FaultBoard
    private let logger: Logger
    /// The open link, and the commands that came while none was open. Commands are handed to the link under
    /// this lock, straight from the caller: in order (an LED never overtakes its relay pulse), with no task between.
    private let line = Mutex(Line())
    private let openedAt = Mutex<Date?>(nil)
    private let stopped = Atomic<Bool>(false)
    /// The link's device went away and is not back yet: the bus is not open, whatever the link object says.
    private let deviceLost = Atomic<Bool>(false)
    private let presence = Mutex(PDPresence())
    /// A card or keys older than this are refused (`stale_read`); a door command older than this is dropped.
    private let staleReadLimit: Duration

    private struct Line {
        var link: OSDPLink?
        var waiting: [WaitingCommand] = []
    }

    /// A command's completion, if any, is told its result (a failure when it is never sent).
    typealias Completion = @Sendable (CommandResult) -> Void

    private struct WaitingCommand {
        let command: Command
        let address: UInt8
        let opensDoor: Bool
        let since: ContinuousClock.Instant
        let completion: Completion?
    }

    /// A relay command is worth a short wait for a bus being opened (at start, after a replug); a stale one is not.
    private var commandPatience: Duration { staleReadLimit }

    public init(
        configuration: BusConfiguration, sink: any ReaderReportSink, faults: FaultBoard, logger: Logger,
        staleReadLimit: Duration = SiteConfiguration.Site.defaultStaleReadLimit
    ) {
        self.configuration = configuration
        self.sink = sink
        self.faults = faults
        self.logger = logger
        self.staleReadLimit = staleReadLimit
    }

    /// Runs until `stop()`: opens the bus and consumes its events.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.exportCounters() }
            group.addTask { await self.watchPresence() }
            await self.serve()
        }
    }

    public func stop() {
        stopped.store(true, ordering: .releasing)
        let link = line.withLock { line in
            dropWaiting(&line.waiting, olderThan: .zero)
            return line.link
        }
        link?.stop()
    }

    public func relay(address: Int, output: Int) -> any RelayDriver {
        OSDPRelay(bus: self, address: UInt8(address), output: UInt8(output))
    }

    public func indicator(address: Int) -> any ReaderIndicator {
        OSDPIndicator(bus: self, address: UInt8(address))
    }

    /// Hands a command to the bus's thread at once, or keeps it for a bus being opened. A command that opens a
    /// door and is not on the wire within the stale-read limit is dropped: a door never opens late.
    func send(_ command: Command, to address: UInt8, opensDoor: Bool = false, completion: Completion? = nil) {
        line.withLock { line in
            guard let link = line.link else {
                dropWaiting(&line.waiting, olderThan: commandPatience)
                line.waiting.append(WaitingCommand(command: command, address: address, opensDoor: opensDoor, since: .now, completion: completion))
                return
            }
            link.send(command, to: address, expiresAfter: opensDoor ? staleReadLimit.nanoseconds : nil,
                      completion: finish(command, to: address, completion))
        }
    }

    /// Logs a command the PD did not take, then tells the caller (runs on the link's thread).
    private func finish(_ command: Command, to address: UInt8, _ completion: Completion?) -> Completion {
        { [logger, configuration] result in
            if !result.isSuccess {
                logger.warning("command failed", metadata: [
                    "bus": "\(configuration.name)", "pd": "\(configuration.pd(at: Int(address))?.name ?? "address \(address)")",
                    "command": "\(Self.label(of: command))", "result": "\(result)",
                ])
            }
            completion?(result)
        }
    }

    /// Drops (and logs) the commands kept longer than `patience`; their callers learn they were never sent.
    private func dropWaiting(_ waiting: inout [WaitingCommand], olderThan patience: Duration) {
        let now = ContinuousClock.now
        for stale in waiting where now - stale.since >= patience {
            logger.warning("command dropped: bus not open", metadata: ["bus": "\(configuration.name)", "pd": "\(name(of: stale.address))"])
            stale.completion?(.timeout)
        }
        waiting.removeAll { now - $0.since >= patience }
    }

    /// Whether the port is open, and each PD's state, for `keyway status`: as status, faults and the log tell it.
    func snapshot() async -> BusSnapshot {
        let current = line.withLock { $0.link }
        let isOpen = current != nil && !deviceLost.load(ordering: .acquiring)
        let statuses = await current?.statuses() ?? []
        let answering = presence.withLock { presence in Set(statuses.map(\.address).filter { isOpen && presence.isAnswering($0) }) }
        return BusSnapshot(
            configuration: configuration, openedAt: isOpen ? openedAt.withLock { $0 } : nil,
            isOpen: isOpen, pds: statuses, answering: answering)
    }

    // MARK: The port

    static let busOptions: BusOptions = {
        var options = BusOptions()
        // A door answers a card with OUT (then LED, BUZ) after its decision, normally within milliseconds: the
        // reader's next poll waits for that answer, so it goes out first. A slow database holds it no longer.
        options.answerWindow = 50_000_000
        // A reader that comes back (power restored, replugged) is found within 5 s, not the 30 s a
        // bus of many PDs would back off to.
        options.offlineBackoffMaximum = 5_000_000_000
        return options
    }()

    private var faultSource: String { "bus \(configuration.name)" }

    private func serve() async {
        while !stopped.load(ordering: .acquiring) {
            guard let opened = await open() else {
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            line.withLock { line in
                line.link = opened
                dropWaiting(&line.waiting, olderThan: commandPatience)
                for waiting in line.waiting {
                    // What is left of its time: dropWaiting left only those kept less than the limit.
                    let left = waiting.opensDoor ? (staleReadLimit - (.now - waiting.since)).nanoseconds : nil
                    opened.send(waiting.command, to: waiting.address, expiresAfter: left,
                                completion: finish(waiting.command, to: waiting.address, waiting.completion))
                }
                line.waiting.removeAll()
            }
            openedAt.withLock { $0 = Date() }
            deviceLost.store(false, ordering: .releasing)
            faults.clear(faultSource)
            logger.info("bus open", metadata: ["bus": "\(configuration.name)", "device": "\(opened.configuration.devicePath)"])
            var keypads: [UInt8: OSDPKeypad] = [:]
            for await event in opened.events {
                if case .deviceLost(let error) = event {
                    deviceLost.store(true, ordering: .releasing)
                    faults.report(faultSource, "adapter lost: \(error)")
                    // A USB adapter may come back under another name: find it again by its ids.
                    if case .udev = configuration.port { break }
                    continue
                }
                if case .deviceReopened = event {
                    deviceLost.store(false, ordering: .releasing)
                    openedAt.withLock { $0 = Date() }
                    faults.clear(faultSource)
                    continue
                }
                if case .bus(let busEvent) = event { await handle(busEvent, keypads: &keypads) }
            }
            line.withLock { $0.link = nil }
            opened.stop()
            if stopped.load(ordering: .acquiring) {
                await sink.readersStopped(configuration.pds.map(\.name))
            } else {
                for pd in configuration.pds { await sink.report(.offline, from: pd.name) }
            }
        }
    }

    private func open() async -> OSDPLink? {
        let path: String
        switch configuration.port {
        case .device(let devicePath):
            path = devicePath
        case .udev(let match):
            let found = (try? SerialDiscovery.find(SerialDeviceMatch(vendorID: match.vendor, productID: match.product, serialNumber: match.serial))) ?? []
            guard let device = found.first else {
                faults.report(faultSource, "no adapter \(configuration.port.description) plugged in")
                return nil
            }
            path = device.path
        }
        do {
            let pds = configuration.pds.map { pd in
                PDConfiguration(address: UInt8(pd.address), scbk: pd.key, security: pd.secure)
            }
            let baud = BaudRate(rawValue: configuration.baud) ?? .b9600
            var options = Self.busOptions
            options.minimumPollCycle = configuration.minimumPollCycle.nanoseconds
            options.reportAgeLimit = staleReadLimit.nanoseconds
            return try OSDPLink(configuration: OSDPLinkConfiguration(
                devicePath: path, port: SerialPortOptions(baudRate: baud), pds: pds, bus: options))
        } catch {
            faults.report(faultSource, "cannot open \(path): \(error)")
            return nil
        }
    }

    /// A command's short name for logs.
    private static func label(of command: Command) -> String {
        String(describing: command).prefix { $0 != "(" }.description
    }

    // MARK: Bus events

    private func name(of address: UInt8) -> String {
        configuration.pd(at: Int(address))?.name ?? "address \(address)"
    }

    private func handle(_ event: BusEvent, keypads: inout [UInt8: OSDPKeypad]) async {
        switch event {
        case .online(let address, let secure):
            // The site hears of it from `watchPresence`, the one source of a reader's presence.
            logger.info("PD online", metadata: ["pd": "\(name(of: address))", "secure": "\(secure)"])
        case .offline(let address):
            keypads[address]?.cancel()
        case .card(let address, let raw):
            keypads[address]?.cancel()
            let formats = configuration.pd(at: Int(address))?.formats ?? ReaderTranslation.defaultFormats
            await sink.report(ReaderTranslation.report(raw, formats: formats), from: name(of: address))
        case .formattedCard(let address, let card):
            keypads[address]?.cancel()
            let refusal = ReaderTranslation.refusal(ofReader: card.reader, what: "card")
                ?? RejectedReport(.formatError, "FMT card report (\(card.characters.count) characters): not decoded, set the reader to RAW")
            await sink.report(.rejected(refusal), from: name(of: address))
        case .staleReport(let address, let reply, let age):
            keypads[address]?.cancel()
            let what = reply.code.name
            let detail = age.map { "\(what) read up to \(Duration.nanoseconds($0).text) before it reached Keyway (limit \(staleReadLimit.text))" }
                ?? "\(what) in the PD's first reports since it came online: it may have been read at any time before"
            await sink.report(.rejected(RejectedReport(.staleRead, detail)), from: name(of: address))
        case .invalidReply(let address, let code, let error):
            let reply = ReplyCode(rawValue: code)?.name ?? "reply 0x\(String(code, radix: 16, uppercase: true))"
            await sink.report(.rejected(RejectedReport(.formatError, "\(reply) could not be decoded: \(error)")), from: name(of: address))
        case .keypad(let address, let entry):
            if let refusal = ReaderTranslation.refusal(ofReader: entry.reader, what: "\(entry.keys.count) keys") {
                await sink.report(.rejected(refusal), from: name(of: address))
                return
            }
            if keypads[address] == nil { keypads[address] = OSDPKeypad() }
            for outcome in keypads[address]?.press(entry.keys, at: MonotonicClock.now()) ?? [] {
                switch outcome {
                case .submitted(let passcode): await sink.report(ReaderTranslation.report(passcode), from: name(of: address))
                case .rejected(let error): logger.info("PIN entry dropped", metadata: ["pd": "\(name(of: address))", "reason": "\(error.rawValue)"])
                }
            }
        case .inputs(let address, let states):
            for (index, closed) in states.enumerated() {
                await sink.inputChanged(.osdp(bus: configuration.name, address: Int(address), input: index), closed: closed)
            }
        case .nak(let address, let code):
            Counter(label: "keyway_osdp_naks_total", dimensions: dimensions(address)).increment()
            logger.debug("NAK", metadata: ["pd": "\(name(of: address))", "code": "\(code)"])
        case .secureChannelFailed(let address, let error):
            // Every failure is counted; the alarm (a fault) is logged once for as long as the problem stays the same.
            Counter(label: "keyway_osdp_secure_channel_failures_total", dimensions: dimensions(address)).increment()
            let fallback = configuration.pd(at: Int(address))?.secure == .preferred
            let consequence = fallback ? "running in plaintext (secure: preferred)" : "reader refused until Secure Channel is up"
            await sink.report(.alarm(.secureChannel, raised: true, detail: "\(error); \(consequence)"), from: name(of: address))
        case .secureChannel(let address, active: false):
            // A session lost in use costs a handshake (and the cards read meanwhile wait): never silent.
            logger.warning("secure channel session ended", metadata: ["bus": "\(configuration.name)", "pd": "\(name(of: address))"])
        case .secureChannel(let address, active: true):
            await sink.report(.alarm(.secureChannel, raised: false, detail: "secure channel up"), from: name(of: address))
        case .defaultKeyAccepted(let address):
            logger.warning("PD accepted the default install key", metadata: ["pd": "\(name(of: address))"])
        case .localStatus(let address, let status):
            await sink.report(.alarm(.tamper, raised: status.tamper, detail: "tamper switch open"), from: name(of: address))
            await sink.report(.alarm(.powerFailure, raised: status.powerFailure, detail: "power failure"), from: name(of: address))
        case .readers(let address, let states):
            // A PD's reader is its reader 0 (`ReaderTranslation.servedReader`).
            guard let state = states.first else { return }
            await sink.report(.alarm(.readerTamper, raised: state != .normal, detail: "reader \(state)"), from: name(of: address))
        default:
            break
        }
    }

    private func dimensions(_ address: UInt8) -> [(String, String)] {
        [("bus", configuration.name), ("pd", name(of: address))]
    }

    /// Tells the site, within a second, each PD that stops or starts answering (`PDPresence`); the offline
    /// transitions are counted, and a gauge shows each PD's state.
    private func watchPresence() async {
        while !stopped.load(ordering: .acquiring) {
            let link = line.withLock { $0.link }
            let statuses = await link?.statuses() ?? []
            let lost = link == nil || deviceLost.load(ordering: .acquiring)
            let changes = presence.withLock { $0.update(statuses, deviceLost: lost, now: MonotonicClock.now()) }
            for change in changes where !stopped.load(ordering: .acquiring) {
                Gauge(label: "keyway_osdp_pd_online", dimensions: dimensions(change.address)).record(change.answering ? 1 : 0)
                if !change.answering {
                    Counter(label: "keyway_osdp_offline_transitions_total", dimensions: dimensions(change.address)).increment()
                }
                await sink.report(change.answering ? .online : .offline, from: name(of: change.address))
            }
            try? await Task.sleep(for: Self.presenceInterval)
        }
    }

    static let presenceInterval = Duration.milliseconds(250)

    /// Turns the bus's per-PD counters into Prometheus counters, once a second.
    private func exportCounters() async {
        var exported: [UInt8: PDCounters] = [:]
        while !stopped.load(ordering: .acquiring) {
            try? await Task.sleep(for: .seconds(1))
            for status in await line.withLock({ $0.link })?.statuses() ?? [] {
                let before = exported[status.address] ?? PDCounters()
                let now = status.counters
                let dimensions = dimensions(status.address)
                for (label, delta) in [
                    ("keyway_osdp_polls_total", now.framesSent - before.framesSent),
                    ("keyway_osdp_timeouts_total", now.timeouts - before.timeouts),
                    ("keyway_osdp_crc_errors_total", now.checkCharacterErrors - before.checkCharacterErrors),
                    ("keyway_osdp_retransmissions_total", now.retransmissions - before.retransmissions),
                    ("keyway_osdp_secure_channel_restarts_total", now.secureChannelRestarts - before.secureChannelRestarts),
                ] where delta > 0 {
                    Counter(label: label, dimensions: dimensions).increment(by: delta)
                }
                exported[status.address] = now
            }
        }
    }
}

/// What `keyway status` shows of a bus: its configuration, whether its port is open, its PDs' states.
struct BusSnapshot {
    let configuration: BusConfiguration
    let openedAt: Date?
    let isOpen: Bool
    let pds: [PDStatus]
    /// The PDs answering now (`PDPresence`).
    let answering: Set<UInt8>
}
