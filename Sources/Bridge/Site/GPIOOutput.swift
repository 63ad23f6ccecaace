import CGPIOD
import Foundation
import OSDP
import Synchronization

/// An output that can be switched and pulsed: a strike relay, a reader's LED or beeper wire.
protocol SwitchedOutput: Sendable {
    /// Switches on for `on`, then off for `off`, `times` times; replaces whatever was still playing.
    func play(on: Duration, off: Duration, times: Int)
    /// Switches on or off and stops whatever was playing.
    func hold(active: Bool)
}

/// A GPIO line driven through libgpiod: requested once and held for the life of the service.
/// Active low lines (a reader's LED and beeper wires) are inverted by the kernel, so "active" is
/// always "on" here.
final class GPIOOutput: SwitchedOutput {
    private let line: Mutex<LineHandle>
    /// Counts what was asked, so an older pattern's timer never switches a newer one off early.
    private let generation = Atomic<UInt64>(0)

    private struct LineHandle: @unchecked Sendable {
        // libgpiod handles, used only under the mutex.
        let chip: OpaquePointer
        let line: OpaquePointer
    }

    struct OpenError: Error, CustomStringConvertible {
        let description: String
    }

    init(_ gpio: GPIOLine, activeLow: Bool) throws(OpenError) {
        guard let chip = gpiod_chip_open(gpio.chip) else {
            throw OpenError(description: "cannot open \(gpio.chip): \(String(cString: strerror(errno)))")
        }
        let flags = activeLow ? Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0
        guard let line = gpiod_chip_get_line(chip, UInt32(gpio.line)), gpiod_line_request_output_flags(line, "keyway", flags, 0) == 0 else {
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

    func play(on: Duration, off: Duration, times: Int) {
        guard times > 0 else { return hold(active: false) }
        let pattern = generation.add(1, ordering: .acquiringAndReleasing).newValue
        set(active: true)
        Task { [self] in
            for time in 1...times {
                if time > 1 {
                    try? await Task.sleep(for: off)
                    guard generation.load(ordering: .acquiring) == pattern else { return }
                    set(active: true)
                }
                try? await Task.sleep(for: on)
                guard generation.load(ordering: .acquiring) == pattern else { return }
                set(active: false)
            }
        }
    }

    func hold(active: Bool) {
        generation.add(1, ordering: .acquiringAndReleasing)
        set(active: active)
    }

    private func set(active: Bool) {
        line.withLock { _ = gpiod_line_set_value($0.line, active ? 1 : 0) }
    }
}

/// A strike relay on a GPIO line (active high).
struct GPIORelay: RelayDriver {
    let output: any SwitchedOutput

    func pulse(for duration: Duration) { output.play(on: duration, off: .zero, times: 1) }
    func hold(unlocked: Bool) { output.hold(active: unlocked) }
}

/// A Wiegand reader's LED and beeper control wires. One LED wire shows one colour beside the
/// reader's own (red, when the wire is left alone): green lights it, amber blinks it, red leaves it.
struct WiegandIndicator: ReaderIndicator {
    let led: (any SwitchedOutput)?
    let beeper: (any SwitchedOutput)?

    static let colorsOnTheLEDWire: Set<LEDColor> = [.green, .amber]

    func show(_ pattern: FeedbackPattern) {
        if let led {
            if Self.colorsOnTheLEDWire.contains(pattern.color) {
                let period = pattern.ledOn + pattern.ledOff
                led.play(on: pattern.ledOn, off: pattern.ledOff, times: max(1, Int((pattern.ledFor / period).rounded())))
            } else {
                led.hold(active: false)
            }
        }
        if let beeper, pattern.beeps > 0 {
            beeper.play(on: pattern.beepOn, off: pattern.beepOff, times: pattern.beeps)
        }
    }
}
