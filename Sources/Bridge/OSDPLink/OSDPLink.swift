import Foundation
import OSDP
import Serial
import Synchronization

/// What an `OSDPLink` runs: one serial line and the PDs on it.
public struct OSDPLinkConfiguration: Sendable {
    public var devicePath: String
    public var port: SerialPortOptions
    public var pds: [PDConfiguration]
    /// Bus timings; its baud rate is taken from `port`.
    public var bus: BusOptions
    /// How often to try opening a device that vanished.
    public var reopenInterval: Duration

    public init(
        devicePath: String, port: SerialPortOptions = .init(), pds: [PDConfiguration], bus: BusOptions = .init(),
        reopenInterval: Duration = .seconds(1)
    ) {
        self.devicePath = devicePath
        self.port = port
        self.pds = pds
        self.bus = bus
        self.reopenInterval = reopenInterval
    }
}

/// Why a link could not start.
public enum OSDPLinkError: Error, Sendable, Equatable, CustomStringConvertible {
    case port(SerialError)
    case bus(BusConfigurationError)

    public var description: String {
        switch self {
        case .port(let error): error.description
        case .bus(let error): error.description
        }
    }
}

/// Everything a link reports: the bus's own events, and what happened to the serial device.
public enum OSDPLinkEvent: Sendable, Equatable {
    case bus(BusEvent)
    /// The device went away (USB unplug); the link keeps trying to reopen it.
    case deviceLost(SerialError)
    case deviceReopened
}

/// Drives one OSDP bus (`ControlPanel`) over one serial port on a dedicated thread with the monotonic clock.
///
/// The thread writes what the bus wants sent, waits for bytes up to the bus's next deadline, feeds them in,
/// and publishes the bus's events on `events`. Commands are submitted from any task and their results
/// awaited. A device that vanishes is reopened as soon as it is back; the bus meanwhile lets its PDs go
/// offline as the protocol says, and brings them back when they answer again.
public final class OSDPLink: Sendable {
    /// Every event, in order. Consume it: it buffers without limit so that no card read is ever dropped.
    public let events: AsyncStream<OSDPLinkEvent>
    public let configuration: OSDPLinkConfiguration

    private let mailbox = Mutex<Mailbox>(Mailbox())
    private let stopRequested = Atomic<Bool>(false)
    private let wakeUp: WakeUpSignal
    private let finished = DispatchSemaphore(value: 0)

    /// Work for the I/O thread: `perform` runs there with the bus and the current time; `abandon` runs
    /// instead when the link has stopped, so no caller waits forever.
    private struct Request: Sendable {
        let perform: @Sendable (inout LoopState, UInt64) -> Void
        let abandon: @Sendable () -> Void
    }

    private struct Mailbox {
        var requests: [Request] = []
        var closed = false
    }

    /// Opens the device and starts the loop. Throws if the device cannot be opened now or the PDs are misconfigured.
    public init(configuration: OSDPLinkConfiguration) throws(OSDPLinkError) {
        var options = configuration.bus
        options.baudRate = configuration.port.baudRate.rawValue
        let panel: ControlPanel
        let port: SerialPort
        do {
            panel = try ControlPanel(pds: configuration.pds, options: options)
        } catch {
            throw .bus(error)
        }
        do {
            port = try SerialPort(path: configuration.devicePath, options: configuration.port)
            wakeUp = try WakeUpSignal()
        } catch {
            throw .port(error)
        }
        self.configuration = configuration
        let (events, continuation) = AsyncStream<OSDPLinkEvent>.makeStream()
        self.events = events
        let state = LoopState(panel: panel, port: port, events: continuation)
        // The port and the bus belong to the thread from here on.
        nonisolated(unsafe) let handOver = state
        let thread = Thread { [self] in run(handOver) }
        thread.name = "osdp \(configuration.devicePath)"
        thread.start()
    }

    deinit {
        stop()
    }

    /// Sends a command to a PD and returns its result (ACK, a reply, NAK, timeout, ...).
    public func submit(_ command: Command, to address: UInt8) async -> CommandResult {
        await withCheckedContinuation { continuation in
            enqueue(Request(
                perform: { state, now in state.waiting[state.panel.submit(command, to: address, now: now)] = continuation },
                abandon: { continuation.resume(returning: .timeout) }))
        }
    }

    /// Sends a file with FILETRANSFER; progress arrives as `.bus(.fileTransferProgress)` events, the PD's final status as the result.
    public func transferFile(_ file: [UInt8], fileType: UInt8, to address: UInt8) async -> CommandResult {
        await withCheckedContinuation { continuation in
            enqueue(Request(
                perform: { state, now in
                    state.waiting[state.panel.submitFileTransfer(file, fileType: fileType, to: address, now: now)] = continuation
                },
                abandon: { continuation.resume(returning: .timeout) }))
        }
    }

