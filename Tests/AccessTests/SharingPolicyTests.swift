import Foundation
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")
private let day: TimeInterval = 86_400

/// The sharing policy is enforced in the store, where shares and resident passcodes are made: every caller (the
/// CLI, the API) meets the same refusals, each naming its rule.
@Suite struct SharingPolicyTests {
    /// Alice and Bob live in 4B; both open Front and Gym (group All); Pool is in no group of theirs.
    /// Alice holds a shareable key to Front and Gym.
    private func building() throws -> (site: Site, key: IssuedKey) {
        let site = try Site.aliceAtFront(mode: .cardOrPin)
        try site.store.addDoor(name: "Gym", mode: .cardOrPin)
        try site.store.addDoor(name: "Pool", mode: .cardOrPin)
        try site.store.addGroup(name: "Amenities", doors: [("Gym", nil), ("Pool", nil)])
        try site.store.addGroup(name: "Residents", doors: [("Front", nil), ("Gym", nil)])
        try site.store.addPerson(name: "Bob")
        try site.store.grant(person: "Alice", group: "Residents")
        try site.store.grant(person: "Bob", group: "Residents")
        try site.store.addUnit(name: "4B")
        try site.store.moveIn(person: "Alice", unit: "4B")
        try site.store.moveIn(person: "Bob", unit: "4B")
        let key = try site.store.issueKey(person: "Alice", doors: ["Front", "Gym"], mayShare: true, at: monday)
        return (site, key)
    }

    private func passcode(_ doors: [String], by issuer: String = "Alice", uses: UseLimit = .unlimited, until: Date? = nil) -> PasscodeRequest {
        var request = PasscodeRequest(label: "guest of \(issuer)", doors: doors)
        request.issuedBy = issuer
        request.uses = uses
        request.validUntil = until
        return request
    }

    private func refusal(_ body: () throws -> Void) -> SharingRefusal? {
        do { try body() } catch let refusal as SharingRefusal { return refusal } catch { Issue.record("not a refusal: \(error)") }
        return nil
    }

    /// With nothing set, today's behaviour holds: open-ended shares and unlimited resident passcodes.
    @Test func theDefaultsKeepTodaysBehaviour() throws {
        let (site, key) = try building()
        try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        try site.store.createPasscode(passcode(["Front"]), at: monday)
        #expect(try site.store.sharingPolicy().site == .defaults)
    }

    @Test func theLongestValidityRefusesLongerAndOpenEndedPasses() throws {
        let (site, key) = try building()
        try site.store.setSharingPolicy(SharingRules(longestValidity: .atMost(Int(7 * day))), for: .site)
        let long = refusal { try site.store.shareKey(key.credential.id, to: "guest@example.com", validUntil: monday + 8 * day, at: monday) }
        #expect(long?.rule == .longestValidity)
        #expect(long?.description == "refused by the sharing policy (longest_validity): a guest pass for Front may last at most 7d")
        #expect(refusal { try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday) }?.rule == .longestValidity)
        #expect(refusal { try site.store.createPasscode(passcode(["Front"], until: monday + 8 * day), at: monday) }?.rule == .longestValidity)
        try site.store.shareKey(key.credential.id, to: "guest@example.com", validUntil: monday + 7 * day, at: monday)
        try site.store.createPasscode(passcode(["Front"], until: monday + 2 * day), at: monday)
        // Management's passcodes (no issuer) are not guest passes: the residents' policy does not bind them.
        var managers = PasscodeRequest(label: "Contractor", doors: ["Pool"])
        managers.validUntil = monday + 30 * day
        try site.store.createPasscode(managers, at: monday)
    }

