import KeywayTestSupport
import Testing
@testable import OSDP

extension SeededGenerator {
    mutating func byte() -> UInt8 { UInt8.random(in: .min ... .max, using: &self) }
    mutating func bytes(_ range: ClosedRange<Int>) -> [UInt8] { (0..<Int.random(in: range, using: &self)).map { _ in byte() } }
    mutating func pick<T: CaseIterable>(_: T.Type) -> T { T.allCases.randomElement(using: &self)! }

    mutating func command() -> Command {
        switch Int.random(in: 0..<20, using: &self) {
        case 0: .poll
        case 1: .identification
        case 2: .capabilities
        case 3: [.localStatus, .inputStatus, .outputStatus, .readerStatus, .abort].randomElement(using: &self)!
        case 4: .output((0..<Int.random(in: 1...4, using: &self)).map { _ in
            OutputControl(output: byte(), action: pick(OutputAction.self), timer: UInt16.random(in: 0...UInt16.max, using: &self)) })
        case 5: .led((0..<Int.random(in: 1...3, using: &self)).map { _ in
            LEDControl(reader: byte(), led: byte(),
                       temporary: LEDTemporaryState(control: pick(LEDTemporaryState.Control.self), onTime: byte(), offTime: byte(),
                                                    onColor: pick(LEDColor.self), offColor: pick(LEDColor.self), timer: UInt16.random(in: 0...9999, using: &self)),
                       permanent: LEDPermanentState(control: pick(LEDPermanentState.Control.self), onTime: byte(), offTime: byte(),
                                                    onColor: pick(LEDColor.self), offColor: pick(LEDColor.self))) })
        case 6: .buzzer([BuzzerControl(reader: byte(), tone: byte(), onTime: byte(), offTime: byte(), count: byte())])
        case 7: .text(TextOutput(reader: byte(), mode: pick(TextOutput.Mode.self), temporaryTime: byte(), row: byte(), column: byte(), text: bytes(0...64)))
        case 8: .communicationSettings(CommunicationSettings(address: byte(), baudRate: UInt32.random(in: 0...UInt32.max, using: &self)))
        case 9: .keySet(SecureChannelKey.random(using: &self))
        case 10: .challenge(bytes(8...8))
        case 11: .serverCryptogram(bytes(16...16))
        case 12: .receiveSize(UInt16.random(in: 0...UInt16.max, using: &self))
        case 13: .keepActive(milliseconds: UInt16.random(in: 0...UInt16.max, using: &self))
        case 14, 15: .manufacturer(ManufacturerMessage(vendorCode: bytes(3...3), data: bytes(0...40)))
        default: .fileTransfer(FileTransferFragment(fileType: byte(), totalSize: UInt32.random(in: 0...UInt32.max, using: &self),
                                                    offset: UInt32.random(in: 0...UInt32.max, using: &self), fragment: bytes(0...200)))
        }
    }

    mutating func reply() -> Reply {
        switch Int.random(in: 0..<17, using: &self) {
        case 0: .ack
        case 1: .nak(NAKCode(rawValue: byte()), detail: bytes(0...3))
        case 2: .identification(PDIdentification(vendorCode: bytes(3...3), model: byte(), version: byte(),
                                                 serialNumber: UInt32.random(in: 0...UInt32.max, using: &self), firmware: (byte(), byte(), byte())))
        case 3: .capabilities(Capabilities((0..<Int.random(in: 0...17, using: &self)).map { _ in
            Capability(function: CapabilityFunction(rawValue: byte()), compliance: byte(), count: byte()) }))
        case 4: .localStatus(LocalStatus(tamper: Bool.random(using: &self), powerFailure: Bool.random(using: &self)))
        case 5: .inputStatus((0..<Int.random(in: 0...16, using: &self)).map { _ in Bool.random(using: &self) })
        case 6: .outputStatus((0..<Int.random(in: 0...16, using: &self)).map { _ in Bool.random(using: &self) })
        case 7: .readerStatus((0..<Int.random(in: 0...4, using: &self)).map { _ in pick(ReaderTamperStatus.self) })
        case 8: .rawCard(rawCard())
        case 9: .formattedCard(FormattedCard(reader: byte(), readDirection: byte(), characters: bytes(0...40)))
        case 10: .keypad(KeypadEntry(reader: byte(), keys: bytes(0...20)))
        case 11: .communicationSettings(CommunicationSettings(address: byte(), baudRate: UInt32.random(in: 0...UInt32.max, using: &self)))
        case 12: .busy
        case 13: .clientCryptogram(ClientCryptogram(clientUID: bytes(8...8), randomB: bytes(8...8), cryptogram: bytes(16...16)))
        case 14: .initialRMAC(bytes(16...16))
        case 15: .fileTransferStatus(FileTransferStatus(action: .init(rawValue: byte()), delay: UInt16.random(in: 0...UInt16.max, using: &self),
                                                        detail: .init(rawValue: Int16.random(in: .min ... .max, using: &self)),
                                                        updateMessageMaximum: UInt16.random(in: 0...UInt16.max, using: &self)))
        default: .manufacturer(ManufacturerMessage(vendorCode: bytes(3...3), data: bytes(0...40)))
        }
    }
}

