/// Secure Channel block types (SCS_11…SCS_18, spec Annex D).
public enum SecurityBlockType: UInt8, Sendable, CaseIterable {
    case challenge = 0x11          // CP → PD, CHLNG; data = key selector
    case clientCryptogram = 0x12   // PD → CP, CCRYPT; data = key selector echoed
    case serverCryptogram = 0x13   // CP → PD, SCRYPT; data = key selector
    case initialRMAC = 0x14        // PD → CP, RMAC_I; data = status
    case commandMAC = 0x15         // CP → PD, MAC, data in clear (none)
    case replyMAC = 0x16           // PD → CP, MAC, data in clear (none)
    case commandEncrypted = 0x17   // CP → PD, MAC, data encrypted
    case replyEncrypted = 0x18     // PD → CP, MAC, data encrypted

    /// SCS_15…18 carry a 4-byte MAC before the trailer.
    public var carriesMAC: Bool { rawValue >= 0x15 }
    public var encryptsData: Bool { self == .commandEncrypted || self == .replyEncrypted }
}

public struct SecurityBlock: Sendable, Equatable {
    public var type: SecurityBlockType
    public var data: [UInt8]

    public init(_ type: SecurityBlockType, data: [UInt8] = []) {
        self.type = type
        self.data = data
    }
}

/// One OSDP packet, from SOM to the trailer. `data` is what travels on the wire:
/// ciphertext for SCS_17/18 frames (see `SecureSession` for the clear payload).
public struct Frame: Sendable, Equatable {
    public static let mark: UInt8 = 0xFF
    public static let startOfMessage: UInt8 = 0x53
    public static let broadcastAddress: UInt8 = 0x7F
    /// PDs take addresses 0–126 (0x7E); 127 is the broadcast address.
    public static let highestPDAddress: UInt8 = 0x7E
    public static let replyFlag: UInt8 = 0x80
    /// The largest packet the spec allows (§5.6), and so the largest Keyway accepts.
    public static let maximumLength = 1440
    /// Every PD must accept this much until PDCAP function 10 says otherwise.
    public static let minimumReceiveSize = 128
    static let headerLength = 5  // SOM, ADDR, LEN_LSB, LEN_MSB, CTRL
    static let macLength = 4

    /// 0x00–0x7E, or 0x7F for broadcast; without the reply bit.
    public var address: UInt8
    public var isReply: Bool
    /// 0…3.
    public var sequence: UInt8
    public var checkCharacter: CheckCharacter
    public var securityBlock: SecurityBlock?
    public var code: UInt8
    public var data: [UInt8]
    /// The 4 MAC bytes of an SCS_15…18 frame, empty otherwise.
    public var mac: [UInt8]

    public init(address: UInt8, isReply: Bool = false, sequence: UInt8, checkCharacter: CheckCharacter = .crc16,
                securityBlock: SecurityBlock? = nil, code: UInt8, data: [UInt8] = [], mac: [UInt8] = []) {
        self.address = address
        self.isReply = isReply
        self.sequence = sequence
        self.checkCharacter = checkCharacter
        self.securityBlock = securityBlock
        self.code = code
        self.data = data
        self.mac = mac
    }

    var macLength: Int { securityBlock?.type.carriesMAC == true ? Frame.macLength : 0 }

    /// Total length as counted by LEN: SOM through the trailer (the mark is not counted).
    public var length: Int {
        Frame.headerLength + (securityBlock.map { 2 + $0.data.count } ?? 0) + 1 + data.count
            + macLength + checkCharacter.trailerLength
    }

    /// SOM through the last data byte, with LEN already final. This is exactly what the MAC covers.
    public func bytesCoveredByMAC() -> [UInt8] {
        let length = self.length
        var control = sequence & 0x03
        if checkCharacter == .crc16 { control |= 0x04 }
        if securityBlock != nil { control |= 0x08 }
        var bytes: [UInt8] = [Frame.startOfMessage, address | (isReply ? Frame.replyFlag : 0),
                              UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8), control]
        bytes.reserveCapacity(length + 1)
        if let block = securityBlock {
            bytes.append(UInt8(2 + block.data.count))
            bytes.append(block.type.rawValue)
            bytes += block.data
        }
        bytes.append(code)
        bytes += data
        return bytes
    }

    /// The wire bytes, led by the 0xFF mark unless `mark` is false.
    public func encoded(mark: Bool = true) -> [UInt8] {
        precondition(mac.count == macLength, "an SCS_15…18 frame needs its 4 MAC bytes (set by SecureSession)")
        var body = bytesCoveredByMAC()
        body += mac
        body += checkCharacter.trailer(for: body)
        return mark ? [Frame.mark] + body : body
    }
}
