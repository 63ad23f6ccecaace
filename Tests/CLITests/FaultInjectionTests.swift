import Foundation
import KeywayTestSupport
import Testing

/// Faults injected into a running `keyway serve`: a noisy and cut line (the project's own paced line,
/// Benchmarks/paced-line), a PD killed and restarted, the service killed with SIGKILL under load. Whatever
/// happens, the invariants hold:
/// - no strike pulse (OUT) reaches the PD without its grant row durable in the activity log;
/// - no grant follows a revocation that returned;
/// - every door is confirmed locked after stop;
/// - status shows the fault (a PD offline) — the timing is not asserted (OSDP itself takes 8 s to call a PD offline).
/// Every child is reaped; every wait is generous; nothing asserts on time.
@Suite(.serialized) struct FaultInjectionTests {
    @Test(.timeLimit(.minutes(6))) func noiseCutsAndAPDKillLoseNothingAndGrantNothingAfterARevoke() async throws {
        try await offPool {
            let line = try PacedLineProcess(corrupt: 0.002)
            defer { line.stop() }
            let site = try FaultSite(device: line.panelSide, cards: 8)
            var peer = try site.startPeer(device: line.pdSide)
            let serve = try site.serve()
            defer { serve.stop() }
            #expect(site.waitFor("the reader online and secure") { site.pdStatus()?.online == true && site.pdStatus()?.secure == true })

            var openings = 0
            for card in 0..<4 {
                if card == 2 { try line.cut(seconds: 1) }  // the wire cut while a card is read
                openings += site.present(card, at: peer)
            }
            // A reader losing power: status says so; a new one on the same wire is taken back.
            openings += site.openings(at: peer, patience: 1)
            peer.kill()
            #expect(site.waitFor("the reader offline in status") { site.pdStatus()?.online == false })
            #expect(serve.log.contains("secure channel session ended"), "a lost session is logged")
            peer = try site.startPeer(device: line.pdSide)
            #expect(site.waitFor("the reader back") { site.pdStatus()?.online == true && site.pdStatus()?.secure == true })
            for card in 4..<7 { openings += site.present(card, at: peer) }

            // A revocation that returned is final. (On a quiet line, so that the read is decided: with libosdp 3.2.9
            // dropping its session on every damaged frame, a read under noise may wait for many handshakes.)
            try line.corrupt(rate: 0)
            let revoked = site.cards.count - 1
            let revocation = try runKeyway(["revoke", site.cards[revoked], "--reason", "fault test", "--config", site.config.path])
            #expect(revocation.status == 0, "\(revocation.stderr)")
            openings += site.present(revoked, at: peer)

            serve.stop()
            openings += site.openings(at: peer, patience: 1)
            #expect(serve.exitStatus == 0)
            #expect(serve.log.contains("all confirmed locked"), "doors not confirmed locked at stop:\n\(serve.log.suffix(2000))")
            site.expectEveryOpeningLogged(openings)
            site.expectNoGrantAfterRevocation(of: revoked)
            #expect(openings > 0, "no card opened through the noise")
        }
    }

    @Test(.timeLimit(.minutes(5))) func killedUnderLoadTheServiceLosesNoOpeningAndStopsLocked() async throws {
        try await offPool {
            let line = try PacedLineProcess(corrupt: 0)
            defer { line.stop() }
            let site = try FaultSite(device: line.panelSide, cards: 12)
            let peer = try site.startPeer(device: line.pdSide)
            var openings = 0
            for round in 0..<2 {
                let serve = try site.serve()
                defer { serve.stop() }
                #expect(site.waitFor("the reader online (start \(round + 1))") { site.pdStatus()?.online == true && site.pdStatus()?.secure == true })
                let cards = Array((round * 6)..<(round * 6 + 6))
                for card in cards.dropLast() { openings += site.present(card, at: peer) }
                // SIGKILL right after the last card is presented, while it is being decided (or its pulse sent).
                site.presentWithoutWaiting(cards.last!, at: peer)
                usleep(UInt32.random(in: 0..<50_000))
                serve.kill()
                openings += site.openings(at: peer, patience: 2)
                site.expectEveryOpeningLogged(openings)
            }
            let serve = try site.serve()
            #expect(site.waitFor("the reader online after the kills") { site.pdStatus()?.online == true })
            serve.stop()
            openings += site.openings(at: peer, patience: 1)
            #expect(serve.exitStatus == 0)
            #expect(serve.log.contains("all confirmed locked"), "doors not confirmed locked at stop:\n\(serve.log.suffix(2000))")
            site.expectEveryOpeningLogged(openings)
            #expect(openings >= 5, "too few cards opened to say anything")
        }
    }

