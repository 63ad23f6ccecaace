import CGPIOD
import Glibc
import Synchronization

/// A line driven as an output, as `GPIOOutputLine` does it: the seam where tests put a line that fails.
public protocol OutputLine: Sendable {
    /// Switches the line; throws when the kernel refused (the chip gone, the line taken back).
    func set(active: Bool) throws(GPIOError)
}

/// One GPIO line driven as an output (a relay, a reader's LED or beeper wire), requested once and held for the
/// life of the object, and left inactive when released. Active-low lines are inverted by the kernel, so
/// `set(active: true)` always means "on". Timing (pulses, blinking) is the caller's; this only switches.
public final class GPIOOutputLine: OutputLine {
    private let line: Mutex<Line>
    private let chip: String
    private let offset: UInt32

    private struct Line: ~Copyable, @unchecked Sendable {
        // libgpiod handles, used only under the mutex.
        let chip: GPIOChip
        let handle: OpaquePointer
    }

    public init(chip: String, offset: UInt32, activeLow: Bool, consumer: String = "keyway") throws(GPIOError) {
        var opened = try GPIOChip(chip)
        let handle = try opened.drive(offset, flags: activeLow ? Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0, consumer: consumer)
        line = Mutex(Line(chip: opened, handle: handle))
        self.chip = chip
        self.offset = offset
    }

    deinit { try? set(active: false) }

    public func set(active: Bool) throws(GPIOError) {
        let failure: String? = line.withLock { gpiod_line_set_value($0.handle, active ? 1 : 0) == 0 ? nil : lastSystemError() }
        if let failure { throw .writeFailed(chip: chip, offset: offset, reason: failure) }
    }
}
