/// The colours door feedback is given in. Each reader shows them as it can: an OSDP reader's LED
/// command names them, a Wiegand reader's one LED wire lights, blinks or leaves its own colour.
public enum FeedbackColor: Sendable, Hashable {
    case red
    case green
    case amber
}

/// How reader feedback looks and sounds: LED colour and blink, buzzer beeps. Timings are as fine as
/// the richest reader (OSDP) understands.
public struct FeedbackPattern: Sendable, Equatable {
    public var color: FeedbackColor
    /// Blink timing; `ledOff == .zero` is a steady light.
    public var ledOn: Duration
    public var ledOff: Duration
    /// How long the LED shows the pattern before returning to its idle state.
    public var ledFor: Duration
    public var beeps: Int
    public var beepOn: Duration
    public var beepOff: Duration
}

extension ReaderFeedback {
    public var pattern: FeedbackPattern {
        switch self {
        case .granted: FeedbackPattern(
            color: .green, ledOn: .seconds(3), ledOff: .zero, ledFor: .seconds(3),
            beeps: 1, beepOn: .milliseconds(200), beepOff: .zero)
        case .denied: FeedbackPattern(
            color: .red, ledOn: .seconds(2), ledOff: .zero, ledFor: .seconds(2),
            beeps: 3, beepOn: .milliseconds(100), beepOff: .milliseconds(100))
        case .awaitingPIN: FeedbackPattern(
            color: .amber, ledOn: .milliseconds(500), ledOff: .milliseconds(500), ledFor: .seconds(10),
            beeps: 1, beepOn: .milliseconds(100), beepOff: .zero)
        }
    }
}