extension SeededGenerator {
    mutating func rawCard() -> RawCard {
        let bits = UInt16.random(in: 0...512, using: &self)
        let length = (Int(bits) + 7) / 8
        return RawCard(reader: byte(), format: CardDataFormat(rawValue: byte()), bitCount: bits, data: bytes(length...length))
    }
}

@Suite struct PropertyTests {
    @Test func everyCommandRoundTrips() throws {
        var random = SeededGenerator(seed: 1)
        for _ in 0..<5_000 {
            let command = random.command()
            #expect(try Command.decode(code: command.code.rawValue, payload: command.payload) == command)
        }
    }

    @Test func everyReplyRoundTrips() throws {
        var random = SeededGenerator(seed: 2)
        for _ in 0..<5_000 {
            let reply = random.reply()
            #expect(try Reply.decode(code: reply.code.rawValue, payload: reply.payload) == reply)
        }
    }

    @Test func framesRoundTripThroughTheParserInAnyChunks() {
        var random = SeededGenerator(seed: 3)
        for _ in 0..<2_000 {
            let reply = random.reply()
            let frame = Frame(address: random.byte() & 0x7F, isReply: true, sequence: random.byte() & 3,
                              checkCharacter: Bool.random(using: &random) ? .crc16 : .checksum, code: reply.code.rawValue, data: reply.payload)
            let wire = frame.encoded(mark: Bool.random(using: &random))
            var parser = FrameParser()
            var parsed: [Frame] = []
            var start = 0
            while start < wire.count {
                let end = min(wire.count, start + Int.random(in: 1...40, using: &random))
                parsed += parser.append(wire[start..<end], now: 0).compactMap { if case .frame(let r) = $0 { r.frame } else { nil } }
                start = end
            }
            #expect(parsed == [frame])
        }
    }

    /// Random bytes never crash the parser and never yield a frame whose trailer does not check.
    @Test func garbageNeverYieldsABadFrame() throws {
        var random = SeededGenerator(seed: 4)
        for round in 0..<3_000 {
            var parser = FrameParser()
            // Bias towards SOM and small lengths so headers often look plausible.
            let garbage = (0..<Int.random(in: 1...300, using: &random)).map { _ in
                Int.random(in: 0..<4, using: &random) == 0 ? [0x53, 0x00, 0x08, 0x07, 0x04].randomElement(using: &random)! : random.byte()
            }
            for output in parser.append(garbage, now: UInt64(round)) {
                guard case .frame(let received) = output else { continue }
                let trailer = received.frame.checkCharacter.trailerLength
                #expect(received.frame.checkCharacter.trailer(for: received.bytes.dropLast(trailer)) == Array(received.bytes.suffix(trailer)))
                #expect(received.bytes.count == Int(received.bytes[2]) | Int(received.bytes[3]) << 8)
                _ = try? Reply.decode(code: received.frame.code, payload: received.frame.data)
                _ = try? Command.decode(code: received.frame.code, payload: received.frame.data)
            }
        }
    }

    /// Random Secure Channel frames never crash `open` and never pass the MAC check.
    @Test func randomSecureRepliesAreRefused() {
        var random = SeededGenerator(seed: 5)
        var session = SecureSession(keys: SessionKeys(scbk: .installDefault, randomA: random.bytes(8...8)), initialRMAC: random.bytes(16...16))
        _ = session.seal(Frame(address: 1, sequence: 1, code: CommandCode.poll.rawValue))
        for _ in 0..<2_000 {
            let frame = Frame(address: 1, isReply: true, sequence: 1, securityBlock: SecurityBlock(Bool.random(using: &random) ? .replyMAC : .replyEncrypted),
                              code: random.byte(), data: random.bytes(0...48), mac: random.bytes(4...4))
            var parser = FrameParser()
            guard case .frame(let received)? = parser.append(frame.encoded(), now: 0).first else { continue }
            #expect(throws: SecureChannelError.self) { try session.open(received) }
        }
    }
}
