import Access
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
/// missing), turns bus events into reader events and contact changes for the site, sends relay and
/// LED/buzzer commands in order, and counts what the metrics show.
public final class OSDPBusDriver: Sendable {
    public let configuration: BusConfiguration
    private let site: SiteRuntime
    private let logger: Logger
    private let link = Mutex<OSDPLink?>(nil)
    private let openedAt = Mutex<Date?>(nil)
    /// Commands wait here in order; one task sends them, so an LED never overtakes its relay pulse.
    private let outbox: AsyncStream<(Command, UInt8)>.Continuation
    private let outboxStream: AsyncStream<(Command, UInt8)>
    private let stopped = Atomic<Bool>(false)

    public init(configuration: BusConfiguration, site: SiteRuntime, logger: Logger) {
        self.configuration = configuration
        self.site = site
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

    func send(_ command: Command, to address: UInt8) { outbox.yield((command, address)) }

    /// Whether the port is open, and each PD's state, for `keyway status`.
    public func status() async -> ServiceStatus.Bus {
        let current = link.withLock { $0 }
        let statuses = await current?.statuses() ?? []
        return ServiceStatus.Bus(
            name: configuration.name, port: configuration.port.description, open: current != nil,
            openedAt: current == nil ? nil : openedAt.withLock { $0 },
            pds: configuration.pds.map { pd in
                let status = statuses.first { Int($0.address) == pd.address }
                return ServiceStatus.PD(address: pd.address, name: pd.name, online: status?.state == .online, secure: status?.secure ?? false)
            })
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
            await site.clearFault(faultSource)
            logger.info("bus open", metadata: ["bus": "\(configuration.name)", "device": "\(opened.configuration.devicePath)"])
            var assemblers: [UInt8: PasscodeAssembler] = [:]
            for await event in opened.events {
                if case .deviceLost(let error) = event {
                    await site.reportFault(faultSource, "adapter lost: \(error)")
                    // A USB adapter may come back under another name: find it again by its ids.
                    if case .udev = configuration.port { break }
                    continue
                }
                if case .deviceReopened = event {
                    openedAt.withLock { $0 = Date() }
                    await site.clearFault(faultSource)
                    continue
                }
                if case .bus(let busEvent) = event { await handle(busEvent, assemblers: &assemblers) }
            }
            link.withLock { $0 = nil }
            opened.stop()
            if stopped.load(ordering: .acquiring) {
                await site.readersStopped(configuration.pds.map(\.name))
            } else {
                for pd in configuration.pds { await site.readerEvent(.offline, from: pd.name) }
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
                await site.reportFault(faultSource, "no adapter \(configuration.port.description) plugged in")
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
            await site.reportFault(faultSource, "cannot open \(path): \(error)")
            return nil
        }
    }

    private func sendCommands() async {
        for await (command, address) in outboxStream {
            guard let link = await openLink(within: .seconds(2)) else {
                logger.warning("command dropped: bus not open", metadata: ["bus": "\(configuration.name)", "pd": "\(name(of: address))"])
                continue
            }
            let result = await link.submit(command, to: address)
            if !result.isSuccess {
                logger.warning("command failed", metadata: [
                    "bus": "\(configuration.name)", "pd": "\(name(of: address))", "command": "\(command.label)", "result": "\(result)",
                ])
            }
        }
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

    private func handle(_ event: BusEvent, assemblers: inout [UInt8: PasscodeAssembler]) async {
        switch event {
        case .online(let address, let secure):
            logger.info("PD online", metadata: ["pd": "\(name(of: address))", "secure": "\(secure)"])
            await site.readerEvent(.online, from: name(of: address))
        case .offline(let address):
            Counter(label: "keyway_osdp_offline_transitions_total", dimensions: dimensions(address)).increment()
            assemblers[address]?.cancel()
            await site.readerEvent(.offline, from: name(of: address))
        case .card(let address, let raw):
            assemblers[address]?.cancel()
            await site.readerEvent(.card(cardData(raw, address: address)), from: name(of: address))
        case .keypad(let address, let entry):
            if assemblers[address] == nil { assemblers[address] = try? PasscodeAssembler() }
            for code in entry.keys {
                guard let key = KeypadKey(osdpCode: code),
                      let outcome = assemblers[address]?.press(key, at: MonotonicClock.now()) else { continue }
                switch outcome {
                case .submitted(let passcode): await site.readerEvent(.pin(passcode.digits), from: name(of: address))
                case .rejected(let error): logger.info("PIN entry dropped", metadata: ["pd": "\(name(of: address))", "reason": "\(error.rawValue)"])
                }
            }
        case .inputs(let address, let states):
            for (index, closed) in states.enumerated() {
                await site.inputChanged(.osdp(bus: configuration.name, address: Int(address), input: index), closed: closed)
            }
        case .nak(let address, let code):
            Counter(label: "keyway_osdp_naks_total", dimensions: dimensions(address)).increment()
            logger.debug("NAK", metadata: ["pd": "\(name(of: address))", "code": "\(code)"])
        case .secureChannelFailed(let address, let error):
            logger.warning("secure channel failed", metadata: ["pd": "\(name(of: address))", "problem": "\(error)"])
        case .defaultKeyAccepted(let address):
            logger.warning("PD accepted the default install key", metadata: ["pd": "\(name(of: address))"])
        case .localStatus(let address, let status):
            logger.info("PD local status", metadata: ["pd": "\(name(of: address))", "status": "\(status)"])
        default:
            break
        }
    }

    /// RAW card bits through the same format table Wiegand readers use.
    private func cardData(_ raw: RawCard, address: UInt8) -> CardData {
        let formats = configuration.pd(at: Int(address))?.formats ?? [.h10301]
        if let frame = WiegandFrame(packedBytes: raw.data, bitCount: Int(raw.bitCount)),
           case .card(let read) = CardReadResult.decode(frame, among: formats) {
            return .fields(format: read.format.name, facility: read.fields.facility.map { UInt32(truncatingIfNeeded: $0) }, number: read.fields.card)
        }
        return .raw(bits: raw.bits)
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

/// A strike on an OSDP output: one timed OUT command, so the board relocks on its own even if the bus dies.
struct OSDPRelay: RelayDriver {
    let bus: OSDPBusDriver
    let address: UInt8
    let output: UInt8

    func pulse(for duration: Duration) {
        bus.send(.output([OutputControl(output: output, action: .temporaryOn, timer: UInt16(clamping: duration.tenthsOfSecond))]), to: address)
    }

    func hold(unlocked: Bool) {
        bus.send(.output([OutputControl(output: output, action: unlocked ? .permanentOnAbortTimed : .permanentOffAbortTimed)]), to: address)
    }
}

/// A reader's LED and buzzer through LED and BUZ commands.
struct OSDPIndicator: ReaderIndicator {
    let bus: OSDPBusDriver
    let address: UInt8

    func show(_ pattern: FeedbackPattern) {
        let color = pattern.color
        let blinking = pattern.ledOff > .zero
        let temporary = LEDTemporaryState(
            control: .set, onTime: UInt8(clamping: pattern.ledOn.tenthsOfSecond), offTime: UInt8(clamping: pattern.ledOff.tenthsOfSecond),
            onColor: color, offColor: blinking ? .off : color, timer: UInt16(clamping: pattern.ledFor.tenthsOfSecond))
        bus.send(.led([LEDControl(temporary: temporary)]), to: address)
        if pattern.beeps > 0 {
            bus.send(.buzzer([BuzzerControl(
                onTime: UInt8(clamping: pattern.beepOn.tenthsOfSecond), offTime: UInt8(clamping: pattern.beepOff.tenthsOfSecond),
                count: UInt8(clamping: pattern.beeps))]), to: address)
        }
    }
}

extension KeypadKey {
    /// OSDP keypad codes: ASCII digits, 0x7F for `*`, 0x0D for `#`.
    init?(osdpCode: UInt8) {
        switch osdpCode {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self = .digit(osdpCode - UInt8(ascii: "0"))
        case 0x7F: self = .star
        case 0x0D: self = .hash
        default: return nil
        }
    }
}

extension SerialPortLocator: CustomStringConvertible {
    public var description: String {
        switch self {
        case .device(let path): path
        case .udev(let match): "usb \(match.vendor):\(match.product)\(match.serial.map { " serial \($0)" } ?? "")"
        }
    }
}

extension Command {
    /// A short name for logs.
    var label: String { String(describing: self).prefix { $0 != "(" }.description }
}
