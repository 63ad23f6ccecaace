/// Limits on PINs typed key by key.
public struct PasscodeRules: Sendable, Hashable {
    /// A half-typed PIN is dropped when no key follows within this time (nanoseconds; default 5 s).
    public var interKeyTimeout: UInt64
    /// The longest PIN accepted (1...16, default 8). A longer entry is dropped, never truncated.
    public var maxLength: Int

    public init(interKeyTimeout: UInt64 = 5_000_000_000, maxLength: Int = 8) {
        self.interKeyTimeout = interKeyTimeout
        self.maxLength = maxLength
    }

    public func validate() throws(WiegandConfigurationError) {
        guard (1...Passcode.maxLength).contains(maxLength) else {
            throw .invalidPasscodeRules("the maximum PIN length must be 1...\(Passcode.maxLength)")
        }
        guard interKeyTimeout > 0 else { throw .invalidPasscodeRules("the inter-key timeout must be longer than 0") }
    }
}

/// Turns key presses into PINs: digits accumulate, `#` submits, `*` clears, a pause longer than the inter-key
/// timeout or a card read drops what was typed.
public struct PasscodeAssembler: Sendable {
    public enum Outcome: Sendable, Hashable {
        case submitted(Passcode)
        case rejected(PinError)
    }

    public let rules: PasscodeRules
    private var entry = Passcode()
    private var lastKeyAt: UInt64?
    /// Set when the entry grew past the maximum: keys are ignored until `#`, `*` or the timeout.
    private var overflowed = false

    public init(rules: PasscodeRules = .init()) throws(WiegandConfigurationError) {
        try rules.validate()
        self.rules = rules
    }

    /// True while digits are waiting for `#`.
    public var hasPendingEntry: Bool { entry.count > 0 || overflowed }

    /// Handles one key pressed at `time`; returns the PIN when `#` completes one, or why an entry failed.
    public mutating func press(_ key: KeypadKey, at time: UInt64) -> Outcome? {
        expire(at: time)
        lastKeyAt = time
        switch key {
        case .digit(let digit):
            guard !overflowed else { return nil }
            guard entry.count < rules.maxLength, entry.append(digit) else {
                cancel()
                overflowed = true
                lastKeyAt = time
                return .rejected(.tooLong)
            }
            return nil
        case .star:
            cancel()
            return nil
        case .hash:
            defer { cancel() }
            guard !overflowed, entry.count > 0 else { return nil }
            return .submitted(entry)
        }
    }

    /// Drops a half-typed PIN whose last key is older than the inter-key timeout.
    public mutating func expire(at now: UInt64) {
        if let lastKeyAt, now >= lastKeyAt, now - lastKeyAt >= rules.interKeyTimeout { cancel() }
    }

    /// Drops whatever was typed (a card was read, or the entry was cleared).
    public mutating func cancel() {
        entry = Passcode()
        overflowed = false
        lastKeyAt = nil
    }
}