    /// A door's rule beats its groups', the tightest group's beats the site's.
    @Test func aDoorOverridesItsGroupsAndTheTightestGroupOverridesTheSite() throws {
        let (site, key) = try building()
        try site.store.setSharingPolicy(SharingRules(mostUses: .atMost(10)), for: .site)
        try site.store.setSharingPolicy(SharingRules(mayShare: false, mostUses: .atMost(5)), for: .group("Amenities"))
        try site.store.setSharingPolicy(SharingRules(mostUses: .atMost(3)), for: .group("Residents"))
        #expect(try site.store.effectiveSharingRules(door: "Gym").mostUses == .atMost(3))
        #expect(try site.store.effectiveSharingRules(door: "Front").mostUses == .atMost(3))
        #expect(try site.store.effectiveSharingRules(door: "Pool").mostUses == .atMost(5))
        let gym = refusal { try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday) }
        #expect(gym?.rule == .mayShare && gym?.door == "Gym")
        try site.store.shareKey(key.credential.id, to: "guest@example.com", doors: ["Front"], at: monday)
        try site.store.setSharingPolicy(SharingRules(mayShare: true, mostUses: .unlimited), for: .door("Gym"))
        try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        try site.store.createPasscode(passcode(["Gym"]), at: monday)
        // Unset again: the groups' rules come back.
        try site.store.setSharingPolicy(SharingRules(), for: .door("Gym"), clearing: [.mayShare, .mostUses])
        #expect(try site.store.effectiveSharingRules(door: "Gym").mayShare == false)
    }

    @Test func mostUsesBoundsResidentPasscodes() throws {
        let (site, _) = try building()
        try site.store.setSharingPolicy(SharingRules(mostUses: .atMost(5)), for: .site)
        #expect(refusal { try site.store.createPasscode(passcode(["Front"]), at: monday) }?.rule == .mostUses)
        #expect(refusal { try site.store.createPasscode(passcode(["Front"], uses: .count(6)), at: monday) }?.rule == .mostUses)
        try site.store.createPasscode(passcode(["Front"], uses: .count(5)), at: monday)
        try site.store.setSharingPolicy(SharingRules(mayMakePasscodes: false), for: .door("Front"))
        #expect(refusal { try site.store.createPasscode(passcode(["Front"], uses: .count(1)), at: monday) }?.rule == .mayMakePasscodes)
    }

    /// A share may be made shareable, or shared on, only where re-sharing is allowed; a share never covers a door
    /// its parent does not.
    @Test func resharingAndDoorsBeyondTheParent() throws {
        let (site, key) = try building()
        #expect(refusal { try site.store.shareKey(key.credential.id, to: "guest@example.com", mayShare: true, at: monday) }?.rule == .mayReshare)
        try site.store.setSharingPolicy(SharingRules(mayReshare: true), for: .site)
        let share = try site.store.shareKey(key.credential.id, to: "guest@example.com", mayShare: true, at: monday)
        try site.store.shareKey(share.credential.id, to: "friend@example.com", doors: ["Gym"], at: monday)
        try site.store.setSharingPolicy(SharingRules(mayReshare: false), for: .door("Gym"))
        #expect(refusal { try site.store.shareKey(share.credential.id, to: "friend@example.com", doors: ["Gym"], at: monday) }?.rule == .mayReshare)
        let beyond = refusal { try site.store.shareKey(key.credential.id, to: "guest@example.com", doors: ["Pool"], at: monday) }
        #expect(beyond?.rule == .withinParent && beyond?.door == "Pool")
        // A share of a share is its root holder's: it counts as Alice's, and 4B's.
        #expect(try site.store.guestPasses(ofUnit: "4B").count == 2)
    }

    /// Active guest passes are counted per unit, across its residents; a revoked or expired one frees a place.
    @Test func guestPassesPerUnitCountsTheWholeUnit() throws {
        let (site, key) = try building()
        try site.store.setSharingPolicy(SharingRules(guestPassesPerUnit: .atMost(2)), for: .site)
        let first = try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        try site.store.createPasscode(passcode(["Front"], by: "Bob", until: monday + day), at: monday)
        let third = refusal { try site.store.createPasscode(passcode(["Front"], by: "Bob"), at: monday) }
        #expect(third?.rule == .guestPassesPerUnit)
        #expect(third?.description == "refused by the sharing policy (guest_passes_per_unit): a unit may have at most 2 active guest passes for Front")
        try site.store.revoke(first.credential.id)
        try site.store.createPasscode(passcode(["Front"], by: "Bob"), at: monday)
        #expect(refusal { try site.store.createPasscode(passcode(["Front"], by: "Alice"), at: monday) }?.rule == .guestPassesPerUnit)
        // The day pass has expired by Wednesday.
        try site.store.createPasscode(passcode(["Front"], by: "Alice"), at: monday + 2 * day)
    }

    /// Nobody grants more than they have: a resident's passcode only for doors they open, and not while suspended.
    @Test func aResidentsPasscodeStaysWithinTheirOwnAccess() throws {
        let (site, _) = try building()
        let pool = refusal { try site.store.createPasscode(passcode(["Front", "Pool"]), at: monday) }
        #expect(pool?.rule == .issuerAccess && pool?.door == "Pool")
        try site.store.setSuspended("Alice", true)
        #expect(refusal { try site.store.createPasscode(passcode(["Front"]), at: monday) }?.rule == .issuerAccess)
    }

    /// A refused pass leaves nothing behind: no credential, no issuer record, no log row.
    @Test func aRefusalLeavesNothingBehind() throws {
        let (site, key) = try building()
        try site.store.setSharingPolicy(SharingRules(mayShare: false), for: .site)
        let before = try site.store.activity().count
        #expect(refusal { try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday) } != nil)
        #expect(refusal { try site.store.createPasscode(passcode(["Pool"]), at: monday) } != nil)
        #expect(try site.store.activity().count == before)
        #expect(try site.store.credentials().count == 1)
        #expect(try site.store.guestPasses(ofUnit: "4B").isEmpty)
    }

    @Test func policyValuesAreBounded() throws {
        let (site, _) = try building()
        #expect(throws: AccessError.invalid("the longest validity must be from 1s to 3650d (ten years; give a date with --until for longer)")) {
            try site.store.setSharingPolicy(SharingRules(longestValidity: .atMost(0)), for: .site)
        }
        #expect(throws: AccessError.invalid("most uses must be from 1 to 1000000")) {
            try site.store.setSharingPolicy(SharingRules(mostUses: .atMost(0)), for: .site)
        }
        #expect(throws: AccessError.invalid("guest passes per unit must be from 0 to 10000")) {
            try site.store.setSharingPolicy(SharingRules(guestPassesPerUnit: .atMost(Int.max)), for: .site)
        }
        #expect(throws: AccessError.self) { try site.store.setSharingPolicy(SharingRules(onMoveOut: .keep), for: .door("Front")) }
        #expect(throws: AccessError.notFound(what: "door", "Attic")) { try site.store.setSharingPolicy(SharingRules(mayShare: false), for: .door("Attic")) }
        #expect(try site.store.activity().allSatisfy { $0.event != "sharing_policy" })
    }

    /// What a move-out does to the residents' own credentials is the site's choice: revoke (default), suspend, keep.
    @Test func moveOutTreatsOwnCredentialsAsTheSiteSays() throws {
        let (site, key) = try building()
        let card = try site.store.addCard(person: "Alice", card: Site.card(1))
        let share = try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        try site.store.setSharingPolicy(SharingRules(onMoveOut: .keep), for: .site)
        let kept = try site.store.moveOut(unit: "4B", person: "Alice", at: monday + 10)
        #expect(kept.revoked == [share.credential.id])
        #expect(try site.store.credential(card.id).revokedAt == nil)

        try site.store.setSharingPolicy(SharingRules(onMoveOut: .suspend), for: .site)
        try site.store.moveOut(unit: "4B", person: "Bob", at: monday + 20)
        #expect(try site.store.people().first { $0.name == "Bob" }?.suspended == true)
        #expect(try site.store.people().first { $0.name == "Alice" }?.suspended == false)
    }
}
