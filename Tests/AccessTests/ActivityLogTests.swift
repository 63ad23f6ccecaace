import Foundation
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")

@Suite struct ActivityLogTests {
    func busySite() throws -> Site {
        let site = try Site()
        try site.store.addDoor(name: "Front", mode: .card)
        try site.store.addPerson(name: "Alice")
        let card = try site.store.addCard(person: "Alice", card: Site.card(5))
        for second in 0..<5 {
            _ = site.access.decide(.card(Site.card(5)), door: "Front", reader: "in", at: monday + Double(second))
        }
        try site.access.record(DoorEvent(.forcedOpen, door: "Front", at: monday + 10))
        try site.store.revoke(card.id, reason: "lost")
        return site
    }

    @Test func everyDecisionChangeAndEventIsLoggedAndChained() throws {
        let site = try busySite()
        let rows = try site.store.activity()
        #expect(rows.map(\.sequence) == Array(1...Int64(rows.count)))
        #expect(rows.filter { $0.kind == .decision }.count == 5)
        #expect(rows.contains { $0.kind == .door && $0.event == "forced_open" })
        #expect(rows.contains { $0.kind == .credentialRevoked && $0.detail == "lost" })
        #expect(try site.store.activity(door: "Front").allSatisfy { $0.door == "Front" })
        #expect(try site.store.activity(since: monday + 3).count < rows.count)
        let verification = try site.store.verifyLog()
        #expect(verification.isIntact)
        #expect(verification.rowsChecked == rows.count)
    }

    @Test func rowsCannotBeChangedOrDeleted() throws {
        let site = try busySite()
        #expect(throws: (any Error).self) { try site.store.pool.write { try $0.execute(sql: "UPDATE activity SET outcome = 'grant'") } }
        #expect(throws: (any Error).self) { try site.store.pool.write { try $0.execute(sql: "DELETE FROM activity WHERE seq = 3") } }
    }

    @Test func verifyPinpointsTheFirstTamperedRow() throws {
        let site = try busySite()
        try site.store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER activity_no_update")
            try db.execute(sql: "UPDATE activity SET reason = NULL, outcome = 'grant' WHERE seq = 4")
        }
        let verification = try site.store.verifyLog()
        #expect(verification.firstBroken?.sequence == 4)
        #expect(verification.rowsChecked == 3)
    }

    @Test func verifyFindsADeletedRow() throws {
        let site = try busySite()
        try site.store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER activity_no_delete")
            try db.execute(sql: "DELETE FROM activity WHERE seq = 6")
        }
        #expect(try site.store.verifyLog().firstBroken?.sequence == 6)
    }
}