    /// The PDs as the bus sees them now (empty once the link has stopped).
    public func statuses() async -> [PDStatus] {
        await withCheckedContinuation { continuation in
            enqueue(Request(
                perform: { state, _ in continuation.resume(returning: state.panel.statuses) },
                abandon: { continuation.resume(returning: []) }))
        }
    }

    public func status(of address: UInt8) async -> PDStatus? {
        await statuses().first { $0.address == address }
    }

    /// Stops the loop, releases the device and ends `events`. Commands still waiting end with `.timeout`.
    public func stop() {
        guard !stopRequested.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wakeUp.signal()
        finished.wait()
    }

    private func enqueue(_ request: Request) {
        let accepted = mailbox.withLock { mailbox in
            guard !mailbox.closed else { return false }
            mailbox.requests.append(request)
            return true
        }
        accepted ? wakeUp.signal() : request.abandon()
    }

    // MARK: The I/O thread

    /// Everything the I/O thread owns.
    private struct LoopState {
        var panel: ControlPanel
        let port: SerialPort
        let events: AsyncStream<OSDPLinkEvent>.Continuation
        var waiting: [CommandTicket: CheckedContinuation<CommandResult, Never>] = [:]
        /// When the device vanished and was not yet back; the next reopen attempt is due at `reopenAt`.
        var reopenAt: UInt64?
    }

    private func run(_ initial: LoopState) {
        var state = initial
        try? state.port.discardInput()
        while !stopRequested.load(ordering: .acquiring) {
            var now = OSDPLinkClock.now()
            for request in mailbox.withLock({ mailbox in defer { mailbox.requests.removeAll() }; return mailbox.requests }) {
                request.perform(&state, now)
            }
            reopenIfDue(&state, now: now)
            if let bytes = state.panel.nextTransmission(now: now), state.reopenAt == nil {
                do {
                    try state.port.write(bytes)
                } catch {
                    lose(&state, error, now: now)
                }
            }
            publish(&state)
            now = OSDPLinkClock.now()
            let wait = waitTime(state, now: now)
            if state.reopenAt != nil {
                _ = try? wakeUp.wait(timeoutNanoseconds: wait)
                continue
            }
            do {
                let bytes = try state.port.read(timeoutNanoseconds: wait, wakeUp: wakeUp)
                if !bytes.isEmpty { state.panel.receive(bytes, now: OSDPLinkClock.now()) }
            } catch {
                lose(&state, error, now: now)
            }
        }
        state.port.close()
        publish(&state)
        for continuation in state.waiting.values { continuation.resume(returning: .timeout) }
        let unserved = mailbox.withLock { mailbox in
            mailbox.closed = true
            return mailbox.requests
        }
        for request in unserved { request.abandon() }
        state.events.finish()
        finished.signal()
    }

    /// How long the loop may sleep: until the bus's next deadline, a reopen attempt, or a wake-up.
    private func waitTime(_ state: LoopState, now: UInt64) -> UInt64 {
        let idle: UInt64 = 1_000_000_000
        let deadlines = [state.panel.nextDeadline(), state.reopenAt].compactMap { $0 }
        guard let next = deadlines.min() else { return idle }
        return next > now ? min(next - now, idle) : 0
    }

    private func lose(_ state: inout LoopState, _ error: SerialError, now: UInt64) {
        state.port.close()
        state.reopenAt = now + nanoseconds(configuration.reopenInterval)
        state.events.yield(.deviceLost(error))
    }

    private func reopenIfDue(_ state: inout LoopState, now: UInt64) {
        guard let due = state.reopenAt, now >= due else { return }
        do {
            try state.port.reopen()
            try state.port.discardInput()
            state.reopenAt = nil
            state.events.yield(.deviceReopened)
        } catch {
            state.port.close()
            state.reopenAt = now + nanoseconds(configuration.reopenInterval)
        }
    }

    /// Hands the bus's events out and completes the commands whose results came in.
    private func publish(_ state: inout LoopState) {
        let events = state.panel.takeEvents()
        guard !events.isEmpty else { return }
        for event in events {
            if case .commandResult(let ticket, let result) = event {
                state.waiting.removeValue(forKey: ticket)?.resume(returning: result)
            }
            state.events.yield(.bus(event))
        }
    }
}

/// A duration in whole nanoseconds (negative durations count as zero).
private func nanoseconds(_ duration: Duration) -> UInt64 {
    let (seconds, attoseconds) = duration.components
    guard seconds >= 0 else { return 0 }
    return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
}

/// The monotonic clock the bus runs on (CLOCK_MONOTONIC, nanoseconds).
enum OSDPLinkClock {
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
