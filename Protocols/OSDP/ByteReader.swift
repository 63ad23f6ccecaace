/// Why a payload could not be decoded. Carries the message name so errors read well at the edges.
public enum MessageError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownCode(UInt8)
    /// The payload was shorter or longer than the message allows.
    case badLength(message: String, length: Int)
    /// A field held a value the message does not allow.
    case badField(message: String, field: String)

    public var description: String {
        switch self {
        case .unknownCode(let code): "unknown message code 0x\(String(code, radix: 16, uppercase: true))"
        case .badLength(let message, let length): "\(message): bad payload length \(length)"
        case .badField(let message, let field): "\(message): invalid \(field)"
        }
    }
}

/// Little-endian cursor over a payload; every read is bounds-checked and throws `badLength`.
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    private var index: Int
    let message: String

    init(_ bytes: some Collection<UInt8>, message: String) {
        self.bytes = ArraySlice(bytes)
        self.index = self.bytes.startIndex
        self.message = message
    }

    var remainingCount: Int { bytes.endIndex - index }
    var isAtEnd: Bool { index == bytes.endIndex }

    mutating func byte() throws(MessageError) -> UInt8 {
        guard index < bytes.endIndex else { throw .badLength(message: message, length: bytes.count) }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func bytes(_ count: Int) throws(MessageError) -> [UInt8] {
        guard count >= 0, remainingCount >= count else { throw .badLength(message: message, length: bytes.count) }
        defer { index += count }
        return Array(bytes[index..<(index + count)])
    }

    mutating func rest() -> [UInt8] {
        defer { index = bytes.endIndex }
        return Array(bytes[index...])
    }

    mutating func uint16() throws(MessageError) -> UInt16 {
        UInt16(try byte()) | UInt16(try byte()) << 8
    }

    mutating func uint32() throws(MessageError) -> UInt32 {
        UInt32(try uint16()) | UInt32(try uint16()) << 16
    }

    /// Fails unless every byte was consumed: OSDP payloads have exact sizes.
    func finish() throws(MessageError) {
        guard isAtEnd else { throw .badLength(message: message, length: bytes.count) }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func appendLittleEndian(_ value: UInt32) {
        appendLittleEndian(UInt16(truncatingIfNeeded: value))
        appendLittleEndian(UInt16(truncatingIfNeeded: value >> 16))
    }

    /// Upper-case hex without separators, e.g. "A5C3F0C0".
    var hexString: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(count * 2)
        for byte in self { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses hex digits (whitespace ignored); nil on any other character or an odd count.
    init?(hexString: String) {
        let digits = hexString.filter { !$0.isWhitespace }
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self = bytes
    }
}
