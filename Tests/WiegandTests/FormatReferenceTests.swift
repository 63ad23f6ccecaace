import KeywayTestSupport
import Testing
@testable import Wiegand

/// Every built-in format against a reference written independently of the library's tables: the layouts and
/// parity bits exactly as wiegand.md §3 publishes them (1-based positions, MSB first, each covered bit listed),
/// encoded and checked by a few plain lines here. The reference is itself checked against the document's vectors.
@Suite struct FormatReferenceTests {
    struct ParityBit: Sendable {
        let even: Bool
        /// 1-based position of the parity bit.
        let at: Int
        /// 1-based positions it covers, the parity bit excluded.
        let over: [Int]
    }

    struct Reference: CustomTestStringConvertible, Sendable {
        let name: String
        let bits: Int
        /// 1-based, inclusive.
        let fields: [(field: CardField, positions: ClosedRange<Int>)]
        /// In the order they are computed (Corporate 1000's bit 1 covers the other parity bits).
        let parity: [ParityBit]
        var testDescription: String { name }

        /// The frame's bits, index 1 the first on the wire (index 0 unused).
        func encode(_ values: CardFields) -> [Bool] {
            var bits = [Bool](repeating: false, count: self.bits + 1)
            for (field, positions) in fields {
                let value = values[field] ?? 0
                for (offset, position) in positions.enumerated() {
                    bits[position] = value >> UInt64(positions.count - 1 - offset) & 1 == 1
                }
            }
            for rule in parity {
                let ones = rule.over.filter { bits[$0] }.count
                bits[rule.at] = rule.even ? ones % 2 == 1 : ones % 2 == 0
            }
            return bits
        }

        func paritiesHold(_ bits: [Bool]) -> Bool {
            parity.allSatisfy { rule in
                let ones = (rule.over + [rule.at]).filter { bits[$0] }.count
                return rule.even ? ones % 2 == 0 : ones % 2 == 1
            }
        }

        func decode(_ bits: [Bool]) -> CardFields {
            var values = CardFields(card: 0)
            for (field, positions) in fields {
                values.set(field, to: positions.reduce(0) { $0 << 1 | (bits[$1] ? 1 : 0) })
            }
            return values
        }

        func randomFields(using generator: inout SeededGenerator) -> CardFields {
            var values = CardFields(card: 0)
            for (field, positions) in fields {
                let maximum = positions.count == 64 ? UInt64.max : (1 << UInt64(positions.count)) - 1
                values.set(field, to: .random(in: 0...maximum, using: &generator))
            }
            return values
        }

        static func frame(_ bits: [Bool]) -> WiegandFrame {
            WiegandFrame(value: bits.dropFirst().reduce(0) { $0 << 1 | ($1 ? 1 : 0) }, bitCount: bits.count - 1)!
        }

        static func bits(of frame: WiegandFrame) -> [Bool] {
            [false] + (0..<frame.bitCount).map { frame.value >> UInt64(frame.bitCount - 1 - $0) & 1 == 1 }
        }
    }

    static func even(at position: Int, over covered: [Int]) -> ParityBit { ParityBit(even: true, at: position, over: covered) }
    static func odd(at position: Int, over covered: [Int]) -> ParityBit { ParityBit(even: false, at: position, over: covered) }

