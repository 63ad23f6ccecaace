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
    private let link = Mutex<OSDPLink?>(nil)
    private let openedAt = Mutex<Date?>(nil)
    /// Commands wait here in order; one task sends them, so an LED never overtakes its relay pulse.
    /// A command's completion, if any, is told its result (a failure when it is never sent).
    private let outbox: AsyncStream<(Command, UInt8, Completion?)>.Continuation
    private let outboxStream: AsyncStream<(Command, UInt8, Completion?)>
    typealias Completion = @Sendable (CommandResult) -> Void
    private let stopped = Atomic<Bool>(false)

    public init(configuration: BusConfiguration, sink: any ReaderReportSink, faults: FaultBoard, logger: Logger) {
        self.configuration = configuration
        self.sink = sink
        self.faults = faults
        self.logger = logger
        (outboxStream, outbox) = AsyncStream.makeStream()
    }

    /// Runs until `stop()`: opens the bus, consumes its events, and sends queued commands.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.sendCommands() }
            group.addTask { await self.exportCounters() }
            await self.serve()
            self.outbox.finish()
        }
    }

    public func stop() {
        stopped.store(true, ordering: .releasing)
        link.withLock { $0 }?.stop()
    }

    public func relay(address: Int, output: Int) -> any RelayDriver {
        OSDPRelay(bus: self, address: UInt8(address), output: UInt8(output))
    }

    public func indicator(address: Int) -> any ReaderIndicator {
        OSDPIndicator(bus: self, address: UInt8(address))
    }

    func send(_ command: Command, to address: UInt8, completion: Completion? = nil) {
        if case .terminated = outbox.yield((command, address, completion)) { completion?(.timeout) }
    }

    /// Whether the port is open, and each PD's state, for `keyway status`.
    func snapshot() async -> BusSnapshot {
        let current = link.withLock { $0 }
        return BusSnapshot(
            configuration: configuration, openedAt: current == nil ? nil : openedAt.withLock { $0 },
            isOpen: current != nil, pds: await current?.statuses() ?? [])
    }

    // MARK: The port

    static let busOptions: BusOptions = {
        var options = BusOptions()
        // A card waits for the next poll: poll a door's reader every 20 ms, not 50.
        options.pollInterval = 20_000_000
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
            link.withLock { $0 = opened }
            openedAt.withLock { $0 = Date() }
            faults.clear(faultSource)
            logger.info("bus open", metadata: ["bus": "\(configuration.name)", "device": "\(opened.configuration.devicePath)"])
            var keypads: [UInt8: OSDPKeypad] = [:]
            for await event in opened.events {
                if case .deviceLost(let error) = event {
                    faults.report(faultSource, "adapter lost: \(error)")
                    // A USB adapter may come back under another name: find it again by its ids.
                    if case .udev = configuration.port { break }
                    continue
                }
                if case .deviceReopened = event {
                    openedAt.withLock { $0 = Date() }
                    faults.clear(faultSource)
                    continue
                }
                if case .bus(let busEvent) = event { await handle(busEvent, keypads: &keypads) }
            }
            link.withLock { $0 = nil }
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
            return try OSDPLink(configuration: OSDPLinkConfiguration(
                devicePath: path, port: SerialPortOptions(baudRate: baud), pds: pds, bus: Self.busOptions))
        } catch {
            faults.report(faultSource, "cannot open \(path): \(error)")
            return nil
        }
    }

    private func sendCommands() async {
        for await (command, address, completion) in outboxStream {
            guard let link = await openLink(within: .seconds(2)) else {
                logger.warning("command dropped: bus not open", metadata: ["bus": "\(configuration.name)", "pd": "\(name(of: address))"])
                completion?(.timeout)
                continue
            }
            let result = await link.submit(command, to: address)
            completion?(result)
            if !result.isSuccess {
                logger.warning("command failed", metadata: [
                    "bus": "\(configuration.name)", "pd": "\(name(of: address))", "command": "\(Self.label(of: command))", "result": "\(result)",
                ])
            }
        }
    }

    /// A command's short name for logs.
    private static func label(of command: Command) -> String {
        String(describing: command).prefix { $0 != "(" }.description
    }

    /// The open link, waiting a little for one that is being opened (at start, after a replug):
    /// a relay command is worth a short wait, a stale one is not.
    private func openLink(within patience: Duration) async -> OSDPLink? {
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline, !stopped.load(ordering: .acquiring) {
            if let link = link.withLock({ $0 }) { return link }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return link.withLock { $0 }
    }

    // MARK: Bus events

    private func name(of address: UInt8) -> String {
        configuration.pd(at: Int(address))?.name ?? "address \(address)"
    }

    private func handle(_ event: BusEvent, keypads: inout [UInt8: OSDPKeypad]) async {
        switch event {
        case .online(let address, let secure):
            logger.info("PD online", metadata: ["pd": "\(name(of: address))", "secure": "\(secure)"])
            await sink.report(.online, from: name(of: address))
        case .offline(let address):
            Counter(label: "keyway_osdp_offline_transitions_total", dimensions: dimensions(address)).increment()
            keypads[address]?.cancel()
            await sink.report(.offline, from: name(of: address))
        case .card(let address, let raw):
            keypads[address]?.cancel()
            let formats = configuration.pd(at: Int(address))?.formats ?? ReaderTranslation.defaultFormats
            await sink.report(ReaderTranslation.report(raw, formats: formats), from: name(of: address))
        case .formattedCard(let address, let card):
            keypads[address]?.cancel()
            let refusal = ReaderTranslation.refusal(ofReader: card.reader, what: "card")
                ?? RejectedReport(.formatError, "FMT card report (\(card.characters.count) characters): not decoded, set the reader to RAW")
            await sink.report(.rejected(refusal), from: name(of: address))
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

    /// Turns the bus's per-PD counters into Prometheus counters, once a second.
    private func exportCounters() async {
        var exported: [UInt8: PDCounters] = [:]
        while !stopped.load(ordering: .acquiring) {
            try? await Task.sleep(for: .seconds(1))
            for status in await link.withLock({ $0 })?.statuses() ?? [] {
                let before = exported[status.address] ?? PDCounters()
                let now = status.counters
                let dimensions = dimensions(status.address)
                for (label, delta) in [
                    ("keyway_osdp_polls_total", now.framesSent - before.framesSent),
                    ("keyway_osdp_timeouts_total", now.timeouts - before.timeouts),
                    ("keyway_osdp_crc_errors_total", now.checkCharacterErrors - before.checkCharacterErrors),
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
}
