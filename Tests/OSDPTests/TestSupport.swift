import Testing
@testable import OSDP

/// Bytes from a hex string as written in osdp-captures.md.
func hex(_ text: String) -> [UInt8] {
    guard let bytes = [UInt8](hexString: text) else { fatalError("bad hex in test: \(text)") }
    return bytes
}

let ms: UInt64 = 1_000_000

/// Hands out scripted 8-byte values (little-endian words), so RND.A and keys are known in tests.
struct ScriptedRandom: RandomNumberGenerator, Sendable {
    var words: [UInt64]

    init(_ chunks: [[UInt8]]) {
        words = chunks.flatMap { chunk in
            stride(from: 0, to: chunk.count, by: 8).map { start in
                chunk[start..<min(start + 8, chunk.count)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            }
        }
    }

    mutating func next() -> UInt64 {
        precondition(!words.isEmpty, "ScriptedRandom ran out of values")
        return words.removeFirst()
    }
}

/// A control panel driven by a fake clock, with helpers to play the PD's side.
struct Harness {
    var panel: ControlPanel
    var now: UInt64 = 0
    var events: [BusEvent] = []

    init(_ pds: [PDConfiguration], options: BusOptions = .init(), random: [[UInt8]] = []) throws {
        panel = try ControlPanel(pds: pds, options: options, random: ScriptedRandom(random))
    }

    mutating func advance(_ nanoseconds: UInt64) { now += nanoseconds }

    /// What the panel sends now (nil if nothing).
    mutating func sent() -> [UInt8]? {
        defer { events += panel.takeEvents() }
        return panel.nextTransmission(now: now)
    }

    /// The PD answers after 1 ms.
    mutating func reply(_ bytes: [UInt8]) {
        now += 1 * ms
        panel.receive(bytes, now: now)
        events += panel.takeEvents()
    }

    /// Waits (1 ms steps, at most `within`) for the next transmission; expects `command`, then answers `reply`.
    @discardableResult
    mutating func expect(_ command: String, reply: String?, within: UInt64 = 1_000 * ms,
                         sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let deadline = now + within
        while now <= deadline {
            if let bytes = sent() {
                #expect(bytes.hexString == command.uppercased(), sourceLocation: sourceLocation)
                if let reply { self.reply(hex(reply)) }
                return bytes == hex(command)
            }
            now += 1 * ms
        }
        Issue.record("nothing sent within \(within / ms) ms; expected \(command)", sourceLocation: sourceLocation)
        return false
    }

    /// Runs the clock until something is sent (at most `within`) and returns it with the time it went out.
    mutating func nextSent(within: UInt64 = 20_000 * ms) -> (bytes: [UInt8], at: UInt64)? {
        let deadline = now + within
        while now <= deadline {
            if let bytes = sent() { return (bytes, now) }
            now += 1 * ms
        }
        return nil
    }

    mutating func takeEvents() -> [BusEvent] {
        defer { events.removeAll() }
        return events
    }

    var results: [CommandResult] {
        events.compactMap { if case .commandResult(_, let result) = $0 { result } else { nil } }
    }
}
