/// `250ms`, `5s`, `2m`, `1h`, or a plain number of seconds; nil unless positive and finite.
/// The one spelling of durations in configuration files and on the command line.
public func parseDuration(_ text: String) -> Duration? {
    let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    let (number, scale) = units.first { text.hasSuffix($0.suffix) }
        .map { (text.dropLast($0.suffix.count), $0.scale) } ?? (Substring(text), 1)
    guard let amount = Double(number), amount.isFinite, amount > 0 else { return nil }
    return .milliseconds(Int64((amount * scale * 1000).rounded()))
}
