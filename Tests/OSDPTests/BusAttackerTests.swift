import Testing
@testable import OSDP

/// The PD's side of the captured Secure Channel session (`SecureBusTests`): opens the panel's commands and
/// seals its replies, or sends them the ways an attacker or a careless PD would.
private struct SecurePD {
    var session: SecureSession

    init() {
        let keys = SessionKeys(scbk: SecureBusTests.scbk, randomA: SecureBusTests.randomA)
        session = SecureSession(keys: keys, initialRMAC: FakePD.frame(hex(SecureBusTests.rmacI))!.data, role: .peripheral)
    }

    /// Opens a command the panel sent; nil when it does not verify.
    mutating func open(_ bytes: [UInt8]) -> Frame? {
        var parser = FrameParser()
        guard case .frame(let received)? = parser.append(bytes, now: 0).first else { return nil }
        return try? session.open(received)
    }

    /// `reply` to `command` as Keyway wants it: MAC, data encrypted (SCS_18).
    mutating func sealed(_ reply: Reply, to command: [UInt8]) -> [UInt8] {
        let frame = open(command)!
        return session.seal(Frame(address: 1, isReply: true, sequence: frame.sequence, code: reply.code.rawValue, data: reply.payload))
            .encoded(mark: false)
    }

    /// `reply` to `command` under a valid MAC but with its data in clear (SCS_16).
    mutating func macOnly(_ reply: Reply, to command: [UInt8]) -> [UInt8] {
        let command = open(command)!
        var frame = Frame(address: 1, isReply: true, sequence: command.sequence, securityBlock: SecurityBlock(.replyMAC),
                          code: reply.code.rawValue, data: reply.payload)
        frame.mac = Array(session.keys.mac(frame.bytesCoveredByMAC(), iv: session.lastReceivedMAC).prefix(Frame.macLength))
        return frame.encoded(mark: false)
    }
}

private let card = Reply.rawCard(RawCard(reader: 0, format: .wiegand, bitCount: 26, data: [0x02, 0x01, 0xF4, 0x80]))

/// What the bus sends next (see `Harness.nextSent`).
private func sent(_ bus: inout Harness, within: UInt64 = 20_000 * ms) -> (bytes: [UInt8], at: UInt64)? {
    bus.nextSent(within: within)
}

private func isCard(_ event: BusEvent) -> Bool {
    if case .card = event { true } else { false }
}

/// What someone on the RS-485 pair, or a PD that does not keep to its configuration, can and cannot make the bus do.
@Suite struct BusAttackerTests {
    static let anotherKey = SecureChannelKey(hex: "000102030405060708090a0b0c0d0e0f")!

    // MARK: A configured key means Secure Channel

    @Test func aKeyMeansSecureChannelIsRequiredUnlessSaidOtherwise() {
        #expect(PDConfiguration(address: 1, scbk: Self.anotherKey).security == .required)
        #expect(PDConfiguration(address: 1, installMode: true).security == .required)
        #expect(PDConfiguration(address: 1, scbk: Self.anotherKey, security: .preferred).security == .preferred)
        #expect(PDConfiguration(address: 1).security == .off)
    }

    @Test func aPDWithAKeyThatRefusesTheHandshakeIsNeverUsedInPlaintext() throws {
        var bus = try Harness([PDConfiguration(address: 1, scbk: SecureBusTests.scbk)], random: Array(repeating: SecureBusTests.randomA, count: 20))
        // A PD (or whoever answers in its place) that offers Secure Channel, refuses the handshake, and has a card to report.
        var pd = FakePD(address: 1)
        pd.capabilities.entries.append(Capability(function: .communicationSecurity, compliance: 1, count: 1))
        pd.reports = [card]
        bus.serve(&pd, for: 10_000 * ms)
        #expect(bus.events.contains { if case .secureChannelFailed(1, _) = $0 { true } else { false } })
        #expect(!bus.events.contains(.online(address: 1, secure: false)))
        #expect(!pd.received.contains(.poll), "never polled in plaintext")
        #expect(!bus.events.contains(where: isCard))
        #expect(bus.panel.status(of: 1)?.state == .offline)
    }

    @Test func theInstallKeyIsNeverAConfiguredKey() {
        #expect(throws: BusConfigurationError.self) { try ControlPanel(pds: [PDConfiguration(address: 1, scbk: .installDefault)]) }
        #expect("\(BusConfigurationError.defaultKey(address: 1))".contains("SCBK-D"))
    }

    @Test func keySetNeverInstallsTheInstallKey() throws {
        var bus = try SecureBusTests().secureOnline()
        bus.panel.submit(.keySet(.installDefault), to: 1, now: bus.now)
        let next = try #require(sent(&bus))
        #expect(next.bytes.commandCode == CommandCode.poll.rawValue)
        #expect(bus.results.contains { if case .rejected = $0 { true } else { false } })
    }

    // MARK: What may end a session

