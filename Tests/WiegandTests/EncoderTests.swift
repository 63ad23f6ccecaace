import Testing
@testable import Wiegand

/// The encoder side of the core: frames and keys to edges, text to frames.
@Suite struct EncoderTests {
    @Test func aFrameIsOnePulsePerBitOnTheLineOfItsValue() {
        var train = PulseTrain(startingAt: 1_000, timing: PulseTiming(pulseWidth: 40_000, bitInterval: 2_000_000, frameGap: 30_000_000))
        train.send(WiegandFrame(bitString: "10")!)
        #expect(train.edges == [
            EdgeEvent(line: .d1, edge: .falling, tNs: 1_000), EdgeEvent(line: .d1, edge: .rising, tNs: 41_000),
            EdgeEvent(line: .d0, edge: .falling, tNs: 2_001_000), EdgeEvent(line: .d0, edge: .rising, tNs: 2_041_000),
        ])
        #expect(train.now == 1_000 + 2 * 2_000_000 + 30_000_000)
        #expect(train.takeEdges().count == 4 && train.edges.isEmpty && train.now == 34_001_000)
    }

    @Test(arguments: CardFormat.builtIn)
    func everyFormatRoundTripsThroughTheDecoder(format: CardFormat) throws {
        let frame = try format.encode(CardFields(facility: format.fields.contains { $0.field == .facility } ? 1 : nil, card: 1001))
        for swapped in [false, true] {
            var train = PulseTrain(startingAt: 5_000_000, swapsLines: swapped)
            train.send(frame)
            #expect(try decoderEvents(train.edges, swapsLines: swapped).compactMap(\.frame) == [frame])
        }
    }

    @Test func crossedLinesSendTheComplement() throws {
        var train = PulseTrain(startingAt: 0, swapsLines: true)
        train.send(WiegandFrame(bitString: "0011")!)
        #expect(try decoderEvents(train.edges).compactMap(\.frame) == [WiegandFrame(bitString: "1100")!])
    }

    static let keys: [KeypadKey] = (0...9).map { .digit(UInt8($0)) } + [.star, .hash]

    @Test(arguments: [KeypadMode.fourBit, .eightBit])
    func everyKeyRoundTripsThroughTheReader(mode: KeypadMode) throws {
        var train = PulseTrain(startingAt: 0)
        for key in Self.keys { train.send(try #require(WiegandFrame(key: key, mode: mode))) }
        let pressed = try readerEvents(train.edges, configuration: ReaderConfiguration(keypad: mode)).compactMap { event in
            if case .key(let key, _) = event { key } else { nil }
        }
        #expect(pressed == Self.keys)
    }

    @Test func keyFramesMatchTheWireVectors() {
        #expect(WiegandFrame(key: .digit(1), mode: .eightBit)?.bitString == "11100001")
        #expect(WiegandFrame(key: .hash, mode: .eightBit)?.bitString == "01001011")
        #expect(WiegandFrame(key: .star, mode: .fourBit)?.bitString == "1010")
        #expect(WiegandFrame(key: .digit(1), mode: .buffered26()) == nil)
        #expect(WiegandFrame(key: .star, mode: .fourBit, keyMap: try! KeyMap([1: .digit(1)])) == nil)
    }

    @Test func theKeyMapInvertsAndCharactersNameKeys() throws {
        for code in UInt8(0)..<16 {
            if let key = KeyMap.standard.key(for: code) { #expect(KeyMap.standard.code(for: key) == code) }
        }
        #expect(try KeyMap([3: .hash, 9: .hash]).code(for: .hash) == 3)
        #expect("0123456789*#".map(KeypadKey.init) == Self.keys)
        #expect(KeypadKey("a") == nil && KeypadKey("٣") == nil && KeypadKey("+") == nil)
    }

    @Test func theEightBitComplementRuleIsOneRule() {
        #expect(WiegandFrame(bitString: "10100101")!.eightBitKeyCode == 5)
        #expect(WiegandFrame(bitString: "10110101")!.eightBitKeyCode == nil)
    }

    @Test(arguments: [
        ("1011", nil, nil, "1011"),                          // a bit string
        ("1011", 16, nil, "0001000000010001"),               // a length other than the string's: hex
        ("0x1011", nil, nil, "0001000000010001"),            // no known 13-16 bit format: four bits a digit
        ("1A2B3C4", nil, nil, "01101000101011001111000100"), // 7 digits: the 26-bit formats
        ("FFFFFFF", nil, nil, "1111111111111111111111111111"),  // too large for 26 bits: 28
        ("0X3", nil, "h10301", "00000000000000000000000011"),   // the format's length
        ("3", 5, nil, "00011"),
    ] as [(String, Int?, String?, String)])
    func parsesHexAndBits(text: String, bits: Int?, format: String?, expected: String) throws {
        let frame = try WiegandFrame(parsing: text, bits: bits, format: format.flatMap(CardFormat.named))
        #expect(frame.bitString == expected)
    }

    @Test func refusesWhatIsNotAFrame() {
        let tooLong = String(repeating: "1", count: 65)
        let cases: [(String, Int?, CardFormat?, FrameParseError, String)] = [
            ("1", 0, nil, .bitCountOutOfRange(0), "--bits must be 1-64, not 0"),
            ("1", 65, nil, .bitCountOutOfRange(65), "--bits must be 1-64, not 65"),
            ("1", 26, .h10306, .formatLengthMismatch(format: "h10306", formatBits: 34, bits: 26), "h10306 frames are 34 bits, not 26"),
            ("101", nil, .h10301, .formatLengthMismatch(format: "h10301", formatBits: 26, bits: 3), "h10301 frames are 26 bits, not 3"),
            (tooLong, nil, nil, .bitStringTooLong(65), "a bit string holds at most 64 bits, not 65"),
            ("xyz", nil, nil, .unreadable("xyz"), "'xyz' is neither hex (up to 16 digits) nor a string of 0 and 1"),
            ("", nil, nil, .unreadable(""), "'' is neither hex (up to 16 digits) nor a string of 0 and 1"),
            ("0x", nil, nil, .unreadable("0x"), "'0x' is neither hex (up to 16 digits) nor a string of 0 and 1"),
            ("12345678901234567", nil, nil, .unreadable("12345678901234567"),
             "'12345678901234567' is neither hex (up to 16 digits) nor a string of 0 and 1"),
            ("0xFF", 4, nil, .valueTooLarge(hexDigits: "FF", bits: 4), "0xFF does not fit in 4 bits"),
        ]
        for (text, bits, format, error, message) in cases {
            #expect(throws: error) { try WiegandFrame(parsing: text, bits: bits, format: format) }
            #expect(error.description == message)
        }
    }
}
