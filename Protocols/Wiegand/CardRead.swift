/// A card frame decoded by exactly one format.
public struct CardRead: Sendable, Hashable {
    public let format: CardFormat
    public let fields: CardFields

    public init(format: CardFormat, fields: CardFields) {
        self.format = format
        self.fields = fields
    }
}

/// What a frame means against a list of formats. Only `.card` identifies a credential.
public enum CardReadResult: Sendable, Hashable {
    /// Exactly one format of the frame's length validated.
    case card(CardRead)
    /// Several formats of the frame's length validated; the reader's format list must choose between them.
    case ambiguous([CardRead])
    /// Formats of this length exist, and every one failed its parity check.
    case parityError(tried: [CardFormat])
    /// No format in the list has this length.
    case unknownLength

    /// Decodes `frame` with every format of its length in `formats` (a reader's configured list, or all built-ins).
    /// Allocates nothing when the frame is a valid card of one format.
    public static func decode(
        _ frame: WiegandFrame, among formats: [CardFormat], reversingBytes: Bool = false
    ) -> CardReadResult {
        var first: CardRead?
        var validCount = 0
        var sameLengthCount = 0
        for format in formats where format.bitCount == frame.bitCount {
            sameLengthCount += 1
            guard let fields = format.decode(frame, reversingBytes: reversingBytes) else { continue }
            validCount += 1
            if first == nil { first = CardRead(format: format, fields: fields) }
        }
        if validCount == 1, let first { return .card(first) }
        if validCount > 1 {
            return .ambiguous(formats.compactMap { format in
                format.decode(frame, reversingBytes: reversingBytes).map { CardRead(format: format, fields: $0) }
            })
        }
        if sameLengthCount > 0 { return .parityError(tried: formats.filter { $0.bitCount == frame.bitCount }) }
        return .unknownLength
    }
}
