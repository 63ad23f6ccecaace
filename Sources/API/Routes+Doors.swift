import Access
import Bridge
import Foundation
import Hummingbird
import Timebase

struct UnlockBody: Decodable {
    /// A digital key's token (a share link's secret); left out, the caller's own key for the door is used.
    let key: String?
    /// With a share link's key: the proof from the device the link is bound to.
    let device: DeviceProof?
}

struct TimedUnlockBody: Decodable {
    let seconds: Int64
}

struct DoorCommandView: Encodable {
    let door: String
    /// `lockdown`, `normal` or `unlock`.
    let action: String
    /// What the door did, in words (`Front is now lockdown`).
    let result: String
}

struct UnlockView: Encodable {
    let door: String
    let granted: Bool
    /// `grant` or `deny`.
    let decision: String
    let reason: String?
    let credential: String?
    let logSequence: Int64?
}

extension KeywayAPI {
    func addDoorRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("doors") { request, context in
            let caller = try await self.caller(request, context)
            var doors = await self.site.doorStates().filter { caller.mayReach(door: $0.name) }
            if caller.role < .staff {
                let mine = Set(try await self.ownKeys(caller).flatMap(\.credential.doors))
                doors = doors.filter { mine.contains($0.name) }
            }
            return JSONBody.response(doors)
        }
        v1.post("doors/:door/unlock") { request, context in try await self.unlock(request, context) }
        v1.post("doors/:door/lockdown") { request, context in
            try await self.command(.lockdown, request, context, role: .staff, what: "a lockdown")
        }
        // Lifting a lockdown is the manager's call: the desk can start one in an emergency but not end it.
        v1.post("doors/:door/normal") { request, context in
            try await self.command(.normal, request, context, role: .admin, what: "ending a lockdown (normal)")
        }
        v1.post("doors/:door/timed-unlock") { request, context in
            try await self.command(.unlock, request, context, role: .staff, what: "a timed unlock")
        }
    }

    /// An operator's door command, as `keyway door` gives it: the door's own words back, or 404 (no such door) or
    /// 409 (the door refuses it now, e.g. a timed unlock during lockdown).
    private func command(_ action: DoorRequestAction, _ request: Request, _ context: APIContext, role: Role, what: String) async throws -> Response {
        let door = try Input.path(context, "door")
        let caller = try await caller(request, context)
        try caller.require(role, what)
        guard caller.mayReach(door: door) else { throw APIError.forbidden("this API token is not for door \(door)") }
        var duration: Duration?
        if action == .unlock {
            let body = try await JSONBody.decode(TimedUnlockBody.self, from: request, context: context)
            guard APILimits.timedUnlockSeconds.contains(body.seconds) else {
                throw APIError.invalid("seconds is \(APILimits.timedUnlockSeconds.lowerBound) to \(APILimits.timedUnlockSeconds.upperBound) "
                                       + "(\(DurationLimits.relayPulse.reason))")
            }
            duration = .seconds(body.seconds)
        }
        guard await site.doorStates().contains(where: { $0.name == door }) else { throw APIError.notFound("no door \(door) at this site") }
        do {
            let result = try await site.command(action, door: door, for: duration, actor: caller.actor)
            return JSONBody.response(DoorCommandView(door: door, action: action.rawValue, result: result))
        } catch {
            throw APIError(.conflict, "conflict", error.description)
        }
    }

    /// The caller's own active digital keys: their person's (a person holds a handful; 500 is far beyond).
    func ownKeys(_ caller: Caller) async throws -> [IssuedCredential] {
        guard let person = caller.user.personID else { return [] }
        var query = CredentialQuery(kind: .key, limit: 500)
        query.personID = person
        query.activeAt = Date()
        return try await access.credentials(query)
    }

    private func unlock(_ request: Request, _ context: APIContext) async throws -> Response {
        let door = try Input.path(context, "door")
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let body = buffer.readableBytes == 0 ? UnlockBody(key: nil, device: nil) : try JSONBody.decoder.decode(UnlockBody.self, from: Data(buffer.readableBytesView))
        let token: String
        let keyID: String
        if let key = body.key {
            // The key is the credential (a guest has no account): the core checks its signature and standing.
            token = try Input.secret(key, "key")
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            keyID = parts.count == 4 ? String(parts[1]) : "malformed from \(context.clientAddress)"
        } else {
            let caller = try await caller(request, context)
            guard caller.mayReach(door: door) else { throw APIError.forbidden("this API token is not for door \(door)") }
            let keys = try await ownKeys(caller)
            // A key for another door still goes to the door: the rule engine refuses it, and the log holds the attempt.
            guard let key = keys.first(where: { $0.credential.doors.contains(door) }) ?? keys.first else {
                throw APIError(.forbidden, "no_access", "this account holds no digital key; present one as {\"key\": …}")
            }
            keyID = key.credential.id
            token = try await access.presentationToken(forKey: keyID)
        }
        if let wait = unlocksPerKey.attempt(keyID) { throw Self.tooMany(wait) }
        if body.key != nil { try await requireDeviceProof(keyID: keyID, door: door, proof: body.device) }
        guard let decision = await site.present(key: token, at: door) else {
            guard await site.doorStates().contains(where: { $0.name == door }) else { throw APIError.notFound("no door \(door) at this site") }
            throw APIError(.serviceUnavailable, "stopping", "the service is stopping: no door opens now", retryAfter: 30)
        }
        return JSONBody.response(UnlockView(door: door, granted: decision.granted, decision: decision.granted ? "grant" : "deny",
                                            reason: decision.reason?.rawValue, credential: decision.credentialID,
                                            logSequence: decision.logSequence))
    }
}
