import Access
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Timebase

/// How the dispatcher paces itself. Every duration is bounded (`DurationLimits`) where it is read from outside.
public struct WebhookDispatchOptions: Sendable {
    /// How often the outbox is read when nothing was sent (new events come from other processes too).
    public var pollInterval: Duration = .seconds(1)
    /// The wait after a first failure; it doubles with each further failure up to `longestRetry`.
    public var firstRetry: Duration = .seconds(2)
    public var longestRetry: Duration = .seconds(600)
    /// A receiver must answer within this (connect, send, headers and body).
    public var requestTimeout: Duration = .seconds(10)
    /// How often ended passcodes are logged (raising `passcode.expired`) and old delivered rows forgotten.
    public var housekeepingInterval: Duration = .seconds(60)
    /// How long delivered rows stay visible in `keyway webhooks deliveries`.
    public var keepDelivered: Duration = .seconds(7 * 86_400)

    public init() {}
}

/// Delivers the webhook outbox: for each subscription its oldest undelivered event, signed, over HTTP(S); a 2xx
/// marks it delivered, anything else (or no answer) leaves it in the outbox and holds that subscription back
/// with a doubling wait. So delivery is at least once and in order per subscription, and a stop or crash at any
/// point loses nothing: what was not marked is sent again after the restart.
/// With `delivery:` configured it also sends the message outbox (share links and passcodes by e-mail or SMS) with
/// the same retries and back-off.
public final class WebhookDispatcher: Service, Sendable {
    private let store: AccessStore
    private let options: WebhookDispatchOptions
    private let delivery: DeliveryConfiguration?
    private let logger: Logger

    public init(store: AccessStore, options: WebhookDispatchOptions = WebhookDispatchOptions(), delivery: DeliveryConfiguration? = nil,
                logger: Logger = Logger(label: "keyway.webhooks")) {
        self.store = store
        self.options = options
        self.delivery = delivery
        self.logger = logger
    }

    /// Runs until cancelled or a graceful shutdown; an attempt in flight then is abandoned unmarked (sent again later).
    public func run() async throws {
        // No redirects: a signed event goes only where the manager pointed it.
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: Self.timeAmount(options.requestTimeout), read: Self.timeAmount(options.requestTimeout)))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        await cancelWhenGracefulShutdown { await self.loop(client) }
        try await client.shutdown()
    }

    /// Runs alone (`keyway webhooks deliver`) until SIGTERM or SIGINT.
    public func runUntilSignalled() async throws {
        let group = ServiceGroup(configuration: .init(services: [.init(service: self)], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
    }

    private func loop(_ client: HTTPClient) async {
        var lastHousekeeping: ContinuousClock.Instant?
        while !Task.isCancelled {
            var sent = false
            do {
                if lastHousekeeping.map({ ContinuousClock.now - $0 >= options.housekeepingInterval }) ?? true {
                    lastHousekeeping = .now
                    let now = Date()
                    try store.logExpiredPasscodes(at: now)
                    try store.pruneDeliveredWebhooks(olderThan: options.keepDelivered.seconds, at: now)
                }
                let due = try store.dueWebhooks(at: Date())
                let messages = dueMessages()
                sent = await withTaskGroup(of: Bool.self) { group in
                    for webhook in due { group.addTask { await self.deliver(webhook, client) } }
                    if let delivery {
                        let sender = MessageSender(configuration: delivery, client: client)
                        for message in messages { group.addTask { await self.deliver(message, sender) } }
                    }
                    return await group.reduce(false) { $0 || $1 }
                }
            } catch {
                logger.error("webhook outbox unreadable; retrying", metadata: ["error": "\(error)"])
            }
            // Straight on while events flow; otherwise wait for new ones (or the next retry).
            if !sent { try? await Task.sleep(for: options.pollInterval) }
        }
    }

    /// One attempt; true when the receiver took it.
    private func deliver(_ webhook: DueWebhook, _ client: HTTPClient) async -> Bool {
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Keyway-Webhooks/1")
        request.headers.add(name: WebhookSignature.header, value: WebhookSignature.sign(body: webhook.body, secret: webhook.secret, timestamp: timestamp))
        request.headers.add(name: "Keyway-Event", value: webhook.type)
        request.headers.add(name: "Keyway-Delivery", value: String(webhook.delivery))
        request.body = .bytes(webhook.body)
        var status: Int?
        var failure: String?
        do {
            let response = try await client.execute(request, timeout: Self.timeAmount(options.requestTimeout), logger: logger)
            status = Int(response.status.code)
            // Read (a bounded amount of) the answer so the connection can be reused; its content does not matter.
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch {
            failure = "\(error)"
        }
        do {
            if let status, (200..<300).contains(status) {
                try store.markWebhookDelivered(webhook.delivery, status: status, at: Date())
                return true
            }
            let wait = retryDelay(afterAttempts: webhook.attempts + 1)
            logger.warning("webhook not delivered; will retry", metadata: [
                "subscription": "\(webhook.subscription)", "delivery": "\(webhook.delivery)",
                "status": "\(status.map(String.init) ?? "none")", "error": "\(failure ?? "")", "retry_in": "\(wait.text)",
            ])
            try store.markWebhookFailed(webhook.delivery, status: status, error: failure ?? status.map { "HTTP \($0)" },
                                        retryAt: Date() + wait.seconds, at: Date())
        } catch {
            logger.error("webhook outcome not recorded; it will be sent again", metadata: ["delivery": "\(webhook.delivery)", "error": "\(error)"])
        }
        return false
    }

    /// Messages due, when delivery is configured; a message outbox that cannot be read holds back no webhook.
    private func dueMessages() -> [DueMessage] {
        guard delivery != nil else { return [] }
        do {
            return try store.dueMessages(at: Date())
        } catch {
            logger.error("message outbox unreadable; retrying", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// One attempt at a message; true when the relay or gateway took it. Neither the text nor the full recipient is logged.
    private func deliver(_ message: DueMessage, _ sender: MessageSender) async -> Bool {
        do {
            if message.stale {
                try store.dropMessage(message, at: Date())
                logger.notice("message not sent: its credential ended", metadata: ["message": "\(message.id)", "to": "\(message.toMasked)"])
                return false
            }
            let failure: String
            do {
                let via = try await sender.send(message)
                try store.markMessageSent(message, via: via, at: Date())
                logger.info("message sent", metadata: ["message": "\(message.id)", "channel": "\(message.channel.rawValue)",
                                                       "to": "\(message.toMasked)", "via": "\(via)"])
                return true
            } catch let error as DeliveryError {
                failure = error.description
            } catch {
                failure = "\(error)"
            }
            let wait = retryDelay(afterAttempts: message.attempts + 1)
            logger.warning("message not sent; will retry", metadata: [
                "message": "\(message.id)", "channel": "\(message.channel.rawValue)", "to": "\(message.toMasked)",
                "error": "\(failure)", "retry_in": "\(wait.text)",
            ])
            try store.markMessageFailed(message, error: failure, retryAt: Date() + wait.seconds, at: Date())
        } catch {
            logger.error("message outcome not recorded; it will be sent again", metadata: ["message": "\(message.id)", "error": "\(error)"])
        }
        return false
    }

    /// `firstRetry` doubled for each failure after the first, at most `longestRetry`.
    func retryDelay(afterAttempts attempts: Int) -> Duration {
        let doublings = max(0, min(attempts - 1, 30))
        let seconds = min(options.firstRetry.seconds * Double(1 << doublings), options.longestRetry.seconds)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        .milliseconds(Int64(duration.seconds * 1000))
    }
}
