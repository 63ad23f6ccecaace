import Access
import Foundation
import Hummingbird

/// A webhook subscription as listed (never its secret), with its delivery state.
struct WebhookView: Encodable {
    let id: String
    let site: String
    let url: String
    let events: [String]
    let createdAt: Date
    /// Events waiting for this receiver; the oldest one's attempts and last answer.
    let pending: Int
    let attempts: Int
    let lastStatus: Int?
    let lastError: String?
    let lastDelivered: Date?

    init(_ hook: WebhookSubscription, site: String) {
        id = hook.id
        self.site = site
        url = hook.url
        events = hook.events
        createdAt = hook.createdAt
        pending = hook.pending
        attempts = hook.attempts
        lastStatus = hook.lastStatus
        lastError = hook.lastError
        lastDelivered = hook.lastDelivered
    }
}

struct NewWebhookBody: Decodable {
    let url: String
    /// Event names, or ["all"].
    let events: [String]
}

struct CreatedWebhookView: Encodable {
    let webhook: WebhookView
    /// Shown once: the key of every delivery's HMAC-SHA256 signature.
    let secret: String
}

struct WebhookDeliveryView: Encodable {
    let id: Int64
    let subscription: String
    let type: String
    let sequence: Int64
    let attempts: Int
    let lastAttempt: Date?
    let lastStatus: Int?
    let lastError: String?
    let nextAttempt: Date?
    let delivered: Date?

    init(_ delivery: WebhookDelivery) {
        id = delivery.id
        subscription = delivery.subscription
        type = delivery.type
        sequence = delivery.sequence
        attempts = delivery.attempts
        lastAttempt = delivery.lastAttempt
        lastStatus = delivery.lastStatus
        lastError = delivery.lastError
        nextAttempt = delivery.nextAttempt
        delivered = delivery.delivered
    }
}

struct RemovedView: Encodable {
    let removed: String
}

extension KeywayAPI {
    /// A receiver's URL over the API: shorter than the store's 2048, so that any URL fits a request body (16 KiB) even
    /// with every character escaped.
    static let webhookURLLength = 1000

    /// Webhook subscriptions: admins only (a subscription sees every event of the site).
    func addWebhookRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("webhooks") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.admin, "managing webhooks")
            return JSONBody.response(try await self.access.webhooks().map { WebhookView($0, site: self.accounts.siteID) })
        }
        // The names a subscription may ask for, so a client offers exactly these (the dashboard's checkboxes).
        v1.get("webhook-events") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.admin, "managing webhooks")
            return JSONBody.response(WebhookEventType.allCases.map(\.rawValue))
        }
        v1.post("webhooks") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.admin, "managing webhooks")
            let body = try await JSONBody.decode(NewWebhookBody.self, from: request, context: context)
            let url = try Input.text(body.url, "url", max: Self.webhookURLLength)
            guard !body.events.isEmpty, body.events.count <= WebhookEventType.allCases.count + 1 else {
                throw APIError.invalid("events names 1 to \(WebhookEventType.allCases.count) event types, or [\"all\"]")
            }
            var events: WebhookEvents = []
            for name in body.events {
                let name = try Input.text(name, "events", max: APILimits.nameLength)
                do {
                    events = events.union(try WebhookEvents.parse(name))
                } catch {
                    throw APIError.invalid("\(error)")
                }
            }
            let created = try await self.access.addWebhook(url: url, events: events, actor: caller.actor, at: Date())
            return JSONBody.response(CreatedWebhookView(webhook: WebhookView(created.subscription, site: self.accounts.siteID),
                                                        secret: created.secret), status: .created)
        }
        v1.delete("webhooks/:id") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.admin, "managing webhooks")
            let id = try Input.path(context, "id")
            try await self.access.removeWebhook(id, actor: caller.actor, at: Date())
            return JSONBody.response(RemovedView(removed: id))
        }
        v1.get("webhooks/:id/deliveries") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.admin, "managing webhooks")
            let id = try Input.path(context, "id")
            guard try await self.access.webhooks().contains(where: { $0.id == id }) else { throw APIError.notFound("no webhook \(id)") }
            let parameters = request.uri.queryParameters
            let pending = parameters["pending"]
            guard pending == nil || pending == "true" || pending == "false" else { throw APIError.invalid("pending is true or false") }
            let deliveries = try await self.access.webhookDeliveries(subscription: id, pendingOnly: pending == "true",
                                                                     limit: try Input.pageSize(parameters["limit"]))
            return JSONBody.response(deliveries.map(WebhookDeliveryView.init))
        }
    }
}
