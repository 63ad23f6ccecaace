import Testing
@testable import OSDP

/// Secure Channel policy on the bus, starting from the captured libosdp handshake.
@Suite struct SecureBusTests {
    static let scbk = SecureChannelKey(hex: "0123456789abcdeffedcba9876543210")!
    static let randomA = hex("d764c8cce93255c4")
    static let id = "ff530109000461006023", pdid = "538114000445c3b2a1010104030201010203afbd"
    static let cap = "ff530109000562000341"
    static let pdcap = "5381260005460101040201040301000404020502010601010801000901000a000110020070cb"
    static let chlng = "ff530113000e03110176d764c8cce93255c41f4f"
    static let ccrypt = "53812b000e03120176c3b2010004030201d764c8cce93255c4144bcf82246d84287a8af2911d8a0a26327b"
    static let scrypt = "ff53011b000f03130177144bcf82246d84287a8af2911d8a0a26f91e"
    static let rmacI = "53811b000f031401781d55f0691831104805dda2a8336fa9d5b5bc"
    static let securePoll = "ff53010e000d02156037f917eb2007"

    /// A captured reply with some field changed and a fresh CRC.
    static func altered(_ text: String, _ change: (inout Frame) -> Void) -> String {
        var frame = FakePD.frame(hex(text))!
        change(&frame)
        return frame.encoded(mark: false).hexString
    }

    func secureOnline(policy: SecurityPolicy = .required, options: BusOptions = .init(), random: [[UInt8]] = []) throws -> Harness {
        var bus = try Harness([PDConfiguration(address: 1, scbk: Self.scbk, security: policy)], options: options, random: [Self.randomA] + random)
        bus.expect(Self.id, reply: Self.pdid)
        bus.expect(Self.cap, reply: Self.pdcap)
        bus.expect(Self.chlng, reply: Self.ccrypt)
        bus.expect(Self.scrypt, reply: Self.rmacI)
        #expect(bus.takeEvents().contains(.online(address: 1, secure: true)))
        return bus
    }

    func expectRestart(_ bus: inout Harness, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let next = bus.nextSent() else { Issue.record("nothing sent", sourceLocation: sourceLocation); return }
        #expect(next.bytes.hexString == Self.id.uppercased(), "restart with ID at sequence 0", sourceLocation: sourceLocation)
    }

    @Test func plaintextReplyInsideSecureChannelIsRefused() throws {
        var bus = try secureOnline()
        bus.expect(Self.securePoll, reply: "5381080005403935")  // plaintext ACK, sequence 1
        #expect(bus.takeEvents() == [.secureChannelFailed(address: 1, .plaintextReply), .secureChannel(address: 1, active: false)])
        expectRestart(&bus)
    }

    @Test func replyWithBadMACIsRefused() throws {
        var bus = try secureOnline()
        bus.expect(Self.securePoll, reply: Self.altered("53810e000d02164043812ab18539") { $0.mac[0] ^= 1 })
        #expect(bus.takeEvents() == [.secureChannelFailed(address: 1, .macMismatch), .secureChannel(address: 1, active: false)])
        #expect(bus.panel.status(of: 1)?.counters.secureChannelFailures == 1)
        expectRestart(&bus)
    }

    @Test func plaintextNAKMeansThePDDroppedTheSession() throws {
        var bus = try secureOnline()
        bus.expect(Self.securePoll, reply: FakePD.reply(.nak(.securityConditionsNotMet, detail: []), address: 1, sequence: 1).hexString)
        #expect(bus.takeEvents() == [.nak(address: 1, .securityConditionsNotMet), .secureChannel(address: 1, active: false)])
        expectRestart(&bus)
    }

