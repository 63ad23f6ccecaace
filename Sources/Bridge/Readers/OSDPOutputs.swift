import OSDP
import Timebase

/// A strike on an OSDP output: one timed OUT command, so the board relocks on its own even if the bus dies.
struct OSDPRelay: RelayDriver {
    let bus: OSDPBusDriver
    let address: UInt8
    let output: UInt8

    /// Confirmed when the PD ACKs the OUT; a NAK, no answer, or an OUT dropped unsent is not.
    func pulse(for duration: Duration, confirmed: @escaping @Sendable (Bool) -> Void) {
        bus.send(
            .output([OutputControl(output: output, action: .temporaryOn, timer: UInt16(clamping: duration.tenthsOfSecond))]), to: address,
            opensDoor: true) { confirmed($0.isSuccess) }
    }

    func hold(unlocked: Bool) {
        bus.send(command(unlocked: unlocked), to: address, opensDoor: unlocked)
    }

    /// Confirmed when the PD ACKs the OUT.
    func lockConfirmed() async -> Bool {
        await withCheckedContinuation { confirmed in
            bus.send(command(unlocked: false), to: address) { confirmed.resume(returning: $0.isSuccess) }
        }
    }

    private func command(unlocked: Bool) -> Command {
        .output([OutputControl(output: output, action: unlocked ? .permanentOnAbortTimed : .permanentOffAbortTimed)])
    }
}

/// A reader's LED and buzzer through LED and BUZ commands.
struct OSDPIndicator: ReaderIndicator {
    let bus: OSDPBusDriver
    let address: UInt8

    func show(_ pattern: FeedbackPattern) {
        let color = LEDColor(pattern.color)
        let blinking = pattern.ledOff > .zero
        let temporary = LEDTemporaryState(
            control: .set, onTime: UInt8(clamping: pattern.ledOn.tenthsOfSecond), offTime: UInt8(clamping: pattern.ledOff.tenthsOfSecond),
            onColor: color, offColor: blinking ? .off : color, timer: UInt16(clamping: pattern.ledFor.tenthsOfSecond))
        bus.send(.led([LEDControl(temporary: temporary)]), to: address)
        if pattern.beeps > 0 {
            bus.send(.buzzer([BuzzerControl(
                onTime: UInt8(clamping: pattern.beepOn.tenthsOfSecond), offTime: UInt8(clamping: pattern.beepOff.tenthsOfSecond),
                count: UInt8(clamping: pattern.beeps))]), to: address)
        }
    }
}

extension LEDColor {
    /// The door's feedback colour as an OSDP reader's LED shows it.
    init(_ color: FeedbackColor) {
        switch color {
        case .red: self = .red
        case .green: self = .green
        case .amber: self = .amber
        }
    }
}
