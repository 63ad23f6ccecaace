/// Whether a PD must, may or must not use Secure Channel.
public enum SecurityPolicy: String, Sendable, CaseIterable {
    /// Plaintext only.
    case off
    /// Secure Channel when the PD offers it and a key is at hand; plaintext otherwise (reported).
    case preferred
    /// Secure Channel or nothing: a PD that cannot or will not is refused and reported, never used in plaintext.
    case required
}

/// One PD on the bus.
public struct PDConfiguration: Sendable, Equatable {
    /// 0x00–0x7E, or 0x7F to reach a single PD of unknown address (only ID, CAP and COMSET are allowed then).
    public var address: UInt8
    /// The PD's SCBK, if it has been given one. Never SCBK-D: that key is public (the bus refuses it).
    public var scbk: SecureChannelKey?
    public var security: SecurityPolicy
    /// The install window: allow a handshake with SCBK-D. When `scbk` is also set, the bus installs it with KEYSET.
    public var installMode: Bool

    /// `security` defaults to `.required` when a key or the install window is given: a PD given a key is a
    /// Secure Channel PD, and only an explicit `.preferred` lets it fall back to plaintext. Without either, `.off`.
    public init(address: UInt8, scbk: SecureChannelKey? = nil, security: SecurityPolicy? = nil, installMode: Bool = false) {
        self.address = address
        self.scbk = scbk
        self.security = security ?? (scbk != nil || installMode ? .required : .off)
        self.installMode = installMode
    }
}

/// Timings and limits of a bus. All durations are nanoseconds.
public struct BusOptions: Sendable, Equatable {
    /// How long a PD has to answer (spec: 200 ms), on top of the time the command takes on the wire.
    public var replyTimeout: UInt64 = 200_000_000
    /// Used to compute wire time (10 bits a byte) for the reply timeout.
    public var baudRate: Int = 9600
    /// An online PD is polled as soon as the line is free (the line's speed sets the pace), but no sooner than
    /// this after its previous poll went out. On a real line at 9600–115 200 baud a POLL and its reply take
    /// longer than that, so it never holds the line idle there; on a pseudo-terminal, where bytes take no
    /// time, it keeps the CPU use of an idle bus sane.
    public var minimumPollCycle: UInt64 = 2_000_000
    /// After a PD reports a card or keys, its next poll waits up to this long for the command that answers the
    /// report (the door's OUT, then LED and BUZ), so that command is the very next frame to the PD rather
    /// than one behind a POLL. The other PDs are served meanwhile. 0: poll on at once (nobody answers).
    public var answerWindow: UInt64 = 0
    /// A PD without a valid reply for this long is offline (spec: 8 s).
    public var offlineAfter: UInt64 = 8_000_000_000
    /// Pause before resending the identical bytes after a timeout.
    public var retryDelay: UInt64 = 100_000_000
    /// Pause before resending after BUSY, and how many BUSY replies end a command with `busyExhausted`.
    public var busyRetryDelay: UInt64 = 200_000_000
    public var busyRetryLimit: Int = 10
    /// Probing an offline PD backs off from the first to the largest interval, doubling each time.
    public var offlineBackoff: UInt64 = 1_000_000_000
    public var offlineBackoffMaximum: UInt64 = 30_000_000_000
    /// A submitted command that has not completed by then fails with `timeout`; one not yet on the wire (or
    /// waiting to be sent again) by then is dropped, never sent late. A command may be given a shorter bound.
    public var commandTimeout: UInt64 = 10_000_000_000
    /// A card or keypad report whose age is unknown (the first reports after the PD came online or back: it
    /// may have buffered them for as long as it was not polled) or may exceed this arrives as `.staleReport`
    /// instead. Its age is bounded by the last POLL the PD answered with ACK (nothing buffered then).
    /// nil: every report is delivered as read.
    public var reportAgeLimit: UInt64?
    /// A gap longer than this inside a frame aborts the frame (spec: 20 ms).
    public var interCharacterTimeout: UInt64 = 20_000_000
    /// The largest reply Keyway accepts.
    public var receiveSize: Int = Frame.maximumLength
    /// Emit a `.frame` event for every frame sent and received (for captures).
    public var traceFrames: Bool = false

    public init() {}

    func wireTime(bytes: Int) -> UInt64 {
        UInt64(bytes) * 10 * 1_000_000_000 / UInt64(max(baudRate, 1))
    }

    /// The idle line a sender must leave before it transmits (spec: two character times).
    var interFrameGap: UInt64 { wireTime(bytes: 2) }
}

/// A configuration the bus cannot run with.
public enum BusConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAddress(UInt8)
    case duplicateAddress(UInt8)
    case tooManyPDs(Int)
    /// The configured SCBK is SCBK-D, which every OSDP implementation publishes: no security at all.
    case defaultKey(address: UInt8)

    public var description: String {
        switch self {
        case .invalidAddress(let address): "PD address \(address) is outside 0–126 (127 is broadcast)"
        case .duplicateAddress(let address): "PD address \(address) is configured twice"
        case .tooManyPDs(let count): "\(count) PDs configured; a bus holds at most 126"
        case .defaultKey(let address):
            "PD address \(address): its key is SCBK-D (30 31 … 3F), the public install key; give the PD a key of its own"
        }
    }
}