    /// "Full" is simulated with RLIMIT_FSIZE, lowered on the running service (`prlimit --fsize`, SIGXFSZ ignored from
    /// its start): from then on every write past 4 KiB into any file fails with EFBIG, as on a full disk. (A small
    /// tmpfs would need root; SQLite's max_page_count is per connection, out of reach from outside.)
    @Test(.timeLimit(.minutes(5))) func aFullDiskDeniesAndShowsTheFault() async throws {
        try await offPool {
            let line = try PacedLineProcess(corrupt: 0)
            defer { line.stop() }
            let site = try FaultSite(device: line.panelSide, cards: 6)
            let peer = try site.startPeer(device: line.pdSide)
            let serve = try site.serve(ignoringFileSizeSignal: true)
            defer { serve.stop() }
            #expect(site.waitFor("the reader online") { site.pdStatus()?.online == true })
            var openings = site.present(0, at: peer)
            let full = Process()
            full.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            full.arguments = ["--pid", String(serve.pid), "--fsize=4096"]
            try full.run()
            full.waitUntilExit()
            #expect(full.terminationStatus == 0)
            for card in 1..<6 { openings += site.present(card, at: peer, patience: 10) }
            #expect(site.waitFor("the database fault in status") { site.faults().contains { $0.contains("database") } })
            // A lock is confirmed by the reader's board: stop while it answers (a loaded machine can cost it a handshake).
            #expect(site.waitFor("the reader online before the stop") { site.pdStatus()?.online == true })
            serve.stop()
            openings += site.openings(at: peer, patience: 1)
            #expect(serve.log.contains("all confirmed locked"), "doors not confirmed locked at stop:\n\(serve.log.suffix(2000))")
            site.expectEveryOpeningLogged(openings)
        }
    }

    /// The database file deleted under the running service: it notices (a fault in status) and opens nothing more,
    /// since no row could be made durable; the doors are still confirmed locked at stop.
    @Test(.timeLimit(.minutes(5))) func aRemovedDatabaseOpensNothingWithoutADurableRow() async throws {
        try await offPool {
            let line = try PacedLineProcess(corrupt: 0)
            defer { line.stop() }
            let site = try FaultSite(device: line.panelSide, cards: 4)
            let peer = try site.startPeer(device: line.pdSide)
            let serve = try site.serve()
            defer { serve.stop() }
            #expect(site.waitFor("the reader online") { site.pdStatus()?.online == true })
            #expect(site.present(0, at: peer) == 1, "the first card, before the database is removed, should open")
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: site.database.path + suffix) }
            var openings = 0
            for card in 1..<4 { openings += site.present(card, at: peer, patience: 10) }
            #expect(site.waitFor("the database file fault in status") { site.faults().contains { $0.contains("database") } })
            #expect(site.waitFor("the reader online before the stop") { site.pdStatus()?.online == true })
            serve.stop()
            openings += site.openings(at: peer, patience: 1)
            #expect(serve.log.contains("all confirmed locked"), "doors not confirmed locked at stop:\n\(serve.log.suffix(2000))")
            #expect(openings == 0, "\(openings) openings after the database was removed: none could have a durable row")
        }
    }

    /// A read-only database: the service is started on it (its file bind-mounted read-only in the service's own mount
    /// namespace: as root a chmod would not bite, and no mount turns read-only under a process holding the file open for
    /// writing, EBUSY). It cannot log a decision, so it refuses to start and says which file is read-only; no card
    /// opens the door. Once the file is writable again the service starts, and every opening has its durable row.
    @Test(.timeLimit(.minutes(5))) func aReadOnlyDatabaseOpensNothingSaysSoAndRecovers() async throws {
        try await offPool {
            let line = try PacedLineProcess(corrupt: 0)
            defer { line.stop() }
            let site = try FaultSite(device: line.panelSide, cards: 2)
            let peer = try site.startPeer(device: line.pdSide)
            let readOnly = try site.serve(readOnlyDatabase: true)
            defer { readOnly.stop() }
            site.presentWithoutWaiting(0, at: peer)
            #expect(site.waitFor("the service on a read-only database to stop") { readOnly.exitStatus != -1 })
            #expect(readOnly.exitStatus != 0)
            #expect(readOnly.log.contains("\(site.database.path): the database file is on a read-only file system"), "\(readOnly.log.suffix(2000))")
            var openings = site.openings(at: peer, patience: 2)
            #expect(openings == 0, "a door opened with the database read-only")

            let serve = try site.serve()
            defer { serve.stop() }
            #expect(site.waitFor("the reader online once the database is writable") { site.pdStatus()?.online == true })
            openings += site.present(1, at: peer)
            #expect(openings == 1, "the card after recovery should open")
            serve.stop()
            openings += site.openings(at: peer, patience: 1)
            #expect(serve.log.contains("all confirmed locked"), "doors not confirmed locked at stop:\n\(serve.log.suffix(2000))")
            site.expectEveryOpeningLogged(openings)
        }
    }
}

