/// A named field of a card number layout. The site or company code is always `facility`.
public enum CardField: String, Sendable, Hashable, CaseIterable {
    case facility
    case card
    /// KeyScan C15001's OEM code.
    case oem
}

/// Where a field sits in a frame: `length` bits from `start`, counted from the first bit on the wire (0), MSB first.
public struct FieldLayout: Sendable, Hashable {
    public let field: CardField
    public let start: Int
    public let length: Int

    public init(_ field: CardField, start: Int, length: Int) {
        self.field = field
        self.start = start
        self.length = length
    }

    var positions: Range<Int> { start..<(start + length) }
}

public enum Parity: String, Sendable, Hashable {
    /// The parity bit makes the count of ones over its bits even.
    case even
    /// The parity bit makes the count of ones over its bits odd.
    case odd
}

/// One parity bit: its position and the positions it covers (the parity bit itself excluded).
public struct ParityRule: Sendable, Hashable {
    public let parity: Parity
    public let position: Int
    public let covered: [Int]

    public init(_ parity: Parity, at position: Int, over covered: some Sequence<Int>) {
        self.parity = parity
        self.position = position
        self.covered = covered.filter { $0 != position }
    }
}

/// The fields read from, or written into, a card frame.
public struct CardFields: Sendable, Hashable {
    public var facility: UInt64?
    public var card: UInt64
    public var oem: UInt64?

    public init(facility: UInt64? = nil, card: UInt64, oem: UInt64? = nil) {
        self.facility = facility
        self.card = card
        self.oem = oem
    }

    public subscript(field: CardField) -> UInt64? {
        switch field {
        case .facility: facility
        case .card: card
        case .oem: oem
        }
    }

    public mutating func set(_ field: CardField, to value: UInt64) {
        switch field {
        case .facility: facility = value
        case .card: card = value
        case .oem: oem = value
        }
    }
}

/// Why a card could not be encoded.
public enum CardEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    case missingField(CardField, format: String)
    case fieldNotInFormat(CardField, format: String)
    case valueTooLarge(CardField, maximum: UInt64, format: String)

    public var description: String {
        switch self {
        case .missingField(let field, let format): "\(format) needs a \(field.rawValue) value"
        case .fieldNotInFormat(let field, let format): "\(format) has no \(field.rawValue) field"
        case .valueTooLarge(let field, let maximum, let format):
            "\(format) \(field.rawValue) must be between 0 and \(maximum)"
        }
    }
}

/// A card number layout described as data: fields by position and length, parity bits with the bits they cover.
///
/// Decoding checks every parity bit; a frame that fails one is an error, never a guess. Formats without parity
/// are raw: the whole frame is the card number, optionally read with its bytes reversed (readers that send UIDs
/// least significant byte first).
public final class CardFormat: Sendable, Hashable, CustomStringConvertible {
    /// The name used in configuration, the CLI and JSON (`h10301`).
    public let name: String
    /// Other accepted spellings (`hid26`, `w26`).
    public let aliases: [String]
    /// What the format is called in the field ("HID H10301 26-bit").
    public let title: String
    public let bitCount: Int
    public let fields: [FieldLayout]
    /// Parity bits, in the order the encoder computes them (a parity bit may cover an earlier one).
    public let parity: [ParityRule]
    /// Values the encoder uses for fields the caller leaves out.
    public let defaults: [CardField: UInt64]

    private struct ParityMask: Sendable {
        let bit: UInt64
        let covered: UInt64
        let parity: Parity
    }

    private let masks: [ParityMask]