    /// A session that merely broke (a plaintext NAK inside Secure Channel: the PD kept answering all along) keeps the
    /// bound on its reads' age, so the reads after the re-handshake are not refused as stale; a PD that lost our
    /// sequence (NAK 0x04: it may have restarted) reports reads of unknown age until an empty poll bounds them again.
    @Test func aBrokenSessionKeepsTheBoundOnReadAgesAndALostSequenceDoesNot() throws {
        for (code, bounded) in [(NAKCode.securityConditionsNotMet, true), (.sequenceNumber, false)] {
            var bus = try secureOnline()
            bus.expect(Self.securePoll, reply: "53810e000d02164043812ab18539")  // an empty poll: reads are fresh since it
            #expect(bus.panel.status(of: 1)?.reportsAgeBounded == true)
            guard bus.nextSent() != nil else {
                Issue.record("no second poll")
                continue
            }
            bus.reply(FakePD.reply(.nak(code, detail: []), address: 1, sequence: 2))
            #expect(bus.takeEvents().contains(.secureChannel(address: 1, active: false)), "\(code): the session ends")
            #expect(bus.panel.status(of: 1)?.reportsAgeBounded == bounded, "\(code)")
        }
    }

    @Test func wrongKeyIsRefusedAndCommandsFail() throws {
        let wrong = SecureChannelKey(hex: "00000000000000000000000000000001")!
        var bus = try Harness([PDConfiguration(address: 1, scbk: wrong, security: .required)], random: [Self.randomA])
        let ticket = bus.panel.submit(.buzzer([BuzzerControl(onTime: 1, offTime: 1, count: 1)]), to: 1, now: 0)
        bus.expect(Self.id, reply: Self.pdid)
        bus.expect(Self.cap, reply: Self.pdcap)
        bus.expect(Self.chlng, reply: Self.ccrypt)
        #expect(bus.events.contains(.secureChannelFailed(address: 1, .cryptogramMismatch)))
        #expect(bus.events.contains(.commandResult(ticket, .secureChannelLost)))
        #expect(!bus.events.contains(.online(address: 1, secure: false)), "never used in plaintext")
        #expect(bus.panel.status(of: 1)?.state == .offline)
        #expect("\(SecureChannelError.cryptogramMismatch)" == "cryptogram mismatch — wrong SCBK?")
    }

    @Test func preferredPolicyFallsBackToPlaintextAndSaysSo() throws {
        let wrong = SecureChannelKey(hex: "00000000000000000000000000000001")!
        var bus = try Harness([PDConfiguration(address: 1, scbk: wrong, security: .preferred)], random: [Self.randomA])
        bus.expect(Self.id, reply: Self.pdid)
        bus.expect(Self.cap, reply: Self.pdcap)
        bus.expect(Self.chlng, reply: Self.ccrypt)
        #expect(bus.events.suffix(2) == [.secureChannelFailed(address: 1, .cryptogramMismatch), .online(address: 1, secure: false)])
    }

    @Test func requiredPolicyRefusesAPDWithoutSecureChannel() throws {
        var bus = try Harness([PDConfiguration(address: 1, scbk: Self.scbk, security: .required)])
        bus.expect(Self.id, reply: Self.pdid)
        let noSecurity = FakePD.reply(.capabilities(Capabilities([Capability(function: .checkCharacterSupport, compliance: 1, count: 0)])), address: 1, sequence: 1)
        bus.expect(Self.cap, reply: noSecurity.hexString)
        #expect(bus.events.contains(.secureChannelFailed(address: 1, .notSupported)))
        #expect(bus.panel.status(of: 1)?.state == .offline)
    }

    @Test func requiredPolicyWithoutKeyOrInstallWindowIsRefused() throws {
        var bus = try Harness([PDConfiguration(address: 1, security: .required)])
        bus.expect(Self.id, reply: Self.pdid)
        bus.expect(Self.cap, reply: Self.pdcap)
        #expect(bus.events.contains(.secureChannelFailed(address: 1, .noKey)))
    }

    @Test func defaultKeyOnlyInsideTheInstallWindow() throws {
        // An install-mode PD answers with SCBK-D; without the install window Keyway does not fall back.
        var bus = try Harness([PDConfiguration(address: 1, scbk: Self.scbk, security: .required)], random: [Self.randomA])
        bus.expect(Self.id, reply: Self.pdid)
        bus.expect(Self.cap, reply: Self.pdcap)
        bus.expect(Self.chlng, reply: "53812b000e03120176c3b2010004030201d764c8cce93255c42b7639d74cdd2b16a0abb3f570ada201fb39")
        #expect(bus.events.contains(.secureChannelFailed(address: 1, .cryptogramMismatch)))
        #expect(!bus.events.contains(.defaultKeyAccepted(address: 1)))
    }

