import FuzzSupport
import OSDP

/// The libosdp handshake from osdp-captures.md (§ secure session, SCBK 0123…3210), as SecureBusTests plays it.
private enum Capture {
    static let scbk = SecureChannelKey(hex: "0123456789abcdeffedcba9876543210")!
    static let randomA = bytes(hex: "d764c8cce93255c4")
    /// PDID, PDCAP, CCRYPT, RMAC_I: the PD's answers to ID, CAP, CHLNG and SCRYPT.
    static let replies = [
        "538114000445c3b2a1010104030201010203afbd",
        "5381260005460101040201040301000404020502010601010801000901000a000110020070cb",
        "53812b000e03120176c3b2010004030201d764c8cce93255c4144bcf82246d84287a8af2911d8a0a26327b",
        "53811b000f031401781d55f0691831104805dda2a8336fa9d5b5bc",
    ].map { bytes(hex: $0) }
    static let serverCryptogram = bytes(hex: "144bcf82246d84287a8af2911d8a0a26")
}

/// RND.A of the capture first, then an endless fixed stream: a handshake the input restarts needs more.
private struct CaptureRandom: RandomNumberGenerator, Sendable {
    var scripted: [UInt64]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    mutating func next() -> UInt64 {
        if !scripted.isEmpty { return scripted.removeFirst() }
        state &+= 0x9E37_79B9_7F4A_7C15  // splitmix64
        var mixed = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

private let ms: UInt64 = 1_000_000

/// Reply codes the panel turns into events, so the input reaches them in one byte.
private let reportCodes: [ReplyCode] = [.raw, .fmt, .keypad, .lstatr, .istatr, .ostatr, .rstatr, .mfgrep, .ack, .nak, .busy]

/// A control panel (Secure Channel required) with the session established, and the PD's side of that
/// session, kept in step by opening every command the panel sends.
private struct SecureBus {
    var panel: ControlPanel
    var now: UInt64
    /// The PD's session; nil once the panel has dropped it (it restarts in plaintext with ID).
    var pd: SecureSession?
    /// The PD's session before the last command: a retransmission opens with it.
    var pdBeforeCommand: SecureSession?

    static let established: SecureBus = {
        let pd = PDConfiguration(address: 1, scbk: Capture.scbk, security: .required)
        let randomA = Capture.randomA.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        var panel = try! ControlPanel(pds: [pd], random: CaptureRandom(scripted: [randomA]))
        var now: UInt64 = 0
        var replies = Capture.replies[...]
        while let reply = replies.first {
            invariant(now < 10_000 * ms, "the captured handshake did not complete")
            if panel.nextTransmission(now: now) != nil {
                now += 1 * ms
                panel.receive(reply, now: now)
                replies.removeFirst()
            } else {
                now += 1 * ms
            }
        }
        invariant(panel.takeEvents().contains(.online(address: 1, secure: true)), "the captured handshake did not bring PD 1 online securely")
        let keys = SessionKeys(scbk: Capture.scbk, randomA: Capture.randomA)
        let session = SecureSession(keys: keys, initialRMAC: keys.initialRMAC(serverCryptogram: Capture.serverCryptogram), role: .peripheral)
        return SecureBus(panel: panel, now: now, pd: session, pdBeforeCommand: session)
    }()

    /// The next frame the panel sends, running its clock to its deadlines (a few at most).
    mutating func nextCommand() -> Frame? {
        for _ in 0..<8 {
            if let sent = panel.nextTransmission(now: now) {
                var parser = FrameParser()
                guard case .frame(let received)? = parser.append(sent, now: 0).first else {
                    fatalError("the panel sent bytes that do not parse as a frame")
                }
                checkFrame(received)
                invariant(!received.frame.isReply && received.frame.address == 1, "the panel sent a frame not addressed to PD 1")
                receiveOnPD(received)
                return received.frame
            }
            guard let deadline = panel.nextDeadline() else { return nil }
            now = max(now + 1, deadline)
        }
        return nil
    }

    /// Keeps the PD's MAC chain in step: a sealed command opens with the current session, or (a
    /// retransmission) with the one before the last command; a plaintext command means the session is gone.
    private mutating func receiveOnPD(_ command: ReceivedFrame) {
        guard command.frame.securityBlock?.type.carriesMAC == true else {
            pd = nil
            return
        }
        for candidate in [pd, pdBeforeCommand].compactMap({ $0 }) {
            var session = candidate
            if (try? session.open(command)) != nil {
                pdBeforeCommand = candidate
                pd = session
                return
            }
        }
        pd = nil
    }

    /// The PD's reply: sealed while the session lives, plaintext after.
    mutating func reply(sequence: UInt8, code: UInt8, data: [UInt8]) -> (bytes: [UInt8], sealed: Bool) {
        let frame = Frame(address: 1, isReply: true, sequence: sequence, code: code, data: Array(data.prefix(1_000)))
        guard var session = pd else { return (frame.encoded(mark: false), false) }
        let sealed = session.seal(frame)
        pd = session
        return (sealed.encoded(mark: false), true)
    }

    mutating func deliver(_ bytes: [UInt8], after delay: UInt64 = 1 * ms) -> [BusEvent] {
        now += delay
        panel.receive(bytes, now: now)
        return panel.takeEvents()
    }
}

/// Events only a PD holding the key may cause: what a reader reports.
private func isReport(_ event: BusEvent) -> Bool {
    switch event {
    case .card, .formattedCard, .keypad, .localStatus, .inputs, .outputs, .readers, .manufacturer: true
    default: false
    }
}

/// The control panel's whole receive path with Secure Channel established: the input plays a PD that
/// holds the key (replies of any code and payload, sealed with the live session, with any sequence
/// number), an attacker on the wire without the key (any bytes), and time passing.
/// Invariants: with Secure Channel required, nothing the attacker sends causes a report event, and
/// PD 1 never comes online without Secure Channel; every frame the panel sends parses and re-encodes.
func fuzzSecureBus(_ bytes: [UInt8]) {
    var input = FuzzInput(bytes)
    var bus = SecureBus.established
    for _ in 0..<64 where !input.isAtEnd {
        guard let command = bus.nextCommand() else { return }
        let kind = input.byte()
        let sequence = kind & 0x10 != 0 ? input.byte() & 0x03 : command.sequence
        var events: [BusEvent] = []
        var trusted: [BusEvent] = []
        switch kind & 0x03 {
        case 0, 1:
            // The PD answers: a report code from the table, or any code, with any payload.
            let code = kind & 0x03 == 1 ? reportCodes[Int(input.byte()) % reportCodes.count].rawValue : input.byte()
            let payload = input.bytes(Int(input.byte()))
            checkMessages(code: code, payload: payload)
            let reply = bus.reply(sequence: sequence, code: code, data: payload)
            let delivered = bus.deliver(reply.bytes)
            if reply.sealed { trusted += delivered } else { events += delivered }
        case 2:
            // Someone without the key: any bytes, possibly cut short by an inter-character gap.
            let noise = input.bytes(Int(input.byte()))
            let cut = min(noise.count, Int(input.byte()))
            events += bus.deliver(Array(noise[..<cut]))
            events += bus.deliver(Array(noise[cut...]), after: UInt64(input.byte()) * 200_000)
        default:
            // No answer: the panel times out, retries, and eventually gives up on the PD.
            bus.now += UInt64(input.byte()) * 20 * ms
        }
        if kind & 0x20 != 0 {
            // Noise right behind the answer.
            events += bus.deliver(input.bytes(Int(input.byte() % 32)))
        }
        invariant(!events.contains(where: isReport), "bytes sent without the key caused a report: \(events.filter(isReport))")
        invariant(!(events + trusted).contains(.online(address: 1, secure: false)), "PD 1 came online without Secure Channel though it is required")
    }
}
