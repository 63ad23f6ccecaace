import Foundation
import KeywayTestSupport
import Testing

/// A site that needs no hardware: a Wiegand reader and a GPIO relay on a chip that does not exist
/// (the service reports faults and keeps serving), its control socket in its own folder.
private func writeSite(in folder: URL, socket: String = "control.sock", strike: String = "3s") throws -> URL {
    let file = folder.appendingPathComponent("site.yaml")
    try """
        site: {name: Edge, timezone: UTC}
        database: keyway.sqlite
        secrets: secrets
        wiegand:
          - {name: side, chip: /nonexistent/gpiochip0, d0: 1, d1: 2}
        doors:
          - name: Front
            reader: {wiegand: side}
            relay: {gpio: {chip: /nonexistent/gpiochip0, line: 3}}
            strike: \(strike)
        api: {socket: \(socket)}
        """.write(to: file, atomically: true, encoding: .utf8)
    return file
}

/// `keyway serve` on such a site, its log in a file; stopped (and reaped) by `stop()`.
private final class ServedSite {
    let folder: URL
    let file: URL
    let socket: String
    let log: URL
    private let process = Process()

    init(socketPath: String = "control.sock") throws {
        folder = try TestPaths.temporaryDirectory("edge-serve")
        file = try writeSite(in: folder, socket: socketPath)
        socket = folder.appendingPathComponent(socketPath).path
        log = folder.appendingPathComponent("serve.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = TestPaths.keyway
        process.arguments = ["serve", "--config", file.path]
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            if try runKeyway(["status", "--socket", socket]).status == 0 { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        stop()
        throw ServeFailed(log: logText)
    }

    struct ServeFailed: Error { let log: String }

    var isRunning: Bool { process.isRunning }
    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
}

/// Sends raw bytes to a Unix socket and returns what comes back until the peer closes, a newline, or 30 s.
private func exchange(_ bytes: Data, with path: String) throws -> String {
    let fd = try connectUnix(path)
    defer { close(fd) }
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    return readAnswer(fd)
}

private func connectUnix(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        throw CocoaError(.fileNoSuchFile)
    }
    return fd
}

/// One answer line (or whatever arrived before the peer closed), waiting at most 30 s.
private func readAnswer(_ fd: Int32) -> String {
    var answer: [UInt8] = []
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline, !answer.contains(UInt8(ascii: "\n")) {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 500) > 0 || poller.revents != 0 else { continue }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &chunk, chunk.count, 0)
        guard count > 0 else { break }
        answer += chunk[..<count]
    }
    return String(decoding: answer, as: UTF8.self)
}

