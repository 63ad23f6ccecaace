extension Duration {
    /// The duration in seconds, for APIs that count in `TimeInterval`.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }

    /// Whole nanoseconds (negative durations count as zero), for the monotonic `UInt64` time the state machines use.
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    /// Whole milliseconds, rounded up (negative durations count as zero), for APIs like poll(2) that wait in ms.
    public var millisecondsRoundedUp: UInt64 { (nanoseconds + 999_999) / 1_000_000 }

    /// OSDP's timer unit: 100 ms for LED, buzzer and output times. Rounded up, so a pulse, a light or a beep is
    /// never shorter than asked; callers that need a narrower type check or clamp the result themselves.
    public var tenthsOfSecond: UInt64 { (nanoseconds + 99_999_999) / 100_000_000 }
}
