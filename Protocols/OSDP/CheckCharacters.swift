/// The two integrity trailers OSDP allows (spec Annex B/C).
public enum CheckCharacter: Sendable, Equatable {
    /// CRC-16/AUG-CCITT: poly 0x1021, init 0x1D0F, no reflection, sent LSB first.
    case crc16
    /// Two's complement of the 8-bit byte sum. Only accepted on receive: Keyway always sends CRC.
    case checksum

    var trailerLength: Int { self == .crc16 ? 2 : 1 }

    /// The trailer bytes for `bytes` (SOM through the last byte before the trailer).
    func trailer(for bytes: some Collection<UInt8>) -> [UInt8] {
        switch self {
        case .crc16:
            let crc = CheckCharacter.crc16(bytes)
            return [UInt8(truncatingIfNeeded: crc), UInt8(truncatingIfNeeded: crc >> 8)]
        case .checksum:
            return [CheckCharacter.checksum(bytes)]
        }
    }

    public static func crc16(_ bytes: some Collection<UInt8>) -> UInt16 {
        var crc: UInt16 = 0x1D0F
        for byte in bytes {
            crc = (crc << 8) ^ crcTable[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt8 {
        var sum: UInt8 = 0
        for byte in bytes { sum &+= byte }
        return 0 &- sum
    }

    private static let crcTable: [UInt16] = (0..<256).map { index in
        var value = UInt16(index) << 8
        for _ in 0..<8 { value = value & 0x8000 != 0 ? (value << 1) ^ 0x1021 : value << 1 }
        return value
    }
}
