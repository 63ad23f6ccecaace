import CGPIOD
import Foundation
import Synchronization

/// A strike relay on a GPIO line (active high), through libgpiod. The line is requested once and
/// held for the life of the service; a pulse switches it back off after its duration.
final class GPIORelay: RelayDriver {
    private let line: Mutex<LineHandle>
    /// Counts pulses, so an older pulse's timer never relocks a newer, longer one early.
    private let generation = Atomic<UInt64>(0)

    private struct LineHandle: @unchecked Sendable {
        // libgpiod handles, used only under the mutex.
        let chip: OpaquePointer
        let line: OpaquePointer
    }

    struct OpenError: Error, CustomStringConvertible {
        let description: String
    }

    init(_ gpio: GPIOLine) throws(OpenError) {
        guard let chip = gpiod_chip_open(gpio.chip) else {
            throw OpenError(description: "cannot open \(gpio.chip): \(String(cString: strerror(errno)))")
        }
        guard let line = gpiod_chip_get_line(chip, UInt32(gpio.line)), gpiod_line_request_output(line, "keyway", 0) == 0 else {
            let reason = String(cString: strerror(errno))
            gpiod_chip_close(chip)
            throw OpenError(description: "cannot drive \(gpio.chip) line \(gpio.line): \(reason)")
        }
        self.line = Mutex(LineHandle(chip: chip, line: line))
    }

    deinit {
        line.withLock { handle in
            gpiod_line_set_value(handle.line, 0)
            gpiod_line_release(handle.line)
            gpiod_chip_close(handle.chip)
        }
    }

    func pulse(for duration: Duration) {
        let pulse = generation.add(1, ordering: .acquiringAndReleasing).newValue
        set(unlocked: true)
        Task { [self] in
            try? await Task.sleep(for: duration)
            if generation.load(ordering: .acquiring) == pulse { set(unlocked: false) }
        }
    }

    func hold(unlocked: Bool) {
        generation.add(1, ordering: .acquiringAndReleasing)
        set(unlocked: unlocked)
    }

    private func set(unlocked: Bool) {
        line.withLock { _ = gpiod_line_set_value($0.line, unlocked ? 1 : 0) }
    }
}
