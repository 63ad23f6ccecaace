import Crypto
import Testing
@testable import OSDP

/// SIA OSDP Annex E vectors, and messages derived from that session with the libosdp algorithm.
@Suite struct SecureChannelTests {
    static let randomA = hex("B0B1B2B3B4B5B6B7")
    static let randomB = hex("A0A1A2A3A4A5A6A7")
    static let keys = SessionKeys(scbk: .installDefault, randomA: randomA)
    static let serverCryptogram = hex("26D3356E07762D262801FC8E6665A891")
    static let initialRMAC = hex("B2A30057EB98BA2229EC1F875662B524")

    func bytes(_ key: SymmetricKey) -> [UInt8] { key.withUnsafeBytes { Array($0) } }

    @Test func defaultKeyIsAnnexSCBKD() {
        #expect(SecureChannelKey.installDefault.bytes == hex("303132333435363738393A3B3C3D3E3F"))
    }

    @Test func sessionKeysMatchAnnexE() {
        #expect(bytes(Self.keys.encryption) == hex("BF8DC2A8329ACB8C67C6D0CD9A451682"))
        #expect(bytes(Self.keys.mac1) == hex("5E86C676603BDEE2D8BEAFE178637332"))
        #expect(bytes(Self.keys.mac2) == hex("6FDA86E857777E81132035758239172E"))
    }

    @Test func cryptogramsAndInitialRMACMatchAnnexE() {
        #expect(Self.keys.clientCryptogram(randomA: Self.randomA, randomB: Self.randomB) == hex("FDE5D2F428EC16312471EA3C02BD7796"))
        #expect(Self.keys.serverCryptogram(randomA: Self.randomA, randomB: Self.randomB) == Self.serverCryptogram)
        #expect(Self.keys.initialRMAC(serverCryptogram: Self.serverCryptogram) == Self.initialRMAC)
    }

    func received(_ text: String) throws -> ReceivedFrame {
        var parser = FrameParser()
        guard case .frame(let frame)? = parser.append(hex(text), now: 0).first else { throw MessageError.unknownCode(0) }
        return frame
    }

    @Test func macChainAndEncryptionMatchDerivedMessages() throws {
        var session = SecureSession(keys: Self.keys, initialRMAC: Self.initialRMAC)
        let poll = session.seal(Frame(address: 0, sequence: 1, code: CommandCode.poll.rawValue))
        #expect(poll.encoded(mark: false) == hex("53 00 0E 00 0D 02 15 60 DF 88 98 23 9A 62"))
        #expect(session.lastSentMAC == hex("DF8898239032D09D94CE22212A28A31F"))

        let ack = try session.open(received("53 80 0E 00 0D 02 16 40 C7 E6 64 B6 DA B6"))
        #expect(ack.code == ReplyCode.ack.rawValue)
        #expect(session.lastReceivedMAC == hex("C7E664B633B07BBED74BC91DF1304BF8"))

        let led = session.seal(Frame(address: 0, sequence: 2, code: CommandCode.led.rawValue, data: hex("00 00 02 05 05 01 00 1E 00 01 00 00 02 00")))
        #expect(led.encoded(mark: false) == hex("53 00 1E 00 0E 02 17 69 A9 CC 71 9D 7E 4A 88 7D 76 80 A4 7B 68 DF 8A 4B BC F8 54 33 62 1E"))
    }

    @Test func peripheralRoleMirrorsTheControlPanel() throws {
        var panel = SecureSession(keys: Self.keys, initialRMAC: Self.initialRMAC)
        var reader = SecureSession(keys: Self.keys, initialRMAC: Self.initialRMAC, role: .peripheral)
        let led = panel.seal(Frame(address: 0, sequence: 2, code: CommandCode.led.rawValue, data: hex("00 00 02 05 05 01 00 1E 00 01 00 00 02 00")))
        let command = try reader.open(received(led.encoded().hexString))
        #expect(command.data == hex("00 00 02 05 05 01 00 1E 00 01 00 00 02 00"))
        let status = reader.seal(Frame(address: 0, isReply: true, sequence: 2, code: ReplyCode.ostatr.rawValue, data: [1, 0, 1]))
        #expect(status.securityBlock?.type == .replyEncrypted)
        #expect(try panel.open(received(status.encoded(mark: false).hexString)).data == [1, 0, 1])
        // A reader's own reply is not something it accepts as a command.
        #expect(throws: SecureChannelError.plaintextReply) { try reader.open(received(status.encoded().hexString)) }
    }