@Suite struct DurationEdgeCLITests {
    @Test(arguments: [
        ("99999999999999s", "--for: 99999999999999s is too long: at most 6553.5s (the longest OSDP output timer)"),
        ("1e300s", "--for: \"1e300s\" is not a duration"),
        ("6553.6s", "at most 6553.5s"),
        ("-1s", "--for: -1s is too short: at least 100ms"),
        ("0s", "--for: 0s is too short: at least 100ms"),
        ("0.0001s", "--for: 0.0001s is too short: at least 100ms"),
    ])
    func doorUnlockRefusesDurationsOutsideTheLimits(duration: String, message: String) throws {
        let result = try runKeyway(["door", "unlock", "Front", "--for=\(duration)", "--socket", "/nonexistent/keyway.sock"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func passcodePeriodsAreBounded() throws {
        let folder = try TestPaths.temporaryDirectory("edge-cli")
        let db = folder.appendingPathComponent("k.sqlite").path
        let result = try runKeyway(["passcodes", "create", "--db", db, "--label", "x", "--door", "Front", "--valid-for", "99999999999999999999d"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--valid-for: 99999999999999999999d is too long: at most 315360000s"), "\(result.stderr)")
    }

    @Test(arguments: [
        ("strike: 1e308", "doors[0].strike: \"1e308\" is not a duration (like 500ms, 5s, 2m)"),
        ("strike: 99999999999999s", "doors[0].strike: 99999999999999s is too long: at most 6553.5s (the longest OSDP output timer)"),
        ("strike: 3s\n    held_open: 0s", "doors[0].held_open: 0s is too short: at least 1s"),
        ("strike: 3s\n    extended_strike: 0.01s", "doors[0].extended_strike: 0.01s is too short: at least 100ms"),
        ("strike: 3s\n    pin_timeout: 1e19", "doors[0].pin_timeout: \"1e19\" is not a duration"),
    ])
    func configCheckRefusesDurationsOutsideTheLimits(line: String, message: String) throws {
        let folder = try TestPaths.temporaryDirectory("edge-cli")
        let file = try writeSite(in: folder)
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "strike: 3s", with: line)
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try runKeyway(["config", "check", "--offline", file.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// The socket is an edge too, and `reload` refuses exactly what `serve` refuses: the same loader.
    @Test(.timeLimit(.minutes(3))) func theServiceRefusesBadDurationsOnItsSocketAndOnReload() throws {
        let site = try ServedSite()
        defer { site.stop() }
        for seconds in ["1e19", "1e300", "-1", "0", "6553.6", "0.0001"] {
            let answer = try exchange(Data("{\"door\":{\"name\":\"Front\",\"action\":\"unlock\",\"seconds\":\(seconds)}}\n".utf8), with: site.socket)
            #expect(answer.contains("\"ok\":false"), "\(seconds): \(answer)")
            #expect(answer.contains("at least 100ms") || answer.contains("at most 6553.5s"), "\(seconds): \(answer)")
        }
        let unlocked = try runKeyway(["door", "unlock", "Front", "--for", "2s", "--socket", site.socket])
        #expect(unlocked.status == 0)
        #expect(unlocked.stdout == "Front unlocked for 2s\n")

        try String(contentsOf: site.file, encoding: .utf8).replacingOccurrences(of: "strike: 3s", with: "strike: 99999999999999s")
            .write(to: site.file, atomically: true, encoding: .utf8)
        let reload = try runKeyway(["reload", "--socket", site.socket])
        #expect(reload.status == 1)
        #expect(reload.stderr.contains("doors[0].strike: 99999999999999s is too long: at most 6553.5s"), "\(reload.stderr)")
        #expect(site.isRunning)
        #expect(try runKeyway(["status", "--socket", site.socket]).status == 0)

        let serve = try runKeyway(["serve", "--config", site.file.path])
        #expect(serve.status == 1)
        #expect(serve.stderr.contains("doors[0].strike: 99999999999999s is too long: at most 6553.5s"), "\(serve.stderr)")
    }
}

@Suite struct SizeEdgeCLITests {
    /// A 10 MB value once kept `config check` busy for half a minute and `serve` deaf to SIGTERM.
    @Test(.timeLimit(.minutes(2))) func hugeFilesAndValuesAreRefusedWithTheLimit() throws {
        let folder = try TestPaths.temporaryDirectory("edge-cli")
        let file = try writeSite(in: folder)
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "name: Edge", with: "name: \(String(repeating: "a", count: 10_000_000))")
            .write(to: file, atomically: true, encoding: .utf8)
        for arguments in [["config", "check", file.path], ["serve", "--config", file.path]] {
            let result = try runKeyway(arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains("is 10000000 bytes long, at most 1048576 are read") || result.stderr.contains("at most 1048576"), "\(result.stderr)")
        }
        try text.replacingOccurrences(of: "name: Edge", with: "name: \(String(repeating: "a", count: 100_000))")
            .write(to: file, atomically: true, encoding: .utf8)
        let value = try runKeyway(["config", "check", "--offline", file.path])
        #expect(value.status == 2)
        #expect(value.stderr.contains("site.name: is 100000 bytes long, a value is at most 4096"), "\(value.stderr)")
    }
}

@Suite struct SocketEdgeCLITests {
    /// A socket in the current folder is never used: whoever can write there could answer for the service.
    @Test(.timeLimit(.minutes(2))) func theCLINeverTakesTheSocketFromTheCurrentFolder() throws {
        let impostor = try ServedSite(socketPath: "var/demo/control.sock")
        defer { impostor.stop() }
        let result = try runKeyway(["door", "lockdown", "Front"], currentDirectory: impostor.folder)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stderr.contains("cannot connect to /run/keyway/control.sock"), "\(result.stderr)")
        let named = try runKeyway(["door", "lockdown", "Front"], environment: ["KEYWAY_SOCKET": impostor.socket])
        #expect(named.status == 0, "an explicit socket is used: \(named.stderr)")
    }

    @Test(.timeLimit(.minutes(2))) func serveRefusesToRemoveWhatIsNotASocket() throws {
        let folder = try TestPaths.temporaryDirectory("edge-cli")
        let file = try writeSite(in: folder)
        let precious = folder.appendingPathComponent("control.sock")
        try "precious\n".write(to: precious, atomically: true, encoding: .utf8)
        let serve = Process()
        serve.executableURL = TestPaths.keyway
        serve.arguments = ["serve", "--config", file.path]
        let errors = Pipe()
        serve.standardError = errors
        serve.standardOutput = FileHandle.nullDevice
        try serve.run()
        let deadline = Date().addingTimeInterval(30)
        while serve.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if serve.isRunning { kill(serve.processIdentifier, SIGTERM) }
        serve.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(serve.terminationStatus == 1)
        #expect(stderr.contains("\(precious.path) exists and is not a socket"), "\(stderr)")
        #expect(try String(contentsOf: precious, encoding: .utf8) == "precious\n")
    }

    /// Every door command names who sent it, as the kernel saw them connect (SO_PEERCRED).
    @Test(.timeLimit(.minutes(2))) func doorCommandsAreLoggedWithThePeersCredentials() throws {
        let site = try ServedSite()
        defer { site.stop() }
        #expect(try runKeyway(["door", "lockdown", "Front", "--socket", site.socket]).status == 0)
        site.stop()
        let line = site.logText.split(separator: "\n").first { $0.contains("door command") } ?? ""
        #expect(line.contains("action=lockdown"), "\(site.logText)")
        #expect(line.contains("(uid \(getuid()), pid "), "\(line)")
    }

    @Test(.timeLimit(.minutes(3))) func theSocketBoundsRequestsConnectionsAndIdleClients() throws {
        let site = try ServedSite()
        defer { site.stop() }
        // A request without an end is cut off at the limit, not buffered (and rescanned) for ever.
        let long = try exchange(Data(repeating: UInt8(ascii: "x"), count: 100_000), with: site.socket)
        #expect(long.contains("request longer than 65536 bytes"), "\(long)")

        // Connections beyond the cap are told so at once; the ones held open time out. Twenty silent
        // connections: none can finish before the idle timeout, so at most 16 are served and the rest
        // are refused (more if an earlier connection's worker is still winding down).
        let held = try (0..<20).map { _ in try connectUnix(site.socket) }
        defer { held.forEach { close($0) } }
        let answers = held.map { readAnswer($0) }
        let refused = answers.filter { $0.contains("too many connections to the control socket (at most 16 at once)") }
        #expect(refused.count >= 4, "\(answers)")
        for answer in answers where !refused.contains(answer) {
            #expect(answer.contains("no whole request within 10s"), "\(answer)")
        }
        #expect(try runKeyway(["status", "--socket", site.socket]).status == 0)
    }
}

@Suite struct ConfigCheckEdgeCLITests {
    /// Every shipped example passes the offline check (the file alone, on any machine).
    @Test func everyExamplePassesTheOfflineCheck() throws {
        let examples = TestPaths.repository.appendingPathComponent("Examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 2)
        for name in files {
            let result = try runKeyway(["config", "check", "--offline", examples.appendingPathComponent(name).path], environment: ["KEYWAY_GARAGE_KEY": ""])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(result.stdout.contains("OK as a file"), "\(name): \(result.stdout)")
        }
    }

    /// The plain check keeps the machine's checks and says which problems are the machine's.
    @Test func thePlainCheckListsTheMachinesProblemsApartFromTheFiles() throws {
        let folder = try TestPaths.temporaryDirectory("edge-cli")
        let file = folder.appendingPathComponent("site.yaml")
        try """
            site: {name: Shop, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - name: main
                device: /nonexistent/ttyUSB0
                pds:
                  - address: 1
                    name: lobby
                    key_file: ${LOBBY_KEY_FILE}
                  - {address: 2, name: hall, key_file: missing.key, secure: required}
            doors:
              - name: Lobby
                reader: {bus: main, address: 1}
                relay: {bus: main, address: 1, output: 0}
            """.write(to: file, atomically: true, encoding: .utf8)
        let machine = try runKeyway(["config", "check", file.path])
        #expect(machine.status == 1, "only the machine has problems: \(machine.stderr)")
        #expect(machine.stderr.split(separator: "\n").map(String.init) == [
            "On this machine, not in the file (`keyway config check --offline` checks the file alone):",
            "\(file.path):6:13: buses[0].device: /nonexistent/ttyUSB0 does not exist on this machine",
            "\(file.path):10:19: buses[0].pds[0].key_file: environment variable LOBBY_KEY_FILE is not set (give a default with ${LOBBY_KEY_FILE:-value})",
            "\(file.path):11:44: buses[0].pds[1].key_file: cannot read \(folder.appendingPathComponent("missing.key").path)",
            "3 problems on this machine",
        ])
        let offline = try runKeyway(["config", "check", "--offline", file.path])
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(offline.stdout.contains("(values from $LOBBY_KEY_FILE not checked)"))

        try (String(contentsOf: file, encoding: .utf8) + "\n    mode: sometimes\n").write(to: file, atomically: true, encoding: .utf8)
        let both = try runKeyway(["config", "check", file.path])
        #expect(both.status == 2, "the file has a problem too")
        #expect(both.stderr.hasPrefix("\(file.path):16:11: doors[0].mode: \"sometimes\" is not one of"), "\(both.stderr)")
        #expect(both.stderr.contains("\n1 problem in \(file.path)\nOn this machine"), "\(both.stderr)")
    }

    /// A key written in a file others can read is refused, by the check and by the service alike.
    @Test func anInlineKeyNeedsAPrivateFile() throws {
        let folder = try TestPaths.temporaryDirectory("edge-cli")
        let file = folder.appendingPathComponent("site.yaml")
        try """
            site: {name: Shop, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - name: main
                device: /dev/null
                pds:
                  - {address: 1, name: lobby, key: 00112233445566778899aabbccddeeff, secure: required}
            """.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let loose = try runKeyway(["config", "check", file.path])
        #expect(loose.status == 1)
        #expect(loose.stderr.contains("buses[0].pds[0].key: a key written in a file others can read (mode 644): move it to a key_file"), "\(loose.stderr)")
        #expect(!loose.stderr.contains("00112233"))
        let serve = try runKeyway(["serve", "--config", file.path])
        #expect(serve.status == 1)
        #expect(serve.stderr.contains("a key written in a file others can read"), "\(serve.stderr)")

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let tight = try runKeyway(["config", "check", file.path])
        #expect(tight.status == 0, "\(tight.stderr)")
    }
}
