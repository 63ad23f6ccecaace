extension Duration {
    /// The duration in seconds, for APIs that count in `TimeInterval`.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }

    /// Whole nanoseconds (negative durations count as zero, longer than `UInt64` can hold as `UInt64.max`),
    /// for the monotonic `UInt64` time the state machines use. Never traps, whatever the duration.
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        return whole.addingSaturated(UInt64(max(0, attoseconds) / 1_000_000_000))
    }

    /// Whole milliseconds, rounded up (negative durations count as zero), for APIs like poll(2) that wait in ms.
    public var millisecondsRoundedUp: UInt64 { nanoseconds.addingSaturated(999_999) / 1_000_000 }

    /// OSDP's timer unit: 100 ms for LED, buzzer and output times. Rounded up, so a pulse, a light or a beep is
    /// never shorter than asked; callers that need a narrower type check or clamp the result themselves.
    public var tenthsOfSecond: UInt64 { nanoseconds.addingSaturated(99_999_999) / 100_000_000 }
}

extension UInt64 {
    /// A monotonic time `duration` later, saturating at the end of time instead of trapping.
    public func advanced(by duration: Duration) -> UInt64 { addingSaturated(duration.nanoseconds) }

    func addingSaturated(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
