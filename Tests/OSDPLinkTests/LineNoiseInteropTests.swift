import Foundation
import KeywayTestSupport
import OSDP
import OSDPLink
import Testing

/// Line noise against a real libosdp PD in Secure Channel: a damaged reply is resent as soon as it is in, and a
/// session the PD drops is counted as a restart.
@Suite struct LineNoiseInteropTests {
    /// With the reply timeout at 5 s, a retry that waited for it would show as a timeout (and take 5 s).
    static var patientBus: BusOptions {
        var options = BusOptions()
        options.replyTimeout = 5_000_000_000
        return options
    }

    @Test func aDamagedReplyIsResentWithoutWaitingForTheReplyTimeout() async throws {
        let relay = try LineRelay()
        let peer = try OSDPPeer(.init(addresses: [1], scbk: interopKey, device: relay.peripheralSide))
        let bus = try InteropBus(device: relay.controlPanelSide, pds: [securePD(1)], bus: Self.patientBus)
        #expect(try await bus.awaitOnline(1))
        let before = try #require(await bus.link.status(of: 1)?.counters)

        relay.corrupt(next: 1, .toControlPanel)
        try await bus.awaitEvent("a damaged reply") { event -> Void? in
            guard case .bus(.lineError(1, .badCheckCharacter)) = event else { return nil }
            return ()
        }
        try peer.presentCard(address: 1, bits: 26, hex: "a5c3f0c0")
        try await bus.awaitEvent("the card after the damaged reply") { event -> Void? in
            guard case .bus(.card(1, _)) = event else { return nil }
            return ()
        }
        let after = try #require(await bus.link.status(of: 1)?.counters)
        #expect(after.checkCharacterErrors > before.checkCharacterErrors)
        #expect(after.retransmissions > before.retransmissions)
        #expect(after.timeouts == before.timeouts, "resent on the damage, not after the reply timeout")
        // libosdp 3.2.9 runs a resent command again instead of repeating its reply, fails its MAC and drops the
        // session (a spec-conforming PD, or libosdp's master with its reply cache, keeps it): the link handshakes
        // again, and the card still comes.
        #expect(await !bus.events.contains(.bus(.offline(address: 1))))
    }

    @Test func aSessionThePDDropsOnADamagedCommandIsCountedAsARestart() async throws {
        let relay = try LineRelay()
        let peer = try OSDPPeer(.init(addresses: [1], scbk: interopKey, device: relay.peripheralSide))
        let bus = try InteropBus(device: relay.controlPanelSide, pds: [securePD(1)])
        #expect(try await bus.awaitOnline(1))
        let before = await bus.link.status(of: 1)?.counters.secureChannelRestarts ?? 0

        // libosdp 3.2.9 drops its Secure Channel session on a command with a bad CRC: Keyway must handshake again.
        // The counter is watched, not the session's events: on a loaded machine the PD may already have lost and
        // regained a session before `before` was read, and those events would stand in for this one's.
        relay.corrupt(next: 1, .toPeripherals)
        let deadline = ContinuousClock.now + .seconds(60)
        var restarts = before
        while restarts <= before, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            restarts = await bus.link.status(of: 1)?.counters.secureChannelRestarts ?? 0
        }
        #expect(restarts > before)
        // A card is taken only in Secure Channel (the PD is `required`): its arrival shows the new session.
        try peer.presentCard(address: 1, bits: 26, hex: "a5c3f0c0")
        try await bus.awaitEvent("a card in the new session", timeout: .seconds(60)) { event -> Void? in
            guard case .bus(.card(1, _)) = event else { return nil }
            return ()
        }
    }
}
