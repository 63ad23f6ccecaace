/// Why text could not be read as a Wiegand frame. The descriptions are what `keyway wiegand decode` prints.
public enum FrameParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The requested length is outside 1...64.
    case bitCountOutOfRange(Int)
    /// The requested or written length differs from the card format's.
    case formatLengthMismatch(format: String, formatBits: Int, bits: Int)
    /// A string of 0 and 1 longer than a frame holds.
    case bitStringTooLong(Int)
    /// Neither hex (up to 16 digits, `0x` optional) nor a string of 0 and 1.
    case unreadable(String)
    /// The hex value needs more bits than the frame has.
    case valueTooLarge(hexDigits: String, bits: Int)

    public var description: String {
        switch self {
        case .bitCountOutOfRange(let bits): "--bits must be 1-\(WiegandFrame.maxBitCount), not \(bits)"
        case .formatLengthMismatch(let format, let formatBits, let bits): "\(format) frames are \(formatBits) bits, not \(bits)"
        case .bitStringTooLong(let count): "a bit string holds at most \(WiegandFrame.maxBitCount) bits, not \(count)"
        case .unreadable(let text): "'\(text)' is neither hex (up to 16 digits) nor a string of 0 and 1"
        case .valueTooLarge(let digits, let bits): "0x\(digits) does not fit in \(bits) bits"
        }
    }
}

extension WiegandFrame {
    /// Reads a frame written as hex or as a string of 0 and 1, first bit first.
    ///
    /// Text of only 0 and 1 is a bit string unless it starts with `0x` or `bits` asks for another length. Hex is
    /// `bits` long if given, else `format`'s length, else the shortest built-in format length written with that
    /// many hex digits that holds the value, else four bits a digit. `format`, when given, must match the length.
    public init(parsing text: String, bits: Int? = nil, format: CardFormat? = nil) throws(FrameParseError) {
        if let bits, !(1...Self.maxBitCount).contains(bits) {
            throw .bitCountOutOfRange(bits)
        }
        if let bits, let format, bits != format.bitCount {
            throw .formatLengthMismatch(format: format.name, formatBits: format.bitCount, bits: bits)
        }
        let isHexPrefixed = text.lowercased().hasPrefix("0x")
        if !isHexPrefixed, !text.isEmpty, text.allSatisfy({ $0 == "0" || $0 == "1" }), bits == nil || bits == text.count {
            guard let frame = WiegandFrame(bitString: text) else { throw .bitStringTooLong(text.count) }
            if let format, format.bitCount != frame.bitCount {
                throw .formatLengthMismatch(format: format.name, formatBits: format.bitCount, bits: frame.bitCount)
            }
            self = frame
            return
        }
        let digits = isHexPrefixed ? String(text.dropFirst(2)) : text
        guard !digits.isEmpty, digits.count <= 16, let value = UInt64(digits, radix: 16) else {
            throw .unreadable(text)
        }
        let length = bits ?? format?.bitCount ?? Self.shortestKnownLength(holding: value, digits: digits.count)
        guard let frame = WiegandFrame(value: value, bitCount: length) else { throw .valueTooLarge(hexDigits: digits, bits: length) }
        self = frame
    }

    /// The shortest known frame length written with this many hex digits that holds the value;
    /// four bits per digit when no known length fits.
    private static func shortestKnownLength(holding value: UInt64, digits: Int) -> Int {
        let lengths = Set(CardFormat.builtIn.map(\.bitCount)).sorted()
        return lengths.first { ($0 + 3) / 4 == digits && ($0 == 64 || value >> UInt64($0) == 0) } ?? digits * 4
    }
}