    @Test func derivedACKIsWhatAPeripheralSends() throws {
        var panel = SecureSession(keys: Self.keys, initialRMAC: Self.initialRMAC)
        var reader = SecureSession(keys: Self.keys, initialRMAC: Self.initialRMAC, role: .peripheral)
        let poll = panel.seal(Frame(address: 0, sequence: 1, code: CommandCode.poll.rawValue))
        _ = try reader.open(received(poll.encoded().hexString))
        let ack = reader.seal(Frame(address: 0, isReply: true, sequence: 1, code: ReplyCode.ack.rawValue))
        #expect(ack.encoded(mark: false) == hex("53 80 0E 00 0D 02 16 40 C7 E6 64 B6 DA B6"))
    }

    @Test func tamperedReplyMACIsRefused() throws {
        var session = SecureSession(keys: Self.keys, initialRMAC: Self.initialRMAC)
        _ = session.seal(Frame(address: 0, sequence: 1, code: CommandCode.poll.rawValue))
        var tampered = Frame(address: 0, isReply: true, sequence: 1, securityBlock: SecurityBlock(.replyMAC),
                             code: ReplyCode.ack.rawValue, mac: hex("C7E664B7"))
        var parser = FrameParser()
        guard case .frame(let frame)? = parser.append(tampered.encoded(), now: 0).first else { Issue.record("no frame"); return }
        #expect(throws: SecureChannelError.macMismatch) { try session.open(frame) }
        tampered.securityBlock = nil
        tampered.mac = []
        guard case .frame(let plain)? = parser.append(tampered.encoded(), now: 0).first else { Issue.record("no frame"); return }
        #expect(throws: SecureChannelError.plaintextReply) { try session.open(plain) }
    }

    @Test func encryptionPadsWithMarkerAndRoundTrips() throws {
        let iv = [UInt8](repeating: 0x5A, count: 16)
        for length in [1, 5, 15, 16, 17, 31, 32, 100] {
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            let sealed = Self.keys.encrypt(data, iv: iv)
            #expect(sealed.count == (length / 16 + 1) * 16, "0x80 always added, so 16 bytes become 32")
            #expect(try Self.keys.decrypt(sealed, iv: iv) == data)
        }
        #expect(throws: SecureChannelError.badPadding) { try Self.keys.decrypt([1, 2, 3], iv: iv) }
        // Without its 0x80 marker a block is not valid plaintext.
        let noMarker = Self.keys.encrypt([], iv: iv)
        var corrupted = noMarker
        corrupted[15] ^= 0xFF
        #expect(throws: SecureChannelError.badPadding) { try Self.keys.decrypt(corrupted, iv: iv) }
    }

    @Test func keyDescriptionNeverShowsTheKey() {
        let key = SecureChannelKey(hex: "0123456789abcdeffedcba9876543210")!
        #expect(!"\(key)".contains("0123"))
        #expect(key.hex == "0123456789ABCDEFFEDCBA9876543210")
        #expect(SecureChannelKey(hex: "0123") == nil)
        #expect(SecureChannelKey(hex: "zz23456789abcdeffedcba9876543210") == nil)
    }

    @Test func randomKeysComeFromTheInjectedGenerator() {
        var random = ScriptedRandom([hex("00112233445566778899aabbccddeeff")])
        #expect(SecureChannelKey.random(using: &random).hex == "00112233445566778899AABBCCDDEEFF")
    }
}
