import OSDP

/// One fixed Secure Channel session, so random replies exercise MAC checking and decryption.
private let sessionKeys = SessionKeys(scbk: .installDefault, randomA: [0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7])
private let initialRMAC: [UInt8] = [0xB2, 0xA3, 0x00, 0x57, 0xEB, 0x98, 0xBA, 0x22, 0x29, 0xEC, 0x1F, 0x87, 0x56, 0x62, 0xB5, 0x24]

/// Every input byte goes through the parser (in chunks whose sizes the input also decides), every
/// frame found through both message decoders and the Secure Channel decoder, and the whole input
/// through a control panel's receive path. Nothing may crash, and no frame may fail its own check.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let first = input.first else { return 0 }
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
            let trailer = received.frame.checkCharacter == .crc16 ? 2 : 1
            let body = received.bytes.dropLast(trailer)
            let valid = received.frame.checkCharacter == .crc16
                ? CheckCharacter.crc16(body) == UInt16(received.bytes[received.bytes.count - 2]) | UInt16(received.bytes[received.bytes.count - 1]) << 8
                : CheckCharacter.checksum(body) == received.bytes[received.bytes.count - 1]
            precondition(valid, "parser yielded a frame that fails its check character")
            _ = try? Command.decode(code: received.frame.code, payload: received.frame.data)
            _ = try? Reply.decode(code: received.frame.code, payload: received.frame.data)
            var copy = session
            _ = try? copy.open(received)
        }
        start = end
    }

    // The same bytes straight into the decoders (no CRC to get past), and wrapped in a well-formed
    // Secure Channel reply so MAC checking and decryption see arbitrary data.
    if input.count >= 6 {
        let code = input[1], body = Array(input.dropFirst(2))
        _ = try? Command.decode(code: code, payload: body)
        _ = try? Reply.decode(code: code, payload: body)
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
    return 0
}
