import Testing
@testable import OSDP

/// Polling paced by the line, commands before polls, and turns that no PD can take from the others,
/// against a fake clock.
@Suite struct LinePacedPollingTests {
    /// Two character times at 9600 baud, 10 bits a character.
    let gapAt9600: UInt64 = 2_083_333

    func onlineBus(_ addresses: [UInt8] = [1], options: BusOptions = .init()) throws -> (Harness, [FakePD]) {
        var bus = try Harness(addresses.map { PDConfiguration(address: $0, security: .off) }, options: options)
        var pds = addresses.map { FakePD(address: $0) }
        bus.serve(&pds, for: 100 * ms)
        #expect(bus.panel.statuses.allSatisfy { $0.state == .online })
        return (bus, pds)
    }

    /// Plays the bus for `count` frames: each PD answers (after 1 ms) unless it is `silent`. Returns each
    /// frame's address, code and time.
    func run(_ bus: inout Harness, _ pds: inout [FakePD], frames count: Int, silent: Set<UInt8> = []) -> [(address: UInt8, code: UInt8, at: UInt64)] {
        var sent: [(address: UInt8, code: UInt8, at: UInt64)] = []
        while sent.count < count, let (bytes, at) = bus.nextSent(within: 60_000 * ms) {
            sent.append((bytes[2], bytes.commandCode, at))
            guard !silent.contains(bytes[2]), let target = pds.indices.first(where: { pds[$0].address == bytes[2] }) else { continue }
            if let answer = pds[target].answer(bytes) { bus.reply(answer) }
        }
        return sent
    }

    @Test func theNextPollGoesOutOnceTheLineHasBeenQuietTwoCharacters() throws {
        var (bus, pds) = try onlineBus()
        guard let poll = bus.nextSent() else { Issue.record("no poll"); return }
        bus.reply(pds[0].answer(poll.bytes)!)
        let replyAt = bus.now
        #expect(bus.panel.nextDeadline() == replyAt + gapAt9600)
        #expect(bus.panel.nextTransmission(now: replyAt + gapAt9600 - 1) == nil, "the spec's idle line before a transmission")
        bus.now = replyAt + gapAt9600
        #expect(bus.sent()?.commandCode == CommandCode.poll.rawValue)
    }

    @Test func aTimedOutExchangeFreesTheLineForTheNextPD() throws {
        var (bus, pds) = try onlineBus([1, 2])
        var silentSent: UInt64?
        var afterTimeout: (address: UInt8, at: UInt64)?
        while afterTimeout == nil, let (bytes, at) = bus.nextSent() {
            if let silentAt = silentSent {
                afterTimeout = (bytes[2], at)
                // 200 ms + the POLL's 9 bytes at 9600: the line is free at once, the other PD is next.
                #expect(at >= silentAt + 200 * ms + 9_375_000 && at < silentAt + 201 * ms + 9_375_000)
            } else if bytes[2] == 1 {
                silentSent = at
            } else {
                bus.reply(pds[1].answer(bytes)!)
            }
        }
        #expect(afterTimeout?.address == 2)
    }

    @Test func aFastLineIsHeldToTheMinimumPollCycle() throws {
        var options = BusOptions()
        options.baudRate = 100_000_000  // a pseudo-terminal: bytes take (almost) no time
        var (bus, pds) = try onlineBus(options: options)
        let polls = run(&bus, &pds, frames: 6)
        let cycles = zip(polls.dropFirst(), polls).map { $0.at - $1.at }
        #expect(cycles.allSatisfy { $0 == options.minimumPollCycle }, "\(cycles)")
    }

    @Test func aCommandAnsweringACardIsTheNextFrameToThePD() throws {
        var options = BusOptions()
        options.answerWindow = 50 * ms
        var (bus, pds) = try onlineBus([1, 2], options: options)
        pds[0].reports = [.rawCard(RawCard(format: .wiegand, bitCount: 26, data: hex("225127C0")))]
        var cardAt: UInt64?
        while cardAt == nil, let (bytes, _) = bus.nextSent() {
            let target = pds.indices.first { pds[$0].address == bytes[2] }!
            bus.reply(pds[target].answer(bytes)!)
            if bus.events.contains(where: { if case .card = $0 { true } else { false } }) { cardAt = bus.now }
        }
        let card = try #require(cardAt)
        // The decision takes 5 ms; meanwhile only the other PD is polled.
        var meanwhile: [UInt8] = []
        while bus.now < card + 5 * ms {
            if let bytes = bus.sent() {
                meanwhile.append(bytes[2])
                bus.reply(pds[1].answer(bytes)!)
            } else {
                bus.now += 100_000
            }
        }
        #expect(!meanwhile.isEmpty && meanwhile.allSatisfy { $0 == 2 })
        bus.panel.submit(.output([OutputControl(output: 0, action: .temporaryOn, timer: 30)]), to: 1, now: bus.now)
        bus.panel.submit(.led([LEDControl(temporary: LEDTemporaryState(control: .set, onTime: 5, offTime: 0, onColor: .green, offColor: .green, timer: 10))]), to: 1, now: bus.now)
        let next = run(&bus, &pds, frames: 3).filter { $0.address == 1 }
        #expect(next.prefix(2).map(\.code) == [CommandCode.out.rawValue, CommandCode.led.rawValue])
    }

