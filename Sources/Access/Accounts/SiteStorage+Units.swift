import Foundation

/// Units, their guest passes and the managers' sharing policy, as the HTTP API needs them (part of `AccessStorage`).
public protocol UnitStorage: Sendable {
    func units() async throws -> [Unit]
    func addUnit(name: String, actor: String, at date: Date) async throws -> Unit
    func moveIn(person: String, unit: String, actor: String, at date: Date) async throws -> Unit
    func moveOut(unit: String, person: String?, actor: String, at date: Date) async throws -> MoveOut
    /// The unit (its name) a person lives in, if any.
    func unit(ofPerson person: String) async throws -> String?
    /// The unit (its id) a person lives in, if any.
    func unitID(ofPerson person: String) async throws -> String?
    /// The guest passes a unit's residents issued; `activeAt`: only those active then, with uses left.
    func guestPasses(ofUnit unit: String, activeAt: Date?) async throws -> [GuestPass]
    func sharingPolicy() async throws -> SharingPolicyListing
    func setSharingPolicy(_ rules: SharingRules, for scope: SharingScope, clearing: Set<SharingRule>, actor: String, at date: Date) async throws
}

/// Webhook subscriptions and their delivery state (part of `AccessStorage`).
public protocol WebhookStorage: Sendable {
    func webhooks() async throws -> [WebhookSubscription]
    /// The secret in the answer is shown once.
    func addWebhook(url: String, events: WebhookEvents, actor: String, at date: Date) async throws -> CreatedWebhook
    func removeWebhook(_ id: String, actor: String, at date: Date) async throws
    func webhookDeliveries(subscription: String?, pendingOnly: Bool, limit: Int) async throws -> [WebhookDelivery]
}

extension SQLiteSiteStorage: UnitStorage, WebhookStorage {
    public func units() async throws -> [Unit] {
        try await blocking { [store] in try store.units() }
    }

    public func addUnit(name: String, actor: String, at date: Date) async throws -> Unit {
        try await blocking { [store] in try store.addUnit(name: name, actor: actor, at: date) }
    }

    public func moveIn(person: String, unit: String, actor: String, at date: Date) async throws -> Unit {
        try await blocking { [store] in
            try store.moveIn(person: person, unit: unit, actor: actor, at: date)
            return try store.unit(unit)
        }
    }

    public func moveOut(unit: String, person: String?, actor: String, at date: Date) async throws -> MoveOut {
        try await blocking { [store] in try store.moveOut(unit: unit, person: person, actor: actor, at: date) }
    }

    public func unit(ofPerson person: String) async throws -> String? {
        try await blocking { [store] in try store.unit(ofPerson: person) }
    }

    public func unitID(ofPerson person: String) async throws -> String? {
        try await blocking { [store] in
            guard let name = try store.unit(ofPerson: person) else { return nil }
            return try store.unit(name).id
        }
    }

    public func guestPasses(ofUnit unit: String, activeAt: Date?) async throws -> [GuestPass] {
        try await blocking { [store] in try store.guestPasses(ofUnit: unit, activeAt: activeAt) }
    }

    public func sharingPolicy() async throws -> SharingPolicyListing {
        try await blocking { [store] in try store.sharingPolicy() }
    }

    public func setSharingPolicy(_ rules: SharingRules, for scope: SharingScope, clearing: Set<SharingRule>, actor: String,
                                 at date: Date) async throws {
        try await blocking { [store] in try store.setSharingPolicy(rules, for: scope, clearing: clearing, actor: actor, at: date) }
    }

    public func webhooks() async throws -> [WebhookSubscription] {
        try await blocking { [store] in try store.webhooks() }
    }

    public func addWebhook(url: String, events: WebhookEvents, actor: String, at date: Date) async throws -> CreatedWebhook {
        try await blocking { [store] in try store.addWebhook(url: url, events: events, actor: actor, at: date) }
    }

    public func removeWebhook(_ id: String, actor: String, at date: Date) async throws {
        try await blocking { [store] in try store.removeWebhook(id, actor: actor, at: date) }
    }

    public func webhookDeliveries(subscription: String?, pendingOnly: Bool, limit: Int) async throws -> [WebhookDelivery] {
        try await blocking { [store] in try store.webhookDeliveries(subscription: subscription, pendingOnly: pendingOnly, limit: limit) }
    }
}
