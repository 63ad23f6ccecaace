import Access
import Foundation
import Hummingbird

/// A key or passcode as listed: never a code or a token.
struct CredentialView: Encodable {
    let id: String
    /// The site it belongs to (its id is unique within the site).
    let site: String
    let kind: String
    let person: String?
    let label: String?
    let recipient: String?
    let doors: [String]
    let validFrom: Date?
    let validUntil: Date?
    /// nil: unlimited.
    let usesLeft: Int?
    let mayShare: Bool
    let parent: String?
    let active: Bool
    let revokedAt: Date?
    let revokedReason: String?
    let issuer: String?
    let createdAt: Date
    /// A share link's device binding, once a device opened it.
    var device: DeviceBindingView?
    /// How a card or code is shown (`card h10301 12:345`, a code's mask), in a person's credential list.
    var shown: String?

    init(_ issued: IssuedCredential, site: String, now: Date = Date()) {
        let credential = issued.credential
        id = credential.id
        self.site = site
        kind = credential.kind.rawValue
        person = credential.person
        label = credential.label
        recipient = credential.recipient
        doors = credential.doors
        validFrom = credential.validFrom
        validUntil = credential.validUntil
        usesLeft = credential.usesLeft
        mayShare = credential.mayShare
        parent = credential.parent
        active = credential.isActive(at: now)
        revokedAt = credential.revokedAt
        revokedReason = credential.revokedReason
        issuer = issued.issuer
        createdAt = issued.createdAt
    }
}

struct NewKeyBody: Decodable {
    let person: String
    let doors: [String]
    let validUntil: String?
    let mayShare: Bool?
}

struct ShareBody: Decodable {
    let recipient: String
    let doors: [String]?
    let validFrom: String?
    let validUntil: String?
    let mayShare: Bool?
    /// Where to send the link (an e-mail address or phone number); left out: the recipient, when it is one and
    /// delivery for it is configured.
    let sendTo: String?
}

struct IssuedKeyView: Encodable {
    let key: CredentialView
    /// Shown once: the token a phone presents.
    let token: String
    /// Shown once: `<public_url>/k/<token>`.
    let link: String
    /// Set when the link is being sent to the recipient.
    var delivery: DeliveryView? = nil
}

struct NewPasscodeBody: Decodable {
    let label: String?
    let person: String?
    let doors: [String]
    let validFrom: String?
    let validUntil: String?
    /// Left out: unlimited.
    let uses: Int?
    /// A weekly schedule by name (`GET /schedules`): the code opens only inside it.
    let schedule: String?
    /// A duress code (staff and admin): it raises a silent alarm when used.
    let duress: Bool?
    /// An e-mail address or phone number to send the code to (delivery for it must be configured).
    let sendTo: String?
}

struct RotateCodeBody: Decodable {
    /// How long the old code keeps working beside the new one (0, the default: it stops now).
    let overlapSeconds: Int?
}

struct IssuedPasscodeView: Encodable {
    let passcode: CredentialView
    /// Shown once.
    let code: String
    /// Set when the code is being sent.
    var delivery: DeliveryView? = nil
}

struct RevokeBody: Decodable {
    let reason: String?
}

struct RevokedView: Encodable {
    /// The credential and every share below it.
    let revoked: [String]
}

