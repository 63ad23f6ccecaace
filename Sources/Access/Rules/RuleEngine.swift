import Foundation

/// Decides on a presentation at a door at a time. Pure logic over the allowlist: it consumes nothing and
/// writes nothing; `AccessControl` consumes uses and logs inside the same transaction.
struct RuleEngine {
    let policy: SitePolicy
    let allowlist: AllowlistReader
    let secrets: SiteSecrets
    let clock: SiteClock

    struct Outcome {
        var decision: Decision
        /// A use-counted credential that granted: the caller must take one use atomically, or deny.
        var useToConsume: String?
        /// A code that matched nothing or the wrong person: it counts toward the keypad lockout.
        var wrongCode = false
    }

    /// No decision is made on a time before this: such a clock has not been set.
    static let earliestPlausibleTime = Date(timeIntervalSince1970: 1_735_689_600) // 2025-01-01

    /// `clockTrusted` false: the clock went back (`ClockGuard`); whatever depends on the time of day or a window
    /// fails secure with `clock_untrusted`.
    func evaluate(_ presentation: Presentation, door doorName: String, at date: Date, keypadLock: KeypadLock?,
                  clockTrusted: Bool = true) throws -> Outcome {
        var outcome = Outcome(decision: .deny(.clockError))
        guard date >= Self.earliestPlausibleTime, date.timeIntervalSince1970.isFinite else { return outcome }
        outcome.decision = .deny(.unknownDoor)
        guard let door = policy.doorsByName[doorName] else { return outcome }
        let moment = clock.moment(date, holidays: policy.holidays)
        let context = Context(door: door, moment: moment, clockTrusted: clockTrusted)

        switch (policy.mode(of: door, at: moment, clockTrusted: clockTrusted), presentation) {
        case (.lockdown, _):
            outcome.decision = .deny(.doorLockedDown)
        case (.unlocked, _):
            outcome.decision = .grant(Decision.Subject())
        case (_, .digitalKey(let token)):
            (outcome.decision, outcome.useToConsume) = try key(token, context)
        case (.pin, .card), (.card, .pin), (.cardAndPin, .pin):
            outcome.decision = .deny(.modeMismatch)
        case (.pin, .cardAndPin(_, let code)):
            try evaluateCode(code, context, keypadLock: keypadLock, into: &outcome)
        case (_, .pin(let code)):
            try evaluateCode(code, context, keypadLock: keypadLock, into: &outcome)
        case (.cardAndPin, .card(let card)):
            let (decision, _) = try evaluate(try allowlist.credentials(.card(card)), context)
            outcome.decision = decision.granted ? .deny(.pinRequired, decision.subject) : decision
        case (.cardAndPin, .cardAndPin(let card, let code)):
            let (decision, use) = try evaluate(try allowlist.credentials(.card(card)), context)
            guard decision.granted else { outcome.decision = decision; break }
            // Only a lockout of this reader refuses a valid card's PIN: a site-wide one is about keypads alone.
            guard keypadLock != .reader else { outcome.decision = .deny(.lockout, decision.subject); break }
            let digest = secrets.digest(ofCode: code)
            let pins = try allowlist.credentials(.code(digest)).filter { $0.personID != nil && $0.personID == decision.personID }
            let (pinDecision, _) = try evaluate(pins, context, doorsFromPerson: true)
            if pins.isEmpty || !pinDecision.granted && pinDecision.reason != .duress {
                outcome.decision = .deny(.wrongPin, decision.subject)
                outcome.wrongCode = true
            } else {
                // The PIN's duress flag (grant with an alarm, or deny) carries over to the card's decision.
                outcome.decision = pinDecision.granted ? .grant(decision.subject, alarms: pinDecision.alarms) : pinDecision
                outcome.useToConsume = use
            }
        case (_, .card(let card)), (_, .cardAndPin(let card, _)):
            (outcome.decision, outcome.useToConsume) = try evaluate(try allowlist.credentials(.card(card)), context)
        }
        return outcome
    }

    private struct Context {
        let door: DoorEntry
        let moment: SiteMoment
        let clockTrusted: Bool
    }

