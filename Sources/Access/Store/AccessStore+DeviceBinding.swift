import Foundation
import GRDB

// MARK: - Device-bound share links: the first device's public key per share, and a per-door switch

extension Schema {
    /// `share_device`: the public key (raw, as the browser exported it) of the first device that opened a share link;
    /// `last_stamp_ms` the newest signed unlock accepted (an older or equal one is a replay); `pending_key` the
    /// latest other device that tried the link, until the sharer allows it (it becomes the bound key) or revokes.
    /// `door_device_binding`: a manager's setting per door; no row means binding is on.
    static let deviceBindingSchema = """
        CREATE TABLE share_device (
            credential_id TEXT PRIMARY KEY REFERENCES credential(id), public_key BLOB NOT NULL, bound_at REAL NOT NULL,
            last_stamp_ms INTEGER NOT NULL DEFAULT 0, pending_key BLOB, pending_at REAL) WITHOUT ROWID;
        CREATE TABLE door_device_binding (
            door_id TEXT PRIMARY KEY REFERENCES door(id), required INTEGER NOT NULL) WITHOUT ROWID;
        """
}

/// The device a share link is bound to, and any other device that tried it since.
public struct DeviceBinding: Sendable, Hashable {
    public let credentialID: String
    public let publicKey: Data
    public let boundAt: Date
    /// Another device opened the link after it was bound (the sharer is warned and may allow it).
    public let secondDeviceAt: Date?
}

/// What registering a device's key did.
public enum DeviceRegistration: String, Sendable {
    /// The first device: the link is bound to it now.
    case bound
    /// The device the link is already bound to.
    case sameDevice = "same_device"
    /// Another device: refused, recorded, and the sharer warned.
    case secondDevice = "second_device"
}

extension AccessStore {
    public func deviceBinding(_ credentialID: String) throws -> DeviceBinding? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM share_device WHERE credential_id = ?", arguments: [credentialID]).map(DeviceBinding.init(row:))
        }
    }

    /// The bindings of the credentials given (a page of a listing), by credential id.
    public func deviceBindings(_ credentialIDs: [String]) throws -> [String: DeviceBinding] {
        guard !credentialIDs.isEmpty else { return [:] }
        return try pool.read { db in
            let marks = Array(repeating: "?", count: credentialIDs.count).joined(separator: ",")
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM share_device WHERE credential_id IN (\(marks))",
                                        arguments: StatementArguments(credentialIDs))
            return Dictionary(rows.map(DeviceBinding.init(row:)).map { ($0.credentialID, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Registers a device's public key for a share: the first device wins; another one is refused, recorded as the
    /// pending device and logged (the sharer sees the warning).
    public func registerDevice(_ credentialID: String, publicKey: Data, at date: Date = Date()) throws -> DeviceRegistration {
        try change { db in
            let share = try credential(credentialID, db)
            guard share.kind == .key, share.parent != nil else { throw AccessError.invalid("\(credentialID) is not a shared key") }
            guard let bound = try Row.fetchOne(db, sql: "SELECT public_key FROM share_device WHERE credential_id = ?",
                                               arguments: [credentialID]) else {
                try db.execute(sql: "INSERT INTO share_device (credential_id, public_key, bound_at) VALUES (?, ?, ?)",
                               arguments: [credentialID, publicKey, date.timeIntervalSince1970])
                try log.append(ActivityDraft(at: date, kind: .deviceBinding, event: "device_bound", credentialID: credentialID,
                                             detail: "the share link was bound to the first device that opened it"), in: db)
                return .bound
            }
            if (bound["public_key"] as Data) == publicKey { return .sameDevice }
            try db.execute(sql: "UPDATE share_device SET pending_key = ?, pending_at = ? WHERE credential_id = ?",
                           arguments: [publicKey, date.timeIntervalSince1970, credentialID])
            try log.append(ActivityDraft(at: date, kind: .deviceBinding, event: "second_device", credentialID: credentialID,
                                         outcome: "deny", reason: "second_device",
                                         detail: "the share link was opened on a second device and refused there"), in: db)
            return .secondDevice
        }
    }

    /// Accepts a signed unlock's time stamp once: true when it is newer than every one accepted for the share (the
    /// same or an older stamp is a replay). The caller has checked the signature with the bound key.
    public func acceptDeviceStamp(_ credentialID: String, publicKey: Data, stampMs: Int64) throws -> Bool {
        try change { db in
            try db.execute(sql: """
                UPDATE share_device SET last_stamp_ms = ? WHERE credential_id = ? AND public_key = ? AND last_stamp_ms < ?
                """, arguments: [stampMs, credentialID, publicKey, stampMs])
            return db.changesCount == 1
        }
    }

    /// The sharer's "allow": the link is bound to the device that tried it second instead of the first one.
    public func allowSecondDevice(_ credentialID: String, actor: String = "keyway", at date: Date = Date()) throws {
        try change { db in
            try db.execute(sql: """
                UPDATE share_device SET public_key = pending_key, bound_at = ?, last_stamp_ms = 0, pending_key = NULL, pending_at = NULL
                WHERE credential_id = ? AND pending_key IS NOT NULL
                """, arguments: [date.timeIntervalSince1970, credentialID])
            guard db.changesCount == 1 else { throw AccessError.conflict("no second device has tried \(credentialID)") }
            try log.append(ActivityDraft(at: date, kind: .deviceBinding, event: "device_allowed", credentialID: credentialID,
                                         detail: "the share link was moved to the second device", actor: actor), in: db)
        }
    }

    /// A share link's unlock refused for its device (no proof, a bad signature, a replay): logged as a denial.
    public func refuseUnboundUnlock(_ credentialID: String, door: String, reason: String, at date: Date = Date()) throws {
        try change { db in
            _ = try log.append(ActivityDraft(at: date, kind: .deviceBinding, event: "unlock_refused", door: door, credentialID: credentialID,
                                             outcome: "deny", reason: reason), in: db)
        }
    }

    /// A manager's setting: whether share links for a door (id or name) must be bound to one device. Logged.
    public func setDeviceBinding(door: String, required: Bool, actor: String = "keyway", at date: Date = Date()) throws {
        try change { db in
            let id = try resolve(door, in: DoorRow.self, db)
            try db.execute(sql: "INSERT OR REPLACE INTO door_device_binding (door_id, required) VALUES (?, ?)", arguments: [id, required])
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "device_binding", door: door,
                                         detail: "door \(door): share links \(required ? "bound to one device" : "not bound to a device")",
                                         actor: actor), in: db)
        }
    }

    /// Whether share links must be bound for the door (id or name): on unless a manager turned it off.
    public func deviceBindingRequired(door: String) throws -> Bool {
        try pool.read { db in
            let off = try Bool.fetchOne(db, sql: """
                SELECT b.required FROM door_device_binding b JOIN door d ON d.id = b.door_id WHERE d.id = ? OR d.name = ? LIMIT 1
                """, arguments: [door, door])
            return off ?? true
        }
    }
}

extension DeviceBinding {
    init(row: Row) {
        credentialID = row["credential_id"]
        publicKey = row["public_key"]
        boundAt = Date(timeIntervalSince1970: row["bound_at"])
        secondDeviceAt = (row["pending_at"] as Double?).map(Date.init(timeIntervalSince1970:))
    }
}
