import Access
import Crypto
import Foundation
import Hummingbird

/// A share link's guest page proves each unlock with the non-extractable key its browser made on first open.
struct DeviceProof: Decodable {
    /// Milliseconds since 1970 by the server's clock (the page is told the offset): each must be newer than the last.
    let stamp: Int64
    /// Base64 of the raw ECDSA P-256 signature (r‖s, as WebCrypto makes it) of `DeviceProof.message`.
    let signature: String

    init(from decoder: any Decoder) throws {
        enum Field: String, CodingKey { case stamp, signature }
        let fields = try decoder.container(keyedBy: Field.self)
        stamp = try fields.decode(Int64.self, forKey: .stamp)
        signature = try fields.decode(String.self, forKey: .signature)
        // A P-256 signature is 88 characters of base64: anything much longer is not one.
        guard signature.utf8.count <= 200 else {
            throw DecodingError.dataCorruptedError(forKey: .signature, in: fields, debugDescription: "at most 200 characters")
        }
    }

    /// What is signed: the share, the door and the stamp, so a proof opens one door once.
    static func message(share: String, door: String, stamp: Int64) -> Data {
        Data("keyway-unlock\n\(share)\n\(door)\n\(stamp)".utf8)
    }
}

struct RegisterDeviceBody: Decodable {
    /// The share link's token.
    let key: String
    /// Base64 of the device's raw P-256 public key (65 bytes, uncompressed), as WebCrypto exports it.
    let publicKey: String
}

struct DeviceRegistrationView: Encodable {
    let binding: String
    /// The server's clock, so a page signs stamps the server accepts whatever its own clock says.
    let serverTime: Int64
}

struct DeviceBindingView: Encodable {
    let boundAt: Date
    /// The link was opened on a second device and refused there: its sharer may allow that device or revoke.
    let secondDeviceAt: Date?

    init(_ binding: DeviceBinding) {
        boundAt = binding.boundAt
        secondDeviceAt = binding.secondDeviceAt
    }
}

struct DoorBindingBody: Decodable {
    let required: Bool
}

struct DoorBindingView: Encodable {
    let door: String
    let required: Bool
}

extension KeywayAPI {
    /// How far a proof's stamp may be from the server's clock.
    static let deviceStampWindowMs: Int64 = 120_000

