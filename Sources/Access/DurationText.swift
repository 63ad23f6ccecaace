/// `250ms`, `1.5s`, `30m`, `2min`, `2h`, `1d`, `1w`, or a plain number of seconds; nil unless positive and finite.
/// The one spelling of durations in configuration files and on every command line.
public func parseDuration(_ text: String) -> Duration? {
    // Longer suffixes first, so `ms` and `min` are not read as `s` and `m`.
    let units: [(suffix: String, seconds: Double)] = [
        ("ms", 0.001), ("min", 60), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800),
    ]
    let (number, scale) = units.first { text.hasSuffix($0.suffix) }
        .map { (text.dropLast($0.suffix.count), $0.seconds) } ?? (Substring(text), 1)
    guard let amount = Double(number), amount.isFinite, amount > 0 else { return nil }
    return .milliseconds(Int64((amount * scale * 1000).rounded()))
}

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
}
