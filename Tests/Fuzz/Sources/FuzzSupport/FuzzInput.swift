/// Reads a fuzz input as a stream of small decisions. Past the end every read gives zeros, so any
/// input is a complete scenario and libFuzzer's mutations change it gradually.
public struct FuzzInput {
    public let bytes: [UInt8]
    public private(set) var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { position >= bytes.count }

    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// `count` bytes, or as many as remain.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, position + count)
        defer { position = end }
        return position < end ? Array(bytes[position..<end]) : []
    }

    /// Little-endian, `count` bytes (at most 8).
    public mutating func integer(bytes count: Int) -> UInt64 {
        (0..<count).reduce(UInt64(0)) { $0 | UInt64(byte()) << (8 * UInt64($1)) }
    }

    /// Everything not read yet.
    public mutating func rest() -> [UInt8] { bytes(bytes.count - position) }
}

/// Bytes from hex text as the captures write it.
public func bytes(hex text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    precondition(digits.count.isMultiple(of: 2), "odd hex text in a harness: \(text)")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
}
