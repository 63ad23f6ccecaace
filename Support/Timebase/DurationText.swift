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
    /// The duration as `parseDuration` reads it back, to the millisecond: `250ms`, `5s`, `1.5s`, `90s`.
    /// A second or more prints in seconds, anything shorter in milliseconds.
    public var text: String {
        let milliseconds = (Double(nanoseconds) / 1_000_000).rounded()
        if milliseconds < 1000 { return "\(Int64(milliseconds))ms" }
        return "\(decimal(milliseconds / 1000))s"
    }
}

/// Up to three decimals, without trailing zeros.
private func decimal(_ value: Double) -> String {
    let rounded = (value * 1000).rounded() / 1000
    return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
}
