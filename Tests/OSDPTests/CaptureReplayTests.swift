import Testing
@testable import OSDP

/// Replays the libosdp 3.2.9 sessions of osdp-captures.md: Keyway must send the very bytes libosdp's
/// control panel sent, and make sense of every reply.
@Suite struct CaptureReplayTests {
    static let pdid = "538114000445c3b2a1010104030201010203afbd"
    static let pdcap = "5381260005460101040201040301000404020502010601010801000901000a000110020070cb"
    static let scbk = SecureChannelKey(hex: "0123456789abcdeffedcba9876543210")!

    @Test func plainSession() throws {
        var bus = try Harness([PDConfiguration(address: 1)])
        bus.expect("ff530109000461006023", reply: Self.pdid)
        bus.expect("ff530109000562000341", reply: Self.pdcap)
        let identification = PDIdentification(vendorCode: hex("c3b2a1"), model: 1, version: 1, serialNumber: 0x0102_0304, firmware: (1, 2, 3))
        #expect(bus.events.contains(.identified(address: 1, identification)))
        #expect(bus.events.contains(.online(address: 1, secure: false)))
        #expect(identification.vendorCodeHex == "A1B2C3" && identification.serialNumberHex == "01020304" && identification.firmwareVersion == "1.2.3")
        _ = bus.takeEvents()

        bus.expect("ff530108000660d866", reply: "5381080006406a60")  // POLL s2 / ACK
        bus.expect("ff530108000760e955", reply: "5381080007405b53")  // POLL s3 / ACK
        bus.expect("ff5301080005608b33", reply: "53811000055000001a00a5c3f0c0ba7c")  // POLL s1 / RAW
        #expect(bus.takeEvents() == [.card(address: 1, RawCard(format: .unspecified, bitCount: 26, data: hex("a5c3f0c0")))])
        // A report may be followed by more: the next POLL goes out as soon as the line has been idle two characters.
        bus.expect("ff530108000660d866", reply: "53810f0006530005313233340d4a16", within: 3 * ms)
        let keypad = bus.takeEvents()
        #expect(keypad == [.keypad(address: 1, KeypadEntry(keys: hex("313233340d")))])
        if case .keypad(_, let entry) = keypad.first { #expect(entry.text == "1234#") }

        let out = bus.panel.submit(.output([OutputControl(output: 0, action: .permanentOnAbortTimed)]), to: 1, now: bus.now)
        bus.expect("ff53010c00076800020000fe94", reply: "5381080007405b53", within: 3 * ms)
        #expect(bus.takeEvents() == [.commandResult(out, .ack)])

        let led = LEDControl(reader: 0, led: 1, permanent: LEDPermanentState(control: .set, onTime: 5, offTime: 5, onColor: .green, offColor: .off))
        bus.panel.submit(.led([led]), to: 1, now: bus.now)
        bus.expect("ff5301160005690001000000000000000105050200ecf3", reply: "5381080005403935", within: 3 * ms)
        bus.panel.submit(.buzzer([BuzzerControl(onTime: 3, offTime: 3, count: 2)]), to: 1, now: bus.now)
        bus.expect("ff53010d00066a00020303027ec9", reply: "5381080006406a60", within: 3 * ms)
        bus.panel.submit(.text(TextOutput(reader: 0, mode: .permanentNoWrap, temporaryTime: 5, row: 1, column: 1, text: Array("HELLO".utf8))), to: 1, now: bus.now)
        bus.expect("ff53011300076b00010501010548454c4c4ff67a", reply: "5381080007405b53", within: 3 * ms)
        bus.panel.submit(.manufacturer(ManufacturerMessage(vendorCode: hex("0c0b0a"), data: hex("010203"))), to: 1, now: bus.now)
        bus.expect("ff53010e0005800c0b0a01020399aa", reply: "5381080005403935", within: 3 * ms)
        #expect(bus.results == [.ack, .ack, .ack, .ack])
        _ = bus.takeEvents()

        bus.expect("ff530108000660d866", reply: "53810c00064901000100ece7")  // POLL s2 / ISTATR
        bus.expect("ff530108000760e955", reply: "53810a0007480100a2a1", within: 3 * ms)  // POLL s3 / LSTATR
        #expect(bus.takeEvents() == [.inputs(address: 1, [true, false, true, false]),
                                     .localStatus(address: 1, LocalStatus(tamper: true, powerFailure: false))])
        bus.expect("ff5301080005608b33", reply: "5381080005403935", within: 3 * ms)
        bus.expect("ff530108000660d866", reply: "5381080006406a60")
        let istat = bus.panel.submit(.inputStatus, to: 1, now: bus.now)
        bus.expect("ff5301080007654c05", reply: "53810900074109df39", within: 3 * ms)
        #expect(bus.takeEvents() == [.nak(address: 1, .unableToProcess), .commandResult(istat, .nak(.unableToProcess))])
        #expect(NAKCode.unableToProcess.reason == "unable to process command record")
        #expect(bus.panel.status(of: 1)?.counters.naks == 1)
    }

    @Test func secureSession() throws {
        var bus = try Harness([PDConfiguration(address: 1, scbk: Self.scbk, security: .required)], random: [hex("d764c8cce93255c4")])
        bus.expect("ff530109000461006023", reply: Self.pdid)
        bus.expect("ff530109000562000341", reply: Self.pdcap)
        bus.expect("ff530113000e03110176d764c8cce93255c41f4f",
                   reply: "53812b000e03120176c3b2010004030201d764c8cce93255c4144bcf82246d84287a8af2911d8a0a26327b")
        bus.expect("ff53011b000f03130177144bcf82246d84287a8af2911d8a0a26f91e",
                   reply: "53811b000f031401781d55f0691831104805dda2a8336fa9d5b5bc")
        #expect(bus.events.suffix(2) == [.secureChannel(address: 1, active: true), .online(address: 1, secure: true)])
        bus.expect("ff53010e000d02156037f917eb2007", reply: "53810e000d02164043812ab18539")
        #expect(bus.panel.status(of: 1)?.secure == true)
        #expect(bus.panel.status(of: 1)?.state == .online)
        #expect(!bus.events.contains { if case .secureChannelFailed = $0 { true } else { false } })
    }

    /// PD in install mode (SCBK-D), CP configured with an SCBK: fall back to SCBK-D with a new
    /// sequence number, install the SCBK with KEYSET, and re-handshake with it.
    @Test func installSession() throws {
        var bus = try Harness([PDConfiguration(address: 1, scbk: Self.scbk, security: .required, installMode: true)],
                              random: [hex("d764c8cce93255c4"), hex("478d7aa05d83f3ea")])
        bus.expect("ff530109000461006023", reply: Self.pdid)
        bus.expect("ff530109000562000341", reply: Self.pdcap)
        bus.expect("ff530113000e03110176d764c8cce93255c41f4f",
                   reply: "53812b000e03120176c3b2010004030201d764c8cce93255c42b7639d74cdd2b16a0abb3f570ada201fb39")
        bus.expect("ff530113000f03110076d764c8cce93255c43965",
                   reply: "53812b000f03120076c3b2010004030201478d7aa05d83f3ea366d14cd611369c8b412a4572bc7aad9da7f")
        bus.expect("ff53011b000d031300770613bd05f3a2a66266fa9985b4e74601a6b0",
                   reply: "53811b000d031401783ec018f008a5521c2db964d186a569b73080")
        #expect(bus.takeEvents().suffix(2) == [.secureChannel(address: 1, active: true), .defaultKeyAccepted(address: 1)])
        bus.expect("ff53012e000e021775d474f1bff00a2b62e67c579dfbdcba5aa3698ff9b2912d040cff695b6f540746276dfe80638e",
                   reply: "53810e000e0216407b3c6728748d")
        #expect(bus.takeEvents() == [.keyInstalled(address: 1), .secureChannel(address: 1, active: false)])
        bus.expect("ff530113000f03110176478d7aa05d83f3eae69b",
                   reply: "53812b000f03120176c3b2010004030201a2b7249b043e23cd9de6ce58bbbc554a0043973fa689844cd2c6")
        bus.expect("ff53011b000d031301773a6e881c1f6754c715b99673fbecdeb4ba7d",
                   reply: "53811b000d03140178e3ce464dfb402ed4ba441f3a21f4fe84e7d5")
        #expect(bus.takeEvents() == [.secureChannel(address: 1, active: true), .online(address: 1, secure: true)])
        bus.expect("ff53010e000e021560ce423142e225", reply: "53810e000e021640695841027815")
        bus.expect("ff53010e000f0215601c30bbf9d173", reply: "53810e000f021640079748c4f7a0")
        bus.expect("ff53010e000d021560c9ba36ecfa3b", reply: "53810e000d0216409914b4fe2be8")
        bus.expect("ff53010e000e021560ab41997aa9ba", reply: "53810e000e02164031474c511896")
        #expect(bus.takeEvents().isEmpty)
    }

    @Test func multiDropIdentifiesEveryPD() throws {
        var bus = try Harness([1, 2, 5].map { PDConfiguration(address: $0) })
        bus.expect("ff530109000461006023", reply: Self.pdid)
        bus.expect("ff5302090004610080ed", reply: "538214000445c3b2a1010105030201010203e834")
        bus.expect("ff53050900046100c125", reply: "538514000445c3b2a1010106030201010203c49e")
        bus.expect("ff530109000562000341", reply: Self.pdcap)
        bus.expect("ff53020900056200e38f", reply: "5382260005460101040201040301000404020502010601010801000901000a00011002002f62")
        bus.expect("ff53050900056200a247", reply: "5385260005460101040201040301000404020502010601010801000901000a00011002008547")
        #expect(bus.panel.statuses.map(\.state) == [.online, .online, .online])
        #expect(bus.panel.statuses.map { $0.identification?.serialNumber } == [0x01020304, 0x01020305, 0x01020306])
    }
}
