import FuzzSupport
import OSDP

/// One fixed Secure Channel session, so random replies exercise MAC checking and decryption.
private let sessionKeys = SessionKeys(scbk: .installDefault, randomA: [0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7])
private let initialRMAC: [UInt8] = [0xB2, 0xA3, 0x00, 0x57, 0xEB, 0x98, 0xBA, 0x22, 0x29, 0xEC, 0x1F, 0x87, 0x56, 0x62, 0xB5, 0x24]

/// The byte-level half of the OSDP target. Every input byte goes through the parser (in chunks whose
/// sizes the input also decides), every frame found through both message decoders and the Secure
/// Channel decoder, and the whole input through a plaintext control panel's receive path.
/// Invariants: no frame fails its own check character, every frame re-encodes to the bytes it came
/// in, and every decoded command or reply re-encodes to a payload that decodes to the same message.
func fuzzFrames(_ input: [UInt8]) {
    guard let first = input.first else { return }
    let chunk = Int(first % 32) + 1

    var parser = FrameParser()
    var session = SecureSession(keys: sessionKeys, initialRMAC: initialRMAC)
    _ = session.seal(Frame(address: 1, sequence: 1, code: CommandCode.poll.rawValue))
    var now: UInt64 = 0
    var start = 1
    while start < input.count {
        let end = min(input.count, start + chunk)
        now += UInt64(input[start]) * 100_000  // gaps up to 25.5 ms: some cross the inter-character timeout
        for output in parser.append(input[start..<end], now: now) {
            guard case .frame(let received) = output else { continue }
            checkFrame(received)
            checkMessages(code: received.frame.code, payload: received.frame.data)
            var copy = session
            _ = try? copy.open(received)
        }
        start = end
    }

    // The same bytes straight into the decoders (no CRC to get past), and wrapped in a well-formed
    // Secure Channel reply so MAC checking and decryption see arbitrary data.
    if input.count >= 6 {
        let code = input[1], body = Array(input.dropFirst(2))
        checkMessages(code: code, payload: body)
        let type: SecurityBlockType = first & 0x80 == 0 ? .replyMAC : .replyEncrypted
        let wrapped = Frame(address: 1, isReply: true, sequence: 1, securityBlock: SecurityBlock(type), code: code,
                            data: Array(body.dropLast(4).prefix(1_300)), mac: Array(body.suffix(4)))
        var wrappedParser = FrameParser()
        for case .frame(let received) in wrappedParser.append(wrapped.encoded(), now: 0) {
            var copy = session
            _ = try? copy.open(received)
        }
    }

    if var panel = try? ControlPanel(pds: [PDConfiguration(address: 1, security: .preferred, installMode: true)]) {
        _ = panel.nextTransmission(now: 0)
        panel.receive(input, now: 1_000_000)
        _ = panel.nextTransmission(now: 2_000_000)
        _ = panel.takeEvents()
    }
}

/// A parsed frame passes its own check character and encodes back to the bytes it came in.
func checkFrame(_ received: ReceivedFrame) {
    let bytes = received.bytes
    let valid = received.frame.checkCharacter == .crc16
        ? CheckCharacter.crc16(bytes.dropLast(2)) == UInt16(bytes[bytes.count - 2]) | UInt16(bytes[bytes.count - 1]) << 8
        : CheckCharacter.checksum(bytes.dropLast(1)) == bytes[bytes.count - 1]
    invariant(valid, "parser yielded a frame that fails its check character")
    // CTRL bits 4-7 are reserved; the parser ignores them, so only a frame with them clear re-encodes exactly.
    if bytes[4] & 0xF0 == 0 {
        invariant(received.frame.encoded(mark: false) == bytes, "a parsed frame does not encode back to its bytes")
    }
}

/// Whatever decodes as a command or a reply encodes to a payload that decodes to the same message.
func checkMessages(code: UInt8, payload: [UInt8]) {
    if let command = try? Command.decode(code: code, payload: payload) {
        let again = try? Command.decode(code: command.code.rawValue, payload: command.payload)
        invariant(again == command, "command \(command) does not survive encode/decode: \(String(describing: again))")
    }
    if let reply = try? Reply.decode(code: code, payload: payload) {
        let again = try? Reply.decode(code: reply.code.rawValue, payload: reply.payload)
        invariant(again == reply, "reply \(reply) does not survive encode/decode: \(String(describing: again))")
    }
}
