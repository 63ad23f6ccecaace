import CGPIOD
import Foundation
import Glibc
import Timebase
import Wiegand

/// D0 and D1 of one reader through libgpiod v1 (Debian 12's 1.6.3): both edges on both lines, kernel timestamps,
/// no debounce (a debounce period swallows 50 µs pulses; the decoder filters glitches by width instead).
///
/// uAPI v1 gives each line its own event queue, so the two are merged by timestamp. An edge is handed out only
/// once it is `mergeWindow` old, so that an earlier edge still on its way through the other queue comes first.
/// Kernel timestamps are CLOCK_MONOTONIC (Linux ≥ 5.7), the `MonotonicClock` that `next(until:)` deadlines use.
public final class GPIODEdgeSource: EdgeSource {
    /// How long an edge waits for an earlier one on the other line (nanoseconds).
    public static let mergeWindow: UInt64 = 2_000_000

    private let chip: GPIOChip
    private let requested: [(line: WiegandLine, fd: Int32)]
    private var merger = EdgeMerger(window: mergeWindow)
    private var readBuffer = [gpiod_line_event](repeating: gpiod_line_event(), count: 32)

    /// Opens `chip` (a name like `gpiochip0`, a path, a number or a label) and watches lines `d0` and `d1`.
    /// `pullUp` asks for the internal pull-ups when the reader's lines have none of their own.
    public init(chip: String, d0: UInt32, d1: UInt32, pullUp: Bool = false, consumer: String = "keyway") throws(GPIOError) {
        var opened = try GPIOChip(chip)
        let flags = pullUp ? Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP) : 0
        // A failed request releases what was requested so far with the chip.
        requested = [
            (.d0, gpiod_line_event_get_fd(try opened.watch(d0, flags: flags, consumer: consumer))),
            (.d1, gpiod_line_event_get_fd(try opened.watch(d1, flags: flags, consumer: consumer))),
        ]
        self.chip = opened
    }

    public func next(until deadline: UInt64?) throws -> EdgeReading {
        while true {
            let now = MonotonicClock.now()
            if let edge = merger.takeReady(now: now) { return .edge(edge) }
            let settled = merger.settledTime(now: now)
            if let deadline, settled >= deadline { return .idle(now: settled) }
            var wakeAt = merger.nextRelease
            if let deadline, deadline > now { wakeAt = min(wakeAt ?? deadline, deadline) }
            try waitAndRead(timeoutMs: wakeAt.map { Self.milliseconds(from: now, to: $0) } ?? -1)
        }
    }

    private func waitAndRead(timeoutMs: Int32) throws {
        var fds = requested.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&fds, nfds_t(fds.count), timeoutMs)
        if ready < 0 {
            if errno == EINTR { return }
            throw GPIOError.readFailed(reason: lastSystemError())
        }
        for (index, polled) in fds.enumerated() where polled.revents & Int16(POLLIN) != 0 {
            let count = gpiod_line_event_read_fd_multiple(polled.fd, &readBuffer, UInt32(readBuffer.count))
            guard count >= 0 else { throw GPIOError.readFailed(reason: lastSystemError()) }
            for event in readBuffer.prefix(Int(count)) {
                let edge = EdgeEvent(
                    line: requested[index].line,
                    edge: event.event_type == Int32(GPIOD_LINE_EVENT_FALLING_EDGE) ? .falling : .rising,
                    tNs: UInt64(event.ts.tv_sec) * 1_000_000_000 + UInt64(event.ts.tv_nsec)
                )
                merger.insert(edge)
            }
        }
    }

    /// Rounded up, so a wait never ends just before the deadline.
    private static func milliseconds(from now: UInt64, to deadline: UInt64) -> Int32 {
        guard deadline > now else { return 0 }
        return Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
    }
}
