import Testing
@testable import OSDP

/// The bus scheduler against a fake clock: sequence numbers, retries, BUSY, resets, offline and back-off.
@Suite struct ControlPanelTests {
    func onlineBus(_ addresses: [UInt8] = [1], options: BusOptions = .init()) throws -> (Harness, [FakePD]) {
        var bus = try Harness(addresses.map { PDConfiguration(address: $0, security: .off) }, options: options)
        var pds = addresses.map { FakePD(address: $0) }
        bus.serve(&pds, for: 100 * ms)
        #expect(bus.panel.statuses.allSatisfy { $0.state == .online })
        return (bus, pds)
    }

    @Test func sequenceStartsAtZeroThenCyclesOneToThree() throws {
        var bus = try Harness([PDConfiguration(address: 1, security: .off)])
        var pd = FakePD(address: 1)
        var sequences: [UInt8] = []
        for _ in 0..<8 {
            guard let (bytes, _) = bus.nextSent() else { Issue.record("nothing sent"); return }
            sequences.append(bytes.sequence)
            bus.reply(pd.answer(bytes)!)
        }
        #expect(sequences == [0, 1, 2, 3, 1, 2, 3, 1])
    }

    @Test func replyTimeoutIs200msPlusWireTimeAndRetryResendsIdenticalBytes() throws {
        var (bus, pds) = try onlineBus()
        guard let poll = bus.nextSent() else { Issue.record("no poll"); return }
        // 9 bytes at 9600 baud (10 bits each) = 9.375 ms on the wire.
        let deadline = poll.at + 200 * ms + 9_375_000
        #expect(bus.panel.nextDeadline() == deadline)
        #expect(bus.panel.nextTransmission(now: deadline - 1) == nil)
        bus.now = deadline
        #expect(bus.sent() == nil, "retry waits retryDelay")
        #expect(bus.panel.nextDeadline() == deadline + 100 * ms)
        bus.now = deadline + 100 * ms - 1
        #expect(bus.sent() == nil)
        bus.now += 1
        #expect(bus.sent() == poll.bytes)
        bus.reply(pds[0].answer(poll.bytes)!)
        // The reply was valid: the next command takes the next number.
        guard let next = bus.nextSent() else { Issue.record("no poll"); return }
        #expect(next.bytes.sequence == (poll.bytes.sequence == 3 ? 1 : poll.bytes.sequence + 1))
        #expect(bus.panel.status(of: 1)?.counters.retransmissions == 1)
        #expect(bus.panel.status(of: 1)?.counters.timeouts == 1)
    }

    @Test func offlineAfterEightSecondsThenBackoffThenReconnect() throws {
        var (bus, pds) = try onlineBus()
        guard let poll = bus.nextSent() else { Issue.record("no poll"); return }
        bus.reply(pds[0].answer(poll.bytes)!)
        let lastReply = bus.now
        _ = bus.takeEvents()
        var offlineAt: UInt64?
        var probes: [UInt64] = []
        while bus.now < lastReply + 20_000 * ms {
            if let bytes = bus.sent(), bytes.commandCode == CommandCode.id.rawValue { probes.append(bus.now) }
            if offlineAt == nil, bus.events.contains(.offline(address: 1)) { offlineAt = bus.now }
            bus.now += 1 * ms
        }
        let offline = try #require(offlineAt)
        #expect(offline >= lastReply + 8_000 * ms && offline < lastReply + 8_400 * ms)
        #expect(bus.events.filter { $0 == .offline(address: 1) }.count == 1)
        // Probes back off: 1 s, then 2 s, 4 s … after each probe's ~210 ms timeout.
        #expect((probes[0] - offline) / ms == 1_000)
        let gaps = zip(probes.dropFirst(), probes).map { ($0 - $1) / ms }
        #expect(gaps.prefix(2).map { $0 / 100 } == [22, 42])
        // The PD comes back: answered probe → capabilities → online, without a restart.
        _ = bus.takeEvents()
        bus.serve(&pds, for: 40_000 * ms)
        #expect(bus.events.contains(.online(address: 1, secure: false)))
        #expect(bus.panel.status(of: 1)?.state == .online)
    }

