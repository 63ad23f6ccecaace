import Testing
@testable import OSDP

/// Reads a PD held back (buffered while nobody polled it, or delayed on the line) and commands that would go out
/// late, against a fake clock; and a PD that answers nothing but BUSY.
@Suite struct StaleReportTests {
    static let card = Reply.rawCard(RawCard(format: .wiegand, bitCount: 26, data: hex("225127C0")))

    static func options(limit: UInt64 = 2_000 * ms) -> BusOptions {
        var options = BusOptions()
        options.reportAgeLimit = limit
        return options
    }

    static func isCard(_ event: BusEvent) -> Bool {
        if case .card = event { true } else { false }
    }

    static func staleAges(_ events: [BusEvent]) -> [UInt64?] {
        events.compactMap { if case .staleReport(1, _, let age) = $0 { age } else { nil } }
    }

    @Test func aReadTheFirstPollAfterComingOnlineReturnsIsRefusedAsOfUnknownAge() throws {
        var bus = try Harness([PDConfiguration(address: 1, security: .off)], options: Self.options())
        // Read while no control panel was polling (the service was down): the PD hands it to the first POLL.
        var pd = FakePD(address: 1)
        pd.reports = [Self.card]
        bus.serve(&pd, for: 200 * ms)
        #expect(!bus.events.contains(where: Self.isCard))
        #expect(Self.staleAges(bus.events) == [nil])
    }

    @Test func aReadAfterAnEmptyPollIsDeliveredAndOneBehindASilenceIsRefusedWithItsAge() throws {
        var bus = try Harness([PDConfiguration(address: 1, security: .off)], options: Self.options())
        var pd = FakePD(address: 1)
        bus.serve(&pd, for: 200 * ms)
        pd.reports = [Self.card]
        bus.serve(&pd, for: 50 * ms)
        #expect(bus.events.filter(Self.isCard).count == 1)
        #expect(Self.staleAges(bus.events).isEmpty)

        // The line is cut for 3 s (the bus keeps the PD online: OSDP waits 8 s); a card read meanwhile comes
        // with the first answer after it.
        let cutUntil = bus.now + 3_000 * ms
        while bus.now < cutUntil { _ = bus.sent(); bus.now += 1 * ms }
        #expect(bus.panel.status(of: 1)?.state == .online)
        _ = bus.takeEvents()
        pd.reports = [Self.card]
        bus.serve(&pd, for: 500 * ms)
        #expect(!bus.events.contains(where: Self.isCard))
        let age = try #require(Self.staleAges(bus.events).first ?? nil)
        #expect(age > 3_000 * ms && age < 4_000 * ms)
    }

    @Test func aPDThatRestartedMayHoldOldReads() throws {
        var bus = try Harness([PDConfiguration(address: 1, security: .off)], options: Self.options())
        var pd = FakePD(address: 1)
        bus.serve(&pd, for: 200 * ms)
        // The PD restarted (it answers at sequence 0): the link restarts, and what it reports first may be old.
        guard let poll = bus.nextSent() else { Issue.record("no poll"); return }
        #expect(poll.bytes.sequence != 0)
        bus.reply(FakePD.reply(.ack, address: 1, sequence: 0))
        pd.reports = [Self.card]
        _ = bus.takeEvents()
        bus.serve(&pd, for: 200 * ms)
        #expect(!bus.events.contains(where: Self.isCard))
        #expect(Self.staleAges(bus.events) == [nil])
    }

    @Test func withoutALimitEveryReadIsDeliveredAsBefore() throws {
        var bus = try Harness([PDConfiguration(address: 1, security: .off)])
        var pd = FakePD(address: 1)
        pd.reports = [Self.card]
        bus.serve(&pd, for: 200 * ms)
        #expect(bus.events.filter(Self.isCard).count == 1)
    }

    @Test func aCommandWhoseRetryWouldGoOutLateIsDroppedNotSent() throws {
        var options = BusOptions()
        options.commandTimeout = 250 * ms
        var bus = try Harness([PDConfiguration(address: 1, security: .off)], options: options)
        var pd = FakePD(address: 1)
        bus.serve(&pd, for: 100 * ms)
        let ticket = bus.panel.submit(.output([OutputControl(output: 0, action: .temporaryOn, timer: 30)]), to: 1, now: bus.now)
        guard let out = bus.nextSent() else { Issue.record("nothing sent"); return }
        #expect(out.bytes.commandCode == CommandCode.out.rawValue)
        // No answer: the retry would be due after the reply timeout and the retry delay, past the command's bound.
        var resent = 0
        let end = bus.now + 1_000 * ms
        while bus.now < end {
            if let bytes = bus.sent() {
                if bytes == out.bytes { resent += 1 }
                if bytes != out.bytes, let answer = pd.answer(bytes) { bus.reply(answer) }
            }
            bus.now += 1 * ms
        }
        #expect(resent == 0)
        #expect(bus.events.contains(.commandResult(ticket, .timeout)))
        #expect(pd.received.filter { if case .output = $0 { true } else { false } }.isEmpty)
    }

    @Test func aPDAnsweringOnlyBusyGoesOfflineAfterTheOfflineTime() throws {
        var bus = try Harness([PDConfiguration(address: 1, security: .off)])
        var pd = FakePD(address: 1)
        bus.serve(&pd, for: 100 * ms)
        _ = bus.takeEvents()
        let busySince = bus.now
        var offlineAt: UInt64?
        while bus.now < busySince + 20_000 * ms, offlineAt == nil {
            if bus.sent() != nil {
                bus.reply(FakePD.reply(.busy, address: 1, sequence: 0))
            } else {
                bus.now += 1 * ms
            }
            if bus.events.contains(.offline(address: 1)) { offlineAt = bus.now }
        }
        let offline = try #require(offlineAt)
        #expect(offline >= busySince + 7_900 * ms && offline < busySince + 8_500 * ms, "8 s after its last real answer")
        #expect(bus.panel.status(of: 1)?.state == .offline)
    }
}
