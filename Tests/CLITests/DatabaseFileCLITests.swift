import Foundation
import KeywayTestSupport
import Testing

@Suite struct DatabaseFileCLITests {
    /// A site whose one reader is on a GPIO chip that does not exist: the service runs, with that fault.
    private func writeSite(in folder: URL, database: String = "keyway.sqlite") throws -> URL {
        let file = folder.appendingPathComponent("site.yaml")
        try """
            site: {name: Lost, timezone: UTC}
            database: \(database)
            secrets: secrets
            wiegand:
              - {name: side, chip: /nonexistent/gpiochip0, d0: 1, d1: 2}
            doors:
              - {name: Front, reader: {wiegand: side}, relay: {gpio: {chip: /nonexistent/gpiochip0, line: 3}}}
            api: {socket: control.sock}
            """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Deleting the database used to go unnoticed by the running service, and the next start silently made an
    /// empty one (every card unknown, `log verify` "intact").
    @Test(.timeLimit(.minutes(3))) func aLostDatabaseIsAFaultAndTheNextStartRefusesItUnlessAsked() throws {
        let folder = try TestPaths.temporaryDirectory("lost-db")
        let file = try writeSite(in: folder)
        let database = folder.appendingPathComponent("keyway.sqlite")
        let socket = folder.appendingPathComponent("control.sock").path
        #expect(try runKeyway(["people", "add", "Ada", "--config", file.path]).status == 0)
        try FileManager.default.removeItem(at: database)

        let refused = try runKeyway(["serve", "--config", file.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(database.path) is missing, but its secrets"), "\(refused.stderr)")
        #expect(refused.stderr.contains("keyway serve --create-database"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: database.path))
        #expect(try runKeyway(["people", "add", "Bob", "--config", file.path]).stderr.contains("--create-database"))

        // Told to, it starts afresh; the database deleted under it is then a fault in status within a second or two.
        let serve = Process()
        serve.executableURL = TestPaths.keyway
        serve.arguments = ["serve", "--config", file.path, "--create-database"]
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer {
            if serve.isRunning { kill(serve.processIdentifier, SIGKILL) }
            serve.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(60)
        while serve.isRunning, Date() < deadline, try runKeyway(["status", "--socket", socket]).status != 0 {
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(!(try runKeyway(["status", "--socket", socket]).stdout.contains("database file")))
        try FileManager.default.removeItem(at: database)
        var status = ""
        while serve.isRunning, Date() < deadline, !status.contains("database file") {
            Thread.sleep(forTimeInterval: 0.2)
            status = try runKeyway(["status", "--socket", socket]).stdout
        }
        #expect(status.contains("database file: \(database.path): the database file is gone"), "\(status)")
        kill(serve.processIdentifier, SIGTERM)
        serve.waitUntilExit()
        #expect(serve.terminationStatus == 0)
    }

    @Test func durabilityIsStrictOrFastAndNamedInItsError() throws {
        let folder = try TestPaths.temporaryDirectory("durability-config")
        let good = try writeSite(in: folder, database: "{path: keyway.sqlite, durability: strict}")
        #expect(try runKeyway(["config", "check", "--offline", good.path]).status == 0)
        let bad = try writeSite(in: folder, database: "{path: keyway.sqlite, durability: always}")
        let result = try runKeyway(["config", "check", "--offline", bad.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("database.durability: \"always\" is not one of strict, fast"), "\(result.stderr)")
    }
}
