/// `250ms`, `1.5s`, `30m`, `2min`, `2h`, `1d`, `1w`, or a plain number of seconds, checked against `limits`.
/// The one spelling of durations in configuration files and on every command line. The number is read as
/// exact decimal digits (no exponent), so nothing rounds or overflows on the way to a `Duration`.
public func parseDuration(_ text: String, within limits: DurationLimits) -> Result<Duration, DurationProblem> {
    // Longer suffixes first, so `ms` and `min` are not read as `s` and `m`.
    let units: [(suffix: String, milliseconds: UInt64)] = [
        ("ms", 1), ("min", 60_000), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]
    let (number, unit) = units.first { text.hasSuffix($0.suffix) }
        .map { (text.dropLast($0.suffix.count), $0.milliseconds) } ?? (Substring(text), 1000)
    guard let amount = DecimalAmount(number), let approximate = Double(number) else { return .failure(.notADuration(text)) }
    // The approximate value tells which limit is crossed; the exact digits give the duration.
    let approximateMilliseconds = approximate * Double(unit)
    if approximateMilliseconds > Double(limits.maximum.nanoseconds / 1_000_000) {
        return .failure(.tooLong(text, maximum: limits.maximum, reason: limits.reason))
    }
    if approximateMilliseconds < Double(limits.minimum.nanoseconds / 1_000_000) { return .failure(.tooShort(text, minimum: limits.minimum)) }
    guard let milliseconds = amount.milliseconds(per: unit) else { return .failure(.finerThanAMillisecond(text)) }
    return check(.milliseconds(milliseconds), text: text, within: limits)
}

/// A duration given as a number of seconds (the control socket's JSON), checked against `limits`.
public func parseDuration(seconds: Double, within limits: DurationLimits) -> Result<Duration, DurationProblem> {
    let text = "\(seconds)s"
    guard seconds.isFinite else { return .failure(.notADuration(text)) }
    guard seconds >= limits.minimum.seconds else { return .failure(.tooShort(text, minimum: limits.minimum)) }
    guard seconds <= limits.maximum.seconds else { return .failure(.tooLong(text, maximum: limits.maximum, reason: limits.reason)) }
    let milliseconds = (seconds * 1000).rounded()
    // A binary fraction like 1.001 is not exact: allow what its rounding leaves, nothing coarser.
    guard abs(seconds * 1000 - milliseconds) <= 1e-6 * max(1, milliseconds) else { return .failure(.finerThanAMillisecond(text)) }
    return check(.milliseconds(Int64(milliseconds)), text: text, within: limits)
}

/// A duration with the widest limits (`DurationLimits.any`), for callers that check their own range; nil
/// when it is not one.
public func parseDuration(_ text: String) -> Duration? {
    try? parseDuration(text, within: .any).get()
}

private func check(_ duration: Duration, text: String, within limits: DurationLimits) -> Result<Duration, DurationProblem> {
    if duration < limits.minimum { return .failure(.tooShort(text, minimum: limits.minimum)) }
    if duration > limits.maximum { return .failure(.tooLong(text, maximum: limits.maximum, reason: limits.reason)) }
    return .success(duration)
}

/// `[±]digits[.digits]` read exactly (the sign is left to the limits): the digits as an integer and the count of decimals.
private struct DecimalAmount {
    let digits: Substring
    let decimals: Int

    init?(_ text: Substring) {
        var rest = text
        // A sign is read (so "-1s" is too short, not gibberish); the limits refuse what is not positive.
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0], fraction = parts.count > 1 ? parts[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty), (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // Trailing zeros of the fraction and leading zeros carry nothing.
        let trimmedFraction = String(fraction.reversed().drop { $0 == "0" }.reversed())
        digits = Substring(whole + trimmedFraction).drop { $0 == "0" }
        decimals = trimmedFraction.count
    }

    /// The amount in whole milliseconds; nil when it is not a whole number of them or does not fit 63 bits.
    func milliseconds(per unit: UInt64) -> Int64? {
        // 18 digits always fit; longer amounts are beyond any limit anyway.
        guard !digits.isEmpty, digits.count <= 18, decimals <= 18, let value = UInt64(digits) else { return nil }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
        var divisor: UInt64 = 1
        for _ in 0..<decimals { divisor *= 10 }
        guard !overflow, scaled % divisor == 0, let milliseconds = Int64(exactly: scaled / divisor) else { return nil }
        return milliseconds
    }
}

extension Duration {
    /// The duration as `parseDuration` reads it back, to the millisecond: `250ms`, `5s`, `1.5s`, `90s`.
    /// A second or more prints in seconds, anything shorter in milliseconds.
    public var text: String {
        let milliseconds = nanoseconds.addingSaturated(500_000) / 1_000_000
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let (whole, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        guard fraction > 0 else { return "\(whole)s" }
        let decimals = String(String(fraction + 1000).dropFirst()).reversed().drop { $0 == "0" }.reversed()
        return "\(whole).\(String(decimals))s"
    }
}
