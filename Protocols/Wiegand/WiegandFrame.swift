/// The bits of one Wiegand frame, first bit on the wire first.
///
/// Stored right-aligned in one word: the first bit received is the most significant of the `bitCount` low bits,
/// so `value` reads the frame as the integer field technicians and tools print ("the leading parity bit is the MSB").
/// Frames are at most 64 bits long, which covers every format Keyway knows.
public struct WiegandFrame: Sendable, Hashable {
    public static let maxBitCount = 64

    /// The frame as an integer, right-aligned.
    public private(set) var value: UInt64
    /// How many bits the frame holds (0 for an empty accumulator).
    public private(set) var bitCount: Int

    /// An empty frame, ready to accumulate bits.
    public init() {
        value = 0
        bitCount = 0
    }

    /// A frame of `bitCount` bits holding `value`; nil when the length is outside 1...64 or the value does not fit.
    public init?(value: UInt64, bitCount: Int) {
        guard (1...Self.maxBitCount).contains(bitCount), bitCount == 64 || value >> UInt64(bitCount) == 0 else { return nil }
        self.value = value
        self.bitCount = bitCount
    }

    /// A frame from a string of `0` and `1` characters, first bit first; nil for any other character or length.
    public init?(bitString: some StringProtocol) {
        self.init()
        for character in bitString.utf8 {
            guard character == UInt8(ascii: "0") || character == UInt8(ascii: "1"),
                  append(character == UInt8(ascii: "1"))
            else { return nil }
        }
        guard bitCount > 0 else { return nil }
    }

    /// A frame from bytes packed first bit first, left-justified (OSDP RAW card data, `osdp_RAW`).
    /// Nil when `bitCount` is outside 1...64 or the bytes are too few.
    public init?(packedBytes: some Collection<UInt8>, bitCount: Int) {
        guard (1...Self.maxBitCount).contains(bitCount), packedBytes.count * 8 >= bitCount else { return nil }
        self.init()
        for (index, byte) in packedBytes.prefix((bitCount + 7) / 8).enumerated() {
            for bitInByte in 0..<8 where index * 8 + bitInByte < bitCount {
                _ = append(byte & (0x80 >> UInt8(bitInByte)) != 0)
            }
        }
    }

    /// Appends the next bit received; false (and no change) when the frame is already 64 bits long.
    public mutating func append(_ bit: Bool) -> Bool {
        guard bitCount < Self.maxBitCount else { return false }
        value = value << 1 | (bit ? 1 : 0)
        bitCount += 1
        return true
    }

    /// The bit at `position`, counted from the first bit on the wire (0).
    public func bit(at position: Int) -> Bool {
        precondition((0..<bitCount).contains(position), "bit position outside the frame")
        return value >> UInt64(bitCount - 1 - position) & 1 == 1
    }

    /// The frame with the bit at `position` inverted.
    public func flippingBit(at position: Int) -> WiegandFrame {
        precondition((0..<bitCount).contains(position), "bit position outside the frame")
        var copy = self
        copy.value ^= 1 << UInt64(bitCount - 1 - position)
        return copy
    }

    /// The frame as upper-case hex, `ceil(bitCount / 4)` digits (26 bits → 7 digits: `089449F`).
    public var hex: String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, (bitCount + 3) / 4 - digits.count)) + digits
    }

    /// The frame as `0`/`1` characters, first bit first.
    public var bitString: String {
        String((0..<bitCount).map { bit(at: $0) ? "1" : "0" })
    }
}
