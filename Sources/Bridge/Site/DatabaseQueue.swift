import Access
import Dispatch

/// The access core's writes (decisions, door events, door modes, new doors) run here, in order, off the
/// site's actor: a database that stalls (a write lock held by another process, slow storage) holds up
/// only the writes behind it, never the other doors' exits, alarms, timers or `keyway status`.
final class DatabaseQueue: Sendable {
    private let access: AccessControl
    private let queue = DispatchQueue(label: "keyway.database")

    init(access: AccessControl) {
        self.access = access
    }

    /// Runs `work` after every write queued before it, and waits for its result.
    func perform<Result: Sendable>(_ work: @escaping @Sendable (AccessControl) -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            queue.async { [access] in continuation.resume(returning: work(access)) }
        }
    }

    /// Queues `work` after every write queued before it, without waiting.
    func enqueue(_ work: @escaping @Sendable (AccessControl) -> Void) {
        queue.async { [access] in work(access) }
    }

    /// Waits until every write queued so far is done.
    func drain() async {
        await perform { _ in }
    }
}