// MARK: The site under test

/// Runs a scenario (blocking waits, minutes long) on threads of its own: held that long, a thread of the small
/// cooperative pool would starve the suite's asynchronous tests. It stays in the test's task, so expectations
/// and known issues are the test's.
private func offPool(_ scenario: () async throws -> Void) async throws {
    try await withTaskExecutorPreference(ThreadPerJobExecutor()) { try await scenario() }
}

/// Runs each job on a new thread.
private final class ThreadPerJobExecutor: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        Thread { job.runSynchronously(on: executor) }.start()
    }
}

private let key = "0123456789abcdeffedcba9876543210"

/// A one-door site in a temporary folder: its config, database (seeded through the CLI) and key file.
private final class FaultSite: @unchecked Sendable {
    let folder: URL
    let config: URL
    /// The card credentials' ids, card i is H10301 facility 1, number 1000 + i.
    private(set) var cards: [String] = []

    init(device: String, cards count: Int) throws {
        folder = try TestPaths.temporaryDirectory("faults")
        config = folder.appendingPathComponent("site.yaml")
        let keyFile = folder.appendingPathComponent("reader.key")
        guard FileManager.default.createFile(atPath: keyFile.path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw FaultTestError("cannot write \(keyFile.path)")
        }
        try """
            site: {name: Faults, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - {name: line, device: \(device), baud: 115200, pds: [{address: 1, name: reader, key_file: \(keyFile.path)}]}
            doors:
              - {name: Door, reader: {bus: line, address: 1}, relay: {bus: line, address: 1, output: 0}, mode: card}
            api: {socket: control.sock}
            """.write(to: config, atomically: true, encoding: .utf8)
        for arguments in [["doors", "add", "Door", "--mode", "card"], ["people", "add", "Ada"],
                          ["groups", "add", "All", "--door", "Door"], ["people", "grant", "Ada", "--group", "All"]] {
            try cli(arguments)
        }
        for index in 0..<count {
            let added = try cli(["cards", "add", "--person", "Ada", "--format", "h10301", "--facility", "1", "--card", String(1000 + index), "--json"])
            guard let id = added.jsonLines.compactMap({ $0["id"] as? String }).first else { throw FaultTestError("no card id in \(added.stdout)") }
            cards.append(id)
        }
    }