    @Test func busyIsRetriedWithTheSameBytesWithoutReset() throws {
        var options = BusOptions()
        options.busyRetryLimit = 2
        var (bus, _) = try onlineBus(options: options)
        let ticket = bus.panel.submit(.buzzer([BuzzerControl(onTime: 1, offTime: 1, count: 1)]), to: 1, now: bus.now)
        guard let first = bus.nextSent() else { Issue.record("nothing sent"); return }
        let busy = FakePD.reply(.busy, address: 1, sequence: 0)
        bus.reply(busy)
        let busyAt = bus.now
        guard let second = bus.nextSent() else { Issue.record("no retry"); return }
        #expect(second.bytes == first.bytes)
        #expect(second.at == busyAt + 200 * ms)
        bus.reply(busy)
        guard let third = bus.nextSent() else { Issue.record("no retry"); return }
        #expect(third.bytes == first.bytes)
        bus.reply(busy)
        #expect(bus.events.contains(.commandResult(ticket, .busyExhausted)))
        // Giving up restarts the conversation at sequence 0 rather than reuse a number for other bytes.
        guard let restart = bus.nextSent() else { Issue.record("no restart"); return }
        #expect(restart.bytes.commandCode == CommandCode.id.rawValue && restart.bytes.sequence == 0)
        #expect(bus.panel.status(of: 1)?.counters.busy == 3)
    }

    @Test func nakSequenceErrorResetsLinkAndResendsTheCommandOnce() throws {
        var (bus, pds) = try onlineBus()
        let ticket = bus.panel.submit(.output([OutputControl(output: 0, action: .temporaryOn, timer: 50)]), to: 1, now: bus.now)
        guard let out = bus.nextSent() else { Issue.record("nothing sent"); return }
        // libosdp answers with its own expected sequence number, not ours.
        bus.reply(FakePD.reply(.nak(.sequenceNumber, detail: []), address: 1, sequence: out.bytes.sequence == 1 ? 2 : 1))
        #expect(bus.events.contains(.nak(address: 1, .sequenceNumber)))
        guard let restart = bus.nextSent() else { Issue.record("no restart"); return }
        #expect(restart.bytes.commandCode == CommandCode.id.rawValue && restart.bytes.sequence == 0)
        bus.reply(pds[0].answer(restart.bytes)!)
        bus.serve(&pds, for: 100 * ms)
        #expect(bus.events.contains(.commandResult(ticket, .ack)))
        #expect(pds[0].received.filter { if case .output = $0 { true } else { false } }.count == 1)
    }

    @Test func sequenceZeroReplyResetsTheLink() throws {
        var (bus, _) = try onlineBus()
        guard let poll = bus.nextSent() else { Issue.record("nothing sent"); return }
        #expect(poll.bytes.sequence != 0)
        bus.reply(FakePD.reply(.ack, address: 1, sequence: 0))
        guard let restart = bus.nextSent() else { Issue.record("no restart"); return }
        #expect(restart.bytes.commandCode == CommandCode.id.rawValue && restart.bytes.sequence == 0)
        #expect(bus.panel.status(of: 1)?.state == .online, "a reset is not an outage")
    }

    @Test func staleReplyWithOtherSequenceIsIgnored() throws {
        var (bus, pds) = try onlineBus()
        guard let poll = bus.nextSent() else { Issue.record("nothing sent"); return }
        bus.reply(FakePD.reply(.ack, address: 1, sequence: poll.bytes.sequence == 3 ? 1 : poll.bytes.sequence + 1))
        #expect(bus.sent() == nil, "still waiting for the reply to our command")
        bus.reply(pds[0].answer(poll.bytes)!)
        #expect(bus.panel.status(of: 1)?.counters.validReplies ?? 0 > 0)
    }

    @Test func localEchoAndOtherControlPanelsAreIgnored() throws {
        var (bus, pds) = try onlineBus()
        guard let poll = bus.nextSent() else { Issue.record("nothing sent"); return }
        bus.reply(poll.bytes)  // an adapter echoing our own frame
        bus.reply(pds[0].answer(poll.bytes)!)
        guard let next = bus.nextSent() else { Issue.record("nothing sent"); return }
        #expect(next.bytes.sequence != poll.bytes.sequence)
    }