    /// wiegand.md §3, row by row.
    static let references: [Reference] = [
        // 1 P, 2–9 FC, 10–25 CN, 26 P; E@1 over 2–13; O@26 over 14–25.
        Reference(name: "h10301", bits: 26, fields: [(.facility, 2...9), (.card, 10...25)],
                  parity: [even(at: 1, over: Array(2...13)), odd(at: 26, over: Array(14...25))]),
        // 2–13 FC, 14–25 CN; E@1 over 2–13; O@26 over 14–25.
        Reference(name: "ind26", bits: 26, fields: [(.facility, 2...13), (.card, 14...25)],
                  parity: [even(at: 1, over: Array(2...13)), odd(at: 26, over: Array(14...25))]),
        // 2–17 FC, 18–33 CN; E@1 over 2–17; O@34 over 18–33.
        Reference(name: "h10306", bits: 34, fields: [(.facility, 2...17), (.card, 18...33)],
                  parity: [even(at: 1, over: Array(2...17)), odd(at: 34, over: Array(18...33))]),
        // 3–14 Company, 15–34 CN; E@2 over 3,4,6,7,…,33,34; O@35 over 2,3,5,6,…,32,33; O@1 over 2–35.
        Reference(name: "c1k35", bits: 35, fields: [(.facility, 3...14), (.card, 15...34)], parity: [
            even(at: 2, over: [3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19, 21, 22, 24, 25, 27, 28, 30, 31, 33, 34]),
            odd(at: 35, over: [2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24, 26, 27, 29, 30, 32, 33]),
            odd(at: 1, over: Array(2...35)),
        ]),
        // 3–24 Company, 25–47 CN; E@2 over 4,5,7,8,…,46,47; O@48 over 3,4,6,7,…,45,46; O@1 over 2–48.
        Reference(name: "c1k48", bits: 48, fields: [(.facility, 3...24), (.card, 25...47)], parity: [
            even(at: 2, over: [4, 5, 7, 8, 10, 11, 13, 14, 16, 17, 19, 20, 22, 23, 25, 26, 28, 29, 31, 32, 34, 35, 37, 38,
                               40, 41, 43, 44, 46, 47]),
            odd(at: 48, over: [3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19, 21, 22, 24, 25, 27, 28, 30, 31, 33, 34, 36, 37,
                               39, 40, 42, 43, 45, 46]),
            odd(at: 1, over: Array(2...48)),
        ]),
        // 2–36 CN; E@1 over 2–19; O@37 over 19–36.
        Reference(name: "h10302", bits: 37, fields: [(.card, 2...36)],
                  parity: [even(at: 1, over: Array(2...19)), odd(at: 37, over: Array(19...36))]),
        // 2–17 FC, 18–36 CN; E@1 over 2–19; O@37 over 19–36.
        Reference(name: "h10304", bits: 37, fields: [(.facility, 2...17), (.card, 18...36)],
                  parity: [even(at: 1, over: Array(2...19)), odd(at: 37, over: Array(19...36))]),
        // 2–11 OEM, 12–19 FC, 20–35 CN; E@1 over 2–18; O@36 over 19–35.
        Reference(name: "c15001", bits: 36, fields: [(.oem, 2...11), (.facility, 12...19), (.card, 20...35)],
                  parity: [even(at: 1, over: Array(2...18)), odd(at: 36, over: Array(19...35))]),
        // Raw UIDs: the whole frame, no parity.
        Reference(name: "raw32", bits: 32, fields: [(.card, 1...32)], parity: []),
        Reference(name: "raw40", bits: 40, fields: [(.card, 1...40)], parity: []),
        Reference(name: "raw56", bits: 56, fields: [(.card, 1...56)], parity: []),
        Reference(name: "raw64", bits: 64, fields: [(.card, 1...64)], parity: []),
    ]

    static func format(_ reference: Reference) throws -> CardFormat {
        try #require(CardFormat.named(reference.name), "no built-in format \(reference.name)")
    }

    @Test func everyBuiltInFormatHasAReference() {
        #expect(Set(Self.references.map(\.name)) == Set(CardFormat.builtIn.map(\.name)))
    }

    /// The reference reproduces every vector of wiegand.md §3.1, so it can be trusted to judge the library.
    @Test(arguments: CardVectorTests.published26 + CardVectorTests.otherPublished + CardVectorTests.computed)
    func referenceReproducesTheDocumentsVectors(_ vector: CardVectorTests.Vector) throws {
        let reference = try #require(Self.references.first { $0.name == vector.format.name })
        let bits = reference.encode(vector.fields)
        #expect(bits.dropFirst().map { $0 ? "1" : "0" }.joined() == vector.bits)
        #expect(reference.paritiesHold(bits))
    }

    /// Random fields: the library's frame is the reference's, and reading the reference's frame gives the fields back.
    @Test(arguments: references)
    func randomRoundTripsMatchTheReference(_ reference: Reference) throws {
        let format = try Self.format(reference)
        var generator = SeededGenerator(seed: UInt64(reference.bits) * 6_700_417)
        for _ in 0..<5_000 {
            let fields = reference.randomFields(using: &generator)
            let expected = Reference.frame(reference.encode(fields))
            let encoded = try format.encode(fields)
            #expect(encoded == expected, "\(reference.name): encoded \(encoded.hex), reference \(expected.hex)")
            #expect(format.decode(expected) == fields, "\(reference.name): \(expected.hex) refused or misread")
        }
    }

    /// Random frames of the format's length: the library accepts exactly those whose parity the reference accepts,
    /// with the reference's fields.
    @Test(arguments: references)
    func randomFramesAreJudgedAsTheReferenceJudgesThem(_ reference: Reference) throws {
        let format = try Self.format(reference)
        var generator = SeededGenerator(seed: UInt64(reference.bits) * 2_147_483_647)
        var accepted = 0
        for _ in 0..<5_000 {
            let mask = reference.bits == 64 ? UInt64.max : (1 << UInt64(reference.bits)) - 1
            let frame = try #require(WiegandFrame(value: .random(in: 0...mask, using: &generator), bitCount: reference.bits))
            let bits = Reference.bits(of: frame)
            let expected = reference.paritiesHold(bits) ? reference.decode(bits) : nil
            #expect(format.decode(frame) == expected, "\(reference.name): \(frame.hex)")
            if expected != nil { accepted += 1 }
        }
        // Each parity bit halves the share of random frames that pass: the test saw both outcomes.
        #expect(accepted > 5_000 >> (reference.parity.count + 1))
        #expect(reference.parity.isEmpty || accepted < 5_000)
    }
}
