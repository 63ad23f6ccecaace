import OSDP
import Serial
import Timebase

/// The I/O thread of an `OSDPLink`: it alone touches the port and the bus.
final class LinkLoop {
    var panel: ControlPanel
    private let port: SerialPort
    private let events: AsyncStream<OSDPLinkEvent>.Continuation
    private let control: LinkControl
    private let reopenInterval: UInt64
    /// One character on the line, 10 bits.
    private let byteTime: UInt64
    private var waiting: [CommandTicket: @Sendable (CommandResult) -> Void] = [:]
    /// Set while the device is away: when to try opening it again.
    private var reopenAt: UInt64?
    /// When the device's path was last checked: a path removed is a device gone, though its descriptor may still work.
    private var pathCheckedAt: UInt64 = 0
    static let pathCheckInterval: UInt64 = 250_000_000

    /// The longest the loop sleeps when nothing is due.
    static let idleWait: UInt64 = 1_000_000_000

    init(
        panel: ControlPanel, port: SerialPort, events: AsyncStream<OSDPLinkEvent>.Continuation, control: LinkControl,
        reopenInterval: Duration
    ) {
        self.panel = panel
        self.port = port
        self.events = events
        self.control = control
        self.reopenInterval = reopenInterval.nanoseconds
        byteTime = 10_000_000_000 / UInt64(max(panel.options.baudRate, 1))
    }

    /// Calls `completion` (on this thread) when the bus reports the ticket's result.
    func await(_ ticket: CommandTicket, _ completion: @escaping @Sendable (CommandResult) -> Void) {
        waiting[ticket] = completion
    }

    func run() {
        try? port.discardInput()
        while !control.isStopping {
            var now = MonotonicClock.now()
            for request in control.takeRequests() { request.perform(self, now) }
            reopenIfDue(now: now)
            checkPath(now: now)
            // While the device is away the bus keeps its clock: its frames go nowhere, so PDs time out as on a dead line.
            if let bytes = panel.nextTransmission(now: now), reopenAt == nil {
                do {
                    try port.write(bytes)
                } catch {
                    lose(error, now: now)
                }
            }
            publish()
            now = MonotonicClock.now()
            let wait = waitTime(now: now)
            if reopenAt != nil {
                _ = try? control.wakeUp.wait(timeoutNanoseconds: wait)
                continue
            }
            do {
                let bytes = try port.read(timeoutNanoseconds: wait, wakeUp: control.wakeUp)
                if !bytes.isEmpty {
                    panel.receive(bytes, now: MonotonicClock.now())
                    awaitRestOfReply()
                }
            } catch {
                lose(error, now: now)
            }
        }
        port.close()
        publish()
        for completion in waiting.values { completion(.timeout) }
        for request in control.close() { request.abandon() }
        events.finish()
        control.finish()
    }

    /// A UART hands over a reply byte by byte: rather than wake for each, sleep until all but its last byte
    /// can have arrived (a command being queued still wakes the loop), then read them in one go.
    private func awaitRestOfReply() {
        guard let missing = panel.replyBytesStillExpected, missing > 1 else { return }
        let now = MonotonicClock.now()
        // Under half the inter-character timeout: the parser times gaps by when bytes are read.
        let nap = min(UInt64(min(missing - 1, Self.longestNapBytes)) * byteTime, panel.options.interCharacterTimeout / 2, waitTime(now: now))
        guard nap > 0 else { return }
        _ = try? control.wakeUp.wait(timeoutNanoseconds: nap)
    }

    /// A frame header announcing a huge length (noise) never puts the loop to sleep for long.
    static let longestNapBytes = 32

    /// Until the bus's next deadline or the next reopen attempt, whichever is first.
    private func waitTime(now: UInt64) -> UInt64 {
        guard let next = [panel.nextDeadline(), reopenAt].compactMap({ $0 }).min() else { return Self.idleWait }
        return next > now ? min(next - now, Self.idleWait) : 0
    }

    private func lose(_ error: SerialError, now: UInt64) {
        port.close()
        reopenAt = now + reopenInterval
        events.yield(.deviceLost(error))
    }

    private func checkPath(now: UInt64) {
        guard reopenAt == nil, now &- pathCheckedAt >= Self.pathCheckInterval else { return }
        pathCheckedAt = now
        if !port.isStillAtPath { lose(.vanished(path: port.path), now: now) }
    }

    private func reopenIfDue(now: UInt64) {
        guard let due = reopenAt, now >= due else { return }
        do {
            try port.reopen()
            try port.discardInput()
            reopenAt = nil
            events.yield(.deviceReopened)
        } catch {
            port.close()
            reopenAt = now + reopenInterval
        }
    }

    /// Hands the bus's events out and completes the commands whose results came in.
    private func publish() {
        for event in panel.takeEvents() {
            if case .commandResult(let ticket, let result) = event {
                waiting.removeValue(forKey: ticket)?(result)
            }
            events.yield(.bus(event))
        }
    }
}
