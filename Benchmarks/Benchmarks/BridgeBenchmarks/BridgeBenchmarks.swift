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

    // One run, one table: libosdp's control panel and Keyway on the same wire-paced line at 9600 and 115 200 baud
    // and on a bare pty, with Secure Channel, against the floor the bytes on the wire set (`WirePacedLatency`).
    Benchmark("Card read to relay on a wire-paced line (table)",
              configuration: .init(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 0, maxDuration: .seconds(1), maxIterations: 1)) { _ in
        WirePacedLatency.run()
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

    /// `--scbk KEY` in `arguments` is handed to the PD as a 0600 key file (osdp_pd.py takes keys by file only).
    init(arguments: [String] = ["--address", "1", "--baud", "115200"]) throws {
        var arguments = arguments
        if let option = arguments.firstIndex(of: "--scbk"), option + 1 < arguments.count {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("keyway-bench-\(UUID().uuidString.prefix(8)).key")
            guard FileManager.default.createFile(atPath: file.path, contents: Data(arguments[option + 1].utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
            arguments.replaceSubrange(option...(option + 1), with: ["--scbk-file", file.path])
        }
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

    /// An H10301 card (facility 1, card 100) at the reader, then waits for the strike pulse at the board.
    func presentCard() {
        let frame = try! CardFormat.h10301.encode(CardFields(facility: 1, card: 100))
        let bits = (0..<frame.bitCount).map { frame.bit(at: $0) ? "1" : "0" }.joined()
        try? input.fileHandleForWriting.write(contentsOf: Data("{\"cmd\":\"card\",\"address\":1,\"bitstring\":\"\(bits)\",\"format\":\"wiegand\"}\n".utf8))
    }

    /// Waits for the strike pulse (OUT with control code 5) at the board; false if the peer ended.
    func awaitRelay() -> Bool {
        while let event = nextEvent() {
            if event["event"] as? String == "command", event["type"] as? String == "output", event["control_code"] as? Int == 5 { return true }
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

/// Keyway's site: the bridge's supervisor, control panel and access core, one door on the peer.
final class KeywaySite: @unchecked Sendable {
    let peer: Peer
    private let supervisor: SiteSupervisor

    /// `device` and `baud`: the control panel's end of a line to `peer`; by default the peer's own pty, in plaintext.
    init(peer given: Peer? = nil, device: String? = nil, baud: Int = 115200, key: String? = nil, pdCount: Int = 1) throws {
        peer = try given ?? Peer()
        let pd = (1...pdCount).map { address -> String in
            let name = address == 1 ? "reader" : "reader\(address)"
            return key.map { key -> String in "{address: \(address), name: \(name), key: \(key)}" } ?? "{address: \(address), name: \(name), secure: off}"
        }.joined(separator: ", ")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyway-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("site.yaml")
        try """
            site: {name: Bench, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - {name: bench, device: \(device ?? peer.device), baud: \(baud), pds: [\(pd)]}
            doors:
              - {name: Door, reader: {bus: bench, address: 1}, relay: {bus: bench, address: 1, output: 0}, mode: card}
            api: {socket: control.sock}
            """.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)  // it holds the key
        let configuration = try loadSiteConfiguration(path: file.path)
        let access = try AccessControl.open(database: configuration.database, secrets: configuration.secrets, timeZone: .gmt)
        try access.store.addDoor(name: "Door", mode: .card)
        try access.store.addGroup(name: "All", doors: [(door: "Door", schedule: nil)])
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
        peer.awaitOnline()
    }

    func stop() {
        let stopped = DispatchSemaphore(value: 0)
        Task { [supervisor] in
            await supervisor.stop()
            stopped.signal()
        }
        stopped.wait()
        peer.stop()
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
