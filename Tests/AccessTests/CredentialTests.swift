import Foundation
import GRDB
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")

@Suite struct CredentialTests {
    func site() throws -> Site {
        let site = try Site()
        try site.store.addDoor(name: "Front", mode: .cardOrPin)
        try site.store.addDoor(name: "Back", mode: .pin)
        try site.store.addDoor(name: "Pool", mode: .pin)
        try site.store.addPerson(name: "Alice", kind: .resident)
        return site
    }

    @Test func codesAreStoredOnlyAsKeyedDigests() throws {
        let site = try site()
        let issued = try site.store.createPasscode(PasscodeRequest(label: "Cleaner", doors: ["Front"]))
        #expect(issued.code.count == 6)
        let stored = try site.store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM credential WHERE id = ?", arguments: [issued.credential.id])!
        }
        for column in stored.columnNames {
            let text = String(describing: stored[column] as DatabaseValue)
            #expect(!text.contains(issued.code), "column \(column) holds the code")
        }
        #expect(issued.credential.shown == "••••••")
        let logged = try site.store.activity().map { "\($0)" }.joined()
        #expect(!logged.contains(issued.code))
        #expect(site.access.decide(.pin(issued.code), door: "Front", reader: "keypad", at: monday).granted)
        #expect(try site.store.activity().allSatisfy { !($0.detail ?? "").contains(issued.code) })
    }

    @Test func trivialShortAndCollidingCodesAreRefused() throws {
        let site = try site()
        for code in ["1234", "111111", "123456", "987654", "121212", "123123", "12", "12a456"] {
            #expect(throws: AccessError.self, "\(code)") {
                var request = PasscodeRequest(label: "x", doors: ["Front"])
                request.code = code
                try site.store.createPasscode(request)
            }
        }
        var request = PasscodeRequest(label: "Mine", doors: ["Front"])
        request.code = "482916"
        try site.store.createPasscode(request)
        #expect(throws: AccessError.invalid(CodePolicy.Rejection.collision.description)) {
            try site.store.addPIN(person: "Alice", code: "482916")
        }
        // Generated codes are never trivial.
        let policy = CodePolicy()
        for _ in 0..<2000 { #expect((try? policy.validate(policy.generate())) != nil) }
    }

    @Test func temporaryPasscodesKeepToTheirDoorsWindowScheduleAndUses() throws {
        let site = try site()
        try site.store.addSchedule(name: "Tuesdays", intervals: [ScheduleInterval(days: Weekdays(parsing: "tue")!,
                                                                               start: TimeOfDay(parsing: "09:00")!, end: TimeOfDay(parsing: "12:00")!)])
        var request = PasscodeRequest(label: "Cleaner – Tuesdays", doors: ["Front", "Back"])
        request.schedule = "Tuesdays"
        request.validUntil = Site.time("2026-04-01 00:00")
        request.uses = .count(2)
        let cleaner = try site.store.createPasscode(request)
        let tuesday = Site.time("2026-03-03 10:00")
        #expect(site.access.check(.pin(cleaner.code), door: "Front", at: monday).reason == .outsideSchedule)
        #expect(site.access.check(.pin(cleaner.code), door: "Pool", at: tuesday).reason == .doorNotAllowed)
        #expect(site.access.decide(.pin(cleaner.code), door: "Front", reader: "keypad", at: tuesday).granted)
        // A dry run takes no use.
        #expect(site.access.check(.pin(cleaner.code), door: "Back", at: tuesday).granted)
        #expect(site.access.decide(.pin(cleaner.code), door: "Back", reader: "keypad", at: tuesday).granted)
        #expect(site.access.decide(.pin(cleaner.code), door: "Back", reader: "keypad", at: tuesday).reason == .useLimitReached)
        #expect(site.access.check(.pin(cleaner.code), door: "Back", at: tuesday).reason == .useLimitReached)
        #expect(try site.store.credential(cleaner.credential.id).usesLeft == 0)
        #expect(site.access.check(.pin(cleaner.code), door: "Front", at: Site.time("2026-04-07 10:00")).reason == .expired)
    }

    /// A single-use passcode typed at Front and Back at once, decided by `first` and `second`: exactly one opens.
    func raceForTheLastUse(_ site: Site, first: AccessControl, second: AccessControl, rounds: Int) async throws {
        for round in 0..<rounds {
            var request = PasscodeRequest(label: "Delivery \(round)", doors: ["Front", "Back"])
            request.uses = .count(1)
            let code = try site.store.createPasscode(request).code
            async let front = Task.detached { first.decide(.pin(code), door: "Front", reader: "keypad", at: monday) }.value
            async let back = Task.detached { second.decide(.pin(code), door: "Back", reader: "keypad", at: monday) }.value
            let decisions = await [front, back]
            #expect(decisions.filter(\.granted).count == 1)
            #expect(decisions.filter { $0.reason == .useLimitReached }.count == 1)
        }
    }

    @Test func twoDoorsNeverBothTakeTheLastUse() async throws {
        let site = try site()
        try await raceForTheLastUse(site, first: site.access, second: site.access, rounds: 20)
    }

    @Test func twoProcessesNeverBothTakeTheLastUse() async throws {
        let site = try site()
        let other = try AccessControl.open(database: site.database, timeZone: Site.zone, clockPolicy: ClockPolicy(tolerance: nil))
        try await raceForTheLastUse(site, first: site.access, second: other, rounds: 10)
    }

    @Test func perPersonPasscodesIdentifyThePerson() throws {
        let site = try site()
        let staff = try site.store.createPasscode(PasscodeRequest(person: "Alice", doors: ["Back"]))
        let decision = site.access.decide(.pin(staff.code), door: "Back", reader: "keypad", at: monday)
        #expect(decision.granted)
        #expect(decision.personName == "Alice")
        let row = try #require(site.store.activity().last { $0.kind == .decision })
        #expect(row.personID == decision.personID)
        #expect(row.detail == "pin ••••••")
    }

    @Test func rotationOverlapsThenRefusesTheOldCode() throws {
        let site = try site()
        let old = try site.store.createPasscode(PasscodeRequest(person: "Alice", doors: ["Back"]))
        let rotated = try site.store.rotateCode(old.credential.id, effective: monday, overlap: 3600)
        #expect(rotated.code != old.code)
        #expect(site.access.check(.pin(old.code), door: "Back", at: monday + 3599).granted)
        #expect(site.access.check(.pin(rotated.code), door: "Back", at: monday + 3599).granted)
        #expect(site.access.check(.pin(old.code), door: "Back", at: monday + 3600).reason == .expired)
        #expect(site.access.check(.pin(rotated.code), door: "Back", at: monday + 3600).granted)
        #expect(site.access.check(.pin(rotated.code), door: "Back", at: monday - 1).reason == .notYetValid)
    }

    @Test func digitalKeysShareAndRevokeInACascade() throws {
        let site = try site()
        let key = try site.store.issueKey(person: "Alice", doors: ["Front"], validUntil: Site.time("2026-06-01 00:00"), mayShare: true, at: monday)
        #expect(key.token.hasPrefix("kw1.\(key.credential.id)."))
        let share = try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        let reshare = try site.store.shareKey(key.credential.id, to: "+33612345678", validUntil: Site.time("2026-03-05 00:00"), at: monday)
        #expect(share.credential.parent == key.credential.id)
        #expect(share.credential.validUntil == key.credential.validUntil)
        #expect(reshare.credential.validUntil == Site.time("2026-03-05 00:00"))
        #expect(throws: AccessError.self) { try site.store.shareKey(share.credential.id, to: "x@example.com", at: monday) }
        #expect(throws: AccessError.self) { try site.store.shareKey(key.credential.id, to: "not a recipient", at: monday) }

        for token in [key.token, share.token, reshare.token] {
            #expect(site.access.decide(.digitalKey(token: token), door: "Front", reader: "app", at: monday).granted)
        }
        #expect(site.access.check(.digitalKey(token: share.token), door: "Back", at: monday).reason == .doorNotAllowed)
        #expect(site.access.check(.digitalKey(token: reshare.token), door: "Front", at: Site.time("2026-03-06 00:00")).reason == .expired)

        let revoked = try site.store.revoke(key.credential.id, reason: "moved out")
        #expect(Set(revoked) == [key.credential.id, share.credential.id, reshare.credential.id])
        for token in [key.token, share.token, reshare.token] {
            #expect(site.access.decide(.digitalKey(token: token), door: "Front", reader: "app", at: monday).reason == .revoked)
        }
    }

    @Test func forgedAndMalformedTokensAreDenied() throws {
        let site = try site()
        let key = try site.store.issueKey(person: "Alice", doors: ["Front"], validUntil: Site.time("2026-06-01 00:00"), at: monday)
        var parts = key.token.split(separator: ".").map(String.init)
        parts[2] = String(Int(parts[2])! + 86_400 * 365)
        #expect(site.access.check(.digitalKey(token: parts.joined(separator: ".")), door: "Front", at: monday).reason == .invalidSignature)
        #expect(site.access.check(.digitalKey(token: "kw1.key_x"), door: "Front", at: monday).reason == .formatError)
        // A token signed by another site's key.
        let stranger = try Site()
        try stranger.store.addDoor(name: "Front")
        try stranger.store.addPerson(name: "Mallory")
        let foreign = try stranger.store.issueKey(person: "Mallory", doors: ["Front"])
        #expect(site.access.check(.digitalKey(token: foreign.token), door: "Front", at: monday).reason == .invalidSignature)
    }

    @Test func secretsAreCreatedPrivateAndRefusedWhenReadable() throws {
        let site = try site()
        for file in ["keyway.secret", "keyway.signing-key"] {
            let path = site.directory.appendingPathComponent(file).path
            let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(permissions == 0o600)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: site.directory.appendingPathComponent("keyway.secret").path)
        #expect(throws: SecretFileError.self) { try AccessStore.open(database: site.database, timeZone: Site.zone) }
    }

    @Test func aDatabaseRefusesSecretsItWasNotCreatedWith() throws {
        let site = try site()
        let code = try site.store.createPasscode(PasscodeRequest(label: "Cleaner", doors: ["Front"])).code
        let other = site.directory.appendingPathComponent("other.secret")
        #expect(throws: SecretFileError.self) {
            try AccessStore.open(database: site.database, secrets: other, timeZone: Site.zone)
        }
        // The default secrets gone: refused, and no fresh secrets are made in their place.
        let secret = site.directory.appendingPathComponent("keyway.secret")
        try FileManager.default.moveItem(at: secret, to: site.directory.appendingPathComponent("saved.secret"))
        #expect(throws: SecretFileError.self) { try AccessStore.open(database: site.database, timeZone: Site.zone) }
        #expect(!FileManager.default.fileExists(atPath: secret.path))
        // Restored, the code opens again.
        try FileManager.default.moveItem(at: site.directory.appendingPathComponent("saved.secret"), to: secret)
        let reopened = try AccessControl.open(database: site.database, timeZone: Site.zone, clockPolicy: ClockPolicy(tolerance: nil))
        #expect(reopened.check(.pin(code), door: "Front", at: monday).granted)
    }
}