    public init(
        name: String, aliases: [String] = [], title: String, bitCount: Int,
        fields: [FieldLayout], parity: [ParityRule], defaults: [CardField: UInt64] = [:]
    ) throws(WiegandConfigurationError) {
        func fail(_ why: String) -> WiegandConfigurationError { .invalidFormat("\(name): \(why)") }
        guard (1...WiegandFrame.maxBitCount).contains(bitCount) else { throw fail("length must be 1...64 bits") }
        guard fields.filter({ $0.field == .card }).count == 1 else { throw fail("needs exactly one card field") }
        guard Set(fields.map(\.field)).count == fields.count else { throw fail("a field appears twice") }
        var used = Set<Int>()
        for layout in fields {
            guard layout.length > 0, layout.start >= 0, layout.start + layout.length <= bitCount else {
                throw fail("\(layout.field.rawValue) lies outside the \(bitCount) bits")
            }
            guard used.isDisjoint(with: layout.positions) else { throw fail("fields overlap") }
            used.formUnion(layout.positions)
        }
        for rule in parity {
            guard (0..<bitCount).contains(rule.position), rule.covered.allSatisfy((0..<bitCount).contains) else {
                throw fail("a parity bit lies outside the \(bitCount) bits")
            }
            guard !used.contains(rule.position) else { throw fail("parity bit \(rule.position) lies inside a field") }
            used.insert(rule.position)
        }
        guard defaults.keys.allSatisfy({ key in fields.contains { $0.field == key } }) else {
            throw fail("a default names a field the format does not have")
        }
        self.name = name
        self.aliases = aliases
        self.title = title
        self.bitCount = bitCount
        self.fields = fields
        self.parity = parity
        self.defaults = defaults
        self.masks = parity.map { rule in
            let bit = { (position: Int) in UInt64(1) << UInt64(bitCount - 1 - position) }
            return ParityMask(bit: bit(rule.position), covered: rule.covered.reduce(0) { $0 | bit($1) }, parity: rule.parity)
        }
    }

    /// True for formats without parity, where the frame is the card number.
    public var isRaw: Bool { parity.isEmpty }

    /// The fields of `frame`, or nil when its length differs or a parity bit fails.
    /// `reversingBytes` reads a raw format's card number least significant byte first.
    public func decode(_ frame: WiegandFrame, reversingBytes: Bool = false) -> CardFields? {
        guard frame.bitCount == bitCount else { return nil }
        for mask in masks {
            let ones = (frame.value & (mask.covered | mask.bit)).nonzeroBitCount
            guard (ones % 2 == 0) == (mask.parity == .even) else { return nil }
        }
        var result = CardFields(card: 0)
        for layout in fields {
            var value = frame.value >> UInt64(bitCount - layout.start - layout.length) & Self.lowBits(layout.length)
            if layout.field == .card, reversingBytes, isRaw { value = Self.reversingBytes(of: value, length: layout.length) }
            result.set(layout.field, to: value)
        }
        return result
    }

    /// The frame carrying `fields`, with every parity bit set. Fields left out take the format's defaults.
    public func encode(_ fields: CardFields, reversingBytes: Bool = false) throws(CardEncodingError) -> WiegandFrame {
        for field in CardField.allCases where field != .card && fields[field] != nil {
            guard self.fields.contains(where: { $0.field == field }) else { throw .fieldNotInFormat(field, format: name) }
        }
        var value: UInt64 = 0
        for layout in self.fields {
            guard var fieldValue = fields[layout.field] ?? defaults[layout.field] else {
                throw .missingField(layout.field, format: name)
            }
            let maximum = Self.lowBits(layout.length)
            guard fieldValue <= maximum else { throw .valueTooLarge(layout.field, maximum: maximum, format: name) }
            if layout.field == .card, reversingBytes, isRaw {
                fieldValue = Self.reversingBytes(of: fieldValue, length: layout.length)
            }
            value |= fieldValue << UInt64(bitCount - layout.start - layout.length)
        }
        for mask in masks {
            let ones = (value & mask.covered).nonzeroBitCount
            let needsOne = (ones % 2 == 1) == (mask.parity == .even)
            if needsOne { value |= mask.bit }
        }
        // The layout was validated at init, so the value always fits.
        return WiegandFrame(value: value, bitCount: bitCount)!
    }

    /// One character per bit: `E`/`O` for even/odd parity, `F` facility, `C` card, `M` OEM (`EFFFFFFFFCCCCCCCCCCCCCCCCO`).
    public var layout: String {
        var characters = [Character](repeating: "?", count: bitCount)
        for field in fields {
            let symbol: Character = switch field.field {
            case .facility: "F"
            case .card: "C"
            case .oem: "M"
            }
            for position in field.positions { characters[position] = symbol }
        }
        for rule in parity { characters[rule.position] = rule.parity == .even ? "E" : "O" }
        return String(characters)
    }

    public var description: String { name }

    public static func == (lhs: CardFormat, rhs: CardFormat) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    private static func lowBits(_ length: Int) -> UInt64 {
        length >= 64 ? .max : (UInt64(1) << UInt64(length)) - 1
    }

    private static func reversingBytes(of value: UInt64, length: Int) -> UInt64 {
        guard length % 8 == 0 else { return value }
        return value.byteSwapped >> UInt64(64 - length)
    }
}
