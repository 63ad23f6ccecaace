/// Assembles the keys pressed at one reader into a PIN: digits collect, `#` submits, `*` starts
/// over, and a pause longer than `keyTimeout` forgets what was typed (someone walked away).
struct PINEntry: Sendable {
    static let maximumLength = 12

    let keyTimeout: UInt64
    private var digits = ""
    private var lastKeyAt: UInt64 = 0

    init(keyTimeout: Duration) { self.keyTimeout = keyTimeout.nanoseconds }

    enum Outcome: Equatable {
        case collecting
        case submitted(String)
        case cleared
        /// Too many digits: the entry is discarded rather than guessed at.
        case overflow
    }

    var isEmpty: Bool { digits.isEmpty }

    mutating func press(_ key: Character, now: UInt64) -> Outcome {
        if let deadline, now >= deadline { digits = "" }
        lastKeyAt = now
        switch key {
        case "#":
            defer { digits = "" }
            return digits.isEmpty ? .cleared : .submitted(digits)
        case "*":
            digits = ""
            return .cleared
        case "0"..."9":
            guard digits.count < Self.maximumLength else {
                digits = ""
                return .overflow
            }
            digits.append(key)
            return .collecting
        default:
            return .collecting
        }
    }

    /// When the typed digits expire, if any were typed.
    var deadline: UInt64? { digits.isEmpty ? nil : lastKeyAt + keyTimeout }

    mutating func expire(now: UInt64) -> Bool {
        guard let deadline, now >= deadline else { return false }
        digits = ""
        return true
    }

    mutating func reset() { digits = "" }
}

extension Duration {
    /// Whole nanoseconds, for the monotonic `UInt64` time the state machines use.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
