import CGPIOD
import Foundation
import Synchronization

/// A dry contact (door position switch, exit button) on a GPIO line with the pull-up on: the contact pulls the
/// line low when closed. A thread of its own waits for edges and reports the contact's state, in order.
public final class GPIOContactLine: Sendable {
    /// Every change, in order: true when the contact is closed. The first value is the state at start.
    public let changes: AsyncStream<Bool>
    private let continuation: AsyncStream<Bool>.Continuation
    private let stopped = Atomic<Bool>(false)
    /// Held until the thread ends, then released before `changes` finishes, so the line is free again by then.
    private let chip: Mutex<GPIOChip?>
    private let line: LineHandle

    private struct LineHandle: @unchecked Sendable {
        // A libgpiod line handle, used by the contact's thread only.
        let pointer: OpaquePointer
    }

    /// How long the thread waits for an edge before it looks at `stopped` again.
    static let stopCheckInterval = timespec(tv_sec: 0, tv_nsec: 500_000_000)

    public init(chip name: String, offset: UInt32, consumer: String = "keyway") throws(GPIOError) {
        var opened = try GPIOChip(name)
        line = LineHandle(pointer: try opened.watch(offset, flags: Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP), consumer: consumer))
        chip = Mutex(consume opened)
        (changes, continuation) = AsyncStream.makeStream()
        let thread = Thread { [self] in watch() }
        thread.name = "contact \(name):\(offset)"
        thread.start()
    }

    /// Ends the thread (within `stopCheckInterval`), which releases the line and finishes `changes`.
    public func stop() { stopped.store(true, ordering: .releasing) }

    private func watch() {
        defer {
            chip.withLock { $0 = nil }
            continuation.finish()
        }
        var lastClosed: Bool?
        while !stopped.load(ordering: .acquiring) {
            // The state itself is read after each wake-up, so a bounce between edges is never misread.
            let closed = gpiod_line_get_value(line.pointer) == 0
            if closed != lastClosed {
                continuation.yield(closed)
                lastClosed = closed
            }
            var timeout = Self.stopCheckInterval
            if gpiod_line_event_wait(line.pointer, &timeout) == 1 {
                var event = gpiod_line_event()
                _ = gpiod_line_event_read(line.pointer, &event)
            }
        }
    }
}
