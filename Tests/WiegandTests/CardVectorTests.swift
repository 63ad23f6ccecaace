import Testing
@testable import Wiegand

/// Every vector of wiegand.md §3.1: decoding the frame gives the fields, encoding the fields gives the frame.
@Suite struct CardVectorTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        let format: CardFormat
        let fields: CardFields
        let bits: String
        let hex: UInt64
        var testDescription: String { "\(format.name) \(fields.facility.map(String.init) ?? "-")/\(fields.card)" }
    }

    static func v(_ format: CardFormat, _ facility: UInt64?, _ card: UInt64, _ bits: String, _ hex: UInt64, oem: UInt64? = nil)
        -> Vector
    {
        Vector(format: format, fields: CardFields(facility: facility, card: card, oem: oem), bits: bits, hex: hex)
    }

    /// A. Published 26-bit vectors (z9open TestBinaryFormatter.cs).
    static let published26: [Vector] = [
        v(.h10301, 68, 41551, "00100010010100010010011111", 0x089449F),
        v(.h10301, 68, 47198, "10100010010111000010111101", 0x28970BD),
        v(.h10301, 1, 5, "10000000100000000000001011", 0x202000B),
        v(.h10301, 200, 35628, "01100100010001011001011001", 0x1911659),
        v(.h10301, 233, 30333, "01110100101110110011111011", 0x1D2ECFB),
        v(.h10301, 113, 7068, "10111000100011011100111000", 0x2E23738),
        v(.h10301, 11, 637, "10000101100000010011111010", 0x21604FA),
        v(.h10301, 144, 9005, "11001000000100011001011011", 0x320465B),
    ]

    /// B. Other published vectors: Proxmark3, jessety/wiegand-encoder, the CN56 manual.
    static let otherPublished: [Vector] = [
        v(.h10301, 123, 4567, "10111101100010001110101110", 0x2F623AE),
        v(.h10301, 90, 324, "00101101000000001010001000", 0x0B40288),
        v(.h10301, 212, 7041, "11101010000011011100000010", 0x3A83702),
        v(.h10306, 0x89D4, 0x1B81, "1100010011101010000011011100000011", 0x313A83703),
    ]

    /// C. Computed vectors for the other formats.
    static let computed: [Vector] = [
        v(.h10301, 1, 1, "10000000100000000000000010", 0x2020002),
        v(.h10301, 0, 0, "00000000000000000000000001", 0x0000001),
        v(.h10301, 255, 65535, "01111111111111111111111111", 0x1FFFFFF),
        v(.h10306, 1, 1, "1000000000000000100000000000000010", 0x200020002),
        v(.h10306, 12345, 54321, "0001100000011100111010100001100010", 0x06073A862),
        v(.c1k35, 123, 4567, "11000001111011000000010001110101111", 0x60F6023AF),
        v(.c1k35, 1, 1, "11000000000001000000000000000000011", 0x600200003),
        v(.c1k35, 4095, 1_048_575, "10111111111111111111111111111111110", 0x5FFFFFFFE),
        v(.h10302, nil, 123_456_789, "1000000001110101101111001101000101011", 0x100EB79A2B),
        v(.h10304, 123, 4567, "0000000000111101100000010001110101111", 0x0007B023AF),
        v(.c1k48, 123, 4567, "010000000000000001111011000000000010001110101110", 0x40007B0023AE),
        // Computed from the C1k48s row the same way; the 35-bit pattern (the old table) refuses these two.
        v(.c1k48, 1, 2, "110000000000000000000001000000000000000000000101", 0xC00001000005),
        v(.c1k48, 1_234_567, 7_654_321, "110100101101011010000111111010011001011101100011", 0xD2D687E99763),
        v(.ind26, 123, 456, "00000011110110001110010001", 0x00F6391),
        v(.c15001, 123, 4567, "111100001000111101100010001110101110", 0xF08F623AE, oem: 900),
    ]

    @Test(arguments: published26 + otherPublished + computed)
    func decodesAndEncodes(_ vector: Vector) throws {
        let frame = try #require(WiegandFrame(bitString: vector.bits))
        #expect(frame.value == vector.hex)
        #expect(vector.format.decode(frame) == vector.fields)
        #expect(try vector.format.encode(vector.fields) == frame)
    }

    @Test func hexIsPrintedWithTheFrameLengthInDigits() throws {
        #expect(WiegandFrame(value: 0x089449F, bitCount: 26)?.hex == "089449F")
        #expect(WiegandFrame(value: 0x0007B023AF, bitCount: 37)?.hex == "0007B023AF")
        #expect(WiegandFrame(value: 1, bitCount: 26)?.bitString == "00000000000000000000000001")
    }

    @Test func proxmarkRawHasTheFrameAfterTheHIDHeader() throws {
        // `wiegand decode --raw 2006F623AE`: the low 26 bits, below the HID Prox header and sentinel, are the frame.
        let frame = try #require(WiegandFrame(value: 0x2006F623AE & 0x3FF_FFFF, bitCount: 26))
        #expect(CardFormat.h10301.decode(frame) == CardFields(facility: 123, card: 4567))
    }

    /// Indala 26 and H10301 share their parity bits, so only the reader's format list tells them apart.
    @Test func sameLengthFormatsAreAmbiguousUntilTheListChooses() throws {
        let frame = try #require(WiegandFrame(value: 0x089449F, bitCount: 26))
        guard case .ambiguous(let reads) = CardReadResult.decode(frame, among: CardFormat.builtIn) else {
            Issue.record("expected an ambiguous read")
            return
        }
        #expect(reads.map(\.format) == [.h10301, .ind26])
        #expect(CardReadResult.decode(frame, among: [.h10301, .h10306])
            == .card(CardRead(format: .h10301, fields: CardFields(facility: 68, card: 41551))))
    }

    @Test func parityFailureListsTheFormatsTried() throws {
        let frame = try #require(WiegandFrame(value: 0x089449F ^ 1, bitCount: 26))
        #expect(CardReadResult.decode(frame, among: CardFormat.builtIn) == .parityError(tried: [.h10301, .ind26]))
        let odd = try #require(WiegandFrame(value: 5, bitCount: 30))
        #expect(CardReadResult.decode(odd, among: CardFormat.builtIn) == .unknownLength)
    }

    @Test func rawFormatsReadBytesEitherWay() throws {
        // stackoverflow 70022011: a reader sending 7186A61E for the UID 1EA68671.
        let frame = try #require(WiegandFrame(value: 0x7186A61E, bitCount: 32))
        #expect(CardFormat.raw32.decode(frame)?.card == 0x7186A61E)
        #expect(CardFormat.raw32.decode(frame, reversingBytes: true)?.card == 0x1EA68671)
        #expect(try CardFormat.raw32.encode(CardFields(card: 0x1EA68671), reversingBytes: true) == frame)
        let full = try #require(WiegandFrame(value: .max, bitCount: 64))
        #expect(CardFormat.raw64.decode(full)?.card == .max)
    }

    @Test func osdpPackedBytesGiveTheSameFrame() throws {
        // OSDP RAW data is left-justified: 26 bits of 089449F shifted up to 4 bytes.
        let packed: [UInt8] = [0x22, 0x51, 0x27, 0xC0]
        #expect(WiegandFrame(packedBytes: packed, bitCount: 26) == WiegandFrame(value: 0x089449F, bitCount: 26))
        #expect(WiegandFrame(packedBytes: packed, bitCount: 40) == nil)
    }

    @Test func formatsAreFoundByNameOrAliasInAnyCase() {
        #expect(CardFormat.named("H10301") == .h10301)
        #expect(CardFormat.named("hid26") == .h10301)
        #expect(CardFormat.named("w64") == .raw64)
        #expect(CardFormat.named("h99999") == nil)
        #expect(CardFormat.h10301.layout == "EFFFFFFFFCCCCCCCCCCCCCCCCO")
    }
}