    @Test func aCardNobodyAnswersHoldsPollsOnlyForTheWindow() throws {
        var options = BusOptions()
        options.answerWindow = 50 * ms
        var (bus, pds) = try onlineBus(options: options)
        pds[0].reports = [.rawCard(RawCard(format: .wiegand, bitCount: 26, data: hex("225127C0")))]
        guard let poll = bus.nextSent() else { Issue.record("no poll"); return }
        bus.reply(pds[0].answer(poll.bytes)!)
        let cardAt = bus.now
        guard let next = bus.nextSent() else { Issue.record("no poll"); return }
        #expect(next.bytes.commandCode == CommandCode.poll.rawValue)
        #expect(next.at == cardAt + 50 * ms)
    }

    @Test func aPDWithEndlessReportsTakesOnlyItsTurn() throws {
        var (bus, pds) = try onlineBus([1, 2, 3])
        pds[0].reports = Array(repeating: .localStatus(LocalStatus(tamper: false, powerFailure: false)), count: 1_000)
        let frames = run(&bus, &pds, frames: 30)
        for address: UInt8 in [1, 2, 3] {
            #expect(frames.filter { $0.address == address }.count == 10, "PD \(address): \(frames.map(\.address))")
        }
    }

    @Test func aCommandDoesNotMakeThePollsSkipAPD() throws {
        var (bus, pds) = try onlineBus([1, 2, 3, 4])
        var order: [UInt8] = []
        // Poll until PD 1 was polled last, then a command for PD 3 comes in.
        while order.last != 1, let polled = run(&bus, &pds, frames: 1).first { order.append(polled.address) }
        bus.panel.submit(.buzzer([BuzzerControl(onTime: 1, offTime: 1, count: 1)]), to: 3, now: bus.now)
        let next = run(&bus, &pds, frames: 5)
        #expect(next.map(\.address) == [3, 2, 3, 4, 1])
        #expect(next.first?.code == CommandCode.buz.rawValue)
    }

    @Test func aSilentPDDoesNotStarveTheOthers() throws {
        var (bus, pds) = try onlineBus([1, 2, 3])
        let frames = run(&bus, &pds, frames: 6_000, silent: [2])
        // Between two frames to the silent PD (each one waits out its reply timeout), the others are served.
        let toSilent = frames.indices.filter { frames[$0].address == 2 }
        for (first, second) in zip(toSilent, toSilent.dropFirst()) {
            let between = Set(frames[(first + 1)..<second].map(\.address))
            #expect(between.isSuperset(of: [1, 3]), "\(frames[first...second].map(\.address))")
        }
        #expect(bus.panel.status(of: 2)?.state == .offline)
        #expect(bus.panel.status(of: 1)?.state == .online && bus.panel.status(of: 3)?.state == .online)
    }
}

@Suite struct FrameParserExpectationTests {
    @Test func theParserSaysHowManyBytesTheFrameStillNeeds() {
        var parser = FrameParser()
        #expect(parser.bytesStillExpected == nil)
        _ = parser.append([0xFF], now: 0)
        #expect(parser.bytesStillExpected == nil, "a mark byte is not a frame yet")
        let ack = Frame(address: 1, isReply: true, sequence: 1, code: ReplyCode.ack.rawValue, data: []).encoded(mark: false)
        _ = parser.append(ack.prefix(2), now: 0)
        #expect(parser.bytesStillExpected == 3, "the rest of a header")
        _ = parser.append(ack[2..<6], now: 0)
        #expect(parser.bytesStillExpected == ack.count - 6)
        _ = parser.append(ack[6...], now: 0)
        #expect(parser.bytesStillExpected == nil)
        // A header announcing more than the parser takes promises no more than its limit.
        _ = parser.append([0x53, 0x81, 0xFF, 0x7F], now: 0)
        #expect(parser.bytesStillExpected == Frame.maximumLength - 4)
    }
}