    func addDeviceBindingRoutes(_ v1: RouterGroup<APIContext>) {
        v1.post("links/device") { request, context in
            let body = try await JSONBody.decode(RegisterDeviceBody.self, from: request, context: context)
            let token = try Input.secret(body.key, "key")
            guard let share = await self.sharedKeyID(token) else { throw APIError.notFound("this link is not one this site issued") }
            // Each try is written to the log: a forwarded link retried in a loop is held to the unlocks' pace.
            if let wait = self.unlocksPerKey.attempt(share) { throw Self.tooMany(wait) }
            guard let raw = Data(base64Encoded: body.publicKey), raw.count == 65,
                  (try? P256.Signing.PublicKey(x963Representation: raw)) != nil else {
                throw APIError.invalid("public_key is the base64 of a raw P-256 public key (65 bytes, uncompressed)")
            }
            let now = Date()
            let registration = try await self.access.registerDevice(share: share, publicKey: raw, at: now)
            guard registration != .secondDevice else {
                throw APIError(.conflict, "second_device",
                               "this link is already in use on another device; the person who shared it has been told and may allow this one")
            }
            return JSONBody.response(DeviceRegistrationView(binding: registration.rawValue, serverTime: Self.milliseconds(now)),
                                     status: registration == .bound ? .created : .ok)
        }
        v1.post("keys/:id/device/allow") { request, context in
            let caller = try await self.caller(request, context)
            let issued = try await self.visible(.key, try Input.path(context, "id"), caller)
            try caller.requireDoors(issued.credential.doors)
            try await self.access.allowSecondDevice(share: issued.credential.id, actor: caller.actor, at: Date())
            var view = CredentialView(try await self.access.credential(issued.credential.id), site: self.accounts.siteID)
            view.device = try await self.access.deviceBinding(share: issued.credential.id).map(DeviceBindingView.init)
            return JSONBody.response(view)
        }
        v1.get("doors/:door/device-binding") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "reading whether a door's share links are bound to a device")
            let door = try Input.path(context, "door")
            try caller.requireDoors([door])
            // The store answers "on" for a name it does not know: only a door of this site gets an answer.
            guard await self.site.doorStates().contains(where: { $0.name == door }) else { throw APIError.notFound("no door \(door) at this site") }
            return JSONBody.response(DoorBindingView(door: door, required: try await self.access.deviceBindingRequired(door: door)))
        }
        v1.put("doors/:door/device-binding") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "setting whether a door's share links are bound to a device")
            let door = try Input.path(context, "door")
            try caller.requireDoors([door])
            let body = try await JSONBody.decode(DoorBindingBody.self, from: request, context: context)
            try await self.access.setDeviceBinding(door: door, required: body.required, actor: caller.actor, at: Date())
            return JSONBody.response(DoorBindingView(door: door, required: body.required))
        }
    }

    /// The share a genuine link token names; nil for anything else (the core refuses those at the door anyway).
    private func sharedKeyID(_ token: String) async -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, !parts[1].isEmpty else { return nil }
        let id = String(parts[1])
        guard let issued = try? await access.credential(id), issued.credential.kind == .key, issued.credential.parent != nil,
              let expected = try? await access.presentationToken(forKey: id),
              APISecret.same(APISecret.digest(expected), APISecret.digest(token)) else { return nil }
        return id
    }

    /// A share link's unlock must carry a proof from the device the share is bound to, unless a manager turned binding
    /// off for the door. Refusals are logged and say why; nothing here lets an unproven unlock through.
    func requireDeviceProof(keyID: String, door: String, proof: DeviceProof?, now: Date = Date()) async throws {
        // Only shares are bound (a token naming no credential is refused by the core's own check). Any other failure
        // to read the share refuses: a busy or lost database must not skip the check.
        let issued: IssuedCredential
        do {
            issued = try await access.credential(keyID)
        } catch AccessError.notFound {
            return
        }
        guard issued.credential.kind == .key, issued.credential.parent != nil, try await access.deviceBindingRequired(door: door) else { return }
        func refuse(_ code: String, _ message: String) async throws -> Never {
            try await access.refuseUnboundUnlock(share: keyID, door: door, reason: code, at: now)
            throw APIError(.forbidden, code, message)
        }
        guard let binding = try await access.deviceBinding(share: keyID) else {
            try await refuse("device_not_registered", "this link is bound to the device that opens it first: open the link's page on your phone and unlock there")
        }
        guard let proof else {
            try await refuse("device_proof_missing", "this link only opens doors from the device it was first opened on, and this request carries no proof from it")
        }
        let nowMs = Self.milliseconds(now)
        guard proof.stamp > nowMs - Self.deviceStampWindowMs, proof.stamp < nowMs + Self.deviceStampWindowMs else {
            try await refuse("device_proof_stale", "the unlock's time stamp is more than two minutes from the server's clock: reload the page and try again")
        }
        guard let signatureBytes = Data(base64Encoded: proof.signature),
              let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes),
              let key = try? P256.Signing.PublicKey(x963Representation: binding.publicKey),
              key.isValidSignature(signature, for: DeviceProof.message(share: keyID, door: door, stamp: proof.stamp)) else {
            try await refuse("second_device", "this link is in use on another device; ask the person who shared it to allow this one")
        }
        guard try await access.acceptDeviceStamp(share: keyID, publicKey: binding.publicKey, stampMs: proof.stamp) else {
            try await refuse("device_proof_replayed", "this unlock was already used once: tap Unlock again")
        }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        // Bounded: a clock beyond Int64 milliseconds is not one to trust.
        return value.isFinite && abs(value) < 9e15 ? Int64(value) : 0
    }
}
