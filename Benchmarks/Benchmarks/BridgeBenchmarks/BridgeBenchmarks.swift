import Access
import Benchmark
import Bridge
import Foundation
import Logging
import Wiegand

/// Card read to relay: a card is injected at a real libosdp PD on a pseudo-terminal, and the clock stops
/// when that PD reports the OUT command. The same PD program and the same measurement serve both control
/// panels: Keyway's bridge (decision against SQLite, logged, then OUT), and libosdp's own control panel
/// (Python binding polling every 2 ms) answering every card with OUT, deciding nothing.
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 3, maxDuration: .seconds(20), maxIterations: 200)

    Benchmark("Card read to relay, Keyway bridge", configuration: configuration) { benchmark in
        guard let site = try? KeywaySite() else { fatalError("cannot start the Keyway site (is .venv with libosdp there?)") }
        defer { site.stop() }
        for _ in benchmark.scaledIterations {
            benchmark.startMeasurement()
            site.peer.presentCardAndAwaitRelay()
            benchmark.stopMeasurement()
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    // The same with each durability mode, on this disk and on a slow one (a 20 ms delay injected before each sync).
    for (durability, syncDelay) in [(Durability.strict, Duration.zero), (.fast, .milliseconds(20)), (.strict, .milliseconds(20))] {
        let disk = syncDelay == .zero ? "" : ", slow disk (+20 ms a sync)"
        Benchmark("Card read to relay, Keyway bridge, \(durability)\(disk)", configuration: configuration) { benchmark in
            guard let site = try? KeywaySite(durability: durability, syncDelay: syncDelay) else {
                fatalError("cannot start the Keyway site (is .venv with libosdp there?)")
            }
            defer { site.stop() }
            for _ in benchmark.scaledIterations {
                benchmark.startMeasurement()
                site.peer.presentCardAndAwaitRelay()
                benchmark.stopMeasurement()
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    // One run, one table: libosdp's control panel and Keyway on the same wire-paced line at 9600 and 115 200 baud
    // and on a bare pty, with Secure Channel, against the floor the bytes on the wire set (`WirePacedLatency`).
    Benchmark("Card read to relay on a wire-paced line (table)",
              configuration: .init(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 0, maxDuration: .seconds(1), maxIterations: 1)) { _ in
        WirePacedLatency.run()
    }

    // An API unlock to OUT against a card's read to OUT on the same lines (`APIUnlockLatency`), and 500 unlocks a
    // second through the API with 100 keys, pulses and log rows counted (`SustainedUnlocks`).
    let once = Benchmark.Configuration(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 0, maxDuration: .seconds(1), maxIterations: 1)
    Benchmark("API unlock to relay against a card, wire-paced line (table)", configuration: once) { _ in
        APIUnlockLatency.run()
    }
    Benchmark("Sustained unlocks through the API (table)", configuration: once) { _ in
        SustainedUnlocks.run()
    }

    Benchmark("Card read to relay, libosdp control panel", configuration: configuration) { benchmark in
        guard let peer = try? Peer(), let panel = try? LibOSDPPanel(device: peer.device) else {
            fatalError("cannot start libosdp's control panel (is .venv with libosdp there?)")
        }
        defer {
            panel.stop()
            peer.stop()
        }
        peer.awaitOnline()
        for _ in benchmark.scaledIterations {
            benchmark.startMeasurement()
            peer.presentCardAndAwaitRelay()
            benchmark.stopMeasurement()
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let python = ProcessInfo.processInfo.environment["KEYWAY_PYTHON"] ?? repository.appendingPathComponent(".venv/bin/python").path

/// The libosdp PD (Demo/osdp_pd.py) driven over its stdin/stdout.
final class Peer: @unchecked Sendable {
    private(set) var device = ""
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = Data()

    /// A Secure Channel key in a 0600 file, as the peer and the site config take keys (never on a command line).
    static func keyFile(_ hex: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keyway-bench-\(UUID().uuidString.prefix(8)).key").path
        guard FileManager.default.createFile(atPath: path, contents: Data(hex.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return path
    }

    init(arguments: [String] = ["--address", "1", "--baud", "115200"]) throws {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repository.appendingPathComponent("Demo/osdp_pd.py").path] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard let ready = nextEvent(), let device = ready["device"] as? String else { throw CocoaError(.fileReadUnknown) }
        self.device = device
    }

    func nextEvent() -> [String: Any]? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                if let event = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] { return event }
                continue
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { return nil }
            buffer += chunk
        }
    }

    func awaitOnline() {
        while let event = nextEvent(), event["event"] as? String != "online" {}
    }

    /// An H10301 card (facility 1, card 100) at the reader of the PD at `address`.
    func presentCard(address: Int = 1) {
        let frame = try! CardFormat.h10301.encode(CardFields(facility: 1, card: 100))
        let bits = (0..<frame.bitCount).map { frame.bit(at: $0) ? "1" : "0" }.joined()
        try? input.fileHandleForWriting.write(contentsOf: Data("{\"cmd\":\"card\",\"address\":\(address),\"bitstring\":\"\(bits)\",\"format\":\"wiegand\"}\n".utf8))
    }

    /// Waits for the strike pulse (OUT with control code 5) at the board at `address` (any board if nil);
    /// false if the peer ended.
    func awaitRelay(address: Int? = nil) -> Bool {
        while let event = nextEvent() {
            if event["event"] as? String == "command", event["type"] as? String == "output", event["control_code"] as? Int == 5,
               address == nil || event["address"] as? Int == address { return true }
        }
        return false
    }

    func presentCardAndAwaitRelay() {
        let frame = try! CardFormat.h10301.encode(CardFields(facility: 1, card: 100))
        let bits = (0..<frame.bitCount).map { frame.bit(at: $0) ? "1" : "0" }.joined()
        try? input.fileHandleForWriting.write(contentsOf: Data("{\"cmd\":\"card\",\"address\":1,\"bitstring\":\"\(bits)\",\"format\":\"wiegand\"}\n".utf8))
        // Only a strike pulse counts: lock commands at start and the last card's LED and buzzer are skipped.
        while let event = nextEvent() {
            if event["event"] as? String == "command", event["type"] as? String == "output", event["control_code"] as? Int == 5 { return }
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}

/// Keyway's site: the bridge's supervisor, control panel and access core, one door on each of the peer's PDs.
final class KeywaySite: @unchecked Sendable {
    let peer: Peer
    /// The peers of every bus, the first one `peer`.
    let peers: [Peer]
    let supervisor: SiteSupervisor
    let access: AccessControl
    /// The doors in the order of the buses and their PDs' addresses.
    let doorNames: [String]
    let configuration: SiteConfiguration

    /// `device` and `baud`: the control panel's end of a line to `peer`; by default the peer's own pty, in plaintext.
    /// `durability` as in the site file; `syncDelay` before each sync of the database simulates a slow disk.
    convenience init(peer given: Peer? = nil, device: String? = nil, baud: Int = 115200, key: String? = nil, pdCount: Int = 1,
                     durability: Durability = .fast, syncDelay: Duration = .zero) throws {
        let peer = try given ?? Peer()
        try self.init(buses: [(peer, device ?? peer.device, pdCount)], baud: baud, key: key, durability: durability, syncDelay: syncDelay)
    }

    /// One bus for each peer (`device`: the control panel's end of its line, `pdCount` PDs at addresses 1…); the
    /// first bus's doors are Door, Door2, …, bus b's (from 1) Bus<b>Door<address>.
    init(buses: [(peer: Peer, device: String, pdCount: Int)], baud: Int = 115200, key: String? = nil,
         durability: Durability = .fast, syncDelay: Duration = .zero) throws {
        peers = buses.map(\.peer)
        peer = peers[0]
        let keyFile = try key.map(Peer.keyFile)
        var busLines: [String] = [], doorLines: [String] = [], doorNames: [String] = []
        for (index, bus) in buses.enumerated() {
            let pd = (1...bus.pdCount).map { address -> String in
                let name = index == 0 ? (address == 1 ? "reader" : "reader\(address)") : "bus\(index)reader\(address)"
                return keyFile.map { path -> String in "{address: \(address), name: \(name), key_file: \(path)}" } ?? "{address: \(address), name: \(name), secure: off}"
            }.joined(separator: ", ")
            let busName = index == 0 ? "bench" : "bench\(index)"
            busLines.append("  - {name: \(busName), device: \(bus.device), baud: \(baud), pds: [\(pd)]}")
            // One door on each PD: its reader and its first output.
            for address in 1...bus.pdCount {
                let name = index == 0 ? (address == 1 ? "Door" : "Door\(address)") : "Bus\(index)Door\(address)"
                doorNames.append(name)
                doorLines.append("  - {name: \(name), reader: {bus: \(busName), address: \(address)}, relay: {bus: \(busName), address: \(address), output: 0}, mode: card}")
            }
        }
        self.doorNames = doorNames
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyway-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("site.yaml")
        try """
            site: {name: Bench, timezone: UTC}
            database: {path: keyway.sqlite, durability: \(durability.rawValue)}
            secrets: secrets
            buses:
            \(busLines.joined(separator: "\n"))
            doors:
            \(doorLines.joined(separator: "\n"))
            api: {socket: control.sock}
            """.write(to: file, atomically: true, encoding: .utf8)
        configuration = try loadSiteConfiguration(path: file.path)
        access = try AccessControl.open(database: configuration.database, secrets: configuration.secrets, timeZone: .gmt,
                                        durability: configuration.durability, syncHooks: SyncHooks(delay: syncDelay))
        for door in doorNames { try access.store.addDoor(name: door, mode: .card) }
        try access.store.addGroup(name: "All", doors: doorNames.map { (door: $0, schedule: nil) })
        try access.store.addPerson(name: "Ada")
        try access.store.grant(person: "Ada", group: "All")
        try access.store.addCard(person: "Ada", card: .fields(format: "h10301", facility: 1, number: 100))
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        supervisor = SiteSupervisor(configuration: configuration, source: .file(file.path), access: access, logger: logger)
        let started = DispatchSemaphore(value: 0)
        Task { [supervisor] in
            await supervisor.start()
            started.signal()
        }
        started.wait()
        for peer in peers { peer.awaitOnline() }
    }

    func stop() {
        let stopped = DispatchSemaphore(value: 0)
        Task { [supervisor] in
            await supervisor.stop()
            stopped.signal()
        }
        stopped.wait()
        for peer in peers { peer.stop() }
    }
}

/// libosdp's control panel (its Python binding, refreshed every 2 ms) that pulses output 0 on every card.
final class LibOSDPPanel: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()

    static let script = """
        import os, sys, time, tty
        from osdp import ControlPanel, PDInfo, Channel, Command, Event, LogLevel
        class Fast(ControlPanel):
            @staticmethod
            def refresh(event, lock, ctx):
                while not event.is_set():
                    with lock: ctx.refresh()
                    time.sleep(0.002)
        class Pty(Channel):
            def __init__(self, path):
                super().__init__(); self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK); tty.setraw(self.fd)
            def read(self, n):
                try: return os.read(self.fd, n)
                except OSError: return b""
            def write(self, b):
                try: return os.write(self.fd, b)
                except BlockingIOError: return 0
            def flush(self): pass
            def close(self): os.close(self.fd)
        def on_event(pd, event):
            if event["event"] == Event.CardRead:
                cp.ctx.submit_command(0, {"command": Command.Output, "output_no": 0, "control_code": 5, "timer_count": 30})
            return 0
        key = bytes.fromhex(sys.argv[2]) if len(sys.argv) > 2 else None
        cp = Fast([PDInfo(1, Pty(sys.argv[1]), scbk=key)], log_level=LogLevel.Error, event_handler=on_event)
        cp.start()
        sys.stdin.read()
        cp.teardown()
        """

    init(device: String, key: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", Self.script, device] + (key.map { [$0] } ?? [])
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}