    @Test func aForgedSequenceZeroFrameDoesNotEndTheSession() throws {
        var bus = try SecureBusTests().secureOnline()
        let poll = try #require(sent(&bus))
        // Someone else on the wire answers first: a plaintext card at sequence 0, then a plaintext ACK at sequence 0.
        bus.reply(FakePD.reply(card, address: 1, sequence: 0))
        bus.reply(FakePD.reply(.ack, address: 1, sequence: 0))
        #expect(bus.sent() == nil, "still waiting for the PD's own reply")
        var pd = SecurePD()
        bus.reply(pd.sealed(.ack, to: poll.bytes))
        #expect(bus.takeEvents().isEmpty)
        #expect(bus.panel.status(of: 1)?.secure == true)
        #expect(bus.nextSent()?.bytes.commandCode == CommandCode.poll.rawValue, "no restart")
    }

    @Test func aPlaintextNAKEndsTheSessionAndRestartsBackOff() throws {
        var bus = try SecureBusTests().secureOnline(random: [SecureBusTests.randomA, SecureBusTests.randomA, SecureBusTests.randomA])
        var restartDelays: [UInt64] = []
        for _ in 0..<3 {
            let poll = try #require(sent(&bus))
            bus.reply(FakePD.reply(.nak(.securityConditionsNotMet, detail: []), address: 1, sequence: poll.bytes.sequence))
            #expect(bus.takeEvents().contains(.secureChannel(address: 1, active: false)))
            let restart = try #require(sent(&bus, within: 60_000 * ms))
            #expect(restart.bytes.commandCode == CommandCode.id.rawValue && restart.bytes.sequence == 0)
            restartDelays.append(restart.at - poll.at)
            // The same PD, the same RND.A: the captured handshake replays byte for byte.
            bus.reply(hex(SecureBusTests.pdid))
            bus.expect(SecureBusTests.cap, reply: SecureBusTests.pdcap)
            bus.expect(SecureBusTests.chlng, reply: SecureBusTests.ccrypt)
            bus.expect(SecureBusTests.scrypt, reply: SecureBusTests.rmacI)
            #expect(bus.panel.status(of: 1)?.secure == true)
        }
        #expect(restartDelays[0] < 100 * ms, "a PD that lost its session is served again at once")
        #expect(restartDelays[1] >= 1_000 * ms && restartDelays[2] >= 2_000 * ms, "resets in a row back off: \(restartDelays)")
    }

    @Test func garbageAnsweringTheHandshakeIsNotAnsweredAtFullSpeed() throws {
        var bus = try Harness([PDConfiguration(address: 1, scbk: SecureBusTests.scbk)], random: [SecureBusTests.randomA])
        bus.expect(SecureBusTests.id, reply: SecureBusTests.pdid)
        bus.expect(SecureBusTests.cap, reply: SecureBusTests.pdcap)
        let challenge = try #require(sent(&bus))
        let shortCCRYPT = Frame(address: 1, isReply: true, sequence: challenge.bytes.sequence,
                                securityBlock: SecurityBlock(.clientCryptogram, data: [1]), code: ReplyCode.ccrypt.rawValue, data: [1, 2, 3])
        bus.reply(shortCCRYPT.encoded(mark: false))
        let next = try #require(sent(&bus))
        #expect(next.at - challenge.at >= 1_000 * ms, "backed off, not a new CHLNG at once")
        #expect(bus.events.contains { if case .secureChannelFailed(1, _) = $0 { true } else { false } })
    }

    // MARK: Data must come encrypted

    @Test func cardDataUnderAMACButInClearIsRefused() throws {
        var bus = try SecureBusTests().secureOnline()
        var pd = SecurePD()
        let poll = try #require(sent(&bus))
        bus.reply(pd.macOnly(card, to: poll.bytes))
        #expect(!bus.events.contains(where: isCard), "the card number crossed the wire readable: not acted on")
        #expect(bus.events.contains { if case .secureChannelFailed(1, _) = $0 { true } else { false } })
        #expect(bus.panel.status(of: 1)?.secure == false)
    }

    @Test func encryptedCardDataIsAccepted() throws {
        var bus = try SecureBusTests().secureOnline()
        var pd = SecurePD()
        let poll = try #require(sent(&bus))
        bus.reply(pd.sealed(card, to: poll.bytes))
        #expect(bus.events.contains(where: isCard))
        #expect(bus.panel.status(of: 1)?.secure == true)
    }

    // MARK: Malformed reports leave a trace

    @Test func undecodableReportsAreReportedNotDropped() throws {
        var bus = try Harness([PDConfiguration(address: 1)])
        var pd = FakePD(address: 1)
        bus.serve(&pd, for: 100 * ms)
        let raw = ReplyCode.raw.rawValue, keypad = ReplyCode.keypad.rawValue
        let malformed: [(code: UInt8, data: [UInt8])] = [
            (raw, [0, 1, 26, 0, 0x02, 0x01]),                  // 26 bits in 2 bytes
            (raw, [0, 1, 8, 0, 0xFF, 0xFF]),                   // 8 bits in 2 bytes
            (keypad, [0, 255, 0x31, 0x32]),                    // 255 keys announced, 2 sent
            (0x99, []),                                        // no such reply
        ]
        for (code, data) in malformed {
            let poll = try #require(sent(&bus))
            bus.reply(Frame(address: 1, isReply: true, sequence: poll.bytes.sequence, code: code, data: data).encoded(mark: false))
        }
        let invalid = bus.events.compactMap { event -> UInt8? in
            if case .invalidReply(1, let code, _) = event { code } else { nil }
        }
        #expect(invalid == malformed.map(\.code))
        #expect(!bus.events.contains(where: isCard))
    }
}
