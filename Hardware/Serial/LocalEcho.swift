/// How a port treats adapters that hear their own transmission (2-wire RS-485 converters often do).
public enum EchoHandling: String, Sendable, Codable, CaseIterable {
    /// The adapter never echoes: every received byte is data.
    case none
    /// The adapter always echoes: what was sent is removed from the receive stream.
    case suppress
    /// Find out from the first transmission: if the bytes come back, suppress from then on.
    case detect
}

/// Removes a port's own transmissions from what it receives.
///
/// An echo is recognised only as the exact bytes that were sent, in order; the first byte that differs
/// proves it was data, and everything held back so far is handed on. For OSDP this is unambiguous:
/// a reply never starts with the command's bytes (the reply bit of the address differs).
struct LocalEchoFilter {
    let handling: EchoHandling
    /// Whether the adapter echoes, once known (`nil` while detecting).
    private(set) var echoes: Bool?
    private var expected: [UInt8] = []
    private var matchedCount = 0
    private var deadline: UInt64 = 0

    /// How long past the wire time an echo may lag (USB adapters buffer up to 16 ms).
    static let graceNanoseconds: UInt64 = 50_000_000

    init(handling: EchoHandling) {
        self.handling = handling
        echoes = switch handling {
        case .none: false
        case .suppress: true
        case .detect: nil
        }
    }

    /// Records a transmission whose echo is to be expected until `wireTime` plus a grace period has passed.
    mutating func sent(_ bytes: some Collection<UInt8>, now: UInt64, wireTimeNanoseconds: UInt64) {
        guard echoes != false else { return }
        expected.append(contentsOf: bytes)
        deadline = now + wireTimeNanoseconds + Self.graceNanoseconds
    }

    /// Returns the received bytes that are not the echo.
    mutating func received(_ bytes: [UInt8]) -> [UInt8] {
        var index = 0
        while matchedCount < expected.count, index < bytes.count {
            guard bytes[index] == expected[matchedCount] else { return notAnEcho() + bytes[index...] }
            matchedCount += 1
            index += 1
        }
        if !expected.isEmpty, matchedCount == expected.count {
            expected.removeAll(keepingCapacity: true)
            matchedCount = 0
            echoes = true
        }
        return Array(bytes[index...])
    }

    /// Called when nothing arrived: an echo that is overdue will not come.
    mutating func expire(now: UInt64) -> [UInt8] {
        guard !expected.isEmpty, now >= deadline else { return [] }
        return notAnEcho()
    }

    /// Gives back bytes held as a possible echo and stops waiting for the rest.
    private mutating func notAnEcho() -> [UInt8] {
        let held = Array(expected.prefix(matchedCount))
        if echoes == nil { echoes = false }
        expected.removeAll(keepingCapacity: true)
        matchedCount = 0
        return held
    }
}
