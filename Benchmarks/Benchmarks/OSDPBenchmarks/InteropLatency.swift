import Benchmark
import Foundation
import OSDP
import OSDPLink
import Synchronization
import Timebase

/// Keyway's control panel (`OSDPLink`) against libosdp 3.2.9 PDs on a pseudo-terminal (no baud pacing):
/// - card read to event: the peer is told to present a card; the time until `.card` comes out of the link.
///   It is dominated by when the next POLL comes (here at most every 50 ms per PD, as libosdp's own panel polls).
/// - poll cycle: polling back to back (no minimum poll cycle), the time until every PD on the bus has answered once.
/// Needs the repository's .venv (scripts/setup.sh).
func registerInteropLatencyBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock], warmupIterations: 3, maxDuration: .seconds(10), maxIterations: 200)

    Benchmark("libosdp PD on a pty: card read to event (1 PD, Secure Channel)", configuration: configuration) { benchmark in
        let rig = try await InteropRig.shared(pdCount: 1, pollInterval: 50_000_000)
        for _ in benchmark.scaledIterations {
            // A card comes at any moment of the poll cycle, not just after the last event.
            try await Task.sleep(for: .microseconds(Int.random(in: 0..<50_000)))
            benchmark.startMeasurement()
            rig.peer.send(#"{"cmd":"card","address":1,"bits":26,"hex":"225127C0"}"#)
            await rig.awaitEvent { if case .card = $0 { true } else { false } }
            benchmark.stopMeasurement()
        }
    } teardown: {
        InteropRig.shutDown()
    }

    for count in [1, 8, 32] {
        Benchmark("libosdp PDs on a pty: full poll cycle, \(count) PD(s), Secure Channel", configuration: configuration) { benchmark in
            let rig = try await InteropRig.shared(pdCount: count, pollInterval: 0)
            for _ in benchmark.scaledIterations {
                // Replies traced before the cycle started are still queued: count only those after it.
                let start = MonotonicClock.now()
                var answered = Set<UInt8>()
                await rig.awaitEvent { event in
                    if case .frame(let address, let trace) = event, trace.direction == .fromPD, trace.time >= start {
                        answered.insert(address)
                    }
                    return answered.count == count
                }
            }
        } teardown: {
            InteropRig.shutDown()
        }
    }
}

/// A bus of libosdp PDs (one peer process) and the link driving it, kept across iterations.
/// Unchecked: the benchmark runner uses one rig from one benchmark at a time, never concurrently.
final class InteropRig: @unchecked Sendable {
    let peer: PeerProcess
    let link: OSDPLink
    private var events: AsyncStream<OSDPLinkEvent>.Iterator

    static let key = "0123456789abcdeffedcba9876543210"
    private static let rigs = Mutex<[String: InteropRig]>([:])

    /// The key in a 0600 file: the peer takes keys from files, never from its command line.
    static func keyFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keyway-bench-\(UUID().uuidString.prefix(8)).key").path
        guard FileManager.default.createFile(atPath: path, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw RigError(description: "cannot write the key file \(path)")
        }
        return path
    }

    /// The rig for this bus shape, started on first use.
    static func shared(pdCount: Int, pollInterval: UInt64) async throws -> InteropRig {
        let name = "\(pdCount)/\(pollInterval)"
        if let rig = rigs.withLock({ $0[name] }) { return rig }
        let rig = try await InteropRig(pdCount: pdCount, pollInterval: pollInterval)
        rigs.withLock { $0[name] = rig }
        return rig
    }

    static func shutDown() {
        for rig in rigs.withLock({ rigs in defer { rigs.removeAll() }; return rigs.values }) {
            rig.link.stop()
            rig.peer.stop()
        }
    }

    private init(pdCount: Int, pollInterval: UInt64) async throws {
        let addresses = (1...pdCount).map { UInt8($0) }
        peer = try PeerProcess(arguments: addresses.flatMap { ["--address", String($0)] } + ["--scbk-file", Self.keyFile()])
        var options = BusOptions()
        options.minimumPollCycle = pollInterval
        options.traceFrames = true
        link = try OSDPLink(configuration: OSDPLinkConfiguration(
            devicePath: peer.device,
            pds: addresses.map { PDConfiguration(address: $0, scbk: SecureChannelKey(hex: Self.key), security: .required) },
            bus: options))
        events = link.events.makeAsyncIterator()
        var online = Set<UInt8>()
        let deadline = ContinuousClock.now + .seconds(60)
        // Traced frames keep events coming, so the deadline is checked even while nobody comes online.
        await awaitEvent { event in
            if case .online(let address, true) = event { online.insert(address) }
            return online.count == pdCount || ContinuousClock.now > deadline
        }
        guard online.count == pdCount else { throw RigError(description: "only \(online.count) of \(pdCount) PDs came online") }
    }

    /// Waits for bus events until `done` says enough (or the link ends).
    func awaitEvent(_ done: (BusEvent) -> Bool) async {
        while let event = await events.next() {
            if case .bus(let busEvent) = event, done(busEvent) { return }
        }
    }
}


struct RigError: Error, CustomStringConvertible {
    let description: String
}

/// `Demo/osdp_pd.py` run by the repository's .venv Python.
final class PeerProcess: Sendable {
    let device: String
    private let process: Process
    private let input: FileHandle

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init(arguments: [String]) throws {
        let process = Process()
        process.executableURL = Self.repository.appendingPathComponent(".venv/bin/python")
        process.arguments = [Self.repository.appendingPathComponent("Demo/osdp_pd.py").path] + arguments
        let output = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.input = input.fileHandleForWriting
        // The first line is {"event":"ready","device":...}; the rest is not needed here.
        var line = Data()
        while case let byte = output.fileHandleForReading.readData(ofLength: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line += byte
        }
        guard let ready = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
            let device = ready["device"] as? String
        else {
            process.terminate()
            process.waitUntilExit()
            throw RigError(description: "the PD peer did not start (run scripts/setup.sh)")
        }
        self.device = device
        // Drain the rest of stdout so the peer never blocks on a full pipe.
        Thread { while !output.fileHandleForReading.availableData.isEmpty {} }.start()
    }

    func send(_ line: String) {
        try? input.write(contentsOf: Data((line + "\n").utf8))
    }

    func stop() {
        try? input.close()
        process.terminate()
        process.waitUntilExit()
    }
}
