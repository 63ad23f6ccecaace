import Foundation
import OSDP
import Serial
import Synchronization
import Timebase

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
/// The link stops when `stop()` is called or when it is released.
public final class OSDPLink: Sendable {
    /// Every event, in order. Consume it: it buffers without limit so that no card read is ever dropped.
    public let events: AsyncStream<OSDPLinkEvent>
    public let configuration: OSDPLinkConfiguration
    private let control: LinkControl

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
            control = LinkControl(wakeUp: try WakeUpSignal())
        } catch {
            throw .port(error)
        }
        self.configuration = configuration
        let (events, continuation) = AsyncStream<OSDPLinkEvent>.makeStream()
        self.events = events
        // The port and the bus belong to the thread from here on; the thread holds only the control, not the link.
        nonisolated(unsafe) let loop = LinkLoop(
            panel: panel, port: port, events: continuation, control: control,
            reopenInterval: configuration.reopenInterval)
        let thread = Thread { loop.run() }
        thread.name = "osdp \(configuration.devicePath)"
        thread.start()
    }

    deinit { stop() }

    /// Sends a command to a PD and returns its result (ACK, a reply, NAK, timeout, ...).
    public func submit(_ command: Command, to address: UInt8) async -> CommandResult {
        await withCheckedContinuation { continuation in
            send(command, to: address) { continuation.resume(returning: $0) }
        }
    }

    /// Queues a command for a PD without waiting for it: the link's thread is woken and the command goes out
    /// as the bus's next frame to that PD; commands sent one after another go out in that order.
    /// `completion` gets the result on the link's thread, so it must be short and must not block. A command not
    /// on the wire `expiresAfter` (nanoseconds; default the bus's `commandTimeout`) from now is dropped with `.timeout`.
    public func send(
        _ command: Command, to address: UInt8, expiresAfter: UInt64? = nil, completion: @escaping @Sendable (CommandResult) -> Void
    ) {
        control.enqueue(LinkRequest(
            perform: { loop, now in loop.await(loop.panel.submit(command, to: address, now: now, expiresAfter: expiresAfter), completion) },
            abandon: { completion(.timeout) }))
    }

    /// Sends a file with FILETRANSFER; progress arrives as `.bus(.fileTransferProgress)` events, the PD's final status as the result.
    public func transferFile(_ file: [UInt8], fileType: UInt8, to address: UInt8) async -> CommandResult {
        await withCheckedContinuation { continuation in
            control.enqueue(LinkRequest(
                perform: { loop, now in
                    loop.await(loop.panel.submitFileTransfer(file, fileType: fileType, to: address, now: now)) {
                        continuation.resume(returning: $0)
                    }
                },
                abandon: { continuation.resume(returning: .timeout) }))
        }
    }

    /// The PDs as the bus sees them now (empty once the link has stopped).
    public func statuses() async -> [PDStatus] {
        await withCheckedContinuation { continuation in
            control.enqueue(LinkRequest(
                perform: { loop, _ in continuation.resume(returning: loop.panel.statuses) },
                abandon: { continuation.resume(returning: []) }))
        }
    }

    public func status(of address: UInt8) async -> PDStatus? {
        await statuses().first { $0.address == address }
    }

    /// Stops the loop, releases the device and ends `events`. Commands still waiting end with `.timeout`.
    public func stop() { control.stop() }
}

/// Work for the I/O thread: `perform` runs there with the loop and the current time; `abandon` runs
/// instead when the link has stopped, so no caller waits forever.
struct LinkRequest: Sendable {
    let perform: @Sendable (LinkLoop, UInt64) -> Void
    let abandon: @Sendable () -> Void
}

/// What the link and its thread share: the requests for the thread, and the means to stop it.
final class LinkControl: Sendable {
    private struct Mailbox {
        var requests: [LinkRequest] = []
        var closed = false
    }

    let wakeUp: WakeUpSignal
    private let mailbox = Mutex(Mailbox())
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(wakeUp: WakeUpSignal) { self.wakeUp = wakeUp }

    var isStopping: Bool { stopRequested.load(ordering: .acquiring) }

    func enqueue(_ request: LinkRequest) {
        let accepted = mailbox.withLock { mailbox in
            guard !mailbox.closed else { return false }
            mailbox.requests.append(request)
            return true
        }
        accepted ? wakeUp.signal() : request.abandon()
    }

    /// The requests that came in since the last call.
    func takeRequests() -> [LinkRequest] {
        mailbox.withLock { mailbox in
            defer { mailbox.requests.removeAll() }
            return mailbox.requests
        }
    }

    /// Called by the thread as it ends: later requests are abandoned at once; returns those never served.
    func close() -> [LinkRequest] {
        mailbox.withLock { mailbox in
            mailbox.closed = true
            return mailbox.requests
        }
    }

    /// Asks the thread to end and waits until it has (only the first call waits).
    func stop() {
        guard !stopRequested.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wakeUp.signal()
        finished.wait()
    }

    /// Called by the thread when it is done.
    func finish() { finished.signal() }
}