    @Test func corruptedReplyIsCountedAndRetried() throws {
        var (bus, pds) = try onlineBus()
        guard let poll = bus.nextSent() else { Issue.record("nothing sent"); return }
        var corrupted = pds[0].answer(poll.bytes)!
        corrupted[corrupted.count - 1] ^= 0xFF
        bus.reply(corrupted)
        #expect(bus.events.contains(.lineError(address: 1, .badCheckCharacter)))
        #expect(bus.panel.status(of: 1)?.counters.checkCharacterErrors == 1)
        guard let retry = bus.nextSent() else { Issue.record("no retry"); return }
        #expect(retry.bytes == poll.bytes)
    }

    @Test func queuedCommandIsServedBeforeDueIdlePolls() throws {
        for target in [UInt8(1), 2, 3] {
            var (bus, _) = try onlineBus([1, 2, 3])
            bus.now += 200 * ms  // every PD's idle poll is due
            bus.panel.submit(.buzzer([BuzzerControl(onTime: 1, offTime: 1, count: 1)]), to: target, now: bus.now)
            guard let next = bus.sent() else { Issue.record("nothing sent"); return }
            #expect(next[2] == target)
            #expect(next.commandCode == CommandCode.buz.rawValue)
        }
    }

    @Test func reportPendingPDIsPolledAgainInItsNextTurn() throws {
        var (bus, pds) = try onlineBus([1, 2])
        pds[0].reports = [.rawCard(RawCard(format: .wiegand, bitCount: 26, data: hex("225127C0"))), .keypad(KeypadEntry(keys: hex("31")))]
        var sends: [(UInt8, UInt64)] = []
        while sends.count < 6, let (bytes, at) = bus.nextSent() {
            sends.append((bytes[2], at))
            let target = pds.indices.first { pds[$0].address == bytes[2] }!
            bus.reply(pds[target].answer(bytes)!)
        }
        let toReporter = sends.filter { $0.0 == 1 }
        // Card, keypad, then the ACK that ends the burst: in PD 1's turns, each right after PD 2's.
        #expect(sends.prefix(6).map(\.0) == [1, 2, 1, 2, 1, 2] || sends.prefix(6).map(\.0) == [2, 1, 2, 1, 2, 1])
        #expect(toReporter[2].1 - toReporter[0].1 < 20 * ms)
        #expect(bus.events.contains(.card(address: 1, RawCard(format: .wiegand, bitCount: 26, data: hex("225127C0")))))
        #expect(bus.events.contains(.keypad(address: 1, KeypadEntry(keys: hex("31")))))
    }

    @Test func roundRobinProbesEveryPDOfAFullBus() throws {
        var bus = try Harness((0..<126).map { PDConfiguration(address: UInt8($0), security: .off) })
        var probed: [UInt8] = []
        while probed.count < 126, let (bytes, _) = bus.nextSent(within: 1_000 * ms) { probed.append(bytes[2]) }
        #expect(probed == (0..<126).map { UInt8($0) })
    }

    @Test func commandsToAnAbsentPDTimeOut() throws {
        var bus = try Harness([PDConfiguration(address: 9, security: .off)])
        let ticket = bus.panel.submit(.poll, to: 9, now: 0)
        while bus.now < 10_000 * ms - 1 {
            _ = bus.sent()
            bus.now += 1 * ms
        }
        #expect(!bus.events.contains(.commandResult(ticket, .timeout)))
        bus.now += 1 * ms
        _ = bus.sent()
        #expect(bus.events.contains(.commandResult(ticket, .timeout)))
    }

    @Test func commandsInFlightFailWhenThePDGoesOffline() throws {
        var (bus, _) = try onlineBus()
        let ticket = bus.panel.submit(.outputStatus, to: 1, now: bus.now)
        let start = bus.now
        while bus.now < start + 9_000 * ms {
            _ = bus.sent()
            bus.now += 1 * ms
        }
        #expect(bus.events.contains(.commandResult(ticket, .timeout)))
        #expect(bus.events.contains(.offline(address: 1)))
    }

    @Test func typedRepliesAreCommandResults() throws {
        var (bus, pds) = try onlineBus()
        pds[0].answers = [.outputStatus([true, false])]
        let ticket = bus.panel.submit(.outputStatus, to: 1, now: bus.now)
        bus.serve(&pds, for: 100 * ms)
        #expect(bus.events.contains(.commandResult(ticket, .reply(.outputStatus([true, false])))))
        #expect(bus.events.contains(.outputs(address: 1, [true, false])))
    }

