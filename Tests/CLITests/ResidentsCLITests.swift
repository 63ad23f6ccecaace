import Foundation
import KeywayTestSupport
import Testing

/// Units, the sharing policy and webhooks from the command line, against a temporary database.
@Suite struct ResidentsCLITests {
    let directory: URL
    var db: [String] { ["--db", directory.appendingPathComponent("site.db").path, "--time-zone", "Europe/Paris"] }

    init() throws {
        directory = try TestPaths.temporaryDirectory("residents-cli")
    }

    @discardableResult
    func keyway(_ arguments: [String], status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> KeywayResult {
        let result = try runKeyway(arguments + db)
        #expect(result.status == status, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try keyway(arguments + ["--json"], sourceLocation: sourceLocation).jsonLines
    }

    /// Alice lives in 4B and may open Front; she holds a shareable key.
    func building() throws -> String {
        try keyway(["people", "add", "Alice"])
        try keyway(["doors", "add", "Front"])
        try keyway(["groups", "add", "All", "--door", "Front"])
        try keyway(["people", "grant", "Alice", "--group", "All"])
        try keyway(["units", "add", "4B"])
        try keyway(["units", "move-in", "4B", "--person", "Alice"])
        let key = try #require(try json(["keys", "issue", "--person", "Alice", "--door", "Front", "--may-share"]).first)
        return try #require(key["id"] as? String)
    }

    @Test func unitsMoveInListPassesAndMoveOut() throws {
        let key = try building()
        #expect(try json(["units", "list"]).first?["residents"] as? [String] == ["Alice"])
        try keyway(["keys", "share", key, "--to", "guest@example.com"])
        try keyway(["passcodes", "create", "--label", "Dog walker", "--door", "Front", "--uses", "3", "--issued-by", "Alice"])
        let passes = try json(["units", "passes", "4B", "--active"])
        #expect(passes.count == 2)
        #expect(passes.allSatisfy { $0["issuer"] as? String == "Alice" })
        let moved = try #require(try json(["units", "move-out", "4B"]).first)
        #expect((moved["revoked"] as? [String])?.count == 3)
        #expect(try json(["units", "passes", "4B", "--active"]).isEmpty)
        #expect(try json(["units", "list"]).first?["residents"] as? [String] == [])
        let refused = try keyway(["units", "move-in", "9Z", "--person", "Alice"], status: 2)
        #expect(refused.stderr.contains("no unit '9Z'"))
    }

    @Test func thePolicyIsSetShownAndEnforcedWithTheRuleNamed() throws {
        let key = try building()
        try keyway(["policy", "set", "--longest-validity", "7d", "--guest-passes-per-unit", "5"])
        try keyway(["policy", "set", "--door", "Front", "--most-uses", "3"])
        let shown = try keyway(["policy", "show"]).stdout
        #expect(shown.contains("site: may_share=true may_make_passcodes=true longest_validity=7d most_uses=unlimited"))
        #expect(shown.contains("door Front: most_uses=3"))
        #expect(try json(["policy", "show", "--door", "Front"]).first?["mostUses"] != nil)
        let open = try keyway(["keys", "share", key, "--to", "guest@example.com"], status: 2)
        #expect(open.stderr.contains("refused by the sharing policy (longest_validity): a guest pass for Front must end within 7d"))
        try keyway(["keys", "share", key, "--to", "guest@example.com", "--until", "2099-01-01"], status: 2)
        let many = try keyway(["passcodes", "create", "--label", "Walker", "--door", "Front", "--uses", "4", "--valid-for", "1d",
                               "--issued-by", "Alice"], status: 2)
        #expect(many.stderr.contains("(most_uses)"))
        try keyway(["passcodes", "create", "--label", "Walker", "--door", "Front", "--uses", "3", "--valid-for", "1d", "--issued-by", "Alice"])
        #expect(try keyway(["policy", "set", "--most-uses", "lots"], status: 2).stderr.contains("not a number"))
        #expect(try keyway(["policy", "set", "--longest-validity", "20000d"], status: 2).stderr.contains("too long"))
        #expect(try keyway(["policy", "set", "--door", "Front", "--on-move-out", "keep"], status: 2).stderr.contains("site only"))
        try keyway(["policy", "set"], status: 2)
    }

    @Test func webhooksAddListDeliveriesRemove() throws {
        let key = try building()
        let bad = try keyway(["webhooks", "add", "ftp://example.com/x", "--events", "all"], status: 2)
        #expect(bad.stderr.contains("http:// or https://"))
        #expect(try keyway(["webhooks", "add", "http://127.0.0.1:9/x", "--events", "door.exploded"], status: 2).stderr.contains("not a webhook event"))
        let added = try #require(try json(["webhooks", "add", "http://127.0.0.1:9/hooks", "--events", "key.shared,key.revoked"]).first)
        let id = try #require(added["id"] as? String)
        #expect((added["secret"] as? String)?.count == 64)
        try keyway(["keys", "share", key, "--to", "guest@example.com"])
        let listed = try #require(try json(["webhooks", "list"]).first)
        #expect(listed["pending"] as? Int == 1 && listed["events"] as? [String] == ["key.revoked", "key.shared"])
        #expect(listed["secret"] == nil)
        let shown = try keyway(["webhooks", "list"]).stdout
        #expect(!shown.contains(try #require(added["secret"] as? String)))
        #expect(try json(["webhooks", "deliveries", "--pending"]).first?["type"] as? String == "key.shared")
        try keyway(["webhooks", "deliveries", "--limit", "0"], status: 2)
        try keyway(["webhooks", "deliver", "--poll-interval", "2h"], status: 2)
        try keyway(["webhooks", "remove", id])
        #expect(try json(["webhooks", "list"]).isEmpty)
        try keyway(["webhooks", "remove", id], status: 2)
    }
}
