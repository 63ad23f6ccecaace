import Access

/// A strike relay, wherever it is wired. Calls queue the command and return at once, so a slow or
/// offline bus never holds up a door; the driver reports failures itself.
public protocol RelayDriver: Sendable {
    /// Releases the strike for `duration`; the hardware relocks on its own where it can time it.
    func pulse(for duration: Duration)
    func hold(unlocked: Bool)
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
