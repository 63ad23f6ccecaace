/// A key on a reader's keypad. `#` submits a PIN and `*` clears it.
public enum KeypadKey: Sendable, Hashable, CustomStringConvertible {
    case digit(UInt8)
    case star
    case hash

    /// The key as printed on the keypad: `0`…`9`, `*`, `#`.
    public var description: String {
        switch self {
        case .digit(let value): String(value)
        case .star: "*"
        case .hash: "#"
        }
    }

    /// The key printed as `character` (`0`…`9`, `*`, `#`); nil for any other character.
    public init?(_ character: Character) {
        switch character {
        case "*": self = .star
        case "#": self = .hash
        default:
            guard let digit = character.wholeNumberValue, character.isASCII else { return nil }
            self = .digit(UInt8(digit))
        }
    }
}

/// Which key each 4-bit keypad code means. Most keypads (HID, Rosslare) send 0–9, `*` = 0xA and `#` = 0xB;
/// some (pywiegand's default) differ, so the map is configured per reader.
public struct KeyMap: Sendable, Hashable {
    private let keys: [KeypadKey?]

    /// HID and Rosslare: codes 0–9 are digits, 0xA is `*`, 0xB is `#`, 0xC–0xF mean nothing.
    public static let standard = KeyMap(keys: (0...9).map { KeypadKey.digit(UInt8($0)) } + [.star, .hash, nil, nil, nil, nil])

    /// A map from 4-bit codes (0...15) to keys; codes left out mean no key.
    public init(_ assignments: [UInt8: KeypadKey]) throws(WiegandConfigurationError) {
        var keys = [KeypadKey?](repeating: nil, count: 16)
        for (code, key) in assignments {
            guard code < 16 else { throw .invalidKeyMap("key code \(code) is not a 4-bit value") }
            if case .digit(let value) = key, value > 9 {
                throw .invalidKeyMap("digit \(value) is not 0...9")
            }
            keys[Int(code)] = key
        }
        self.keys = keys
    }

    private init(keys: [KeypadKey?]) {
        self.keys = keys
    }

    /// The key for a 4-bit code, or nil when the code is unassigned.
    public func key(for code: UInt8) -> KeypadKey? {
        code < 16 ? keys[Int(code)] : nil
    }

    /// The 4-bit code a keypad sends for `key` (the lowest, if several codes mean it); nil when no code does.
    public func code(for key: KeypadKey) -> UInt8? {
        keys.firstIndex(of: key).map(UInt8.init)
    }
}

extension WiegandFrame {
    /// The frame a keypad sends for one key, one frame per key: the 4-bit code, or in `.eightBit` mode the code
    /// with its complement in the high nibble. Nil for a key `keyMap` has no code for, or a mode that sends whole PINs.
    public init?(key: KeypadKey, mode: KeypadMode, keyMap: KeyMap = .standard) {
        guard let code = keyMap.code(for: key) else { return nil }
        switch mode {
        case .fourBit: self.init(value: UInt64(code), bitCount: 4)
        case .eightBit: self.init(value: UInt64(~code & 0xF) << 4 | UInt64(code), bitCount: 8)
        case .buffered26, .bcd26: return nil
        }
    }

    /// The key code of an 8-bit keypad frame (its low nibble); nil when the high nibble is not its complement.
    var eightBitKeyCode: UInt8? {
        let code = UInt8(value & 0xF)
        return value >> 4 == UInt64(~code & 0xF) ? code : nil
    }
}

/// How a reader's keypad sends keys.
public enum KeypadMode: Sendable, Hashable {
    /// One 4-bit frame per key (value = key code).
    case fourBit
    /// One 8-bit frame per key: the high nibble is the complement of the low nibble, which is the key code.
    case eightBit
    /// The whole PIN in one H10301 frame after `#` (HID PINpad, Rosslare): the card number is the PIN and the
    /// facility is `facility` (0 unless configured); card number 65535 is the keypad's entry-error code.
    case buffered26(facility: UInt64 = 0)
    /// Six keys as six BCD digits in one 26-bit frame with H10301 parity (Rosslare 6-key BCD).
    case bcd26
}

/// A PIN typed on a keypad. Its description never shows the digits, so it can go to a log unmasked.
public struct Passcode: Sendable, Hashable, CustomStringConvertible {
    public static let maxLength = 16

    /// Digits packed four bits each, first digit most significant: no heap storage.
    private var packed: UInt64 = 0
    public private(set) var count = 0

    public init() {}

    /// A passcode from decimal digits; nil for anything else or more than 16 digits.
    public init?(_ digits: some StringProtocol) {
        for character in digits.utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character),
                  append(character - UInt8(ascii: "0"))
            else { return nil }
        }
        guard count > 0 else { return nil }
    }

    /// Appends a digit (0...9); false when the passcode already holds 16 digits.
    public mutating func append(_ digit: UInt8) -> Bool {
        precondition(digit <= 9, "a passcode digit is 0...9")
        guard count < Self.maxLength else { return false }
        packed = packed << 4 | UInt64(digit)
        count += 1
        return true
    }

    /// The digits, for the decision engine and the JSON output of diagnostic tools.
    public var digits: String {
        String((0..<count).map { index in
            Character(String(packed >> UInt64(4 * (count - 1 - index)) & 0xF))
        })
    }

    public var description: String { "PIN(\(count) digits)" }
}

/// Why a PIN entry produced no PIN.
public enum PinError: String, Sendable, Hashable, CaseIterable {
    /// The keypad reported an entry error (buffered 65535, or a BCD nibble that is not a digit).
    case entryError = "entry_error"
    /// More digits than the reader's maximum; the entry was dropped.
    case tooLong = "too_long"
}
