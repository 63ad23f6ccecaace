import Foundation
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")

/// Shares and rotations derive from a parent: they must never outlive its revocation, and a share's authority
/// is its chain of parents, checked at every decision.
@Suite struct DerivedCredentialTests {
    /// Revoke and share race on one parent: whichever wins, no share of a revoked parent is left active.
    @Test func aShareRacingARevocationNeverOutlivesIt() throws {
        let site = try Site.aliceAtFront(mode: .card)
        for trial in 0..<40 {
            let parent = try site.store.issueKey(person: "Alice", doors: ["Front"], mayShare: true)
            let shared = Locked<IssuedKey?>(nil)
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                if index == 0 {
                    // Staggered a little differently each trial, so the revocation lands in every part of the share.
                    usleep(UInt32(trial % 10) * 40)
                    _ = try? site.store.revoke(parent.credential.id, reason: "moved out")
                } else {
                    shared.withLock { $0 = try? site.store.shareKey(parent.credential.id, to: "guest\(trial)@example.com") }
                }
            }
            guard let share = shared.withLock({ $0 }) else { continue }
            #expect(try site.store.credential(share.credential.id).revokedAt != nil, "trial \(trial): the share stayed active")
            #expect(!site.access.decide(.digitalKey(token: share.token), door: "Front", reader: "in", at: Date()).granted)
        }
    }

    @Test func aRotationRacingARevocationNeverOutlivesIt() throws {
        let site = try Site.aliceAtFront(mode: .pin)
        for trial in 0..<40 {
            let old = try site.store.addPIN(person: "Alice")
            let rotated = Locked<IssuedCode?>(nil)
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                if index == 0 {
                    usleep(UInt32(trial % 10) * 40)
                    _ = try? site.store.revoke(old.credential.id, reason: "leaked")
                } else {
                    rotated.withLock { $0 = try? site.store.rotateCode(old.credential.id, effective: Date(), overlap: 60) }
                }
            }
            guard let new = rotated.withLock({ $0 }) else { continue }
            // Rotated first, then revoked: the new code is a replacement and stands. Never a rotation of a revoked code.
            let created = try site.store.activity().first { $0.kind == .credentialCreated && $0.credentialID == new.credential.id }
            let revokedRow = try site.store.activity().first { $0.kind == .credentialRevoked && $0.event == "revoked" && $0.credentialID == old.credential.id }
            #expect(try #require(created).sequence < (try #require(revokedRow)).sequence,
                    "trial \(trial): a revoked code was rotated")
            try site.store.revoke(new.credential.id)
        }
    }

    /// Suspending (or sending on vacation) the holder of the key a share came from stops the share, on the cached
    /// path (`decide`) and the dry run alike; reinstating them restores it.
    @Test func aShareFollowsItsParentsHolder() throws {
        let site = try Site.aliceAtFront(mode: .card)
        let key = try site.store.issueKey(person: "Alice", doors: ["Front"], mayShare: true, at: monday)
        let share = try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        let presented = Presentation.digitalKey(token: share.token)
        #expect(site.access.decide(presented, door: "Front", reader: "in", at: monday).granted)

        try site.store.setSuspended("Alice", true)
        #expect(site.access.decide(presented, door: "Front", reader: "in", at: monday + 1).reason == .suspended)
        #expect(site.access.check(presented, door: "Front", at: monday + 1).reason == .suspended)
        try site.store.setSuspended("Alice", false)
        #expect(site.access.decide(presented, door: "Front", reader: "in", at: monday + 2).granted)

        try site.store.setVacation("Alice", from: "2026-03-01", until: "2026-03-08")
        #expect(site.access.decide(presented, door: "Front", reader: "in", at: monday + 3).reason == .suspended)
        #expect(site.access.decide(presented, door: "Front", reader: "in", at: Site.time("2026-03-09 10:00")).granted)
    }

    /// A share whose parent was revoked behind the cascade's back (a row edited by hand, or a share made by an
    /// older version) is still refused: the chain is checked, not only the share's own row.
    @Test func aShareOfARevokedParentIsRefusedEvenIfItsOwnRowIsLive() throws {
        let site = try Site.aliceAtFront(mode: .card)
        let key = try site.store.issueKey(person: "Alice", doors: ["Front"], mayShare: true, at: monday)
        let share = try site.store.shareKey(key.credential.id, to: "guest@example.com", at: monday)
        try site.store.change { db in
            try db.execute(sql: "UPDATE credential SET revoked_at = ? WHERE id = ?", arguments: [monday.timeIntervalSince1970, key.credential.id])
        }
        #expect(site.access.decide(.digitalKey(token: share.token), door: "Front", reader: "in", at: monday + 1).reason == .revoked)
        #expect(site.access.check(.digitalKey(token: share.token), door: "Front", at: monday + 1).reason == .revoked)
    }
}
