import Foundation
import KeywayTestSupport
import Testing

/// No secret on a command line (every user reads them in /proc), none read from a file others may read, and the
/// database readable by its owner only.
@Suite struct SecretsCLITests {
    /// Option names that would carry a secret as their value, by dash-separated word (`--keypad` is not `--key`).
    static let secretWords: Set<String> = ["scbk", "key", "pin", "code", "token", "password", "passphrase", "passcode"]

    /// Every option of every command, from argument-parser's own description of the tool: an option named for a
    /// secret takes the path of a file holding it (`--scbk-file`, `--pin-file`), never the secret.
    @Test func noOptionAnywhereTakesASecretValue() throws {
        let dump = try runKeyway(["--experimental-dump-help"])
        #expect(dump.status == 0, "\(dump.stderr)")
        let tool = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var offending: [String] = []
        var options = 0
        func walk(_ command: [String: Any], _ path: String) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["kind"] as? String == "option" {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    guard let long = name["name"] as? String else { continue }
                    options += 1
                    let words = long.split(separator: "-").map(String.init)
                    if !Self.secretWords.isDisjoint(with: words), words.last != "file" { offending.append("\(path) --\(long)") }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                walk(sub, path + " " + (sub["commandName"] as? String ?? "?"))
            }
        }
        walk(try #require(tool["command"] as? [String: Any]), "keyway")
        #expect(options > 100, "the whole tool was walked")
        #expect(offending == [], "options that take a secret on the command line")
    }

    @Test(arguments: [
        ["osdp", "id", "--device", "/dev/ttyNoSuchAdapter", "--scbk", "0123456789abcdeffedcba9876543210"],
        ["osdp", "keyset", "--device", "/dev/ttyNoSuchAdapter", "--install", "--new-scbk", "0123456789abcdeffedcba9876543210"],
    ])
    func theOldKeyOptionsAreGone(_ arguments: [String]) throws {
        let result = try runKeyway(arguments)
        #expect(result.status == 2, "refused as usage, before the device is looked for: \(result.stderr)")
    }

    // MARK: Access codes

    func database() throws -> (folder: URL, arguments: [String]) {
        let folder = try TestPaths.temporaryDirectory("secrets-cli")
        return (folder, ["--db", folder.appendingPathComponent("site.db").path, "--time-zone", "Europe/Paris"])
    }

    func file(_ text: String, in folder: URL, mode: Int) throws -> String {
        let path = folder.appendingPathComponent("secret-\(UUID().uuidString.prefix(8))").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]))
        return path
    }

    @Test func aPINComesFromAFileOnlyItsOwnerMayReadOrFromStandardInput() throws {
        let (folder, db) = try database()
        #expect(try runKeyway(["people", "add", "Alice"] + db).status == 0)
        #expect(try runKeyway(["doors", "add", "Front", "--mode", "card_or_pin"] + db).status == 0)
        #expect(try runKeyway(["groups", "add", "All", "--door", "Front"] + db).status == 0)
        #expect(try runKeyway(["people", "grant", "Alice", "--group", "All"] + db).status == 0)

        let loose = try file("583920\n", in: folder, mode: 0o644)
        let refused = try runKeyway(["pins", "add", "--person", "Alice", "--code-file", loose] + db)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("chmod 600"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("583920"), "the error never shows the secret")
        #expect(try runKeyway(["credentials", "list", "--json"] + db).jsonLines.isEmpty, "nothing was added")

        let added = try runKeyway(["pins", "add", "--person", "Alice", "--code-file", try file("583920\n", in: folder, mode: 0o600), "--json"] + db)
        #expect(added.status == 0, "\(added.stderr)")
        let check = try runKeyway(["check", "--door", "Front", "--pin-file", "-", "--json"] + db, stdin: "583920\n")
        #expect(check.jsonLines.first?["decision"] as? String == "grant", "\(check.stderr)")
        let empty = try runKeyway(["check", "--door", "Front", "--pin-file", "-"] + db, stdin: "")
        #expect(empty.status == 2)
        #expect(empty.stderr == "error: --pin-file: standard input holds no secret\n")
    }

    // MARK: The database

    @Test func aNewDatabaseItsWALAndTheSiteSecretsAreOwnerOnly() throws {
        let (folder, db) = try database()
        #expect(try runKeyway(["people", "add", "Alice"] + db).status == 0)
        for name in ["site.db", "site.db-wal", "site.db-shm", "site.secret", "site.signing-key"] {
            let path = folder.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path) else { continue }  // -wal/-shm go at the last close
            let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode == 0o600, "\(name) is \(String(mode, radix: 8))")
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("site.db").path))
    }

    @Test func aDatabaseOthersCanReadIsUsedWithAWarningAndLooseSecretsAreRefused() throws {
        let (folder, db) = try database()
        #expect(try runKeyway(["people", "add", "Alice"] + db).status == 0)
        let database = folder.appendingPathComponent("site.db").path
        #expect(chmod(database, 0o644) == 0)
        let warned = try runKeyway(["people", "list"] + db)
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("database file readable beyond its owner"), "\(warned.stderr)")
        #expect(warned.stderr.contains(database))

        #expect(chmod(database, 0o600) == 0)
        #expect(chmod(folder.appendingPathComponent("site.secret").path, 0o640) == 0)
        let refused = try runKeyway(["people", "list"] + db)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("chmod 600"), "\(refused.stderr)")
    }
}
