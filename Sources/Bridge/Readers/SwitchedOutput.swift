import GPIO
import Synchronization

/// An output that can be switched and pulsed: a strike relay, a reader's LED or beeper wire.
protocol SwitchedOutput: Sendable {
    /// Switches on for `on`, then off for `off`, `times` times; replaces whatever was still playing.
    func play(on: Duration, off: Duration, times: Int)
    /// Switches on or off and stops whatever was playing.
    func hold(active: Bool)
    /// `hold`, and whether the hardware took it.
    func holdConfirmed(active: Bool) -> Bool
    /// On for `duration` once (`play`), and whether the hardware took the switch on.
    func pulseConfirmed(for duration: Duration) -> Bool
}

extension SwitchedOutput {
    func holdConfirmed(active: Bool) -> Bool {
        hold(active: active)
        return true
    }

    func pulseConfirmed(for duration: Duration) -> Bool {
        play(on: duration, off: .zero, times: 1)
        return true
    }
}

/// A GPIO output line played in time: the line is switched by the GPIO adapter, the pattern's timing is kept here.
/// A write the kernel refuses is a fault of `faultSource` (logged and counted by the board), cleared by the next
/// write that succeeds.
final class GPIOSwitchedOutput: SwitchedOutput {
    private let line: any OutputLine
    private let faults: FaultBoard
    private let faultSource: String
    /// Counts what was asked, so an older pattern's timer never switches a newer one off early.
    private let generation = Atomic<UInt64>(0)

    init(_ line: any OutputLine, faults: FaultBoard, faultSource: String) {
        self.line = line
        self.faults = faults
        self.faultSource = faultSource
    }

    @discardableResult
    private func set(active: Bool) -> Bool {
        do {
            try line.set(active: active)
            faults.clear(faultSource)
            return true
        } catch {
            faults.report(faultSource, error.description)
            return false
        }
    }

    func play(on: Duration, off: Duration, times: Int) {
        start(on: on, off: off, times: times)
    }

    func pulseConfirmed(for duration: Duration) -> Bool {
        start(on: duration, off: .zero, times: 1)
    }

    /// Plays the pattern; whether its first switch on was taken.
    @discardableResult
    private func start(on: Duration, off: Duration, times: Int) -> Bool {
        guard times > 0 else {
            hold(active: false)
            return false
        }
        let pattern = generation.add(1, ordering: .acquiringAndReleasing).newValue
        let switchedOn = set(active: true)
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
        return switchedOn
    }

    func hold(active: Bool) { holdConfirmed(active: active) }

    @discardableResult
    func holdConfirmed(active: Bool) -> Bool {
        generation.add(1, ordering: .acquiringAndReleasing)
        return set(active: active)
    }
}

/// A strike relay on a GPIO line (active high).
struct GPIORelay: RelayDriver {
    let output: any SwitchedOutput

    /// A GPIO line is set when the call returns, unless the kernel refused it.
    func pulse(for duration: Duration, confirmed: @escaping @Sendable (Bool) -> Void) {
        confirmed(output.pulseConfirmed(for: duration))
    }
    func hold(unlocked: Bool) { output.hold(active: unlocked) }
    /// A GPIO line is set when the call returns, unless the kernel refused it.
    func lockConfirmed() async -> Bool {
        output.holdConfirmed(active: false)
    }
}

/// A Wiegand reader's LED and beeper control wires. One LED wire shows one colour beside the
/// reader's own (red, when the wire is left alone): green lights it, amber blinks it, red leaves it.
struct WiegandIndicator: ReaderIndicator {
    let led: (any SwitchedOutput)?
    let beeper: (any SwitchedOutput)?

    static let colorsOnTheLEDWire: Set<FeedbackColor> = [.green, .amber]

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
