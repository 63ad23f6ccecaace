import Crypto
import CryptoExtras
import Foundation

/// A 16-byte Secure Channel Base Key. Its description never shows the key.
public struct SecureChannelKey: Sendable, Equatable, CustomStringConvertible {
    public static let length = 16
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    /// 32 hex digits.
    public init?(hex: String) {
        guard let bytes = [UInt8](hexString: hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// SCBK-D, the install-mode key "0123456789:;<=>?". Only used inside an explicit install window.
    public static let installDefault = SecureChannelKey(bytes: Array("0123456789:;<=>?".utf8))!

    /// A fresh key from `generator` (the system CSPRNG unless a test injects one).
    public static func random(using generator: inout some RandomNumberGenerator) -> SecureChannelKey {
        SecureChannelKey(bytes: randomBytes(count: length, using: &generator))!
    }

    /// The key as 32 hex digits, for storing it. Deliberately not the description.
    public var hex: String { bytes.hexString }
    public var description: String { self == .installDefault ? "SCBK-D" : "SCBK(redacted)" }
}

func randomBytes(count: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 7)
    while bytes.count < count {
        let word = generator.next()
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }
    return Array(bytes.prefix(count))
}

/// What went wrong in Secure Channel. The description is what a technician should read.
public enum SecureChannelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The PD's client cryptogram does not match ours: it holds a different key.
    case cryptogramMismatch
    /// The PD answered with a different key selector than the CHLNG asked for.
    case keySelectorMismatch
    /// RMAC_I is not what the server cryptogram implies (or the PD flagged failure).
    case initialRMACMismatch
    /// A reply MAC did not verify.
    case macMismatch
    /// Decrypted data without the 0x80 padding marker, or not a whole number of blocks.
    case badPadding
    /// A plaintext reply while Secure Channel was active, other than NAK/BUSY.
    case plaintextReply
    /// A reply with data under a MAC but not encrypted (SCS_16): authentic, but readable by anyone on the wire.
    case unencryptedData
    /// A handshake reply that could not be decoded.
    case malformedReply
    /// The PD does not offer Secure Channel but the policy requires it.
    case notSupported
    /// The PD refused the handshake (NAK to CHLNG/SCRYPT).
    case refused(NAKCode)
    /// No key configured and install mode not allowed.
    case noKey

    public var description: String {
        switch self {
        case .cryptogramMismatch: "cryptogram mismatch — wrong SCBK?"
        case .keySelectorMismatch: "PD answered with a different key selector than requested"
        case .initialRMACMismatch: "initial R-MAC does not verify"
        case .macMismatch: "MAC mismatch"
        case .badPadding: "bad encryption padding"
        case .plaintextReply: "PD answered in plaintext inside secure channel (downgrade refused)"
        case .unencryptedData: "PD sent data unencrypted inside secure channel (refused: readable on the wire)"
        case .malformedReply: "PD's handshake reply could not be decoded"
        case .notSupported: "PD does not support secure channel"
        case .refused(let code): "PD refused the handshake: \(code.reason)"
        case .noKey: "no SCBK configured and install mode not allowed"
        }
    }
}

/// The three session keys derived from SCBK and RND.A, and the handshake cryptograms (spec Annex D).
public struct SessionKeys: Sendable {
    let encryption: SymmetricKey
    let mac1: SymmetricKey
    let mac2: SymmetricKey

    public init(scbk: SecureChannelKey, randomA: [UInt8]) {
        let base = SymmetricKey(data: scbk.bytes)
        func derive(_ prefix: [UInt8]) -> SymmetricKey {
            SymmetricKey(data: aesBlock(prefix + randomA.prefix(6) + [UInt8](repeating: 0, count: 8), key: base))
        }
        encryption = derive([0x01, 0x82])
        mac1 = derive([0x01, 0x01])
        mac2 = derive([0x01, 0x02])
    }

    /// Proves the PD holds the key: AES(S-ENC, RND.A ‖ RND.B).
    public func clientCryptogram(randomA: [UInt8], randomB: [UInt8]) -> [UInt8] {
        aesBlock(randomA + randomB, key: encryption)
    }

    /// Proves the CP holds the key: AES(S-ENC, RND.B ‖ RND.A).
    public func serverCryptogram(randomA: [UInt8], randomB: [UInt8]) -> [UInt8] {
        aesBlock(randomB + randomA, key: encryption)
    }

    /// AES(S-MAC2, AES(S-MAC1, server cryptogram)): the R-MAC chain start.
    public func initialRMAC(serverCryptogram: [UInt8]) -> [UInt8] {
        aesBlock(aesBlock(serverCryptogram, key: mac1), key: mac2)
    }

    /// CBC-MAC with S-MAC1 over all blocks but the last, S-MAC2 on the last; 0x80-padded when not block-aligned.
    func mac(_ message: some Collection<UInt8>, iv: [UInt8]) -> [UInt8] {
        var input = Array(message)
        if !input.count.isMultiple(of: 16) { input = padded(input) }
        var chain = iv
        if input.count > 16 {
            chain = Array(cbc(encrypt: true, Array(input.dropLast(16)), key: mac1, iv: iv).suffix(16))
        }
        return aesBlock(zip(chain, input.suffix(16)).map { $0 ^ $1 }, key: mac2)
    }

