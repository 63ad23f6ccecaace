import Access

/// A strike relay, wherever it is wired. Calls queue the command and return at once, so a slow or
/// offline bus never holds up a door; the driver reports failures itself.
public protocol RelayDriver: Sendable {
    /// Releases the strike for `duration`; the hardware relocks on its own where it can time it. `confirmed` is
    /// told, once, whether the hardware took the release (false: refused, lost, or not sent in time).
    func pulse(for duration: Duration, confirmed: @escaping @Sendable (Bool) -> Void)
    func hold(unlocked: Bool)
    /// Locks the strike (ending any pulse) and returns once the hardware confirmed it: false when it
    /// could not (a command refused or lost, no bus). Shutdown waits for it, within its own bound.
    func lockConfirmed() async -> Bool
}

/// A reader's LED and buzzer; like `RelayDriver`, calls queue and return.
public protocol ReaderIndicator: Sendable {
    func show(_ pattern: FeedbackPattern)
}

/// Something a reader reported, after its protocol was decoded (`ReaderTranslation`).
public enum ReaderReport: Sendable, Equatable {
    case card(CardData)
    /// A PIN the reader's side assembled from key presses.
    case pin(String)
    case online
    case offline
    /// Frames the reader's line carried that were not valid (Wiegand noise, a bad frame).
    case noise(String)
    /// A report refused before any decision: never acted on, always counted and logged.
    case rejected(RejectedReport)
    /// A reader alarm raised or cleared; `detail` says what the reader reported.
    case alarm(ReaderAlarm, raised: Bool, detail: String)
}

/// Why a reader's report was refused, and what it was (never a PIN's digits).
public struct RejectedReport: Sendable, Equatable {
    public var reason: DenyReason
    public var detail: String

    public init(_ reason: DenyReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }
}

/// Conditions at a reader a person must see to: each is a fault in status while it lasts.
public enum ReaderAlarm: String, Sendable, CaseIterable {
    /// The PD's tamper switch (LSTATR).
    case tamper
    /// The tamper status of the PD's reader (RSTATR).
    case readerTamper = "reader_tamper"
    /// The PD reports a power failure (LSTATR).
    case powerFailure = "power_failure"
    /// A reader configured for Secure Channel is not in it: refused, or running in plaintext by `secure: preferred`.
    case secureChannel = "secure_channel"

    /// How the activity log names it.
    var event: DoorEvent.Kind {
        switch self {
        case .tamper, .readerTamper: .tamper
        case .powerFailure: .powerFailure
        case .secureChannel: .secureChannelFailed
        }
    }
}

/// Where reader drivers send what their readers and contact inputs report: the site, which routes it
/// to the doors. Faults go to the `FaultBoard` instead, synchronously, so they keep their order.
public protocol ReaderReportSink: Sendable {
    func report(_ report: ReaderReport, from reader: String) async
    /// Readers whose driver was stopped on purpose (shutdown, a reload that changed or removed them).
    func readersStopped(_ readers: [String]) async
    /// A contact input changed: `closed` is the physical contact; the door's wiring says what it means.
    func inputChanged(_ source: InputReference.Source, closed: Bool) async
}
