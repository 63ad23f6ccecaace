import Testing
@testable import Wiegand

/// wiegand.md §4: keypad wire formats and PIN assembly.
@Suite struct KeypadTests {
    func events(_ frames: [String], keypad: KeypadMode = .fourBit, gap: UInt64 = 100_000_000) throws -> [String] {
        var timeline = Timeline()
        timeline.timing.frameGap = gap
        for frame in frames { timeline.send(bits: frame) }
        return try readerEvents(timeline.edges, configuration: ReaderConfiguration(keypad: keypad)).map(\.summary)
    }

    @Test func fourBitBurstsAreKeysAndHashSubmits() throws {
        #expect(try events(["0001", "0010", "0011", "0100", "1011"]) == [
            "key 1", "key 2", "key 3", "key 4", "key #", "pin 1234",
        ])
    }

    @Test func starClearsWhatWasTyped() throws {
        #expect(try events(["1001", "1010", "0101", "1011"]) == ["key 9", "key *", "key 5", "key #", "pin 5"])
    }

    /// HID PINpad 8-bit: high nibble = complement of low nibble.
    @Test(arguments: [
        ("11100001", "1"), ("11110000", "0"), ("10100101", "5"), ("01101001", "9"), ("01011010", "*"), ("01001011", "#"),
    ])
    func eightBitBurstVectors(bits: String, key: String) throws {
        #expect(try events([bits], keypad: .eightBit) == ["key \(key)"])
    }

    @Test func eightBitBurstFailingTheComplementIsNoise() throws {
        #expect(try events(["11110001"], keypad: .eightBit) == ["noise keypad_complement"])
    }

    @Test func aBurstOfTheOtherModeIsPartial() throws {
        #expect(try events(["11100001"], keypad: .fourBit) == ["partial 8"])
        #expect(try events(["0001"], keypad: .eightBit) == ["partial 4"])
    }

    @Test func unassignedCodesAreNoise() throws {
        #expect(try events(["1100"]) == ["noise unknown_key"])
    }

    @Test func theKeyMapIsConfigurable() throws {
        // pywiegand's default: 11 = '#', 12 = '*'.
        var assignments = Dictionary(uniqueKeysWithValues: (0...9).map { (UInt8($0), KeypadKey.digit(UInt8($0))) })
        assignments[11] = .hash
        assignments[12] = .star
        var timeline = Timeline()
        for bits in ["0111", "1100", "1000", "1011"] { timeline.send(bits: bits) }
        let configuration = ReaderConfiguration(keyMap: try KeyMap(assignments))
        #expect(try readerEvents(timeline.edges, configuration: configuration).map(\.summary)
            == ["key 7", "key *", "key 8", "key #", "pin 8"])
        #expect(throws: WiegandConfigurationError.self) { try KeyMap([16: .hash]) }
        #expect(throws: WiegandConfigurationError.self) { try KeyMap([1: .digit(10)]) }
    }

    /// HID PINpad buffered 26-bit: PIN 1234 → 0x00009A4; entry error (65535) → 0x001FFFF.
    @Test func bufferedPINsArriveAsOneFrame() throws {
        #expect(try events(["00000000000000100110100100"], keypad: .buffered26()) == ["pin 1234"])
        #expect(try events(["00000000011111111111111111"], keypad: .buffered26()) == ["pin error entry_error"])
        // Another facility is a card, not a PIN.
        #expect(try events(["00100010010100010010011111"], keypad: .buffered26()) == ["card h10301 68 41551 26"])
    }

    @Test func bufferedPINFacilityIsConfigurable() throws {
        let pin = try CardFormat.h10301.encode(CardFields(facility: 12, card: 4321)).bitString
        #expect(try events([pin], keypad: .buffered26(facility: 12)) == ["pin 4321"])
    }

    /// Rosslare 6-key BCD: PIN 123456 → 0x02468AC.
    @Test func bcdPINsCarrySixDigits() throws {
        #expect(WiegandFrame(bitString: "00001001000110100010101100")?.value == 0x02468AC)
        #expect(try events(["00001001000110100010101100"], keypad: .bcd26) == ["pin 123456"])
        let notDigits = try CardFormat.h10301.encode(CardFields(facility: 0xA1, card: 0x2345)).bitString
        #expect(try events([notDigits], keypad: .bcd26) == ["pin error entry_error"])
    }

    @Test func aCardCancelsAHalfTypedPIN() throws {
        #expect(try events(["0001", "0010", "00100010010100010010011111", "0011", "1011"]) == [
            "key 1", "key 2", "card h10301 68 41551 26", "key 3", "key #", "pin 3",
        ])
    }

    @Test func aPauseLongerThanTheInterKeyTimeoutDropsTheDigits() throws {
        var timeline = Timeline()
        timeline.send(bits: "0001")
        timeline.wait(5_000_000_000)
        timeline.send(bits: "0010")
        timeline.send(bits: "1011")
        #expect(try readerEvents(timeline.edges).map(\.summary) == ["key 1", "key 2", "key #", "pin 2"])
    }

    @Test func passcodeAssemblerRules() throws {
        var assembler = try PasscodeAssembler(rules: PasscodeRules(interKeyTimeout: 1_000, maxLength: 3))
        #expect(assembler.press(.hash, at: 0) == nil, "# alone submits nothing")
        for digit: UInt8 in [1, 2, 3] { #expect(assembler.press(.digit(digit), at: 10) == nil) }
        #expect(assembler.press(.digit(4), at: 20) == .rejected(.tooLong))
        #expect(assembler.press(.digit(5), at: 30) == nil, "the rest of a too-long entry is ignored")
        #expect(assembler.press(.hash, at: 40) == nil)
        #expect(assembler.press(.digit(7), at: 50) == nil)
        #expect(assembler.hasPendingEntry)
        assembler.expire(at: 1_050)
        #expect(!assembler.hasPendingEntry)
        #expect(assembler.press(.digit(8), at: 2_000) == nil)
        #expect(assembler.press(.hash, at: 2_500) == .submitted(Passcode("8")!))
        #expect(throws: WiegandConfigurationError.self) { try PasscodeAssembler(rules: PasscodeRules(maxLength: 17)) }
    }

    @Test func aPasscodeNeverPrintsItsDigits() throws {
        let pin = try #require(Passcode("0042"))
        #expect(pin.digits == "0042")
        #expect("\(pin)" == "PIN(4 digits)")
        #expect(Passcode("12a") == nil)
        #expect(Passcode(String(repeating: "1", count: 17)) == nil)
    }
}
