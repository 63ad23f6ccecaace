import Logging

/// Reader feedback where the reader has no LED or buzzer the service drives.
struct LoggedIndicator: ReaderIndicator {
    let reader: String
    let logger: Logger

    func show(_ pattern: FeedbackPattern) {
        logger.debug("reader feedback", metadata: ["reader": "\(reader)", "led": "\(pattern.color)", "beeps": "\(pattern.beeps)"])
    }
}

/// A relay that cannot be driven (its bus is not running, its GPIO line cannot be opened): every
/// attempt is a fault, so a door that cannot open says so instead of failing silently.
struct FaultyRelay: RelayDriver {
    let door: String
    let problem: String
    let faults: FaultBoard

    func pulse(for duration: Duration, confirmed: @escaping @Sendable (Bool) -> Void) {
        report()
        confirmed(false)
    }
    func hold(unlocked: Bool) { if unlocked { report() } }
    /// Nothing can confirm a relay that cannot be driven.
    func lockConfirmed() async -> Bool { false }

    private func report() {
        faults.report("relay \(door)", problem)
    }
}
