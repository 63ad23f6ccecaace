import Foundation

extension SQLiteSiteStorage {
    public func registerDevice(share id: String, publicKey: Data, at date: Date) async throws -> DeviceRegistration {
        try await blocking { [access] in try access.store.registerDevice(id, publicKey: publicKey, at: date) }
    }

    public func deviceBinding(share id: String) async throws -> DeviceBinding? {
        try await blocking { [access] in try access.store.deviceBinding(id) }
    }

    public func deviceBindings(_ ids: [String]) async throws -> [String: DeviceBinding] {
        try await blocking { [access] in try access.store.deviceBindings(ids) }
    }

    public func acceptDeviceStamp(share id: String, publicKey: Data, stampMs: Int64) async throws -> Bool {
        try await blocking { [access] in try access.store.acceptDeviceStamp(id, publicKey: publicKey, stampMs: stampMs) }
    }

    public func allowSecondDevice(share id: String, actor: String, at date: Date) async throws {
        try await blocking { [access] in try access.store.allowSecondDevice(id, actor: actor, at: date) }
    }

    public func refuseUnboundUnlock(share id: String, door: String, reason: String, at date: Date) async throws {
        try await blocking { [access] in try access.store.refuseUnboundUnlock(id, door: door, reason: reason, at: date) }
    }

    public func setDeviceBinding(door: String, required: Bool, actor: String, at date: Date) async throws {
        try await blocking { [access] in try access.store.setDeviceBinding(door: door, required: required, actor: actor, at: date) }
    }

    public func deviceBindingRequired(door: String) async throws -> Bool {
        try await blocking { [access] in try access.store.deviceBindingRequired(door: door) }
    }
}