    @discardableResult
    private func cli(_ arguments: [String]) throws -> KeywayResult {
        let result = try runKeyway(arguments + ["--config", config.path])
        guard result.status == 0 else { throw FaultTestError("keyway \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result
    }

    func startPeer(device: String) throws -> OSDPPeer {
        try OSDPPeer(.init(addresses: [1], scbk: key, baud: 115200, device: device))
    }

    var database: URL { folder.appendingPathComponent("keyway.sqlite") }

    /// `readOnlyDatabase`: the database file is read-only to the service (see `ServeProcess`).
    func serve(ignoringFileSizeSignal: Bool = false, readOnlyDatabase: Bool = false) throws -> ServeProcess {
        try ServeProcess(config: config, folder: folder, ignoringFileSizeSignal: ignoringFileSizeSignal,
                         readOnly: readOnlyDatabase ? database : nil)
    }

    /// The faults `keyway status` lists now (empty while the service does not answer).
    func faults() -> [String] {
        guard let result = try? runKeyway(["status", "--json", "--socket", folder.appendingPathComponent("control.sock").path]),
              result.status == 0, let status = result.jsonLines.first else { return [] }
        return status["faults"] as? [String] ?? []
    }

    /// The PD as `keyway status` shows it, nil while the service does not answer.
    func pdStatus() -> (online: Bool, secure: Bool)? {
        guard let result = try? runKeyway(["status", "--json", "--socket", folder.appendingPathComponent("control.sock").path]),
              result.status == 0, let status = result.jsonLines.first,
              let bus = (status["buses"] as? [[String: Any]])?.first, let pd = (bus["pds"] as? [[String: Any]])?.first else { return nil }
        return (pd["online"] as? Bool == true, pd["secure"] as? Bool == true)
    }

    /// Every row of the activity log, read from the database as a person would.
    func logRows() -> [[String: Any]] {
        (try? runKeyway(["log", "--json", "--config", config.path]))?.jsonLines ?? []
    }

    /// Presents card `index`; returns the door openings the PD saw (see `openings(at:patience:)`).
    func present(_ index: Int, at peer: OSDPPeer, patience: TimeInterval = 30) -> Int {
        presentWithoutWaiting(index, at: peer)
        return openings(at: peer, patience: patience)
    }

    func presentWithoutWaiting(_ index: Int, at peer: OSDPPeer) {
        try? peer.send(["cmd": "card", "address": 1, "bitstring": h10301(facility: 1, card: 1000 + index), "format": "wiegand"])
    }

    /// Consumes the strike pulses (OUT, temporary on) the PD saw, waiting up to `patience` for the first and a second
    /// after each: pulses less than a second apart are one opening. (A PD may run a resent OUT again: libosdp 3.2.9
    /// does on a repeated sequence number; cards here are a second apart at least.)
    func openings(at peer: OSDPPeer, patience: TimeInterval) -> Int {
        var openings = 0
        var last: Double?
        var wait = patience
        while let strike = try? peer.awaitEvent("command", timeout: wait, matching: { $0.string("type") == "output" && $0.int("control_code") == 5 }) {
            let time = (strike["t"] as? NSNumber)?.doubleValue ?? 0
            if last.map({ time - $0 >= 1 }) ?? true { openings += 1 }
            last = time
            wait = 1
        }
        return openings
    }

    /// Polls `condition` every 200 ms for up to `within` seconds. How long it took is printed, never asserted (a
    /// measure of how soon status tells the truth; each poll runs `keyway status`, so it includes that start-up).
    func waitFor(_ what: String, within: TimeInterval = 90, _ condition: () -> Bool) -> Bool {
        let start = Date()
        let deadline = start.addingTimeInterval(within)
        while Date() < deadline {
            if condition() {
                print("fault-suite: \(what) after \(Int(Date().timeIntervalSince(start) * 1000)) ms")
                return true
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("not within \(Int(within)) s: \(what)")
        return false
    }

    /// Invariant: every opening the PD saw has its grant row in the log on disk (read after the service stopped or
    /// was killed, so the row survived it).
    func expectEveryOpeningLogged(_ openings: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let grants = logRows().filter { $0["outcome"] as? String == "grant" }.count
        #expect(openings <= grants, "\(openings) openings at the PD, \(grants) grant rows in the log", sourceLocation: sourceLocation)
    }

    /// Invariant: no grant row for the card after the row of its revocation.
    func expectNoGrantAfterRevocation(of index: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let rows = logRows().filter { $0["credential"] as? String == cards[index] }
        guard let revokedAt = rows.firstIndex(where: { $0["event"] as? String == "revoked" }) else {
            Issue.record("no revocation row for card \(1000 + index): \(rows)", sourceLocation: sourceLocation)
            return
        }
        #expect(!rows[revokedAt...].contains { $0["outcome"] as? String == "grant" }, "a grant after the revocation", sourceLocation: sourceLocation)
        if !rows[revokedAt...].contains(where: { $0["outcome"] as? String == "deny" }) {
            print("fault suite: the revoked card's read was not decided before stop (nothing to check but the absence of a grant)")
        }
    }
}

/// The 26 bits of an H10301 card, as the PD sends them: even parity, facility, number, odd parity.
private func h10301(facility: Int, card: Int) -> String {
    let payload = (0..<24).map { bit in ((facility << 16 | card) >> (23 - bit)) & 1 }
    let even = payload.prefix(12).reduce(0, +) % 2
    let odd = 1 - payload.suffix(12).reduce(0, +) % 2
    return ([even] + payload + [odd]).map(String.init).joined()
}

/// `keyway serve` as a child: its log in a file, stopped politely or killed, always reaped.
private final class ServeProcess: @unchecked Sendable {
    private let process = Process()
    private let logFile: URL

    /// `ignoringFileSizeSignal`: SIGXFSZ ignored (it stays so across exec), so a file size limit set later makes
    /// writes fail with EFBIG rather than kill the process. `readOnly`: a file bind-mounted read-only over itself in
    /// a mount namespace of the service's own (`unshare -m`), so the read-only mount goes with the process.
    init(config: URL, folder: URL, ignoringFileSizeSignal: Bool = false, readOnly: URL? = nil) throws {
        logFile = folder.appendingPathComponent("serve-\(UUID().uuidString.prefix(6)).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        if let readOnly {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            process.arguments = ["-m", "/bin/sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && exec \"$1\" serve --config \"$2\"",
                                 readOnly.path, TestPaths.keyway.path, config.path]
        } else if ignoringFileSizeSignal {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "trap '' XFSZ; exec \"$0\" serve --config \"$1\"", TestPaths.keyway.path, config.path]
        } else {
            process.executableURL = TestPaths.keyway
            process.arguments = ["serve", "--config", config.path]
        }
        process.standardOutput = FileHandle.nullDevice
        // Through a pipe into the file from this process: a file size limit set on the service must not cut its log.
        let errors = Pipe(), file = try FileHandle(forWritingTo: logFile)
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        Thread {
            let reader = errors.fileHandleForReading
            while case let chunk = reader.availableData, !chunk.isEmpty { try? file.write(contentsOf: chunk) }
            try? file.close()
        }.start()
    }

    deinit { kill() }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }
    var pid: Int32 { process.processIdentifier }
    var exitStatus: Int32 { process.isRunning ? -1 : process.terminationStatus }

    /// SIGTERM, then SIGKILL if it is still there after a minute; reaped.
    func stop() { end(SIGTERM, patience: 60) }

    /// SIGKILL: a crash, a power cut of the process.
    func kill() { end(SIGKILL, patience: 10) }

    private func end(_ signal: Int32, patience: TimeInterval) {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, signal)
            let deadline = Date().addingTimeInterval(patience)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }
}

