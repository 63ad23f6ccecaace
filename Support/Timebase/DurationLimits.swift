/// The range a duration from outside (a config file, a command line, the control socket) must fall in.
/// Every edge checks its durations against one of the limits below, so a value that could not be carried
/// out exactly (negative, zero, finer than the hardware counts, longer than its timer holds) is refused with
/// the limit in the message, never clamped, rounded away or left to trap further in.
public struct DurationLimits: Sendable, Equatable {
    public let minimum: Duration
    public let maximum: Duration
    /// Why the maximum is what it is, said with it.
    public let reason: String

    public init(minimum: Duration, maximum: Duration, reason: String) {
        precondition(minimum > .zero && minimum <= maximum, "limits are positive and ordered")
        self.minimum = minimum
        self.maximum = maximum
        self.reason = reason
    }

    /// A strike release or a timed unlock. OSDP output timers count 100 ms units in 16 bits, and a GPIO
    /// relay is held to the same range, so a door behaves alike on either.
    public static let relayPulse = DurationLimits(
        minimum: .milliseconds(100), maximum: .milliseconds(Int64(UInt16.max) * 100), reason: "the longest OSDP output timer")

    /// Timers the service keeps itself: held-open alarms, the wait for a PIN.
    public static let doorTimer = DurationLimits(minimum: .seconds(1), maximum: .seconds(86_400), reason: "a day")

    /// How long a credential stays valid, or an old code keeps working after a rotation.
    public static let credentialPeriod = DurationLimits(
        minimum: .seconds(1), maximum: .seconds(3650 * 86_400), reason: "ten years; give a date with --until for longer")

    /// The shortest time from one poll to the next on an OSDP bus: it only holds a line with no baud rate
    /// (a pseudo-terminal) back; a tenth of a second would already slow every card at 9600 baud.
    public static let pollCycle = DurationLimits(
        minimum: .milliseconds(1), maximum: .milliseconds(100), reason: "longer would delay every card")

    /// How old a card read (or a door command) may be before it is refused: a person waits seconds at a door,
    /// not minutes, and a read older than that may be from someone long gone.
    public static let staleRead = DurationLimits(
        minimum: .milliseconds(100), maximum: .seconds(30), reason: "a read older than that is no one at the door any more")

    /// Anything a caller bounds itself (an OSDP command's timer), kept to what every conversion holds.
    public static let any = DurationLimits(minimum: .milliseconds(1), maximum: .seconds(3650 * 86_400), reason: "ten years")
}

/// Why a duration was refused; the description says what to write instead.
public enum DurationProblem: Error, Equatable, CustomStringConvertible {
    case notADuration(String)
    case finerThanAMillisecond(String)
    case tooShort(String, minimum: Duration)
    case tooLong(String, maximum: Duration, reason: String)

    public var description: String {
        switch self {
        case .notADuration(let text): "\"\(text)\" is not a duration (like 500ms, 5s, 2m)"
        case .finerThanAMillisecond(let text): "\(text) is finer than a millisecond, the finest duration Keyway counts"
        case .tooShort(let text, let minimum): "\(text) is too short: at least \(minimum.text)"
        case .tooLong(let text, let maximum, let reason): "\(text) is too long: at most \(maximum.text) (\(reason))"
        }
    }
}