    private func evaluateCode(_ code: String, _ context: Context, keypadLock: KeypadLock?, into outcome: inout Outcome) throws {
        guard keypadLock == nil else { outcome.decision = .deny(.lockout); return }
        guard !code.isEmpty, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            outcome.decision = .deny(.formatError)
            return
        }
        let candidates = try allowlist.credentials(.code(secrets.digest(ofCode: code)))
        (outcome.decision, outcome.useToConsume) = try evaluate(candidates, context)
        outcome.wrongCode = candidates.isEmpty
    }

    private func key(_ token: String, _ context: Context) throws -> (Decision, String?) {
        let parsed: DigitalKeyToken
        do {
            parsed = try DigitalKeyToken.verified(token, publicKey: secrets.signingKey.publicKey)
        } catch .malformed {
            return (.deny(.formatError), nil)
        } catch {
            return (.deny(.invalidSignature), nil)
        }
        if parsed.expiry != nil && !context.clockTrusted {
            return (.deny(.clockUntrusted, Decision.Subject(credentialID: parsed.keyID)), nil)
        }
        if let expiry = parsed.expiry, expiry <= context.moment.date {
            return (.deny(.expired, Decision.Subject(credentialID: parsed.keyID)), nil)
        }
        return try evaluate(try allowlist.credentials(.key(parsed.keyID)), context)
    }

    /// The best verdict over the credentials found for one presentation: the first grant, else the deny of the
    /// most relevant one (live before revoked, longest-lived first).
    private func evaluate(_ candidates: [CredentialEntry], _ context: Context, doorsFromPerson: Bool = false) throws -> (Decision, String?) {
        let ordered = candidates.count < 2 ? candidates : candidates.sorted { a, b in
            a.revoked != b.revoked ? !a.revoked : a.outlasts(b)
        }
        var first: Decision?
        for entry in ordered {
            let decision = try evaluate(entry, context, doorsFromPerson: doorsFromPerson)
            if decision.granted { return (decision, entry.usesCounted ? entry.id : nil) }
            first = first ?? decision
        }
        return (first ?? .deny(.unknown), nil)
    }

    /// One credential, in order of precedence: its standing (revoked, owner's state, validity window), its
    /// parents' standing, door and schedule, duress.
    private func evaluate(_ entry: CredentialEntry, _ context: Context, doorsFromPerson: Bool) throws -> Decision {
        var subject = Decision.Subject(credentialID: entry.id, personID: entry.personID)
        let (standing, person) = try standing(of: entry, context)
        subject.personName = person?.name
        if let reason = try standing ?? chainReason(entry, context) { return .deny(reason, subject) }

        if let reason = doorReason(entry, person: person, context, doorsFromPerson: doorsFromPerson) {
            return .deny(reason, subject)
        }
        if entry.duress {
            return context.door.duressGrants ? .grant(subject, alarms: [.duress]) : .deny(.duress, subject, alarms: [.duress])
        }
        return .grant(subject)
    }

    /// Whether a credential stands at this moment on its own: not revoked, its holder neither suspended nor away,
    /// inside its window. Returns the holder when there is one.
    private func standing(of entry: CredentialEntry, _ context: Context) throws -> (DenyReason?, PersonEntry?) {
        if entry.revoked { return (.revoked, nil) }
        var person: PersonEntry?
        if let personID = entry.personID {
            guard let found = try allowlist.person(personID) else { return (.unknown, nil) }
            person = found
            if found.suspended || found.vacation?.contains(context.moment.day) == true { return (.suspended, found) }
        }
        // A window or a schedule of its own means nothing on a clock that went back: it could revive an expired code.
        if !context.clockTrusted && (entry.validFrom != nil || entry.validUntil != nil || entry.scheduleID != nil) {
            return (.clockUntrusted, person)
        }
        let now = context.moment.date.timeIntervalSince1970
        if let from = entry.validFrom, now < from { return (.notYetValid, person) }
        if let until = entry.validUntil, now >= until { return (.expired, person) }
        return (nil, person)
    }

    /// Shares are not shared on, so chains are short; a longer one is corrupt and refused.
    static let longestChain = 8

    /// A share's authority is its chain of parents: each must stand now, read the way the share itself was
    /// (the cache drops a revoked parent and follows its holder's suspension through the change feed, so the
    /// cached path sees both). A parent that cannot be found has no authority to lend.
    private func chainReason(_ entry: CredentialEntry, _ context: Context) throws -> DenyReason? {
        var parentID = entry.parentID
        var links = 0
        while let id = parentID {
            links += 1
            guard links <= Self.longestChain, let parent = try allowlist.credentials(.key(id)).first else { return .revoked }
            if let reason = try standing(of: parent, context).0 { return reason }
            parentID = parent.parentID
        }
        return nil
    }

    /// Cards and PINs open their person's groups' doors on the groups' schedules; passcodes and keys name theirs.
    private func doorReason(_ entry: CredentialEntry, person: PersonEntry?, _ context: Context, doorsFromPerson: Bool) -> DenyReason? {
        if entry.kind == .card || entry.kind == .pin {
            var reason = DenyReason.doorNotAllowed
            for group in person?.groupIDs ?? [] {
                guard let schedule = policy.groupDoors[group]?[context.door.id] else { continue }
                guard let verdict = scheduleReason(schedule, context) else { return nil }
                if reason != .holiday { reason = verdict }
            }
            return reason
        }
        // A code as the second factor of a card: the card already decided the door.
        guard doorsFromPerson || entry.doorIDs.contains(context.door.id) else { return .doorNotAllowed }
        return scheduleReason(entry.scheduleID, context)
    }

    /// nil when the schedule (nil: always) is open now; else `holiday` or `outside_schedule`.
    private func scheduleReason(_ scheduleID: String?, _ context: Context) -> DenyReason? {
        guard let scheduleID else { return nil }
        switch policy.schedules[scheduleID]?.verdict(at: context.moment) {
        case .inside: return nil
        case .holiday: return .holiday
        case .outside, nil: return .outsideSchedule
        }
    }
}

extension Decision {
    var subject: Subject { Subject(credentialID: credentialID, personID: personID, personName: personName) }
}
