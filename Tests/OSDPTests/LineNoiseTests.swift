import Testing
@testable import OSDP

/// A reply damaged on the line is known bad as soon as its bytes are in: the bus resends the same frame (same
/// sequence number, same MAC) once the line is quiet, instead of waiting out the 200 ms reply timeout.
@Suite struct LineNoiseTests {
    static var fastLine: BusOptions {
        var options = BusOptions()
        options.baudRate = 115_200
        return options
    }

    func onlineBus(options: BusOptions = fastLine) throws -> (Harness, FakePD) {
        var bus = try Harness([PDConfiguration(address: 1, security: .off)], options: options)
        var pd = FakePD(address: 1)
        bus.serve(&pd, for: 100 * ms)
        #expect(bus.panel.status(of: 1)?.state == .online)
        _ = bus.takeEvents()
        return (bus, pd)
    }

    /// Sends `reply` for the next POLL, then returns the next frame sent and when, and when the reply arrived.
    func retryAfter(_ damage: (inout [UInt8]) -> Void, options: BusOptions = fastLine)
        throws -> (poll: (bytes: [UInt8], at: UInt64), replyAt: UInt64, next: (bytes: [UInt8], at: UInt64)?, bus: Harness) {
        var (bus, pd) = try onlineBus(options: options)
        let pollValue = bus.nextSent()

        let poll = try #require(pollValue)
        guard var reply = pd.answer(poll.bytes) else { throw LineNoiseTestError.noAnswer }
        damage(&reply)
        bus.reply(reply)
        let replyAt = bus.now
        return (poll, replyAt, bus.nextSent(), bus)
    }

    @Test func badCheckCharacterIsRetriedAsSoonAsTheLineIsQuiet() throws {
        let (poll, replyAt, next, bus) = try retryAfter { $0[$0.count - 1] ^= 0xFF }
        let retry = try #require(next)
        #expect(retry.bytes == poll.bytes, "the very next frame is the same POLL, same sequence number")
        // The harness steps its clock by 1 ms; the line is quiet two characters (174 µs at 115 200) after the reply.
        #expect(retry.at <= replyAt + 1 * ms, "resent within the gap, not after the \(Self.fastLine.replyTimeout / ms) ms reply timeout")
        #expect(bus.events.contains(.lineError(address: 1, .badCheckCharacter)))
        let counters = try #require(bus.panel.status(of: 1)?.counters)
        #expect(counters.checkCharacterErrors == 1 && counters.retransmissions == 1 && counters.timeouts == 0)
    }

    @Test func impossibleLengthIsRetriedAtOnce() throws {
        let (poll, replyAt, next, bus) = try retryAfter { $0[2] = 0x03 }  // LEN 3: shorter than any frame
        let retry = try #require(next)
        #expect(retry.bytes == poll.bytes)
        #expect(retry.at <= replyAt + 1 * ms)
        #expect(bus.events.contains(.lineError(address: 1, .badLength(3))))
    }

    @Test func aLengthWhoseBytesNeverComeIsRetriedAfterTheInterCharacterGap() throws {
        let options = Self.fastLine
        let (poll, replyAt, next, bus) = try retryAfter { $0[2] = 0x40 }  // LEN 64: the rest never comes
        let retry = try #require(next)
        #expect(retry.bytes == poll.bytes)
        #expect(retry.at > replyAt + options.interCharacterTimeout, "not before the spec's 20 ms gap")
        #expect(retry.at <= replyAt + options.interCharacterTimeout + 1 * ms, "but as soon as it has passed")
        #expect(bus.events.contains(.lineError(address: 1, .interCharacterTimeout)))
    }

    @Test func theBusWakesForTheInterCharacterGap() throws {
        var (bus, pd) = try onlineBus()
        let pollValue = bus.nextSent()

        let poll = try #require(pollValue)
        guard var reply = pd.answer(poll.bytes) else { throw LineNoiseTestError.noAnswer }
        reply[2] = 0x40
        bus.reply(reply)
        let deadline = try #require(bus.panel.nextDeadline())
        #expect(deadline <= bus.now + Self.fastLine.interCharacterTimeout + 1, "a loop sleeping until nextDeadline() sees the gap end")
    }

