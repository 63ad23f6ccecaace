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

    /// A PD silent for `offlineAfter` goes offline, which also ends its session but is not a restart: on a busy
    /// machine (a whole suite starting at once) the peer once stalled that long. Here it never goes offline.
    static var steadfastBus: BusOptions {
        var options = BusOptions()
        options.offlineAfter = 120_000_000_000
        return options
    }

    @Test func aSessionThePDDropsOnADamagedCommandIsCountedAsARestart() async throws {
        let relay = try LineRelay()
        let peer = try OSDPPeer(.init(addresses: [1], scbk: interopKey, device: relay.peripheralSide))
        let bus = try InteropBus(device: relay.controlPanelSide, pds: [securePD(1)], bus: Self.steadfastBus)
        #expect(try await bus.awaitOnline(1))
        let before = await bus.link.status(of: 1)?.counters.secureChannelRestarts ?? 0

        // libosdp 3.2.9 drops its Secure Channel session on a command with a bad CRC: Keyway must handshake again.
        relay.corrupt(next: 1, .toPeripherals)
        try await bus.awaitEvent("the session lost") { event -> Void? in
            guard case .bus(.secureChannel(1, active: false)) = event else { return nil }
            return ()
        }
        try await bus.awaitEvent("the session back") { event -> Void? in
            guard case .bus(.secureChannel(1, active: true)) = event else { return nil }
            return ()
        }
        try peer.presentCard(address: 1, bits: 26, hex: "a5c3f0c0")
        try await bus.awaitEvent("a card in the new session") { event -> Void? in
            guard case .bus(.card(1, _)) = event else { return nil }
            return ()
        }
        #expect(await !bus.events.contains(.bus(.offline(address: 1))))
        #expect((await bus.link.status(of: 1)?.counters.secureChannelRestarts ?? 0) > before)
    }
}
