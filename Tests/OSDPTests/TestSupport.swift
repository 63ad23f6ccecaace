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

/// A plaintext PD good enough to drive the bus: answers ID, CAP, POLL (with queued reports) and commands.
struct FakePD {
    var address: UInt8
    var capabilities = Capabilities([
        Capability(function: .checkCharacterSupport, compliance: 1, count: 0),
        Capability(function: .receiveBufferSize, compliance: 0, count: 1),
    ])
    /// Replies handed out to POLLs, oldest first; ACK when empty.
    var reports: [Reply] = []
    /// Replies to the next non-POLL commands, ACK when empty.
    var answers: [Reply] = []
    var received: [Command] = []

    static func frame(_ bytes: [UInt8]) -> Frame? {
        var parser = FrameParser()
        guard case .frame(let received)? = parser.append(bytes, now: 0).first else { return nil }
        return received.frame
    }

    /// The reply bytes for a command frame addressed to this PD, nil if it is not for us.
    mutating func answer(_ bytes: [UInt8]) -> [UInt8]? {
        guard let frame = Self.frame(bytes), frame.address == address,
              let command = try? Command.decode(code: frame.code, payload: frame.data) else { return nil }
        received.append(command)
        let reply: Reply = switch command {
        case .identification: .identification(PDIdentification(vendorCode: [0xC3, 0xB2, 0xA1], model: 1, version: 1, serialNumber: UInt32(address), firmware: (1, 2, 3)))
        case .capabilities: .capabilities(capabilities)
        case .poll: reports.isEmpty ? .ack : reports.removeFirst()
        default: answers.isEmpty ? .ack : answers.removeFirst()
        }
        return Self.reply(reply, address: address, sequence: frame.sequence)
    }

    static func reply(_ reply: Reply, address: UInt8, sequence: UInt8) -> [UInt8] {
        Frame(address: address, isReply: true, sequence: sequence, code: reply.code.rawValue, data: reply.payload).encoded(mark: false)
    }
}

extension Harness {
    /// Runs the bus for `duration`, letting `pds` answer whatever is addressed to them.
    mutating func serve(_ pds: inout [FakePD], for duration: UInt64) {
        let end = now + duration
        while now < end {
            if let bytes = sent() {
                let target = pds.indices.first { pds[$0].address == (bytes.count > 2 ? bytes[2] : 0xFF) }
                if let target, let answer = pds[target].answer(bytes) { reply(answer) }
            } else {
                now += 1 * ms
            }
        }
    }

    mutating func serve(_ pd: inout FakePD, for duration: UInt64) {
        var pds = [pd]
        serve(&pds, for: duration)
        pd = pds[0]
    }
}

extension [UInt8] {
    /// Sequence number of a frame sent with the mark byte.
    var sequence: UInt8 { self[5] & 0x03 }
    var commandCode: UInt8 { self[self[5] & 0x08 != 0 ? 6 + Int(self[6]) : 6] }
}
