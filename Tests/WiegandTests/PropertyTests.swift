import KeywayTestSupport
import Testing
@testable import Wiegand

/// Seeded random tests: the same cases on every run, many more than a table could list.
@Suite struct PropertyTests {
    static func randomFields(for format: CardFormat, using generator: inout SeededGenerator) -> CardFields {
        var fields = CardFields(card: 0)
        for layout in format.fields {
            let maximum = layout.length == 64 ? UInt64.max : (1 << UInt64(layout.length)) - 1
            fields.set(layout.field, to: .random(in: 0...maximum, using: &generator))
        }
        return fields
    }

    @Test(arguments: CardFormat.builtIn)
    func encodeThenDecodeGivesTheFieldsBack(_ format: CardFormat) throws {
        var generator = SeededGenerator(seed: UInt64(format.bitCount) * 7919)
        for _ in 0..<2_000 {
            let fields = Self.randomFields(for: format, using: &generator)
            let frame = try format.encode(fields)
            #expect(frame.bitCount == format.bitCount)
            #expect(format.decode(frame) == fields)
            if format.isRaw {
                #expect(format.decode(try format.encode(fields, reversingBytes: true), reversingBytes: true) == fields)
            }
        }
    }

    @Test(arguments: CardFormat.builtIn)
    func encodeThenSendThenReadGivesTheCard(_ format: CardFormat) throws {
        var generator = SeededGenerator(seed: UInt64(format.bitCount) * 104_729)
        var timeline = Timeline()
        var sent: [CardFields] = []
        for _ in 0..<50 {
            let fields = Self.randomFields(for: format, using: &generator)
            sent.append(fields)
            timeline.send(try format.encode(fields))
        }
        let read = try readerEvents(timeline.edges, configuration: ReaderConfiguration(formats: [format])).map { event in
            guard case .card(_, .card(let card), _) = event else { return CardFields?.none }
            #expect(card.format == format)
            return card.fields
        }
        #expect(read == sent)
    }

    @Test(arguments: CardFormat.builtIn.filter { !$0.isRaw })
    func flippingAnySingleBitIsRejected(_ format: CardFormat) throws {
        var generator = SeededGenerator(seed: UInt64(format.bitCount) * 31)
        for _ in 0..<200 {
            let frame = try format.encode(Self.randomFields(for: format, using: &generator))
            for position in 0..<frame.bitCount {
                let flipped = frame.flippingBit(at: position)
                #expect(format.decode(flipped) == nil, "\(format.name): bit \(position) of \(frame.hex)")
                #expect(CardReadResult.decode(flipped, among: [format]) == .parityError(tried: [format]))
            }
        }
    }

