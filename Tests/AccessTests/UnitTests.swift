import Foundation
import GRDB
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")

/// Units: residents, the guest passes they issue, and a move-out that takes them all back in one transaction.
@Suite struct UnitTests {
    /// Alice (4B) and Bob (5A) at Front; Alice has a shareable key.
    private func twoUnits() throws -> (site: Site, key: IssuedKey) {
        let site = try Site.aliceAtFront(mode: .cardOrPin)
        try site.store.addPerson(name: "Bob")
        try site.store.grant(person: "Bob", group: "All")
        try site.store.addUnit(name: "4B")
        try site.store.addUnit(name: "5A")
        try site.store.moveIn(person: "Alice", unit: "4B")
        try site.store.moveIn(person: "Bob", unit: "5A")
        let key = try site.store.issueKey(person: "Alice", doors: ["Front"], mayShare: true, at: monday)
        return (site, key)
    }

    @Test func residentsBelongToOneUnit() throws {
        let (site, _) = try twoUnits()
        #expect(try site.store.units().map(\.residents) == [["Alice"], ["Bob"]])
        #expect(try site.store.unit(ofPerson: "Alice") == "4B")
        #expect(throws: AccessError.conflict("Alice already lives in 4B; move them out first")) {
            try site.store.moveIn(person: "Alice", unit: "5A")
        }
        #expect(throws: AccessError.conflict("a unit named '4B' already exists")) { try site.store.addUnit(name: "4B") }
        #expect(throws: AccessError.notFound(what: "unit", "9Z")) { try site.store.moveIn(person: "Bob", unit: "9Z") }
        #expect(throws: AccessError.self) { try site.store.addUnit(name: String(repeating: "x", count: 201)) }
    }

    /// A unit's guest passes: shares (and shares of shares) and residents' passcodes, with issuer, uses left and
    /// last use; another unit's are not among them.
    @Test func aUnitsGuestPassesNameTheirIssuerUsesAndLastUse() throws {
        let (site, key) = try twoUnits()
        let share = try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        var request = PasscodeRequest(label: "Dog walker", doors: ["Front"])
        request.uses = .count(3)
        request.validUntil = monday + 86_400
        request.issuedBy = "Alice"
        let passcode = try site.store.createPasscode(request, at: monday)
        var bobs = PasscodeRequest(label: "Cleaner", doors: ["Front"])
        bobs.issuedBy = "Bob"
        try site.store.createPasscode(bobs, at: monday)
        #expect(site.access.decide(.pin(passcode.code), door: "Front", reader: "in", at: monday + 60).granted)

        let passes = try site.store.guestPasses(ofUnit: "4B", activeAt: monday + 120)
        #expect(Set(passes.map(\.credential.id)) == [share.credential.id, passcode.credential.id])
        #expect(passes.allSatisfy { $0.issuer == "Alice" })
        let used = try #require(passes.first { $0.credential.id == passcode.credential.id })
        #expect(used.credential.usesLeft == 2)
        #expect(used.lastUsed == monday + 60)
        #expect(passes.first { $0.credential.id == share.credential.id }?.lastUsed == nil)
        #expect(try site.store.guestPasses(ofUnit: "5A").map(\.credential.label) == ["Cleaner"])
    }

    /// Move-out revokes, in one transaction, what the unit's residents issued (shares with their own shares below,
    /// passcodes) and their own credentials; another unit's are untouched; every revocation and the move are logged.
    @Test func moveOutRevokesEverythingTheResidentsIssuedAndHeld() throws {
        let (site, key) = try twoUnits()
        let share = try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        let card = try site.store.addCard(person: "Alice", card: Site.card(1))
        var request = PasscodeRequest(label: "Dog walker", doors: ["Front"])
        request.issuedBy = "Alice"
        let passcode = try site.store.createPasscode(request, at: monday)
        var bobs = PasscodeRequest(label: "Cleaner", doors: ["Front"])
        bobs.issuedBy = "Bob"
        let bobsPasscode = try site.store.createPasscode(bobs, at: monday)

        let result = try site.store.moveOut(unit: "4B", at: monday + 10)
        #expect(result.residents == ["Alice"])
        #expect(Set(result.revoked) == [share.credential.id, passcode.credential.id, key.credential.id, card.id])
        for id in result.revoked { #expect(try site.store.credential(id).revokedReason == "move-out of 4B") }
        #expect(try site.store.credential(bobsPasscode.credential.id).revokedAt == nil)
        #expect(!site.access.decide(.pin(passcode.code), door: "Front", reader: "in", at: monday + 11).granted)
        #expect(!site.access.decide(.digitalKey(token: share.token), door: "Front", reader: "in", at: monday + 11).granted)
        #expect(try site.store.units().first { $0.name == "4B" }?.residents == [])
        let log = try site.store.activity().filter { $0.at == monday + 10 }
        #expect(Set(log.filter { $0.kind == .credentialRevoked }.compactMap(\.credentialID)) == Set(result.revoked))
        #expect(log.contains { $0.kind == .personChanged && $0.event == "moved_out" && $0.detail == "4B" })
        // One transaction: every row of the move-out is contiguous in the log.
        let sequences = log.map(\.sequence)
        #expect(sequences == Array(sequences[0]...sequences[sequences.count - 1]))
    }

    /// Nothing is half-applied: a failure inside the move-out rolls every revocation back.
    @Test func aMoveOutThatFailsChangesNothing() throws {
        let (site, key) = try twoUnits()
        try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        // A trigger that refuses the resident's removal, standing in for any failure late in the transaction.
        try site.store.change { db in
            try db.execute(sql: "CREATE TRIGGER refuse_move BEFORE DELETE ON unit_resident BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        #expect(throws: (any Error).self) { try site.store.moveOut(unit: "4B", at: monday + 10) }
        #expect(try site.store.credential(key.credential.id).revokedAt == nil)
        #expect(try site.store.guestPasses(ofUnit: "4B", activeAt: monday + 11).count == 1)
        #expect(try site.store.activity().allSatisfy { $0.kind != .credentialRevoked })
    }

    /// One resident moving out leaves the others' passes alone.
    @Test func oneResidentMovingOutKeepsTheOthersPasses() throws {
        let (site, key) = try twoUnits()
        try site.store.addPerson(name: "Carol")
        try site.store.grant(person: "Carol", group: "All")
        try site.store.moveIn(person: "Carol", unit: "4B")
        var request = PasscodeRequest(label: "Carol's guest", doors: ["Front"])
        request.issuedBy = "Carol"
        let carols = try site.store.createPasscode(request, at: monday)
        let share = try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        let result = try site.store.moveOut(unit: "4B", person: "Alice", at: monday + 10)
        #expect(result.residents == ["Alice"])
        #expect(result.revoked.contains(share.credential.id))
        #expect(try site.store.credential(carols.credential.id).revokedAt == nil)
        #expect(try site.store.unit("4B").residents == ["Carol"])
        #expect(throws: AccessError.invalid("Bob does not live in 4B")) { try site.store.moveOut(unit: "4B", person: "Bob") }
    }

    /// A rotated resident passcode stays that unit's guest pass, so a move-out still takes it.
    @Test func aRotatedPasscodeStaysTheUnitsPass() throws {
        let (site, _) = try twoUnits()
        var request = PasscodeRequest(label: "Dog walker", doors: ["Front"])
        request.issuedBy = "Alice"
        let passcode = try site.store.createPasscode(request, at: monday)
        let rotated = try site.store.rotateCode(passcode.credential.id, effective: monday, overlap: 60, at: monday)
        #expect(try site.store.moveOut(unit: "4B", at: monday + 10).revoked.contains(rotated.credential.id))
    }
}
