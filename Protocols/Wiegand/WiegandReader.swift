/// How one Wiegand reader is wired and what it sends. Everything here is per reader.
public struct ReaderConfiguration: Sendable, Hashable {
    public var timing: DecoderTiming
    /// D0 and D1 are wired the wrong way round.
    public var swapsLines: Bool
    /// Raw formats carry the card number least significant byte first.
    public var reversesBytes: Bool
    /// The card formats this reader's cards use. A frame must validate under exactly one format of its length:
    /// list only one format per length (commercial panels hold up to 8) or same-length frames stay ambiguous.
    public var formats: [CardFormat]
    public var keypad: KeypadMode
    public var keyMap: KeyMap
    public var passcode: PasscodeRules

    public init(
        timing: DecoderTiming = .init(),
        swapsLines: Bool = false,
        reversesBytes: Bool = false,
        formats: [CardFormat] = [.h10301],
        keypad: KeypadMode = .fourBit,
        keyMap: KeyMap = .standard,
        passcode: PasscodeRules = .init()
    ) {
        self.timing = timing
        self.swapsLines = swapsLines
        self.reversesBytes = reversesBytes
        self.formats = formats
        self.keypad = keypad
        self.keyMap = keyMap
        self.passcode = passcode
    }
}

/// What a reader reported, in the order it happened. `at` is the monotonic time in nanoseconds.
public enum ReaderEvent: Sendable, Hashable {
    /// A frame of card length (or of no known length at all, but longer than any keypad or partial frame).
    /// Only `CardReadResult.card` identifies a credential; the other results say why not.
    case card(WiegandFrame, CardReadResult, at: UInt64)
    /// A keypad key (4-bit and 8-bit modes), before PIN assembly.
    case key(KeypadKey, at: UInt64)
    /// A complete PIN: `#` after digits, or one buffered keypad frame.
    case pin(Passcode, at: UInt64)
    case pinError(PinError, at: UInt64)
    case noise(NoiseReason, at: UInt64)
    /// A clean frame too short for any configured format or keypad: never a credential.
    case partial(bitCount: Int, at: UInt64)
    case fault(FaultReason, at: UInt64)
}

/// One Wiegand reader: the edge decoder, then frames read as cards, keys or PINs by the reader's configuration.
///
/// Sans-I/O like the decoder: feed edges with `handle`, call `advance(to:)` when `nextDeadline` passes with no
/// edge, and `finish()` at end of input. Events go to `emit` as they happen; the steady state allocates nothing.
public struct WiegandReader: Sendable {
    public let configuration: ReaderConfiguration
    private var decoder: EdgeDecoder
    private var passcode: PasscodeAssembler
    /// Frames shorter than this that are not keypad frames are partial.
    private let shortestFormat: Int

    public init(configuration: ReaderConfiguration = .init()) throws(WiegandConfigurationError) {
        guard !configuration.formats.isEmpty else { throw .invalidFormat("a reader needs at least one card format") }
        decoder = try EdgeDecoder(timing: configuration.timing, swapsLines: configuration.swapsLines)
        passcode = try PasscodeAssembler(rules: configuration.passcode)
        shortestFormat = configuration.formats.map(\.bitCount).min() ?? 0
        self.configuration = configuration
    }

    public mutating func handle(_ edge: EdgeEvent, emit: (ReaderEvent) -> Void) {
        for event in decoder.handle(edge) { interpret(event, emit: emit) }
    }

    public mutating func advance(to now: UInt64, emit: (ReaderEvent) -> Void) {
        for event in decoder.advance(to: now) { interpret(event, emit: emit) }
        passcode.expire(at: now)
    }

    /// End of input: silence ends the last frame, and a half-typed PIN is dropped.
    public mutating func finish(emit: (ReaderEvent) -> Void) {
        for event in decoder.finish() { interpret(event, emit: emit) }
        passcode.cancel()
    }

    /// When to call `advance(to:)` at the latest if no edge arrives; nil when nothing is pending.
    public var nextDeadline: UInt64? { decoder.nextDeadline }

    private mutating func interpret(_ event: DecoderEvent, emit: (ReaderEvent) -> Void) {
        switch event {
        case .frame(let frame, let time): interpret(frame, at: time, emit: emit)
        case .noise(let reason, let time): emit(.noise(reason, at: time))
        case .fault(let reason, let time): emit(.fault(reason, at: time))
        }
    }

    private mutating func interpret(_ frame: WiegandFrame, at time: UInt64, emit: (ReaderEvent) -> Void) {
        switch (configuration.keypad, frame.bitCount) {
        case (.fourBit, 4):
            press(code: UInt8(frame.value), at: time, emit: emit)
            return
        case (.eightBit, 8):
            guard let code = frame.eightBitKeyCode else {
                emit(.noise(.keypadComplement, at: time))
                return
            }
            press(code: code, at: time, emit: emit)
            return
        case (.buffered26(let pinFacility), 26):
            if let fields = CardFormat.h10301.decode(frame), fields.facility == pinFacility {
                passcode.cancel()
                // PINs are 1...65534; the keypad sends 65535 for an empty, all-zero or too large entry.
                if (1...65534).contains(fields.card), let pin = Passcode(number: fields.card) {
                    emit(.pin(pin, at: time))
                } else {
                    emit(.pinError(.entryError, at: time))
                }
                return
            }
        case (.bcd26, 26):
            if CardFormat.h10301.decode(frame) != nil {
                passcode.cancel()
                // The 24 bits between the two parity bits are six BCD digits.
                if let pin = Passcode(bcd: frame.value >> 1 & 0xFF_FFFF, digitCount: 6) {
                    emit(.pin(pin, at: time))
                } else {
                    emit(.pinError(.entryError, at: time))
                }
                return
            }
        default:
            break
        }
        let result = CardReadResult.decode(frame, among: configuration.formats, reversingBytes: configuration.reversesBytes)
        if case .unknownLength = result, frame.bitCount < shortestFormat {
            emit(.partial(bitCount: frame.bitCount, at: time))
            return
        }
        passcode.cancel()
        emit(.card(frame, result, at: time))
    }

    private mutating func press(code: UInt8, at time: UInt64, emit: (ReaderEvent) -> Void) {
        guard let key = configuration.keyMap.key(for: code) else {
            emit(.noise(.unknownKey, at: time))
            return
        }
        emit(.key(key, at: time))
        switch passcode.press(key, at: time) {
        case .submitted(let pin): emit(.pin(pin, at: time))
        case .rejected(let error): emit(.pinError(error, at: time))
        case nil: break
        }
    }
}

extension Passcode {
    /// The decimal digits of `number` (a buffered keypad frame's card number).
    init?(number: UInt64) {
        self.init(String(number))
    }

    /// `digitCount` BCD digits, first digit in the high nibble; nil if a nibble is not 0...9.
    init?(bcd: UInt64, digitCount: Int) {
        self.init()
        for index in (0..<digitCount).reversed() {
            let digit = UInt8(bcd >> UInt64(4 * index) & 0xF)
            guard digit <= 9, append(digit) else { return nil }
        }
    }
}