    /// AES-CBC with S-ENC, IV = NOT(iv), always 0x80-padded.
    func encrypt(_ data: [UInt8], iv: [UInt8]) -> [UInt8] {
        cbc(encrypt: true, padded(data), key: encryption, iv: iv.map { ~$0 })
    }

    func decrypt(_ data: [UInt8], iv: [UInt8]) throws(SecureChannelError) -> [UInt8] {
        guard !data.isEmpty, data.count.isMultiple(of: 16) else { throw .badPadding }
        let clear = cbc(encrypt: false, data, key: encryption, iv: iv.map { ~$0 })
        guard let marker = clear.lastIndex(where: { $0 != 0 }), clear[marker] == 0x80 else { throw .badPadding }
        return Array(clear[..<marker])
    }

    private func padded(_ data: [UInt8]) -> [UInt8] {
        var bytes = data + [0x80]
        bytes += [UInt8](repeating: 0, count: (16 - bytes.count % 16) % 16)
        return bytes
    }
}

/// Single-block AES-128 (ECB). Keys are always 16 bytes here, so the library cannot fail.
func aesBlock(_ block: [UInt8], key: SymmetricKey) -> [UInt8] {
    var block = block
    try! AES.permute(&block, key: key)
    return block
}

/// AES-128-CBC without padding on whole blocks (callers pad). Cannot fail for 16-byte keys and IVs.
private func cbc(encrypt: Bool, _ data: [UInt8], key: SymmetricKey, iv: [UInt8]) -> [UInt8] {
    let iv = try! AES._CBC.IV(ivBytes: iv)
    let result = encrypt
        ? try! AES._CBC.encrypt(data, using: key, iv: iv, noPadding: true)
        : try! AES._CBC.decrypt(data, using: key, iv: iv, noPadding: true)
    return Array(result)
}

/// An established Secure Channel: the session keys and both MAC chains. The control panel seals
/// commands and opens replies; the `.peripheral` role (simulated PDs in tests and benchmarks) the reverse.
public struct SecureSession: Sendable {
    public enum Role: Sendable { case controlPanel, peripheral }

    let keys: SessionKeys
    let role: Role
    /// MAC of the last message sent (C-MAC for a control panel): IV for the answer's MAC and encryption.
    private(set) var lastSentMAC: [UInt8]
    /// MAC of the last message accepted (R-MAC for a control panel), starting at RMAC-I.
    private(set) var lastReceivedMAC: [UInt8]

    public init(keys: SessionKeys, initialRMAC: [UInt8], role: Role = .controlPanel) {
        self.keys = keys
        self.role = role
        self.lastSentMAC = initialRMAC
        self.lastReceivedMAC = initialRMAC
    }

    private var outgoing: (mac: SecurityBlockType, encrypted: SecurityBlockType) {
        role == .controlPanel ? (.commandMAC, .commandEncrypted) : (.replyMAC, .replyEncrypted)
    }
    private var incoming: (mac: SecurityBlockType, encrypted: SecurityBlockType) {
        role == .controlPanel ? (.replyMAC, .replyEncrypted) : (.commandMAC, .commandEncrypted)
    }

    /// Turns a plaintext frame into an SCS_15/16 (no data) or SCS_17/18 (encrypted data) frame with its MAC.
    public mutating func seal(_ frame: Frame) -> Frame {
        var sealed = frame
        if frame.data.isEmpty {
            sealed.securityBlock = SecurityBlock(outgoing.mac)
        } else {
            sealed.securityBlock = SecurityBlock(outgoing.encrypted)
            sealed.data = keys.encrypt(frame.data, iv: lastReceivedMAC)
        }
        lastSentMAC = keys.mac(sealed.bytesCoveredByMAC(), iv: lastReceivedMAC)
        sealed.mac = Array(lastSentMAC.prefix(Frame.macLength))
        return sealed
    }

    /// Verifies the answer to the last sealed frame and returns it with clear data.
    /// Throws `.plaintextReply` for a frame without a MAC: callers decide whether a plaintext NAK/BUSY is acceptable.
    public mutating func open(_ received: ReceivedFrame) throws(SecureChannelError) -> Frame {
        guard let block = received.frame.securityBlock, block.type == incoming.mac || block.type == incoming.encrypted else {
            throw .plaintextReply
        }
        let expected = keys.mac(received.bytesCoveredByMAC, iv: lastSentMAC)
        guard constantTimeEqual(expected.prefix(Frame.macLength), received.frame.mac) else { throw .macMismatch }
        var frame = received.frame
        if block.type == incoming.encrypted {
            frame.data = try keys.decrypt(frame.data, iv: lastSentMAC)
        }
        lastReceivedMAC = expected
        return frame
    }
}

func constantTimeEqual(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    return zip(lhs, rhs).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}