    @Test(arguments: CardFormat.builtIn)
    func valuesTooLargeForAFieldAreRefused(_ format: CardFormat) {
        for layout in format.fields where layout.length < 64 {
            var fields = CardFields(card: 0, oem: format.defaults[.oem])
            for other in format.fields { fields.set(other.field, to: 0) }
            fields.set(layout.field, to: 1 << UInt64(layout.length))
            #expect(throws: CardEncodingError.valueTooLarge(layout.field, maximum: (1 << UInt64(layout.length)) - 1, format: format.name)) {
                try format.encode(fields)
            }
        }
    }

    @Test func encodingRefusesFieldsTheFormatLacksOrNeeds() {
        #expect(throws: CardEncodingError.fieldNotInFormat(.facility, format: "h10302")) {
            try CardFormat.h10302.encode(CardFields(facility: 1, card: 2))
        }
        #expect(throws: CardEncodingError.missingField(.facility, format: "h10301")) {
            try CardFormat.h10301.encode(CardFields(card: 2))
        }
    }

    @Test func malformedFormatDefinitionsAreRefused() {
        func format(_ fields: [FieldLayout], _ parity: [ParityRule] = [], bits: Int = 26) throws {
            _ = try CardFormat(name: "custom", title: "Custom", bitCount: bits, fields: fields, parity: parity)
        }
        #expect(throws: WiegandConfigurationError.self) { try format([.init(.card, start: 0, length: 8)], bits: 65) }
        #expect(throws: WiegandConfigurationError.self) { try format([.init(.facility, start: 0, length: 8)]) }
        #expect(throws: WiegandConfigurationError.self) { try format([.init(.card, start: 20, length: 8)]) }
        #expect(throws: WiegandConfigurationError.self) {
            try format([.init(.card, start: 1, length: 16), .init(.facility, start: 10, length: 8)])
        }
        #expect(throws: WiegandConfigurationError.self) {
            try format([.init(.card, start: 1, length: 16)], [.init(.even, at: 5, over: 1...12)])
        }
        #expect(throws: WiegandConfigurationError.self) {
            try format([.init(.card, start: 1, length: 16)], [.init(.even, at: 0, over: 1...30)])
        }
    }

    /// Random edges thrown into a stream of real frames void the frames they hit; they never turn into a
    /// credential that was not sent.
    @Test func randomEdgeNoiseNeverProducesAWrongCredential() throws {
        var generator = SeededGenerator(seed: 2024)
        let formats: [CardFormat] = [.h10301, .h10306, .c1k35, .h10302]
        var timeline = Timeline()
        var sent = Set<CardRead>()
        var noisy: [EdgeEvent] = []
        for _ in 0..<400 {
            let format = formats.randomElement(using: &generator)!
            let fields = Self.randomFields(for: format, using: &generator)
            sent.insert(CardRead(format: format, fields: fields))
            let start = timeline.edges.count
            let frameStart = timeline.now
            timeline.send(try format.encode(fields))
            let frameEnd = timeline.edges.last!.tNs
            noisy.append(contentsOf: timeline.edges[start...])
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                noisy.append(EdgeEvent(
                    line: Bool.random(using: &generator) ? .d0 : .d1,
                    edge: Bool.random(using: &generator) ? .falling : .rising,
                    tNs: .random(in: frameStart...frameEnd, using: &generator)
                ))
            }
        }
        noisy.sort { $0.tNs < $1.tNs }
        let events = try readerEvents(noisy, configuration: ReaderConfiguration(formats: formats))
        var credentials = 0
        for event in events {
            switch event {
            case .card(_, .card(let read), _):
                credentials += 1
                #expect(sent.contains(read), "read a card that was never sent: \(read)")
            case .key, .pin:
                Issue.record("noise produced keypad input: \(event)")
            default:
                break
            }
        }
        #expect(credentials > 50, "some frames must get through untouched")
        #expect(credentials < 400, "some frames must have been hit")
    }

    @Test func pureRandomEdgesNeverProduceACredential() throws {
        var generator = SeededGenerator(seed: 99)
        var now: UInt64 = 0
        var edges: [EdgeEvent] = []
        for _ in 0..<50_000 {
            // Mostly realistic gaps (tens of µs to a few ms), sometimes a long quiet spell.
            now += Bool.random(using: &generator) ? .random(in: 1_000...3_000_000, using: &generator)
                : .random(in: 1_000...150_000, using: &generator)
            if UInt8.random(in: 0...99, using: &generator) == 0 { now += 30_000_000 }
            edges.append(EdgeEvent(
                line: Bool.random(using: &generator) ? .d0 : .d1,
                edge: Bool.random(using: &generator) ? .falling : .rising,
                tNs: now
            ))
        }
        let events = try readerEvents(edges, configuration: ReaderConfiguration(formats: [.h10301, .h10306, .c1k35]))
        for event in events {
            if case .card(_, .card(let read), _) = event { Issue.record("noise read as a card: \(read)") }
            if case .pin = event { Issue.record("noise read as a PIN") }
        }
        #expect(events.contains { if case .noise = $0 { true } else { false } })
    }
}
