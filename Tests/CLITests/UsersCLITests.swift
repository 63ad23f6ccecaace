import Foundation
import KeywayTestSupport
import Testing

/// `keyway users`: the first admin is made on the box, with a one-time link and never a default password.
@Suite struct UsersCLITests {
    @Test func addPrintsAOneTimeSetPasswordLinkUnderThePublicURL() throws {
        let folder = try TestPaths.temporaryDirectory("users-cli")
        let db = folder.appendingPathComponent("keyway.sqlite").path
        let added = try runKeyway(["users", "add", "--db", db, "--public-url", "https://doors.example.org/", "--admin", "Site admin",
                                   "--email", "Admin@Example.org"])
        #expect(added.status == 0, "\(added.stderr)")
        let link = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        #expect(link.hasPrefix("https://doors.example.org/set-password/"))
        #expect(link.count > "https://doors.example.org/set-password/".count + 40)
        let listed = try runKeyway(["users", "list", "--db", db])
        #expect(listed.stdout.contains("admin  admin@example.org  Site admin  (no password yet)"))
        // The link is stored only as a digest.
        let database = try Data(contentsOf: URL(fileURLWithPath: db))
        let secret = String(link.split(separator: "/").last!)
        #expect(database.range(of: Data(secret.utf8)) == nil)
    }

    @Test func addRefusesWhatCannotMakeAnAccount() throws {
        let folder = try TestPaths.temporaryDirectory("users-cli")
        let db = folder.appendingPathComponent("keyway.sqlite").path
        let noRole = try runKeyway(["users", "add", "--db", db, "--public-url", "http://127.0.0.1:8080", "--email", "a@example.org"])
        #expect(noRole.status == 2)
        #expect(noRole.stderr.contains("give one of --admin NAME, --staff NAME, --resident NAME"))
        let resident = try runKeyway(["users", "add", "--db", db, "--public-url", "http://127.0.0.1:8080", "--resident", "R", "--email", "r@example.org"])
        #expect(resident.status == 2)
        #expect(resident.stderr.contains("--person"))
        let noURL = try runKeyway(["users", "add", "--db", db, "--admin", "A", "--email", "a@example.org"])
        #expect(noURL.status == 2)
        #expect(noURL.stderr.contains("--public-url"))
        _ = try runKeyway(["users", "add", "--db", db, "--public-url", "http://127.0.0.1:8080", "--admin", "A", "--email", "a@example.org"])
        let twice = try runKeyway(["users", "add", "--db", db, "--public-url", "http://127.0.0.1:8080", "--staff", "B", "--email", "A@example.org"])
        #expect(twice.status != 0)
        #expect(twice.stderr.contains("exists"))
    }
}
