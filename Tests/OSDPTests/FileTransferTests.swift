import Testing
@testable import OSDP

@Suite struct FileTransferTests {
    static func status(_ detail: FileTransferStatus.Detail, delay: UInt16 = 0, action: FileTransferStatus.Action = .interleave, maximum: UInt16 = 0) -> Reply {
        .fileTransferStatus(FileTransferStatus(action: action, delay: delay, detail: detail, updateMessageMaximum: maximum))
    }

    func onlineBus() throws -> (Harness, FakePD) {
        var bus = try Harness([PDConfiguration(address: 1, security: .off)])
        var pd = FakePD(address: 1, capabilities: Capabilities([]))  // no function 10: 128-byte receive size
        bus.serve(&pd, for: 100 * ms)
        return (bus, pd)
    }

    func fragments(_ pd: FakePD) -> [FileTransferFragment] {
        pd.received.compactMap { if case .fileTransfer(let fragment) = $0 { fragment } else { nil } }
    }

    /// Fragment sizing alone: a 128-byte message less 1 mark + 5 header + 1 control + 2 CRC + 11 fragment header = 108,
    /// and 22 bytes fewer inside Secure Channel (2-byte security block, 4-byte MAC, up to 16 bytes of padding).
    @Test func fragmentsFillTheMessageTheMarkByteIncluded() {
        var job = FileTransferJob(ticket: CommandTicket(id: 1, address: 1), fileType: 1, file: Array(repeating: 7, count: 300))
        #expect(job.nextFragment(receiveSize: 128, sealed: false).fragment.count == 108)
        #expect(job.nextFragment(receiveSize: 128, sealed: true).fragment.count == 86)
        job.apply(status: FileTransferStatus(action: [], delay: 250, detail: .proceed, updateMessageMaximum: 64), fragmentLength: 108, now: 1_000)
        #expect(job.offset == 108 && job.notBefore == 1_000 + 250_000_000 && !job.interleave && job.preferredMessageSize == 64)
        let next = job.nextFragment(receiveSize: 128, sealed: false)
        #expect(next.offset == 108 && next.fragment.count == 44 && next.totalSize == 300)
        job.offset = 300
        #expect(job.nextFragment(receiveSize: 128, sealed: false).fragment.isEmpty, "a keep-alive once the file is sent")
        job.preferredMessageSize = 10
        job.offset = 0
        #expect(job.nextFragment(receiveSize: 128, sealed: false).fragment.count == 1, "never an empty fragment while bytes remain")
    }

    @Test func sendsFragmentsHonouringDelayMaximumAndKeepAlive() throws {
        var (bus, pd) = try onlineBus()
        let file = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        pd.answers = [Self.status(.proceed, delay: 500), Self.status(.proceed, maximum: 64), Self.status(.proceed),
                      Self.status(.proceed), Self.status(.finishing), Self.status(.finished)]
        let ticket = bus.panel.submitFileTransfer(file, fileType: 1, to: 1, now: bus.now)
        bus.serve(&pd, for: 2_000 * ms)

        let sent = fragments(pd)
        // 128-byte packets less 20 bytes of mark, framing and header: 108-byte fragments; then the PD asks for 64-byte messages.
        #expect(sent.map(\.fragment.count) == [108, 108, 44, 40, 0, 0])
        #expect(sent.map(\.offset) == [0, 108, 216, 260, 300, 300])
        #expect(sent.allSatisfy { $0.totalSize == 300 && $0.fileType == 1 })
        #expect(sent.prefix(4).flatMap(\.fragment) == file)
        #expect(bus.events.contains(.commandResult(ticket, .reply(Self.status(.finished)))))
        #expect(bus.events.contains(.fileTransferProgress(ticket, sent: 300, total: 300)))
        #expect(bus.results.last?.isSuccess == true)
    }

    @Test func waitsTheRequestedDelayBeforeTheNextFragment() throws {
        var (bus, pd) = try onlineBus()
        pd.answers = [Self.status(.proceed, delay: 500, action: [])]
        bus.panel.submitFileTransfer([UInt8](repeating: 7, count: 200), fileType: 1, to: 1, now: bus.now)
        var fragmentTimes: [UInt64] = []
        var polls = 0
        while fragmentTimes.count < 2, let (bytes, at) = bus.nextSent(within: 2_000 * ms) {
            if bytes.commandCode == CommandCode.filetransfer.rawValue { fragmentTimes.append(at) }
            if bytes.commandCode == CommandCode.poll.rawValue && fragmentTimes.count == 1 { polls += 1 }
            bus.reply(pd.answer(bytes)!)
        }
        #expect(fragmentTimes.count == 2)
        #expect(fragmentTimes[1] - fragmentTimes[0] >= 501 * ms)
        #expect(polls == 0, "no interleaving unless the PD allows it")
    }

    @Test func failureStatusEndsTheTransfer() throws {
        var (bus, pd) = try onlineBus()
        pd.answers = [Self.status(.unrecognizedContents)]
        let ticket = bus.panel.submitFileTransfer([1, 2, 3], fileType: 9, to: 1, now: bus.now)
        bus.serve(&pd, for: 500 * ms)
        #expect(bus.events.contains(.commandResult(ticket, .reply(Self.status(.unrecognizedContents)))))
        #expect(bus.results.last?.isSuccess == false)
        #expect(fragments(pd).count == 1)
        #expect(FileTransferStatus.Detail.unrecognizedContents.description == "unrecognized file contents")
    }

    @Test func rebootingEndsTheTransferAndReinitialisesThePD() throws {
        var (bus, pd) = try onlineBus()
        pd.answers = [Self.status(.rebooting)]
        let ticket = bus.panel.submitFileTransfer([1, 2, 3], fileType: 1, to: 1, now: bus.now)
        guard let fragment = bus.nextSent() else { Issue.record("nothing sent"); return }
        bus.reply(pd.answer(fragment.bytes)!)
        #expect(bus.events.contains(.commandResult(ticket, .reply(Self.status(.rebooting)))))
        guard let next = bus.nextSent() else { Issue.record("nothing sent"); return }
        #expect(next.bytes.commandCode == CommandCode.id.rawValue && next.bytes.sequence == 0, "never resend a fragment after status 2")
    }

    @Test func oneTransferAtATime() throws {
        var (bus, _) = try onlineBus()
        bus.panel.submitFileTransfer([1], fileType: 1, to: 1, now: bus.now)
        let second = bus.panel.submitFileTransfer([1], fileType: 1, to: 1, now: bus.now)
        #expect(bus.panel.takeEvents() == [.commandResult(second, .rejected(.transferInProgress))])
    }
}
