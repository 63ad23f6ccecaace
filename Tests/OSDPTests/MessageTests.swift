import Testing
@testable import OSDP

/// Every captured libosdp frame decodes to a typed value and re-encodes to the same bytes.
@Suite struct MessageTests {
    static let capturedCommands = [
        "ff530109000461006023", "ff530109000562000341", "ff530108000660d866", "ff53010c00076800020000fe94",
        "ff5301160005690001000000000000000105050200ecf3", "ff53010d00066a00020303027ec9",
        "ff53011300076b00010501010548454c4c4ff67a", "ff53010e0005800c0b0a01020399aa", "ff5301080007654c05",
        "ff5301080006645c26", "ff530113000e03110176d764c8cce93255c41f4f",
        "ff53011b000f03130177144bcf82246d84287a8af2911d8a0a26f91e",
    ]
    static let capturedReplies = [
        "538114000445c3b2a1010104030201010203afbd",
        "5381260005460101040201040301000404020502010601010801000901000a000110020070cb",
        "5381080006406a60", "53811000055000001a00a5c3f0c0ba7c", "53810f0006530005313233340d4a16",
        "53810c00064901000100ece7", "53810a0007480100a2a1", "53810900074109df39", "538109000541041286",
        "53812b000e03120176c3b2010004030201d764c8cce93255c4144bcf82246d84287a8af2911d8a0a26327b",
        "53811b000f031401781d55f0691831104805dda2a8336fa9d5b5bc", "53810e000653000431327f0d782d",
        "53810a000648000027e4",
    ]

    static func frame(_ text: String) -> Frame? {
        var parser = FrameParser()
        guard case .frame(let received)? = parser.append(hex(text), now: 0).first else { return nil }
        return received.frame
    }

    @Test(arguments: capturedCommands) func capturedCommandRoundTrips(_ text: String) throws {
        let frame = try #require(Self.frame(text))
        let command = try Command.decode(code: frame.code, payload: frame.data)
        #expect(command.code.rawValue == frame.code)
        #expect(command.payload == frame.data)
        var rebuilt = frame
        rebuilt.data = command.payload
        #expect(rebuilt.encoded() == hex(text))
    }

    @Test(arguments: capturedReplies) func capturedReplyRoundTrips(_ text: String) throws {
        let frame = try #require(Self.frame(text))
        let reply = try Reply.decode(code: frame.code, payload: frame.data)
        #expect(reply.code.rawValue == frame.code)
        #expect(reply.payload == frame.data)
        #expect(frame.encoded(mark: false) == hex(text))
    }

    @Test func decodesCapturedFields() throws {
        let cap = try Reply.decode(code: 0x46, payload: try #require(Self.frame(Self.capturedReplies[1])).data)
        guard case .capabilities(let capabilities) = cap else { Issue.record("not PDCAP"); return }
        #expect(capabilities.supportsCRC)
        #expect(capabilities.supportsSecureChannel)
        #expect(capabilities.inputs == 4 && capabilities.outputs == 4)
        #expect(capabilities.receiveBufferSize == 256)
        #expect(capabilities[.osdpVersion]?.compliance == 2)
        #expect(CapabilityFunction(rawValue: 255).name == "function_255")

        let raw = try Reply.decode(code: 0x50, payload: hex("00 00 1a 00 a5 c3 f0 c0"))
        guard case .rawCard(let card) = raw else { Issue.record("not RAW"); return }
        #expect(card.bits.count == 26)
        #expect(card.bits.prefix(8) == [true, false, true, false, false, true, false, true])
        #expect(card.dataHex == "A5C3F0C0")

        #expect(try Reply.decode(code: 0x53, payload: hex("00 04 31 32 7f 0d")) == .keypad(KeypadEntry(keys: hex("31327f0d"))))
        #expect(KeypadEntry(keys: hex("31327f0d41")).text == "12*#A")
    }

    @Test func everyNAKCodeHasAReason() {
        let named: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x10, 0x11, 0x12]
        for code in named { #expect(NAKCode(rawValue: code).reason != "unknown error code") }
        #expect(NAKCode(rawValue: 3).reason == "unknown command")
        #expect(NAKCode(rawValue: 0x90).reason == "vendor-specific error")
        #expect(NAKCode(rawValue: 0x30).reason == "unknown error code")
    }

    @Test func malformedPayloadsThrowNamedErrors() {
        #expect(throws: MessageError.badLength(message: "PDID", length: 11)) { try Reply.decode(code: 0x45, payload: [UInt8](repeating: 0, count: 11)) }
        #expect(throws: MessageError.badField(message: "RAW", field: "bit count")) { try Reply.decode(code: 0x50, payload: hex("00 00 1a 00 a5")) }
        #expect(throws: MessageError.unknownCode(0x42)) { try Reply.decode(code: 0x42, payload: []) }
        #expect(throws: MessageError.badLength(message: "OUT", length: 3)) { try Command.decode(code: 0x68, payload: hex("000200")) }
        #expect(throws: MessageError.badLength(message: "POLL", length: 1)) { try Command.decode(code: 0x60, payload: [0]) }
        #expect("\(MessageError.badLength(message: "PDID", length: 11))" == "PDID: bad payload length 11")
    }

    @Test func textOutputReplacesNonASCII() {
        #expect(TextOutput("Tür 1").text == Array("T?r 1".utf8))
    }

    @Test func namesComeFromTheSpec() {
        #expect(CommandCode.keepactive.name == "KEEPACTIVE")
        #expect(ReplyCode.rmac_i.name == "RMAC_I")
        #expect(Command.identification.isAllowedOnBroadcast && !Command.poll.isAllowedOnBroadcast)
    }
}
