/// Why edges were rejected. Any noise inside a frame voids the whole frame: the decoder never guesses a bit.
public enum NoiseReason: String, Sendable, Hashable, CaseIterable {
    /// A low pulse shorter than the reader's minimum width (a glitch).
    case pulseTooShort = "pulse_too_short"
    /// A low pulse longer than the reader's maximum width.
    case pulseTooLong = "pulse_too_long"
    /// A pulse started too soon after the previous one.
    case intervalTooShort = "interval_too_short"
    /// A pulse started too long after the previous one, yet before the frame silence ended the frame.
    case intervalTooLong = "interval_too_long"
    /// A pulse started while the other line was low (crosstalk or a short between D0 and D1).
    case bothLinesActive = "both_lines_active"
    /// A line went low while already low, or high while already high: an edge was lost on the way.
    case missedEdge = "missed_edge"
    /// An edge stamped earlier than the edge before it.
    case outOfOrder = "out_of_order"
    /// More than 64 bits before the frame ended.
    case frameTooLong = "frame_too_long"
    /// An 8-bit keypad burst whose high nibble is not the complement of its low nibble.
    case keypadComplement = "keypad_complement"
    /// A keypad code that the reader's key map does not assign to a key.
    case unknownKey = "unknown_key"
}

/// A reader condition that outlasts a frame.
public enum FaultReason: String, Sendable, Hashable, CaseIterable {
    /// Both lines held low together: a cut or shorted cable, or an unplugged reader with pull-downs.
    case bothLow = "both_low"
}

/// What the edge decoder observed: a complete frame, rejected edges, or a fault.
public enum DecoderEvent: Sendable, Hashable {
    /// A frame ended by silence, with every pulse valid. `endedAt` is the time of its last edge.
    case frame(WiegandFrame, endedAt: UInt64)
    case noise(NoiseReason, at: UInt64)
    case fault(FaultReason, at: UInt64)
}

/// The few events one call to the decoder can produce, held inline so the hot path never allocates.
public struct DecoderEvents: Sequence, IteratorProtocol, Sendable {
    /// One edge yields at most: an overlong pulse on each line, a fault, a frame end, and its own noise.
    public static let capacity = 5

    private var slots: (DecoderEvent?, DecoderEvent?, DecoderEvent?, DecoderEvent?, DecoderEvent?)
        = (nil, nil, nil, nil, nil)
    public private(set) var count = 0
    private var position = 0

    public init() {}

    mutating func append(_ event: DecoderEvent) {
        switch count {
        case 0: slots.0 = event
        case 1: slots.1 = event
        case 2: slots.2 = event
        case 3: slots.3 = event
        case 4: slots.4 = event
        default: preconditionFailure("DecoderEvents.capacity is too small for one decoder step")
        }
        count += 1
    }

    public mutating func next() -> DecoderEvent? {
        guard position < count else { return nil }
        defer { position += 1 }
        switch position {
        case 0: return slots.0
        case 1: return slots.1
        case 2: return slots.2
        case 3: return slots.3
        default: return slots.4
        }
    }
}