/// Benchmarks/paced-line/paced_line.py: a 115 200 baud line between two pseudo-terminals that damages `corrupt`
/// of the bytes and can be cut. Its report lines are drained so it never blocks on a full pipe.
private final class PacedLineProcess: @unchecked Sendable {
    let panelSide: String
    let pdSide: String
    private let process = Process()
    private let input = Pipe()

    init(corrupt: Double) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [TestPaths.repository.appendingPathComponent("Benchmarks/paced-line/paced_line.py").path,
                             "--baud", "115200", "--whole", "b", "--corrupt", String(corrupt), "--seed", "10"]
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        var line = Data()
        while case let byte = reader.readData(ofLength: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let ready = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
              let a = ready["a"] as? String, let b = ready["b"] as? String else {
            process.terminate()
            process.waitUntilExit()
            throw FaultTestError("the paced line did not start: \(String(decoding: line, as: UTF8.self))")
        }
        panelSide = a
        pdSide = b
        Thread { while !reader.availableData.isEmpty {} }.start()
    }

    deinit { stop() }

    /// From now on each byte is damaged with probability `rate`.
    func corrupt(rate: Double) throws {
        try input.fileHandleForWriting.write(contentsOf: Data("{\"cmd\":\"corrupt\",\"rate\":\(rate)}\n".utf8))
    }

    /// Every byte sent in either direction is lost for `seconds`.
    func cut(seconds: Double) throws {
        try input.fileHandleForWriting.write(contentsOf: Data("{\"cmd\":\"cut\",\"seconds\":\(seconds)}\n".utf8))
    }

    func stop() {
        if process.isRunning {
            try? input.fileHandleForWriting.close()
            process.terminate()
        }
        process.waitUntilExit()
    }
}

private struct FaultTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
