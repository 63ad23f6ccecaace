import OSDPLink
import Foundation
import OSDP
import Serial
import Testing

/// The link's own duties, on a pseudo-terminal with nobody at the other end.
@Suite struct OSDPLinkTests {
    func link(_ pty: PseudoTerminal, commandTimeout: UInt64 = 10_000_000_000) throws -> OSDPLink {
        var bus = BusOptions()
        bus.commandTimeout = commandTimeout
        return try OSDPLink(configuration: OSDPLinkConfiguration(devicePath: pty.devicePath, pds: [plainPD(1)], bus: bus))
    }

    @Test func startingFailsClearlyOnAMissingDeviceOrABadBus() throws {
        #expect(throws: OSDPLinkError.port(.notFound(path: "/dev/ttyNoSuchAdapter"))) {
            try OSDPLink(configuration: OSDPLinkConfiguration(devicePath: "/dev/ttyNoSuchAdapter", pds: [plainPD(1)]))
        }
        let pty = try PseudoTerminal()
        #expect(throws: OSDPLinkError.bus(.duplicateAddress(1))) {
            try OSDPLink(configuration: OSDPLinkConfiguration(devicePath: pty.devicePath, pds: [plainPD(1), plainPD(1)]))
        }
    }

    @Test func theLinkProbesTheLineAndACommandToASilentPDTimesOut() async throws {
        let pty = try PseudoTerminal()
        let link = try link(pty, commandTimeout: 300_000_000)
        // The bus identifies PD 1 with ID (0x61) on the line.
        var heard: [UInt8] = []
        let deadline = Date().addingTimeInterval(10)
        while !heard.contains(0x61), Date() < deadline { heard += try pty.read(timeoutNanoseconds: 100_000_000) }
        #expect(heard.starts(with: [0xFF, 0x53, 0x01]))
        #expect(await link.submit(.buzzer([BuzzerControl(onTime: 1, offTime: 1, count: 1)]), to: 1) == .timeout)
        #expect(await link.status(of: 1)?.state == .offline)
        link.stop()
    }

    @Test func afterStopEverythingAnswersAtOnceAndTheEventsEnd() async throws {
        let pty = try PseudoTerminal()
        let link = try link(pty)
        link.stop()
        #expect(await link.submit(.poll, to: 1) == .timeout)
        #expect(await link.statuses().isEmpty)
        for await _ in link.events {}  // ends
        // The device was released.
        _ = try SerialPort(path: pty.devicePath)
    }

    /// The inbox gives up at its timeout when nothing fits, keeps what it did not take, and ends every wait once
    /// the link stops (a wait would otherwise run to its timeout: the time limit catches that).
    @Test(.timeLimit(.minutes(1))) func theInboxTimesOutKeepsWhatItSkippedAndEndsWithTheLink() async throws {
        let pty = try PseudoTerminal()
        var bus = BusOptions()
        bus.traceFrames = true
        let link = try OSDPLink(configuration: OSDPLinkConfiguration(devicePath: pty.devicePath, pds: [plainPD(1)], bus: bus))
        let inbox = OSDPEventInbox(link, remembering: 10)
        // The bus's first ID goes out as a traced frame; nothing answers, so nothing comes online.
        #expect(await inbox.take(within: .milliseconds(300)) { event -> Bool? in
            if case .bus(.online) = event { true } else { nil }
        } == nil)
        let frame = await inbox.take(within: .seconds(20)) { event -> UInt8? in
            if case .bus(.frame(let address, _)) = event { address } else { nil }
        }
        #expect(frame == 1)
        #expect(await !inbox.received.isEmpty)
        link.stop()
        #expect(await inbox.take(within: .seconds(600)) { _ -> Bool? in nil } == nil)
    }

    @Test func releasingTheLinkStopsItAndReleasesTheDevice() throws {
        let pty = try PseudoTerminal()
        do {
            _ = try link(pty)
        }
        _ = try SerialPort(path: pty.devicePath)
    }
}
