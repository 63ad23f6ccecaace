import CGPIOD
import Foundation
import Synchronization

/// A dry contact (door position switch, exit button) on a GPIO line with the pull-up on: the contact
/// pulls the line low when closed. A thread waits for edges and reports the contact's state in order.
final class GPIOContact: Sendable {
    let line: GPIOLine
    /// Every change, in order: true when the contact is closed.
    let changes: AsyncStream<Bool>
    private let continuation: AsyncStream<Bool>.Continuation
    private let stopped = Atomic<Bool>(false)
    private let handle: Handle

    private struct Handle: @unchecked Sendable {
        // libgpiod handles, used by the contact's thread only (and closed after it ends).
        let chip: OpaquePointer
        let line: OpaquePointer
    }

    struct OpenError: Error, CustomStringConvertible {
        let description: String
    }

    init(_ line: GPIOLine) throws(OpenError) {
        guard let chip = gpiod_chip_open(line.chip) else {
            throw OpenError(description: "cannot open \(line.chip): \(String(cString: strerror(errno)))")
        }
        guard let gpio = gpiod_chip_get_line(chip, UInt32(line.line)),
              gpiod_line_request_both_edges_events_flags(gpio, "keyway", Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)) == 0
        else {
            let reason = String(cString: strerror(errno))
            gpiod_chip_close(chip)
            throw OpenError(description: "cannot watch \(line.chip) line \(line.line): \(reason)")
        }
        self.line = line
        handle = Handle(chip: chip, line: gpio)
        (changes, continuation) = AsyncStream.makeStream()
        let thread = Thread { [self] in watch() }
        thread.name = "contact \(line.chip):\(line.line)"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .releasing) }

    private func watch() {
        defer {
            gpiod_line_release(handle.line)
            gpiod_chip_close(handle.chip)
            continuation.finish()
        }
        var lastClosed: Bool?
        while !stopped.load(ordering: .acquiring) {
            // The state itself is read after each wake-up, so a bounce between edges is never misread.
            let closed = gpiod_line_get_value(handle.line) == 0
            if closed != lastClosed {
                continuation.yield(closed)
                lastClosed = closed
            }
            var timeout = timespec(tv_sec: 0, tv_nsec: 500_000_000)
            if gpiod_line_event_wait(handle.line, &timeout) == 1 {
                var event = gpiod_line_event()
                _ = gpiod_line_event_read(handle.line, &event)
            }
        }
    }
}
