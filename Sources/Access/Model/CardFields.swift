/// A card's fields as people type them (`keyway cards add`, a CSV import), checked once for both.
extension CardData {
    /// Raw cards longer than this are not cards any reader sends.
    public static let maximumBits = 256

    /// A format's name: letters, digits, `_` and `-`.
    public static func isFormatName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// A card from a format with a number (and a facility if the format has one), or from raw bits; the error names
    /// the field (`format`, `facility`, `number`, `bits`) that is wrong.
    public static func parse(format: String?, facility: String?, number: String?, bits: String?) throws(CardFieldError) -> CardData {
        switch (format, number, bits) {
        case (let format?, let number?, nil):
            guard isFormatName(format) else { throw CardFieldError(field: "format", "'\(format)' is not a format name (like h10301)") }
            guard let value = UInt64(number), value <= UInt64(Int64.max) else {
                throw CardFieldError(field: "number", "'\(number)' is not a card number (0 to \(Int64.max))")
            }
            var facilityCode: UInt32?
            if let facility {
                guard let code = UInt32(facility) else { throw CardFieldError(field: "facility", "'\(facility)' is not a facility code (0 to \(UInt32.max))") }
                facilityCode = code
            }
            return .fields(format: format, facility: facilityCode, number: value)
        case (nil, nil, let bits?):
            guard facility == nil else { throw CardFieldError(field: "facility", "raw bits take no facility code") }
            guard !bits.isEmpty, bits.allSatisfy({ $0 == "0" || $0 == "1" }) else { throw CardFieldError(field: "bits", "only 0 and 1") }
            guard bits.count <= maximumBits else { throw CardFieldError(field: "bits", "at most \(maximumBits) bits") }
            return .raw(bits: bits.map { $0 == "1" })
        case (_, _, _?):
            throw CardFieldError(field: "bits", "give a format and a number, or raw bits, not both")
        case (nil, _?, nil):
            throw CardFieldError(field: "format", "a card number needs its format (like h10301)")
        case (_?, nil, nil):
            throw CardFieldError(field: "number", "a format needs a card number")
        case (nil, nil, nil):
            throw CardFieldError(field: "number", "a card needs a format and a number, or raw bits")
        }
    }
}

/// A card field that is not a card's, and which field it is.
public struct CardFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String
    init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}
