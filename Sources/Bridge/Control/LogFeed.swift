import Foundation
import Synchronization
import Timebase

/// Fans the service's log lines out to `keyway status --follow` clients. A client that falls more
/// than `Subscription.capacity` lines behind misses lines rather than slowing the service down.
public final class LogFeed: Sendable {
    private let subscribers = Mutex<[ObjectIdentifier: Subscription]>([:])

    public init() {}

    public func publish(_ line: Data) {
        for subscriber in subscribers.withLock({ Array($0.values) }) { subscriber.append(line) }
    }

    func subscribe() -> Subscription {
        let subscription = Subscription()
        subscribers.withLock { $0[ObjectIdentifier(subscription)] = subscription }
        return subscription
    }

    func unsubscribe(_ subscription: Subscription) {
        _ = subscribers.withLock { $0.removeValue(forKey: ObjectIdentifier(subscription)) }
    }

    final class Subscription: Sendable {
        static let capacity = 1000
        private let lines = Mutex<[Data]>([])
        private let available = DispatchSemaphore(value: 0)

        func append(_ line: Data) {
            let accepted = lines.withLock { lines in
                guard lines.count < Self.capacity else { return false }
                lines.append(line)
                return true
            }
            if accepted { available.signal() }
        }

        func next(timeout: Duration) -> Data? {
            guard available.wait(timeout: .now() + timeout.seconds) == .success else { return nil }
            return lines.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        }
    }
}
