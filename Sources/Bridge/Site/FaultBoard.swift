import Logging
import Metrics
import Synchronization

/// The faults in force now, by source ("bus main", "reader front-reader", "database"): logged and
/// counted when they appear, logged when they clear, listed by `keyway status`. Reports and clears
/// are synchronous and thread-safe, so drivers' threads, the database queue and the site call it
/// directly: a clear can never overtake the report it follows, as two separately started tasks could.
public final class FaultBoard: Sendable {
    private let faults = Mutex<[String: String]>([:])
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// A source's problem; repeating the problem in force changes nothing. The log line is written
    /// under the lock, so the log shows reports and clears in the order they took effect.
    /// Returns whether the fault is new (the source had no fault, or another problem).
    @discardableResult
    public func report(_ source: String, _ problem: String) -> Bool {
        faults.withLock { faults in
            guard faults[source] != problem else { return false }
            faults[source] = problem
            Counter(label: "keyway_faults_total", dimensions: [("source", source)]).increment()
            logger.error("fault", metadata: ["source": "\(source)", "problem": "\(problem)"])
            return true
        }
    }

    public func clear(_ source: String) {
        faults.withLock { faults in
            guard faults.removeValue(forKey: source) != nil else { return }
            logger.info("fault cleared", metadata: ["source": "\(source)"])
        }
    }

    /// "source: problem", sorted by source.
    public func list() -> [String] {
        faults.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
    }
}
