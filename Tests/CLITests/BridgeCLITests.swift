import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KeywayTestSupport
import Synchronization
import Testing

@Suite struct BridgeCLITests {
    @Test func configCheckListsEveryErrorWithPositionsAndExits2() throws {
        let folder = try TestPaths.temporaryDirectory("bridge-cli")
        let file = folder.appendingPathComponent("site.yaml")
        try """
            site: {name: Shop, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - name: main
                device: /dev/null
                baud: 9601
                pds:
                  - {address: 1, name: lobby}
            doors:
              - name: Lobby
                reader: {bus: main, address: 1}
                relay: {bus: main, address: 1, output: 7}
                strick: 5s
            """.write(to: file, atomically: true, encoding: .utf8)
        let result = try runKeyway(["config", "check", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").map(String.init) == [
            "\(file.path):7:11: buses[0].baud: 9601 is not an OSDP baud rate (9600, 19200, 38400, 57600, 115200, 230400)",
            "\(file.path):14:5: doors[0].strick: unknown key \"strick\", did you mean \"strike\"?",
            "2 problems in \(file.path)",
        ])

        try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(of: "baud: 9601", with: "baud: 9600")
            .replacingOccurrences(of: "    strick: 5s\n", with: "")
            .replacingOccurrences(of: "strick: 5s", with: "")
            .write(to: file, atomically: true, encoding: .utf8)
        let second = try runKeyway(["config", "check", file.path])
        #expect(second.status == 2)
        #expect(second.stderr.contains("\(file.path):13:44: doors[0].relay.output: 7 is out of range, PD \"lobby\" has 4 outputs"))
    }