    @Test func keySelectorMismatchIsRefused() throws {
        var bus = try Harness([PDConfiguration(address: 1, scbk: Self.scbk, security: .required)], random: [Self.randomA])
        bus.expect(Self.id, reply: Self.pdid)
        bus.expect(Self.cap, reply: Self.pdcap)
        bus.expect(Self.chlng, reply: Self.altered(Self.ccrypt) { $0.securityBlock?.data = [0x00] })
        #expect(bus.events.contains(.secureChannelFailed(address: 1, .keySelectorMismatch)))
    }

    @Test func initialRMACIsVerifiedNotTrusted() throws {
        for change in [{ (frame: inout Frame) in frame.data[0] ^= 1 }, { (frame: inout Frame) in frame.securityBlock?.data = [0xFF] }] {
            var bus = try Harness([PDConfiguration(address: 1, scbk: Self.scbk, security: .required)], random: [Self.randomA])
            bus.expect(Self.id, reply: Self.pdid)
            bus.expect(Self.cap, reply: Self.pdcap)
            bus.expect(Self.chlng, reply: Self.ccrypt)
            bus.expect(Self.scrypt, reply: Self.altered(Self.rmacI, change))
            #expect(bus.events.contains(.secureChannelFailed(address: 1, .initialRMACMismatch)))
            #expect(bus.panel.status(of: 1)?.secure == false)
        }
    }

    @Test func installRandomKeyThenRehandshakesWithIt() throws {
        let newKey = hex("00112233445566778899aabbccddeeff")
        let nextRandomA = hex("0102030405060708")
        var bus = try secureOnline(random: [newKey, nextRandomA])
        let (ticket, key) = bus.panel.installRandomKey(on: 1, now: bus.now)
        #expect(key.bytes == newKey)
        guard let keyset = bus.nextSent() else { Issue.record("no KEYSET"); return }
        #expect(keyset.bytes.commandCode == CommandCode.keyset.rawValue)
        #expect(keyset.bytes[7] == SecurityBlockType.commandEncrypted.rawValue, "KEYSET travels encrypted")
        #expect(!keyset.bytes.hexString.contains(key.hex), "the key never crosses the wire in clear")
        // HID readers acknowledge KEYSET in plaintext, having switched keys already.
        bus.reply(FakePD.reply(.ack, address: 1, sequence: keyset.bytes.sequence))
        #expect(bus.takeEvents() == [.commandResult(ticket, .ack), .keyInstalled(address: 1), .secureChannel(address: 1, active: false)])
        guard let challenge = bus.nextSent() else { Issue.record("no CHLNG"); return }
        #expect(challenge.bytes.commandCode == CommandCode.chlng.rawValue)
        #expect(Array(challenge.bytes[7...9]) == [0x11, 0x01, 0x76], "key selector 1: the new SCBK")
        #expect(Array(challenge.bytes[10..<18]) == nextRandomA)
    }

    @Test func secureRetryResendsIdenticalBytesAndTheMACChainHolds() throws {
        var bus = try secureOnline()
        guard let poll = bus.nextSent() else { Issue.record("no POLL"); return }
        #expect(poll.bytes.hexString == Self.securePoll.uppercased())
        bus.now += 400 * ms
        guard let retry = bus.nextSent() else { Issue.record("no retry"); return }
        #expect(retry.bytes == poll.bytes)
        bus.reply(hex("53810e000d02164043812ab18539"))
        #expect(bus.takeEvents().isEmpty)
        #expect(bus.panel.status(of: 1)?.secure == true)
    }

