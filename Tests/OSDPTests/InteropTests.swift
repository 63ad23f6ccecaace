import Bridge
import Foundation
import KeywayTestSupport
import OSDP
import Serial
import Testing

/// Keyway's control panel against libosdp 3.2.9 PDs (an implementation written by others) on pseudo-terminals.
/// Serialized: each test runs a real bus with real timeouts, and a crowded machine should not make them race.
@Suite(.serialized) struct InteropTests {
    @Test func identifiesAndReadsCapabilitiesInPlaintext() async throws {
        let peer = try OSDPPeer(.init(addresses: [1]))
        let bus = try InteropBus(peer, pds: [plainPD(1)])
        #expect(try await bus.awaitOnline(1) == false)

        let status = try #require(bus.link.status(of: 1))
        let id = try #require(status.identification)
        #expect(id.vendorCodeHex == "A1B2C3")
        #expect(id.serialNumberHex == "01020304")
        #expect(id.firmwareVersion == "1.2.3")
        let capabilities = try #require(status.capabilities)
        #expect(capabilities.outputs == 4)
        #expect(capabilities.inputs == 4)
        #expect(capabilities.supportsCRC)

        guard case .reply(.identification(let asked)) = await bus.link.submit(.identification, to: 1) else {
            Issue.record("ID did not return PDID")
            return
        }
        #expect(asked == id)
    }

    @Test func opensSecureChannelWithTheGivenKey() async throws {
        let peer = try OSDPPeer(.init(addresses: [1], scbk: interopKey))
        let bus = try InteropBus(peer, pds: [securePD(1)])
        #expect(try await bus.awaitOnline(1) == true)
        try peer.awaitOnline(address: 1, secure: true)
        // Commands now travel encrypted and still arrive.
        #expect(await bus.link.submit(.buzzer([BuzzerControl(onTime: 2, offTime: 2, count: 1)]), to: 1) == .ack)
        try peer.awaitCommand("buzzer", address: 1)
    }

    @Test func aWrongKeyIsRefusedWithAClearReason() async throws {
        let peer = try OSDPPeer(.init(addresses: [1], scbk: interopKey))
        let bus = try InteropBus(peer, pds: [securePD(1, key: "ffeeddccbbaa99887766554433221100")])
        let failure = try await bus.awaitEvent("secure channel failure") { event -> SecureChannelError? in
            guard case .bus(.secureChannelFailed(1, let error)) = event else { return nil }
            return error
        }
        #expect(failure == .cryptogramMismatch)
        #expect(failure.description == "cryptogram mismatch — wrong SCBK?")
        // A PD that must be secure is never used in plaintext.
        #expect(!bus.events.contains { if case .bus(.online(1, _)) = $0 { true } else { false } })
    }
}