    @Test func commandsForTheServiceFailClearlyWhenItIsNotRunning() throws {
        let result = try runKeyway(["status", "--socket", "/nonexistent/keyway.sock"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is the service running?"))
    }

    @Test func badArgumentsAreUsageErrors() throws {
        #expect(try runKeyway(["door", "unlock", "Front", "--for", "soon", "--socket", "/nonexistent"]).status == 2)
        #expect(try runKeyway(["sim", "keys", "--reader", "front-reader", "12a#", "--socket", "/nonexistent"]).status == 2)
        #expect(try runKeyway(["serve"]).status == 2)
    }

    @Test func logOptionsOnlyTakeTheirValues() throws {
        let level = try runKeyway(["serve", "--demo", "--log-level", "loud"])
        #expect(level.status == 2)
        #expect(level.stderr.contains("The value 'loud' is invalid for '--log-level <log-level>'"))
        #expect(level.stderr.contains("  - warning\n"), "the levels are listed")
        let format = try runKeyway(["serve", "--demo", "--log-format", "xml"])
        #expect(format.status == 2)
        #expect(format.stderr.contains("Please provide one of 'human' and 'json'."))
    }

    /// A demo peer that cannot start stops the demo with the peer's own last words and where its output is, not a
    /// guess: the outbox's SMTP relay, then the simulated reader. A stand-in for Python plays every peer (the sinks
    /// by writing a port and waiting for their standard input to close), so no real peer starts.
    @Test(.timeLimit(.minutes(2))) func aDemoPeerThatCannotStartSaysWhy() throws {
        let folder = try TestPaths.temporaryDirectory("bridge-demo-peer")
        func python(failing script: String, with words: String) throws -> String {
            let path = folder.appendingPathComponent("python-\(script)").path
            try """
                #!/bin/sh
                case "$1" in
                  *\(script).py) echo 'Traceback (most recent call last):' >&2; echo "\(words)" >&2; exit 1;;
                  *_sink.py) printf 2525 > "$5"; exec cat > /dev/null;;
                esac
                exit 3
                """.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
            return path
        }
        let missingModule = "ModuleNotFoundError: No module named 'aiosmtpd'"
        let outbox = try runKeyway(["serve", "--demo"], environment: ["KEYWAY_PYTHON": try python(failing: "smtp_sink", with: missingModule)],
                                   currentDirectory: folder)
        #expect(outbox.status != 0)
        #expect(outbox.stderr.contains("the demo's smtp_sink.py did not start: \(missingModule); run scripts/setup.sh "
                                       + "(its output: var/demo/logs/smtp_sink.log)"), "\(outbox.stderr)")
        let missingLibrary = "ImportError: libosdp.so.3: cannot open shared object file"
        let reader = try runKeyway(["serve", "--demo"], environment: ["KEYWAY_PYTHON": try python(failing: "osdp_pd", with: missingLibrary)],
                                   currentDirectory: folder)
        #expect(reader.status != 0)
        #expect(reader.stderr.contains("the demo's osdp_pd.py did not start: \(missingLibrary); run scripts/setup.sh"), "\(reader.stderr)")
        let log = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("var/demo/logs/osdp_pd.log").path)
        #expect((log[.posixPermissions] as? Int) == 0o600)
    }

    /// The quick start: the demo serves over Secure Channel, prints commands that work as typed and the dashboard's
    /// logins, a simulated card is decided and `keyway sim` says how, and SIGTERM stops it cleanly and quietly.
    /// Its waits sleep without holding a thread of the test pool, which tests that serve from it need.
    @Test(.timeLimit(.minutes(3))) func theDemoRunsAndAnswersSimulatedCards() async throws {
        let folder = try TestPaths.temporaryDirectory("bridge-demo")
        let first = try DemoRun(in: folder)
        defer { first.kill() }
        let socket = folder.appendingPathComponent("var/demo/control.sock").path
        // The CLI never looks in the current folder; the guide says to name the demo's socket.
        let demoSocket = ["KEYWAY_SOCKET": socket]
        let deadline = Date().addingTimeInterval(60)
        var online = false
        while !online, Date() < deadline, first.serve.isRunning {
            try await Task.sleep(for: .milliseconds(200))
            let status = try runKeyway(["status", "--json"], environment: demoSocket, currentDirectory: folder)
            online = status.status == 0 && status.stdout.contains("\"online\":true,\"secure\":true")
        }
        #expect(online, "the demo did not come up: \(first.log)")
        let keyFile = folder.appendingPathComponent("var/demo/front-reader.key").path
        #expect(try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int == 0o600)
        // This keyway was started by its absolute path from another folder: the guide says so.
        #expect(first.log.contains("  \(TestPaths.keyway.path) sim card --reader front-reader"))
        #expect(first.log.contains("  export KEYWAY_SOCKET=\(socket)"))

        // `keyway sim` says what the door decided, in words, with the door.
        let swipe = try runKeyway(["sim", "card", "--reader", "front-reader", "--facility", "1", "--card", "1001"], environment: demoSocket, currentDirectory: folder)
        #expect(swipe.status == 0)
        #expect(swipe.stdout == "presented at front-reader: granted at Front (Ada Lovelace)\n")
        let revoked = try runKeyway(["sim", "card", "--reader", "front-reader", "--facility", "1", "--card", "1003"], environment: demoSocket, currentDirectory: folder)
        #expect(revoked.status == 0)
        #expect(revoked.stdout.contains("denied at Front"))
        #expect(revoked.stdout.contains(": it was revoked (revoked)"))
        #expect(try runKeyway(["status", "--json", "--socket", socket]).stdout.contains("denied card h10301 1:1003 (revoked)"))

        // The simulated Wiegand reader: edges through the real decoder, a card then keypad frames.
        let wiegandCard = try runKeyway(["sim", "card", "--reader", "side", "--facility", "1", "--card", "1002"], environment: demoSocket, currentDirectory: folder)
        #expect(wiegandCard.stdout == "presented at side: granted at Side (Grace Hopper)\n")
        let code = try runKeyway(["sim", "keys", "--reader", "side", "482916#"], environment: demoSocket, currentDirectory: folder)
        #expect(code.stdout == "presented at side: granted at Side\n")
        let again = try runKeyway(["sim", "keys", "--reader", "side", "482916#"], environment: demoSocket, currentDirectory: folder)
        #expect(again.stdout == "presented at side: denied at Side: it has already been used up (use_limit_reached)\n")
        let unfinished = try runKeyway(["sim", "keys", "--reader", "side", "12"], environment: demoSocket, currentDirectory: folder)
        #expect(unfinished.stdout == "presented at side: no decision yet (a PIN ends with #)\n")
        let unknownReader = try runKeyway(["sim", "card", "--reader", "sied", "--card", "1"], environment: demoSocket, currentDirectory: folder)
        #expect(unknownReader.status == 1)
        #expect(unknownReader.stderr.contains("did you mean \"side\"?"))

        // The HTTP API is served on loopback, with its contract.
        let base = "http://127.0.0.1:\(first.httpPort)"
        // Its listener comes up beside the buses, not before them: on a loaded machine the PD can be online first.
        var openAPI: Data?
        let listening = Date().addingTimeInterval(60)
        while openAPI == nil, Date() < listening, first.serve.isRunning {
            openAPI = try? Data(contentsOf: URL(string: "\(base)/api/v1/openapi.json")!)
            if openAPI == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(openAPI.map { String(decoding: $0, as: UTF8.self).contains("\"openapi\": \"3.1.0\"") } == true)

        // The dashboard's logins, made at first start: a one-time link each on standard output (never in the log),
        // and each link sets a password.
        let printed = first.output
        #expect(printed.contains("The dashboard: \(base)/login."))
        let links = printed.split(separator: "\n").compactMap { line in line.range(of: "\(base)/set-password/").map { String(line[$0.upperBound...]) } }
        #expect(links.count == 2, "the logins printed: \(printed)")
        #expect(printed.contains("  Site admin (admin), admin@example.org: \(base)/set-password/"))
        #expect(printed.contains("  Grace Hopper (resident), grace@example.org: \(base)/set-password/"))
        #expect(!first.log.contains("/set-password/"))
        // Nor the seeded digital key's token (a bearer secret).
        #expect(!first.log.contains("digital_key"))
        for secret in links { #expect(try Self.setPassword(base: base, secret: secret) == 200) }

        await first.stop()
        #expect(first.serve.terminationStatus == 0)
        // A deliberate stop is not a fault: the doors are locked, and no reader is reported offline.
        let stopping = first.log.components(separatedBy: "shutting down").last ?? ""
        #expect(stopping.contains("relay locked door=Front"))
        #expect(!stopping.contains("offline"))
        #expect(!stopping.contains(" error "))
        #expect(!stopping.contains(" warning "))

        // A later start makes no new login and says how to get a new link.
        let second = try DemoRun(in: folder)
        defer { second.kill() }
        let secondBase = "http://127.0.0.1:\(second.httpPort)"
        // Its own window, not what is left of the first start's: a loaded suite may have used that up.
        let announcing = Date().addingTimeInterval(60)
        var announced = false
        while !announced, Date() < announcing, second.serve.isRunning {
            try await Task.sleep(for: .milliseconds(200))
            announced = second.output.contains("The dashboard:")
        }
        #expect(second.output.contains("The dashboard: \(secondBase)/login. Logins: admin@example.org, grace@example.org."), "\(second.output)")
        #expect(second.output.contains("users link --db var/demo/keyway.sqlite --public-url \(secondBase) admin@example.org"))
        #expect(!second.output.contains("/set-password/"))
        await second.stop()
        let accounts = try runKeyway(["users", "list", "--db", folder.appendingPathComponent("var/demo/keyway.sqlite").path])
        #expect(accounts.stdout.split(separator: "\n").count == 2, "\(accounts.stdout)")
    }

    /// POST /api/v1/password with a set-password link's secret; the HTTP status.
    private static func setPassword(base: String, secret: String) throws -> Int {
        var request = URLRequest(url: URL(string: "\(base)/api/v1/password")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("{\"token\": \"\(secret)\", \"password\": \"a long demo password\"}".utf8)
        let answer = Mutex<Int>(0)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, response, _ in
            answer.withLock { $0 = (response as? HTTPURLResponse)?.statusCode ?? 0 }
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 60)
        return answer.withLock { $0 }
    }
}

/// `keyway serve --demo` in a folder, its standard output and its log (standard error) in files there.
private final class DemoRun {
    let serve = Process()
    let httpPort = freeLoopbackPort()
    private let outputFile: URL
    private let logFile: URL

    init(in folder: URL) throws {
        let run = UUID().uuidString.prefix(8)
        outputFile = folder.appendingPathComponent("serve-\(run).out")
        logFile = folder.appendingPathComponent("serve-\(run).log")
        serve.executableURL = TestPaths.keyway
        serve.arguments = ["serve", "--demo"]
        serve.currentDirectoryURL = folder
        serve.environment = ProcessInfo.processInfo.environment.merging([
            "KEYWAY_PYTHON": TestPaths.python.path, "KEYWAY_DEMO_METRICS": "127.0.0.1:\(freeLoopbackPort())",
            "KEYWAY_DEMO_HTTP_PORT": "\(httpPort)",
        ]) { $1 }
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        serve.standardOutput = try FileHandle(forWritingTo: outputFile)
        serve.standardError = try FileHandle(forWritingTo: logFile)
        try serve.run()
    }

    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// SIGTERM, and waits for the stop.
    func stop() async {
        if serve.isRunning { Foundation.kill(serve.processIdentifier, SIGTERM) }
        while serve.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
        serve.waitUntilExit()
    }

    /// SIGKILL if still running (a failed test), and reaps it.
    func kill() {
        if serve.isRunning { Foundation.kill(serve.processIdentifier, SIGKILL) }
        serve.waitUntilExit()
    }
}
