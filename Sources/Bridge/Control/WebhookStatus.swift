import Access
import Foundation

extension ServiceStatus {
    /// One webhook subscription's deliveries, as `keyway status` shows them.
    public struct Webhook: Codable, Sendable, Equatable {
        public var id: String
        public var url: String
        public var pending: Int
        /// When the oldest undelivered event happened.
        public var oldestPending: Date?
        /// Since when its receiver has failed every attempt (nil: not failing).
        public var failingSince: Date?
        public var lastError: String?

        public init(_ state: WebhookState) {
            id = state.id
            url = state.url
            pending = state.pending
            oldestPending = state.oldestPending
            failingSince = state.failingSince
            lastError = state.lastError
        }

        /// `webhook hook_… https://…: 3 pending, oldest 5 min old, FAILING since 2026-12-07T10:02:03Z (HTTP 500)`.
        public func summary(now: Date) -> String {
            var parts = [pending == 0 ? "nothing pending" : "\(pending) pending"]
            if pending > 0, let oldestPending { parts.append("oldest \(Self.age(now.timeIntervalSince(oldestPending))) old") }
            if let failingSince {
                parts.append("FAILING since \(failingSince.formatted(.iso8601))\(lastError.map { " (\($0))" } ?? "")")
            }
            return "webhook \(id) \(url): \(parts.joined(separator: ", "))"
        }

        /// Whole seconds, minutes, hours or days; a clock set back reads as 0 s.
        static func age(_ seconds: TimeInterval) -> String {
            let whole = seconds.isFinite ? Int(max(0, min(seconds, 1e12))) : 0
            return switch whole {
            case ..<120: "\(whole) s"
            case ..<7_200: "\(whole / 60) min"
            case ..<172_800: "\(whole / 3_600) h"
            default: "\(whole / 86_400) d"
            }
        }
    }
}