    @Test func localRejections() throws {
        var (bus, pds) = try onlineBus()
        let unknown = bus.panel.submit(.poll, to: 42, now: bus.now)
        let keyset = bus.panel.submit(.keySet(SecureChannelKey(hex: "000102030405060708090a0b0c0d0e0f")!), to: 1, now: bus.now)
        let challenge = bus.panel.submit(.challenge(hex("0001020304050607")), to: 1, now: bus.now)
        let longText = bus.panel.submit(.text(TextOutput(String(repeating: "x", count: 200))), to: 1, now: bus.now)
        bus.serve(&pds, for: 100 * ms)
        #expect(bus.events.contains(.commandResult(unknown, .rejected(.unknownPD))))
        #expect(bus.events.contains(.commandResult(keyset, .rejected(.requiresSecureChannel))))
        #expect(bus.events.contains(.commandResult(challenge, .rejected(.reservedForBus))))
        // FakePD advertises a 256-byte receive buffer: 214 bytes fit, 311 do not.
        #expect(bus.events.contains(.commandResult(longText, .ack)))
        let huge = bus.panel.submit(.manufacturer(ManufacturerMessage(vendorCode: [1, 2, 3], data: [UInt8](repeating: 0, count: 300))), to: 1, now: bus.now)
        bus.serve(&pds, for: 100 * ms)
        #expect(bus.events.contains(.commandResult(huge, .rejected(.tooLarge(size: 311, limit: 256)))))
    }

    @Test func broadcastAddressOnlyCarriesIDCAPAndCOMSET() throws {
        var bus = try Harness([PDConfiguration(address: 0x7F, security: .off)])
        guard let id = bus.nextSent() else { Issue.record("nothing sent"); return }
        #expect(id.bytes.hexString == "FF537F0900046100" + Frame(address: 0x7F, sequence: 0, code: 0x61, data: [0]).encoded().suffix(2).hexString)
        // The PD answers from 0xFF.
        bus.reply(FakePD.reply(.identification(PDIdentification(vendorCode: [1, 2, 3], model: 1, version: 1, serialNumber: 7, firmware: (1, 0, 0))), address: 0x7F, sequence: 0))
        #expect(bus.events.contains { if case .identified(address: 0x7F, _) = $0 { true } else { false } })
        let poll = bus.panel.submit(.poll, to: 0x7F, now: bus.now)
        #expect(bus.panel.takeEvents() == [.commandResult(poll, .rejected(.notAllowedOnBroadcast))])
        guard let cap = bus.nextSent() else { Issue.record("no CAP"); return }
        bus.reply(FakePD.reply(.capabilities(Capabilities([])), address: 0x7F, sequence: cap.bytes.sequence))
        #expect(bus.panel.status(of: 0x7F)?.state == .online)
        #expect(bus.nextSent(within: 1_000 * ms) == nil, "no POLL to the broadcast address")
    }

    @Test func invalidConfigurationsAreRefused() {
        #expect(throws: BusConfigurationError.duplicateAddress(1)) { try ControlPanel(pds: [PDConfiguration(address: 1), PDConfiguration(address: 1)]) }
        #expect(throws: BusConfigurationError.invalidAddress(200)) { try ControlPanel(pds: [PDConfiguration(address: 200)]) }
    }
}

@Suite struct ControlPanelStartupTests {
    @Test func aPDThatRefusesIDIsBackedOffNotHammered() throws {
        var bus = try Harness([PDConfiguration(address: 1, security: .off)])
        var probes: [UInt64] = []
        while let (bytes, at) = bus.nextSent(within: 5_000 * ms), at < 5_000 * ms {
            probes.append(at)
            bus.reply(FakePD.reply(.nak(.unknownCommand, detail: []), address: 1, sequence: bytes.sequence))
        }
        #expect(probes.map { $0 / (100 * ms) } == [0, 10, 30], "at 0 s, then after 1 s and 2 s of back-off")
        #expect(bus.panel.status(of: 1)?.state == .offline)
    }
}
