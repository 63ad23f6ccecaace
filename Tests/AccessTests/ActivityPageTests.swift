import Foundation
import GRDB
import Testing
@testable import Access

/// The HTTP API's activity pages: every filter walks an index (a page at 1 M rows costs its length, not the log's),
/// and a resident's page, built as a union of such walks, holds exactly the rows the scope allows, newest first.
@Suite struct ActivityPageTests {
    /// A site where Alice (a resident, account usr_alice) and Bob each hold a key and both are used at Front.
    private func site() throws -> (Site, SQLiteSiteStorage, Person) {
        let site = try Site.aliceAtFront(mode: .card)
        let alice = try site.store.people().first { $0.name == "Alice" }!
        try site.store.addPerson(name: "Bob")
        try site.store.grant(person: "Bob", group: "All")
        return (site, try SQLiteSiteStorage(access: site.access), alice)
    }

    @Test func everyFilteredPageWalksAnIndexNotTheLog() throws {
        let (site, storage, alice) = try site()
        _ = storage
        var queries: [(String, ActivityQuery)] = []
        func query(_ name: String, _ change: (inout ActivityQuery) -> Void) {
            var query = ActivityQuery(limit: 50)
            change(&query)
            queries.append((name, query))
        }
        query("resident") { $0.scope = ActivityScope(personID: alice.id, userID: "usr_alice") }
        query("resident, denied, next page") {
            $0.scope = ActivityScope(personID: alice.id, userID: "usr_alice")
            $0.outcome = "deny"
            $0.before = 1000
        }
        query("resident, at a door") {
            $0.scope = ActivityScope(personID: alice.id, userID: "usr_alice")
            $0.door = "Front"
        }
        query("a month, next page") {
            $0.from = Date(timeIntervalSince1970: 1_700_000_000)
            $0.until = Date(timeIntervalSince1970: 1_702_592_000)
            $0.before = 500
        }
        query("reason") { $0.reason = "revoked" }
        query("result") { $0.outcome = "deny" }
        query("door") { $0.door = "Front" }
        query("person") { $0.person = "Alice" }
        query("credential") { $0.credential = "key_1" }
        for (name, query) in queries {
            let plan = try site.store.pool.read { db in
                let (sql, arguments) = try SQLiteSiteStorage.activityStatement(query, store: site.store, db)
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
            }
            #expect(!plan.contains { $0.hasPrefix("SCAN activity") }, "\(name): \(plan)")
            // No sort of the rows found: a time range's page stops at the page (a resident's walks sort a page each).
            if query.scope == nil { #expect(!plan.contains { $0.contains("TEMP B-TREE FOR ORDER BY") }, "\(name): \(plan)") }
            // A resident's walks stay on their own rows, whatever else filters the page.
            if query.scope != nil {
                #expect(!plan.contains { $0.contains("activity_door_seq") || $0.contains("activity_outcome_seq") }, "\(name): \(plan)")
            }
        }
    }

    @Test func aResidentsPagesHoldExactlyTheirRowsNewestFirst() async throws {
        let (site, storage, alice) = try site()
        let now = Date()
        let aliceKey = try site.store.issueKey(person: "Alice", doors: ["Front"], actor: "usr_staff", at: now)
        let bobKey = try site.store.issueKey(person: "Bob", doors: ["Front"], actor: "usr_alice via tok_1", at: now)
        let strangerKey = try site.store.issueKey(person: "Bob", doors: ["Front"], actor: "usr_staff", at: now)
        for _ in 0..<5 {
            for token in [aliceKey.token, bobKey.token, strangerKey.token] {
                _ = site.access.decide(.digitalKey(token: token), door: "Front", reader: "r", at: now)
            }
        }
        // Alice revokes the key she shared: its next use is a deny in her scope.
        _ = try site.store.revoke(bobKey.credential.id, actor: "usr_alice", at: now)
        _ = site.access.decide(.digitalKey(token: bobKey.token), door: "Front", reader: "r", at: now)
        for _ in 0..<2 { _ = site.access.decide(.digitalKey(token: strangerKey.token), door: "Front", reader: "r", at: now) }
        let scope = ActivityScope(personID: alice.id, userID: "usr_alice")
        let all = try await storage.activity(ActivityQuery(limit: 200))
        let expected = all.filter {
            $0.personID == alice.id || $0.actor == "usr_alice" || $0.actor?.hasPrefix("usr_alice via ") == true
                || [aliceKey.credential.id, bobKey.credential.id].contains($0.credentialID)
        }.map(\.sequence)
        #expect(expected.count > 10)
        var query = ActivityQuery(limit: 3)
        query.scope = scope
        var seen: [Int64] = []
        while true {
            let page = try await storage.activity(query)
            seen += page.map(\.sequence)
            guard page.count == query.limit, let last = page.last else { break }
            query.before = last.sequence
        }
        #expect(seen == expected)
        var denied = ActivityQuery(limit: 200)
        denied.scope = scope
        denied.outcome = "deny"
        let deniedRows = try await storage.activity(denied).map(\.sequence)
        #expect(deniedRows == all.filter { expected.contains($0.sequence) && $0.outcome == "deny" }.map(\.sequence))
        #expect(!deniedRows.isEmpty)
    }

    @Test func aTimeRangeIsPagedNewestFirstEvenAcrossAClockSetBack() async throws {
        let (site, storage, _) = try site()
        let key = try site.store.issueKey(person: "Alice", doors: ["Front"], at: Date())
        let base = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 3600).rounded(.down))
        // Minutes 0…9, then the clock set back to minute 3 for three more rows.
        for minute in Array(0..<10) + [3, 4, 5] {
            _ = site.access.decide(.digitalKey(token: key.token), door: "Front", reader: "r", at: base.addingTimeInterval(Double(minute) * 60))
        }
        var query = ActivityQuery(limit: 2)
        query.from = base.addingTimeInterval(2 * 60)
        query.until = base.addingTimeInterval(8 * 60)
        var seen: [ActivityEntry] = []
        while true {
            let page = try await storage.activity(query)
            seen += page
            guard page.count == query.limit, let last = page.last else { break }
            query.before = last.sequence
        }
        let all = try await storage.activity(ActivityQuery(limit: 200)).filter { $0.at >= query.from! && $0.at < query.until! }
        #expect(seen.count == 9)
        #expect(seen.map(\.sequence) == all.sorted { ($0.at, $0.sequence) > ($1.at, $1.sequence) }.map(\.sequence))
    }
}
