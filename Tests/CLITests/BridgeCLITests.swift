import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KeywayTestSupport
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

    /// The quick start: the demo serves over Secure Channel, prints commands that work as typed, a
    /// simulated card is decided, and SIGTERM stops it cleanly and quietly.
    @Test(.timeLimit(.minutes(2))) func theDemoRunsAndAnswersSimulatedCards() throws {
        let folder = try TestPaths.temporaryDirectory("bridge-demo")
        let serve = Process()
        serve.executableURL = TestPaths.keyway
        serve.arguments = ["serve", "--demo"]
        serve.currentDirectoryURL = folder
        let httpPort = Int.random(in: 20000...60000)
        serve.environment = ProcessInfo.processInfo.environment.merging([
            "KEYWAY_PYTHON": TestPaths.python.path, "KEYWAY_DEMO_METRICS": "127.0.0.1:\(Int.random(in: 20000...60000))",
            "KEYWAY_DEMO_HTTP_PORT": "\(httpPort)",
        ]) { $1 }
        let log = folder.appendingPathComponent("serve.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = logHandle
        try serve.run()
        defer {
            if serve.isRunning { kill(serve.processIdentifier, SIGKILL) }
            serve.waitUntilExit()
        }
        let socket = folder.appendingPathComponent("var/demo/control.sock").path
        // The CLI never looks in the current folder; the guide says to name the demo's socket.
        let demoSocket = ["KEYWAY_SOCKET": socket]
        let deadline = Date().addingTimeInterval(60)
        var online = false
        while !online, Date() < deadline, serve.isRunning {
            Thread.sleep(forTimeInterval: 0.2)
            let status = try runKeyway(["status", "--json"], environment: demoSocket, currentDirectory: folder)
            online = status.status == 0 && status.stdout.contains("\"online\":true,\"secure\":true")
        }
        #expect(online, "the demo did not come up: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        let keyFile = folder.appendingPathComponent("var/demo/front-reader.key").path
        #expect(try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int == 0o600)
        // This keyway was started by its absolute path from another folder: the guide says so.
        #expect(try String(contentsOf: log, encoding: .utf8).contains("  \(TestPaths.keyway.path) sim card --reader front-reader"))
        #expect(try String(contentsOf: log, encoding: .utf8).contains("  export KEYWAY_SOCKET=\(socket)"))

        let swipe = try runKeyway(["sim", "card", "--reader", "front-reader", "--facility", "1", "--card", "1001"], environment: demoSocket, currentDirectory: folder)
        #expect(swipe.status == 0)
        var granted = false
        while !granted, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            granted = try runKeyway(["status", "--json", "--socket", socket]).stdout.contains("granted card h10301 1:1001")
        }
        #expect(granted)

        // The simulated Wiegand reader: edges through the real decoder, a card then keypad frames.
        #expect(try runKeyway(["sim", "card", "--reader", "side", "--facility", "1", "--card", "1002"], environment: demoSocket, currentDirectory: folder).status == 0)
        #expect(try runKeyway(["sim", "keys", "--reader", "side", "482916#"], environment: demoSocket, currentDirectory: folder).status == 0)
        var wiegand = false
        while !wiegand, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            wiegand = try runKeyway(["status", "--json", "--socket", socket]).stdout.contains("granted pin ••••••")
        }
        #expect(wiegand)
        let unknownReader = try runKeyway(["sim", "card", "--reader", "sied", "--card", "1"], environment: demoSocket, currentDirectory: folder)
        #expect(unknownReader.status == 1)
        #expect(unknownReader.stderr.contains("did you mean \"side\"?"))

        // The HTTP API is served on loopback, with its contract.
        let openAPI = try? Data(contentsOf: URL(string: "http://127.0.0.1:\(httpPort)/api/v1/openapi.json")!)
        #expect(openAPI.map { String(decoding: $0, as: UTF8.self).contains("\"openapi\": \"3.1.0\"") } == true)

        kill(serve.processIdentifier, SIGTERM)
        serve.waitUntilExit()
        #expect(serve.terminationStatus == 0)
        // A deliberate stop is not a fault: the doors are locked, and no reader is reported offline.
        let stopping = try String(contentsOf: log, encoding: .utf8).components(separatedBy: "shutting down").last ?? ""
        #expect(stopping.contains("relay locked door=Front"))
        #expect(!stopping.contains("offline"))
        #expect(!stopping.contains(" error "))
        #expect(!stopping.contains(" warning "))
    }
}
