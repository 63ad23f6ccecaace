import OSDPLink
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

        let status = try #require(await bus.link.status(of: 1))
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
        #expect(await !bus.events.contains { if case .bus(.online(1, _)) = $0 { true } else { false } })
    }

    @Test func installModeTakesANewRandomKeyByKeyset() async throws {
        let peer = try OSDPPeer(.init(addresses: [1], installMode: true))
        let installing = try InteropBus(peer, pds: [PDConfiguration(address: 1, security: .required, installMode: true)])
        #expect(try await installing.awaitOnline(1) == true)
        #expect(await installing.events.contains(.bus(.defaultKeyAccepted(address: 1))))

        var generator = SystemRandomNumberGenerator()
        let key = SecureChannelKey.random(using: &generator)
        #expect(await installing.link.submit(.keySet(key), to: 1) == .ack)
        let keyset = try peer.awaitCommand("keyset", address: 1)
        #expect(keyset.string("data") == key.hex.lowercased())
        installing.link.stop()

        // The reader now holds the new key: a fresh bus that knows only that key gets in, install window closed.
        let bus = try InteropBus(peer, pds: [securePD(1, key: key.hex)])
        #expect(try await bus.awaitOnline(1) == true)
        #expect(await !bus.events.contains(.bus(.defaultKeyAccepted(address: 1))))
    }

    @Test func installModeInstallsTheConfiguredKey() async throws {
        let peer = try OSDPPeer(.init(addresses: [1], installMode: true))
        let bus = try InteropBus(peer, pds: [PDConfiguration(
            address: 1, scbk: SecureChannelKey(hex: interopKey), security: .required, installMode: true)])
        try await bus.awaitEvent("key installed") { $0 == .bus(.keyInstalled(address: 1)) ? () : nil }
        try peer.awaitCommand("keyset", address: 1)
        #expect(try await bus.awaitOnline(1) == true)
    }

    @Test func multiDropServesEveryPDOnOneLine() async throws {
        let addresses: [UInt8] = [1, 2, 5]
        let peer = try OSDPPeer(.init(addresses: addresses, scbk: interopKey))
        let bus = try InteropBus(peer, pds: addresses.map { securePD($0) })
        var online: Set<UInt8> = []
        while online.count < addresses.count {
            online.insert(try await bus.awaitEvent("all PDs online") { event -> UInt8? in
                guard case .bus(.online(let address, true)) = event else { return nil }
                return address
            })
        }
        #expect(online == Set(addresses))
        let serials = await bus.link.statuses().compactMap { $0.identification?.serialNumberHex }
        #expect(Set(serials) == ["01020304", "01020305", "01020306"])

        try peer.presentCard(address: 5, bits: 26, hex: "a5c3f0c0")
        let card = try await bus.awaitEvent("card from PD 5") { event -> (UInt8, RawCard)? in
            guard case .bus(.card(let address, let card)) = event else { return nil }
            return (address, card)
        }
        #expect(card.0 == 5)
        #expect(await bus.link.submit(.output([OutputControl(output: 1, action: .permanentOnAbortTimed)]), to: 2).isSuccess)
        let command = try peer.awaitCommand("output", address: 2)
        #expect(command.int("output_no") == 1)
    }

    @Test func cardAndKeypadEventsArrive() async throws {
        let peer = try OSDPPeer(.init(addresses: [1], scbk: interopKey))
        let bus = try InteropBus(peer, pds: [securePD(1)])
        try await bus.awaitOnline(1)

        try peer.presentCard(address: 1, bits: 26, hex: "a5c3f0c0")
        let card = try await bus.awaitEvent("card") { event -> RawCard? in
            guard case .bus(.card(1, let card)) = event else { return nil }
            return card
        }
        #expect(card.bitCount == 26)
        #expect(card.data == [0xA5, 0xC3, 0xF0, 0xC0])

        try peer.pressKeys(address: 1, "1234#")
        let keys = try await bus.awaitEvent("keypad") { event -> String? in
            guard case .bus(.keypad(1, let entry)) = event else { return nil }
            return entry.text
        }
        #expect(keys == "1234#")
    }

    @Test func inputAndLocalStatusReportsArrive() async throws {
        let peer = try OSDPPeer(.init(addresses: [1]))
        let bus = try InteropBus(peer, pds: [plainPD(1)])
        try await bus.awaitOnline(1)
        try peer.setInputs(address: 1, [1, 0, 1, 0])
        let inputs = try await bus.awaitEvent("input status") { event -> [Bool]? in
            guard case .bus(.inputs(1, let states)) = event else { return nil }
            return states
        }
        #expect(inputs == [true, false, true, false])
        try peer.setLocalStatus(address: 1, tamper: true, power: false)
        let local = try await bus.awaitEvent("local status") { event -> LocalStatus? in
            guard case .bus(.localStatus(1, let status)) = event else { return nil }
            return status
        }
        #expect(local == LocalStatus(tamper: true, powerFailure: false))
    }

    @Test func outputLEDBuzzerAndTextReachThePD() async throws {
        let peer = try OSDPPeer(.init(addresses: [1], scbk: interopKey))
        let bus = try InteropBus(peer, pds: [securePD(1)])
        try await bus.awaitOnline(1)

        #expect(await bus.link.submit(.output([OutputControl(output: 0, action: .temporaryOn, timer: 5)]), to: 1).isSuccess)
        let output = try peer.awaitCommand("output", address: 1)
        #expect(output.int("output_no") == 0)
        #expect(output.int("control_code") == 5)
        #expect(output.int("timer_count") == 5)

        let green = LEDControl(led: 1, permanent: LEDPermanentState(control: .set, onTime: 1, onColor: .green))
        #expect(await bus.link.submit(.led([green]), to: 1) == .ack)
        let led = try peer.awaitCommand("led", address: 1)
        #expect(led.int("led_number") == 1)

        #expect(await bus.link.submit(.buzzer([BuzzerControl(onTime: 1, offTime: 1, count: 3)]), to: 1) == .ack)
        #expect(try peer.awaitCommand("buzzer", address: 1).int("rep_count") == 3)

        #expect(await bus.link.submit(.text(TextOutput("HELLO")), to: 1) == .ack)
        let text = try peer.awaitCommand("text", address: 1)
        #expect(text.string("data") == "HELLO", "\(text)")
    }

    @Test func aRefusedCommandReturnsTheNAKCode() async throws {
        let peer = try OSDPPeer(.init(addresses: [1], scbk: interopKey))
        let bus = try InteropBus(peer, pds: [securePD(1)])
        try await bus.awaitOnline(1)
        try peer.refuseNextCommands(address: 1)
        #expect(await bus.link.submit(.output([OutputControl(output: 0, action: .permanentOnAbortTimed)]), to: 1)
            == .nak(.unableToProcess))
        // A refusal is not a fault of the link: the next command goes through.
        #expect(await bus.link.submit(.output([OutputControl(output: 0, action: .permanentOffAbortTimed)]), to: 1).isSuccess)
        #expect(await bus.link.status(of: 1)?.state == .online)
    }

    @Test func aPDKilledAndRestartedComesBackOnline() async throws {
        let relay = try LineRelay()
        var options = BusOptions()
        options.offlineAfter = 2_000_000_000
        options.offlineBackoff = 200_000_000
        options.offlineBackoffMaximum = 500_000_000
        let peer = try OSDPPeer(.init(addresses: [1], scbk: interopKey, device: relay.peripheralSide))
        let bus = try InteropBus(device: relay.controlPanelSide, pds: [securePD(1)], bus: options)
        #expect(try await bus.awaitOnline(1) == true)

        peer.kill()
        try await bus.awaitOffline(1)

        let restarted = try OSDPPeer(.init(addresses: [1], scbk: interopKey, device: relay.peripheralSide))
        #expect(try await bus.awaitOnline(1) == true)
        try restarted.presentCard(address: 1, bits: 26, hex: "a5c3f0c0")
        try await bus.awaitEvent("card after restart") { event -> Void? in
            guard case .bus(.card(1, _)) = event else { return nil }
            return ()
        }
    }

    @Test func theDeviceVanishingAndReturningIsReopened() async throws {
        let link = try TestPaths.temporaryDirectory("interop").appendingPathComponent("ttyOSDP").path
        let peer = try OSDPPeer(.init(addresses: [1], link: link))
        let bus = try InteropBus(device: link, pds: [plainPD(1)])
        try await bus.awaitOnline(1)

        // Its pseudo-terminal goes with it, and the link first, as udev removes it with a USB adapter unplugged
        // (a reopen through a dangling link could land on another test's pseudo-terminal that took the freed number).
        unlink(link)
        peer.kill()
        try await bus.awaitEvent("device lost") { event -> SerialError? in
            guard case .deviceLost(let error) = event else { return nil }
            return error
        }
        let replugged = try OSDPPeer(.init(addresses: [1], link: link))
        try await bus.awaitEvent("device reopened") { $0 == .deviceReopened ? () : nil }
        // The PD never went offline for the bus (the gap was short): it resynchronises and serves events again.
        try replugged.pressKeys(address: 1, "9")
        try await bus.awaitEvent("keypad after replug") { event -> Void? in
            guard case .bus(.keypad(1, _)) = event else { return nil }
            return ()
        }
    }

    @Test func corruptedBytesAreRetriedWithoutLosingThePD() async throws {
        let relay = try LineRelay()
        let peer = try OSDPPeer(.init(addresses: [1], scbk: interopKey, device: relay.peripheralSide))
        let bus = try InteropBus(device: relay.controlPanelSide, pds: [securePD(1)])
        try await bus.awaitOnline(1)

        // Replies damaged on the way back: Keyway sees bad check characters and asks again with the same bytes.
        relay.corrupt(next: 3, .toControlPanel)
        try await bus.awaitEvent("a damaged reply") { event -> Void? in
            guard case .bus(.lineError(_, .badCheckCharacter)) = event else { return nil }
            return ()
        }
        // Commands damaged on the way out: the PD stays silent, Keyway times out and resends.
        relay.corrupt(next: 2, .toPeripherals)
        #expect(await bus.link.submit(.buzzer([BuzzerControl(onTime: 1, offTime: 1, count: 1)]), to: 1) == .ack)
        try relay.inject([0x00, 0x53, 0xFF, 0x12], .toControlPanel)
        try peer.presentCard(address: 1, bits: 26, hex: "a5c3f0c0")
        try await bus.awaitEvent("card through the noise") { event -> Void? in
            guard case .bus(.card(1, _)) = event else { return nil }
            return ()
        }
        #expect(relay.pendingCorruption(.toControlPanel) == 0)
        #expect(await !bus.events.contains(.bus(.offline(address: 1))))
        #expect((await bus.link.status(of: 1)?.counters.checkCharacterErrors ?? 0) >= 1)
    }
}