extension KeywayAPI {
    func addKeyRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("keys") { request, context in
            let caller = try await self.inUnit(try await self.caller(request, context))
            let scope = request.uri.queryParameters["scope"].map(String.init) ?? (caller.role >= .staff ? "all" : "mine")
            guard scope == "mine" || scope == "all" else { throw APIError.invalid("scope is mine or all") }
            if scope == "all" { try caller.require(.staff, "listing every key") }
            var query = try self.credentialQuery(.key, request, caller, onlyOwn: scope == "mine")
            query.activeAt = request.uri.queryParameters["active"] == "true" ? Date() : nil
            let keys = try await self.access.credentials(query).filter(caller.maySee)
            let devices = try await self.access.deviceBindings(keys.map(\.credential.id))
            return JSONBody.response(keys.map { issued in
                var view = CredentialView(issued, site: self.accounts.siteID)
                view.device = devices[issued.credential.id].map(DeviceBindingView.init)
                return view
            })
        }
        v1.post("keys") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "issuing keys")
            let body = try await JSONBody.decode(NewKeyBody.self, from: request, context: context)
            let doors = try Input.doors(body.doors, required: true) ?? []
            try caller.requireDoors(doors)
            let now = Date()
            let issued = try await self.access.issueKey(
                person: try Input.text(body.person, "person", max: APILimits.nameLength), doors: doors,
                validUntil: try Input.end(body.validUntil, "valid_until", now: now), mayShare: body.mayShare ?? false,
                actor: caller.actor, at: now)
            return JSONBody.response(IssuedKeyView(key: CredentialView(try await self.access.credential(issued.credential.id), site: self.accounts.siteID),
                                                   token: issued.token, link: self.settings.shareLink(issued.token)), status: .created)
        }
        v1.get("keys/:id") { request, context in
            let caller = try await self.caller(request, context)
            var view = CredentialView(try await self.visible(.key, try Input.path(context, "id"), caller), site: self.accounts.siteID)
            view.device = try await self.access.deviceBinding(share: view.id).map(DeviceBindingView.init)
            return JSONBody.response(view)
        }
        v1.post("keys/:id/shares") { request, context in
            let caller = try await self.caller(request, context)
            let parent = try await self.visible(.key, try Input.path(context, "id"), caller)
            // A resident shares only their own person's keys; staff and admins any key.
            guard caller.role >= .staff || (caller.user.person != nil && parent.credential.person == caller.user.person) else {
                throw APIError.forbidden("only the key's holder (or staff) may share it")
            }
            let body = try await JSONBody.decode(ShareBody.self, from: request, context: context)
            let doors = try Input.doors(body.doors, required: false)
            try caller.requireDoors(doors ?? parent.credential.doors)
            let now = Date()
            let recipient = try Input.recipient(body.recipient)
            let validUntil = try Input.end(body.validUntil, "valid_until", now: now)
            let sendTo = try body.sendTo.map { try Input.recipient($0, "send_to") }
            let message = try self.messageRequest(
                to: sendTo ?? recipient, explicit: sendTo != nil,
                what: MessageSubject(kind: .share, doors: doors ?? parent.credential.doors,
                                     validUntil: [validUntil, parent.credential.validUntil].compactMap { $0 }.min()))
            let issued = try await self.access.shareKey(
                parent.credential.id, to: recipient, doors: doors,
                validFrom: try Input.date(body.validFrom, "valid_from"),
                validUntil: validUntil, mayShare: body.mayShare ?? false,
                message: message?.0, actor: caller.actor, at: now)
            return JSONBody.response(IssuedKeyView(key: CredentialView(try await self.access.credential(issued.credential.id), site: self.accounts.siteID),
                                                   token: issued.token, link: self.settings.shareLink(issued.token), delivery: message?.1),
                                     status: .created)
        }
        v1.delete("keys/:id") { request, context in try await self.revoke(.key, request, context) }
    }

    func addPasscodeRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("passcodes") { request, context in
            let caller = try await self.inUnit(try await self.caller(request, context))
            var query = try self.credentialQuery(.passcode, request, caller, onlyOwn: caller.role < .staff)
            query.activeAt = Date()
            let codes = try await self.access.credentials(query).filter(caller.maySee)
            return JSONBody.response(codes.map { CredentialView($0, site: self.accounts.siteID) })
        }
        v1.post("passcodes") { request, context in
            let caller = try await self.caller(request, context)
            let body = try await JSONBody.decode(NewPasscodeBody.self, from: request, context: context)
            let now = Date()
            var request = PasscodeRequest(person: try Input.optionalText(body.person, "person", max: APILimits.nameLength),
                                          label: try Input.optionalText(body.label, "label", max: APILimits.labelLength),
                                          doors: try Input.doors(body.doors, required: true) ?? [])
            request.validFrom = try Input.date(body.validFrom, "valid_from")
            request.validUntil = try Input.end(body.validUntil, "valid_until", now: now)
            request.uses = try Input.uses(body.uses)
            request.schedule = try Input.optionalText(body.schedule, "schedule", max: APILimits.nameLength)
            if body.duress == true {
                try caller.require(.staff, "a duress passcode")
                request.duress = true
            }
            try caller.requireDoors(request.doors)
            if caller.role < .staff {
                try await self.checkResidentPasscode(request, caller)
                // A resident's passcode is a guest pass: the sharing policy binds it and their unit sees it.
                request.issuedBy = caller.user.personID
            }
            let message = try self.messageRequest(
                to: try body.sendTo.map { try Input.recipient($0, "send_to") }, explicit: true,
                what: MessageSubject(kind: .passcode, doors: request.doors, validUntil: request.validUntil))
            request.message = message?.0
            let issued = try await self.access.createPasscode(request, actor: caller.actor, at: now)
            return JSONBody.response(IssuedPasscodeView(passcode: CredentialView(try await self.access.credential(issued.credential.id), site: self.accounts.siteID),
                                                        code: issued.code, delivery: message?.1), status: .created)
        }
        v1.delete("passcodes/:id") { request, context in try await self.revoke(.passcode, request, context) }
        // Per-staff codes are rotated by the desk: the new code inherits everything, the old one ends after the overlap.
        v1.post("passcodes/:id/rotate") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "rotating a code")
            let issued = try await self.visible(.passcode, try Input.path(context, "id"), caller)
            try caller.requireDoors(issued.credential.doors)
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            let overlap = buffer.readableBytes == 0 ? nil
                : try JSONBody.decoder.decode(RotateCodeBody.self, from: Data(buffer.readableBytesView)).overlapSeconds
            guard APILimits.rotationOverlapSeconds.contains(overlap ?? 0) else {
                throw APIError.invalid("overlap_seconds is \(APILimits.rotationOverlapSeconds.lowerBound) to "
                                       + "\(APILimits.rotationOverlapSeconds.upperBound) (a week), or left out for none")
            }
            guard issued.credential.revokedAt == nil else { throw APIError(.conflict, "conflict", "\(issued.credential.id) is revoked") }
            let now = Date()
            let rotated = try await self.access.rotateCode(issued.credential.id, overlap: TimeInterval(overlap ?? 0), actor: caller.actor, at: now)
            return JSONBody.response(IssuedPasscodeView(passcode: CredentialView(try await self.access.credential(rotated.credential.id),
                                                                                 site: self.accounts.siteID),
                                                        code: rotated.code), status: .created)
        }
    }

    /// The caller with their unit, when they are a resident who lives in one.
    func inUnit(_ caller: Caller) async throws -> Caller {
        guard caller.role < .staff, let person = caller.user.personID else { return caller }
        var widened = caller
        widened.unitID = try await access.unitID(ofPerson: person)
        return widened
    }

    /// A page of keys or passcodes (`limit`, `after`: the last id of the previous page), narrowed to the caller's own
    /// when asked (or when a resident asks).
    private func credentialQuery(_ kind: CredentialKind, _ request: Request, _ caller: Caller, onlyOwn: Bool) throws -> CredentialQuery {
        let parameters = request.uri.queryParameters
        var query = CredentialQuery(kind: kind, limit: try Input.pageSize(parameters["limit"]))
        if let after = parameters["after"] { query.after = try Input.text(String(after), "after", max: APILimits.nameLength) }
        if let active = parameters["active"], active != "true", active != "false" { throw APIError.invalid("active is true or false") }
        if onlyOwn || caller.role < .staff {
            query.personID = caller.user.personID
            query.issuedBy = caller.user.id
            query.issuedInUnit = caller.unitID
        }
        return query
    }

    /// A resident's passcode opens only doors of their own active keys, and ends no later than those keys.
    private func checkResidentPasscode(_ request: PasscodeRequest, _ caller: Caller) async throws {
        if let person = request.person, person != caller.user.person, person != caller.user.personID {
            throw APIError.forbidden("a resident makes passcodes for themselves or labelled for a guest, not for another person")
        }
        let keys = try await ownKeys(caller)
        for door in request.doors {
            let covering = keys.filter { $0.credential.doors.contains(door) }
            guard !covering.isEmpty else { throw APIError.forbidden("you hold no key for \(door): a passcode gives only your own access") }
            let latest: Date? = covering.contains { $0.credential.validUntil == nil } ? nil : covering.compactMap(\.credential.validUntil).max()
            if let latest {
                guard let end = request.validUntil, end <= latest else {
                    throw APIError.forbidden("your key for \(door) ends \(Timestamp.format(latest)): give valid_until no later")
                }
            }
        }
    }

    /// A credential of that kind the caller may see, else 404 (another's credential is not even confirmed to exist).
    func visible(_ kind: CredentialKind, _ id: String, _ caller: Caller) async throws -> IssuedCredential {
        let caller = try await inUnit(caller)
        let id = try Input.text(id, "id", max: APILimits.nameLength)
        let issued: IssuedCredential
        do {
            issued = try await access.credential(id)
        } catch AccessError.notFound {
            throw APIError.notFound("no \(kind.rawValue) \(id)")
        }
        guard issued.credential.kind == kind, caller.maySee(issued) else { throw APIError.notFound("no \(kind.rawValue) \(id)") }
        return issued
    }

    private func revoke(_ kind: CredentialKind, _ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try await caller(request, context)
        let issued = try await visible(kind, try Input.path(context, "id"), caller)
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let reason = buffer.readableBytes == 0 ? nil
            : try Input.optionalText(try JSONBody.decoder.decode(RevokeBody.self, from: Data(buffer.readableBytesView)).reason,
                                     "reason", max: APILimits.reasonLength)
        try caller.requireDoors(issued.credential.doors)
        guard issued.credential.revokedAt == nil else { throw APIError(.conflict, "conflict", "\(issued.credential.id) is already revoked") }
        let revoked = try await access.revoke(issued.credential.id, reason: reason, actor: caller.actor, at: Date())
        return JSONBody.response(RevokedView(revoked: revoked))
    }
}