    @Test func aSecureReplyWithABadCRCIsResentWithTheSameMACAndTheSessionHolds() throws {
        var bus = try SecureBusTests().secureOnline()
        let goodReply = "53810e000d02164043812ab18539"
        var damaged = hex(goodReply)
        damaged[8] ^= 0x20  // a MAC byte: the CRC no longer fits
        bus.expect(SecureBusTests.securePoll, reply: damaged.hexString)
        let replyAt = bus.now
        let retryValue = bus.nextSent()

        let retry = try #require(retryValue)
        #expect(retry.bytes.hexString == SecureBusTests.securePoll.uppercased(), "identical bytes: same sequence number, same MAC")
        #expect(retry.at <= replyAt + 3 * ms, "two characters at 9600 baud, not the 200 ms reply timeout")
        bus.reply(hex(goodReply))
        let events = bus.takeEvents()
        #expect(!events.contains { if case .secureChannelFailed = $0 { true } else { false } })
        #expect(!events.contains(.secureChannel(address: 1, active: false)))
        #expect(bus.panel.status(of: 1)?.secure == true)
        #expect(bus.panel.status(of: 1)?.counters.secureChannelRestarts == 0)
    }

    // MARK: What must not cause a retry

    @Test func aReplyArrivingInPiecesWithinTheGapIsTakenWhole() throws {
        var (bus, pd) = try onlineBus()
        let pollValue = bus.nextSent()

        let poll = try #require(pollValue)
        let replyValue = pd.answer(poll.bytes)

        let reply = try #require(replyValue)
        bus.reply(Array(reply.prefix(4)))
        bus.now += 10 * ms
        #expect(bus.sent() == nil)
        bus.reply(Array(reply.dropFirst(4)))
        let nextValue = bus.nextSent()

        let next = try #require(nextValue)
        #expect(next.bytes.sequence != poll.bytes.sequence)
        #expect(bus.panel.status(of: 1)?.counters.retransmissions == 0)
    }

    @Test func anEchoAndASlowPDAreWaitedFor() throws {
        var (bus, pd) = try onlineBus()
        let pollValue = bus.nextSent()

        let poll = try #require(pollValue)
        bus.reply(Array(poll.bytes.dropFirst()))  // an adapter echoing our own frame
        bus.now += 150 * ms
        #expect(bus.sent() == nil, "an echo is not a damaged reply")
        let answer = pd.answer(poll.bytes)
        bus.reply(try #require(answer))
        let nextValue = bus.nextSent()

        let next = try #require(nextValue)
        #expect(next.bytes.sequence != poll.bytes.sequence)
        #expect(bus.panel.status(of: 1)?.counters.retransmissions == 0)
    }

    @Test func noiseRightBeforeTheReplyDoesNotCostTheReply() throws {
        var (bus, pd) = try onlineBus()
        let pollValue = bus.nextSent()

        let poll = try #require(pollValue)
        // A stray SOM whose "length" is the reply's own first bytes, arriving with the reply.
        let answer = pd.answer(poll.bytes)
        bus.reply([0x53] + (try #require(answer)))
        let nextValue = bus.nextSent()

        let next = try #require(nextValue)
        #expect(next.bytes.sequence != poll.bytes.sequence, "the reply behind the noise was taken")
        #expect(bus.panel.status(of: 1)?.counters.retransmissions == 0)
    }

    @Test func aPDAnsweringOnlyGarbageStillGoesOffline() throws {
        var (bus, pd) = try onlineBus()
        var sent = 0
        while bus.now < 9_000 * ms, !bus.events.contains(.offline(address: 1)) {
            guard let frame = bus.sent() else { bus.now += 1 * ms; continue }
            sent += 1
            guard var reply = pd.answer(frame) else { continue }
            reply[reply.count - 1] ^= 0x55
            bus.reply(reply)
        }
        #expect(bus.events.contains(.offline(address: 1)))
        #expect(sent > 100, "resent at the line's pace meanwhile")
    }
}

/// A Secure Channel session lost and handshaken again is counted, so status and metrics can show it.
@Suite struct SecureChannelRestartCountTests {
    @Test func aSessionThePDDroppedCountsAsARestart() throws {
        var bus = try SecureBusTests().secureOnline()
        #expect(bus.panel.status(of: 1)?.counters.secureChannelRestarts == 0, "the first handshake is no restart")
        bus.expect(SecureBusTests.securePoll, reply: FakePD.reply(.nak(.securityConditionsNotMet, detail: []), address: 1, sequence: 1).hexString)
        #expect(bus.panel.status(of: 1)?.counters.secureChannelRestarts == 1)
    }

    @Test func aSessionTornDownForABadMACCountsAsARestart() throws {
        var bus = try SecureBusTests().secureOnline()
        bus.expect(SecureBusTests.securePoll, reply: SecureBusTests.altered("53810e000d02164043812ab18539") { $0.mac[0] ^= 1 })
        #expect(bus.panel.status(of: 1)?.counters.secureChannelRestarts == 1)
    }
}

private enum LineNoiseTestError: Error { case noAnswer }