    @Test func traceShowsWireBytesAndDecryptedPayloads() throws {
        var options = BusOptions()
        options.traceFrames = true
        var bus = try secureOnline(options: options)
        let led = LEDControl(permanent: LEDPermanentState(control: .set, onTime: 1, onColor: .green))
        bus.panel.submit(.led([led]), to: 1, now: bus.now)
        guard let sent = bus.nextSent() else { Issue.record("nothing sent"); return }
        let traced = bus.takeEvents().compactMap { if case .frame(1, let trace) = $0 { trace } else { nil } }
        #expect(traced.count == 1)
        #expect(traced.first?.direction == .toPD)
        #expect(traced.first?.bytes == sent.bytes)
        #expect(traced.first?.clearData == Command.led([led]).payload)
    }
}

@Suite struct LostKeySetTests {
    /// The PD stored the new key but its ACK never arrived; when it is back, the old key fails and the new one is tried.
    @Test func aKeySetWithoutACKIsTriedOnTheNextHandshake() throws {
        let newKey = hex("00112233445566778899aabbccddeeff")
        let randomA2 = hex("1011121314151617")
        var bus = try SecureBusTests().secureOnline(random: [newKey, randomA2])
        let (ticket, key) = bus.panel.installRandomKey(on: 1, now: bus.now)
        guard let keyset = bus.nextSent() else { Issue.record("no KEYSET"); return }
        #expect(keyset.bytes.commandCode == CommandCode.keyset.rawValue)
        // Silence until offline, then the PD answers the probe again.
        var probe: [UInt8]?
        while probe == nil, let (bytes, _) = bus.nextSent(within: 20_000 * ms) {
            if bytes.commandCode == CommandCode.id.rawValue && bytes.sequence == 0 && bus.events.contains(.offline(address: 1)) { probe = bytes }
        }
        #expect(bus.events.contains(.commandResult(ticket, .timeout)))
        guard probe != nil else { Issue.record("no probe"); return }
        bus.reply(hex(SecureBusTests.pdid))
        bus.expect(SecureBusTests.cap, reply: SecureBusTests.pdcap)

        let randomB = hex("2021222324252627"), uid = hex("c3b2010004030201")
        let keys = SessionKeys(scbk: key, randomA: randomA2)
        let ccrypt = Reply.clientCryptogram(ClientCryptogram(clientUID: uid, randomB: randomB, cryptogram: keys.clientCryptogram(randomA: randomA2, randomB: randomB)))
        func handshakeReply(_ reply: Reply, sequence: UInt8, type: SecurityBlockType, selector: UInt8) -> [UInt8] {
            Frame(address: 1, isReply: true, sequence: sequence, securityBlock: SecurityBlock(type, data: [selector]),
                  code: reply.code.rawValue, data: reply.payload).encoded(mark: false)
        }
        // First CHLNG uses the configured (old) key: the cryptogram does not match it.
        guard let first = bus.nextSent() else { Issue.record("no CHLNG"); return }
        #expect(first.bytes.commandCode == CommandCode.chlng.rawValue)
        bus.reply(handshakeReply(ccrypt, sequence: first.bytes.sequence, type: .clientCryptogram, selector: 1))
        // Second CHLNG: same RND.A, next sequence number, the unconfirmed key.
        guard let second = bus.nextSent() else { Issue.record("no second CHLNG"); return }
        #expect(second.bytes.commandCode == CommandCode.chlng.rawValue)
        #expect(second.bytes.sequence != first.bytes.sequence)
        bus.reply(handshakeReply(ccrypt, sequence: second.bytes.sequence, type: .clientCryptogram, selector: 1))
        guard let scrypt = bus.nextSent() else { Issue.record("no SCRYPT"); return }
        #expect(scrypt.bytes.commandCode == CommandCode.scrypt.rawValue)
        let server = keys.serverCryptogram(randomA: randomA2, randomB: randomB)
        bus.reply(handshakeReply(.initialRMAC(keys.initialRMAC(serverCryptogram: server)), sequence: scrypt.bytes.sequence, type: .initialRMAC, selector: 1))
        #expect(bus.events.suffix(3) == [.secureChannel(address: 1, active: true), .keyInstalled(address: 1), .online(address: 1, secure: true)])
        #expect(!bus.events.contains { if case .secureChannelFailed = $0 { true } else { false } })
    }
}
