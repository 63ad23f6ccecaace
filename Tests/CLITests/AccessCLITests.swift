import Foundation
import KeywayTestSupport
import Testing

/// The access commands, run as the real binary against a temporary database in the Paris zone.
@Suite struct AccessCLITests {
    let directory: URL
    var db: [String] { ["--db", directory.appendingPathComponent("site.db").path, "--time-zone", "Europe/Paris"] }

    init() throws {
        directory = try TestPaths.temporaryDirectory("access-cli")
    }

    @discardableResult
    func keyway(_ arguments: [String], status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> KeywayResult {
        let result = try runKeyway(arguments + db)
        #expect(result.status == status, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try keyway(arguments + ["--json"], sourceLocation: sourceLocation)
        return try #require(result.jsonLines.first, "\(arguments) printed \(result.stdout)", sourceLocation: sourceLocation)
    }

    /// A file holding a code, mode 0600, as the CLI takes it (never on the command line).
    func codeFile(_ code: String) throws -> String {
        let file = directory.appendingPathComponent("code-\(UUID().uuidString.prefix(8))").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data(code.utf8), attributes: [.posixPermissions: 0o600]))
        return file
    }

    /// Alice (staff) in group Office: Front (card or PIN) always, Lab (card) on weekdays 08–18.
    func office() throws {
        try keyway(["people", "add", "Alice", "--kind", "staff"])
        try keyway(["doors", "add", "Front", "--mode", "card_or_pin"])
        try keyway(["doors", "add", "Lab"])
        try keyway(["schedules", "add", "Weekdays", "--days", "mon-fri", "--from", "08:00", "--to", "18:00"])
        try keyway(["groups", "add", "Office", "--door", "Front", "--door", "Lab@Weekdays"])
        try keyway(["people", "grant", "Alice", "--group", "Office"])
    }

    @Test func createCommandsPrintTheNewId() throws {
        let person = try json(["people", "add", "Bob", "--kind", "visitor"])
        #expect((person["id"] as? String)?.hasPrefix("per_") == true)
        #expect((try json(["doors", "add", "Gate", "--mode", "card_and_pin"])["id"] as? String)?.hasPrefix("door_") == true)
        #expect((try json(["schedules", "add", "Nights", "--days", "daily", "--from", "22:00", "--to", "06:00"])["id"] as? String)?.hasPrefix("sch_") == true)
        #expect(try json(["holidays", "add", "2026-12-25", "--name", "Christmas"])["id"] as? String == "2026-12-25")
        #expect((try json(["groups", "add", "Night shift", "--door", "Gate@Nights"])["id"] as? String)?.hasPrefix("grp_") == true)
        let card = try json(["cards", "add", "--person", person["id"] as! String, "--format", "h10301", "--facility", "12", "--card", "345"])
        #expect((card["id"] as? String)?.hasPrefix("card_") == true)
        let pin = try json(["pins", "add", "--person", "Bob"])
        #expect((pin["code"] as? String)?.count == 6)
    }

    @Test func cardChecksFollowGroupsSchedulesAndHolidays() throws {
        try office()
        try keyway(["cards", "add", "--person", "Alice", "--format", "h10301", "--facility", "12", "--card", "345"])
        let weekday = try json(["check", "--door", "Lab", "--card", "h10301:12:345", "--at", "2026-03-02 10:00"])
        #expect(weekday["decision"] as? String == "grant")
        #expect(weekday["reason"] is NSNull)
        #expect(weekday["person"] as? String == "Alice")
        let evening = try json(["check", "--door", "Lab", "--card", "h10301:12:345", "--at", "2026-03-02T19:00:00+01:00"])
        #expect(evening["decision"] as? String == "deny")
        #expect(evening["reason"] as? String == "outside_schedule")
        try keyway(["holidays", "add", "2026-03-03"])
        #expect(try json(["check", "--door", "Lab", "--card", "h10301:12:345", "--at", "2026-03-03 10:00"])["reason"] as? String == "holiday")
        #expect(try json(["check", "--door", "Front", "--card", "h10301:12:999"])["reason"] as? String == "unknown")
        // A check logs nothing.
        #expect(try keyway(["log", "--json"]).jsonLines.allSatisfy { $0["kind"] as? String != "decision" })
    }

    @Test func passcodesPrintTheirCodeOnceAndCountUses() throws {
        try office()
        let created = try json(["passcodes", "create", "--label", "Cleaner – Tuesdays", "--door", "Front", "--valid-for", "2h", "--uses", "1"])
        let code = try #require(created["code"] as? String)
        #expect(created["usesLeft"] as? Int == 1)
        #expect(try runKeyway(["check", "--door", "Front", "--pin-file", "-", "--json"] + db, stdin: code).jsonLines.first?["decision"] as? String == "grant")
        let listed = try keyway(["credentials", "list", "--json"]).stdout
        #expect(!listed.contains(code))
        #expect(try runKeyway(["passcodes", "create", "--person", "Alice", "--door", "Front", "--code-file", "-", "--json"] + db, stdin: "583920\n")
            .jsonLines.first?["code"] as? String == "583920")
        let active = try keyway(["credentials", "list", "--person", "Alice", "--active", "--json"]).jsonLines
        #expect(active.count == 1)
    }

    @Test func keysShareAndRevokeInACascade() throws {
        try office()
        let key = try json(["keys", "issue", "--person", "Alice", "--door", "Front", "--until", "2099-01-01 00:00", "--may-share"])
        let keyID = try #require(key["id"] as? String)
        let share = try json(["keys", "share", keyID, "--to", "guest@example.com"])
        let token = try #require(share["token"] as? String)
        #expect(try runKeyway(["check", "--door", "Front", "--key-file", "-", "--json"] + db, stdin: token).jsonLines.first?["decision"] as? String == "grant")
        let revoked = try json(["revoke", keyID, "--reason", "moved out"])
        #expect((revoked["revoked"] as? [String]).map(Set.init) == [keyID, share["id"] as! String])
        #expect(try runKeyway(["check", "--door", "Front", "--key-file", "-", "--json"] + db, stdin: token).jsonLines.first?["reason"] as? String == "revoked")
        let log = try keyway(["log", "--json"]).jsonLines
        #expect(log.contains { $0["kind"] as? String == "credential_revoked" && $0["detail"] as? String == "moved out" })
        try keyway(["revoke", keyID], status: 2)
    }

    @Test func theLogVerifiesAndFilters() throws {
        try office()
        try keyway(["doors", "add", "Back"])
        let verified = try json(["log", "verify"])
        #expect(verified["intact"] as? Bool == true)
        #expect(verified["rows"] as? Int == 7)
        let atBack = try keyway(["log", "--door", "Back", "--json"]).jsonLines
        #expect(atBack.count == 1)
        #expect(try keyway(["log", "--since", "2099-01-01 00:00"]).stdout.isEmpty)
        // People by name in the human listing.
        #expect(try keyway(["log"]).lines.contains { $0.contains("person_changed  granted  Alice  Office") })
    }

    /// A checkpoint lands in the file beside the database, and `log verify` holds the log against it (or a copy
    /// given with --checkpoints); a checkpoint from another site is refused.
    @Test func theLogVerifiesAgainstSignedCheckpoints() throws {
        try office()
        let checkpoint = try json(["log", "checkpoint"])
        #expect(checkpoint["seq"] as? Int == 6)
        let copy = directory.appendingPathComponent("offsite.checkpoints")
        try FileManager.default.copyItem(at: directory.appendingPathComponent("site.checkpoints"), to: copy)
        try keyway(["doors", "add", "Back"])
        #expect(try json(["log", "verify"])["checkpoints"] as? Int == 1)
        let againstCopy = try json(["log", "verify", "--checkpoints", copy.path])
        #expect(againstCopy["intact"] as? Bool == true)
        #expect(againstCopy["lastCheckpoint"] as? Int == 6)

        let other = directory.appendingPathComponent("other.db")
        #expect(try runKeyway(["doors", "add", "X", "--db", other.path]).status == 0)
        #expect(try runKeyway(["log", "checkpoint", "--db", other.path, "--to", copy.path]).status == 0)
        let foreign = try keyway(["log", "verify", "--checkpoints", copy.path, "--json"], status: 1)
        #expect((foreign.jsonLines.first?["problem"] as? String)?.contains("not signed by this site") == true)
        try "not a checkpoint\n".write(to: copy, atomically: true, encoding: .utf8)
        try keyway(["log", "verify", "--checkpoints", copy.path], status: 2)
    }

    @Test func followPrintsRowsAsTheyCome() throws {
        try keyway(["doors", "add", "Front"])
        let process = Process()
        process.executableURL = TestPaths.keyway
        process.arguments = ["log", "--follow", "--json"] + db
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        try keyway(["doors", "add", "Back"])
        // Read until the row about Back arrives (the follower polls twice a second); no deadline but the test's own.
        var seen = ""
        while !seen.contains("\"door\":\"Back\"") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        #expect(seen.contains("\"door\":\"Front\""))
        #expect(seen.contains("\"door\":\"Back\""))
    }

    @Test func badInputExitsTwoAndWritesNothing() throws {
        try office()
        let before = try keyway(["log", "--json"]).jsonLines.count
        let cases: [[String]] = [
            ["people", "add", "Alice"],                                             // name taken
            ["people", "add", "Carol", "--kind", "alien"],                          // unknown kind
            ["people", "grant", "Nobody", "--group", "Office"],                     // unknown person
            ["doors", "add", "Side", "--mode", "sometimes"],                        // unknown mode
            ["schedules", "add", "Odd", "--days", "mon-funday", "--from", "08:00", "--to", "18:00"],
            ["schedules", "add", "Odd", "--days", "mon", "--from", "25:00", "--to", "18:00"],
            ["groups", "add", "Ghosts", "--door", "Nowhere"],                       // unknown door
            ["holidays", "add", "2026-02-30"],                                      // not a day
            ["cards", "add", "--person", "Alice", "--format", "h10301", "--card", "1", "--valid-until", "next week"],
            ["passcodes", "create", "--label", "x", "--door", "Front", "--code-file", try codeFile("12")],     // too short
            ["passcodes", "create", "--label", "x", "--door", "Front", "--code-file", try codeFile("111111")], // trivial
            ["passcodes", "create", "--label", "x", "--door", "Front", "--door", "Nope"],   // one unknown door
            ["passcodes", "create", "--label", "x", "--door", "Front", "--valid-for", "soon"],
            ["passcodes", "create", "--label", "x", "--door", "Front", "--uses", "0"],
            ["passcodes", "create", "--door", "Front"],                             // neither person nor label
            ["keys", "issue", "--person", "Alice", "--door", "Front", "--until", "2001-01-01 00:00"],
            ["keys", "share", "key_nothing", "--to", "a@b.c"],
            ["revoke", "card_nothing"],
            ["check", "--door", "Nowhere", "--card", "h10301:1:2"],
            ["check", "--door", "Front", "--card", "h10301:x:2"],
            ["check", "--door", "Front"],
        ]
        for arguments in cases {
            let result = try runKeyway(arguments + db)
            #expect(result.status == 2, "\(arguments) exited \(result.status): \(result.stderr)")
            #expect(!result.stderr.isEmpty, "\(arguments) gave no message")
        }
        #expect(try keyway(["log", "--json"]).jsonLines.count == before)
        #expect(try keyway(["credentials", "list", "--json"]).jsonLines.isEmpty)
    }

    /// Only commands that add something create a database; every other one refuses a missing one and leaves no file.
    @Test func aMissingDatabaseIsAnErrorAndIsNotCreated() throws {
        let missing = directory.appendingPathComponent("site.db")
        let commands: [[String]] = [
            ["log", "verify"], ["log"], ["people", "list"], ["doors", "list"], ["credentials", "list"],
            ["check", "--door", "Front", "--card", "h10301:1:2"], ["revoke", "card_x"], ["people", "suspend", "Alice"],
        ]
        for arguments in commands {
            let result = try runKeyway(arguments + db)
            #expect(result.status == 2, "\(arguments) exited \(result.status): \(result.stdout)")
            #expect(result.stderr.contains("no database"), "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: missing.path), "\(arguments) created the database")
        }
    }

    @Test func aMissingDatabaseOptionIsAUsageError() throws {
        let result = try runKeyway(["people", "list"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--db"))
    }

    @Test func theServiceConfigNamesTheDatabaseSecretsAndZone() throws {
        let config = directory.appendingPathComponent("site.yaml")
        try """
            site: {name: Test, timezone: Europe/Paris}
            database: \(directory.appendingPathComponent("from-config.db").path)
            secrets: \(directory.appendingPathComponent("site-secrets").path)
            """.write(to: config, atomically: true, encoding: .utf8)
        let added = try runKeyway(["people", "add", "Zoe", "--config", config.path, "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        let listed = try runKeyway(["people", "list", "--config", config.path, "--json"])
        #expect(listed.jsonLines.compactMap { $0["name"] as? String } == ["Zoe"])
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("site-secrets").path))

        // The same database without its secrets is refused rather than given fresh ones.
        let bare = try runKeyway(["people", "list", "--db", directory.appendingPathComponent("from-config.db").path])
        #expect(bare.status != 0)
        #expect(bare.stderr.contains("the database already holds codes made with its secrets"))

        let both = try runKeyway(["people", "list", "--config", config.path] + db)
        #expect(both.status == 2)
        #expect(both.stderr.contains("not both"))
    }

    @Test func aBrokenConfigIsAUsageErrorWithItsPosition() throws {
        let config = directory.appendingPathComponent("broken.yaml")
        try "site: {name: Test, timezon: UTC}\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try runKeyway(["people", "list", "--config", config.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("broken.yaml:1:20: site.timezon: unknown key \"timezon\", did you mean \"timezone\"?"))
    }
}
