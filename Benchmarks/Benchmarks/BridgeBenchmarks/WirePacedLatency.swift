import Foundation
import Synchronization

/// Card read to relay on the same wire-paced line (`Benchmarks/paced-line`) at 9600 and 115 200 baud, and on a
/// bare pty, with Secure Channel: libosdp's control panel, Keyway, and the floor the bytes on the wire set
/// (half a POLL/ACK cycle, the secure RAW reply, the secure OUT, 10 bits a byte). Also a 32-PD bus at 115 200:
/// its poll cycle against its wire time, and cards at random PDs against the floor plus one cycle. Prints a
/// table and writes it to $KEYWAY_BENCH_REPORT (default /tmp/keyway-card-to-relay.md). $KEYWAY_BENCH_CARDS cards
/// per row (30), $KEYWAY_BENCH_LABEL names the build.
/// With $KEYWAY_BENCH_NOISE (byte corruption rates, "0.001,0.01") it measures instead Keyway on a noisy line at
/// 115 200 baud with Secure Channel: how many cards open within `noiseWindow`, and how fast.
enum WirePacedLatency {
    static let key = "0123456789abcdeffedcba9876543210"
    static let environment = ProcessInfo.processInfo.environment
    static let cards = Int(environment["KEYWAY_BENCH_CARDS"] ?? "") ?? 30
    static let label = environment["KEYWAY_BENCH_LABEL"] ?? "this build"
    static let noiseRates = (environment["KEYWAY_BENCH_NOISE"] ?? "").split(separator: ",").compactMap { Double($0) }

    static func run() {
        if !noiseRates.isEmpty { return runNoise() }
        var lines = ["| build | line | control panel | floor | p50 | p99 | p50/floor | p99/floor | Keyway idle CPU |", "|---|---|---|---|---|---|---|---|---|"]
        for baud in [9600, 115200, nil] as [Int?] {
            for keyway in [false, true] {
                let row = measure(baud: baud, keyway: keyway)
                lines.append(row)
                FileHandle.standardError.write(Data((row + "\n").utf8))
            }
        }
        lines.append("")
        lines += multiDrop(pdCount: 32, baud: 115200)
        let table = lines.joined(separator: "\n")
        print(table)
        let path = environment["KEYWAY_BENCH_REPORT"] ?? "/tmp/keyway-card-to-relay.md"
        try? (table + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    private static func measure(baud: Int?, keyway: Bool) -> String {
        let panelName = keyway ? "Keyway" : "libosdp CP"
        let lineName = baud.map { "\($0) baud" } ?? "bare pty"
        do {
            // libosdp cannot parse a frame split over reads: whole frames toward it; bytes one by one toward Keyway.
            let line = try baud.map { try PacedLine(baud: $0, wholeFramesTo: keyway ? "b" : "both") }
            defer { line?.stop() }
            let peerLine = line.map { ["--device", $0.pdSide, "--baud", String($0.baud)] } ?? ["--baud", "115200"]
            let peer = try Peer(arguments: ["--address", "1", "--scbk-file", Peer.keyFile(key)] + peerLine)
            let device = line?.panelSide ?? peer.device
            var site: KeywaySite?
            var panel: LibOSDPPanel?
            defer {
                site?.stop()
                panel?.stop()
                if site == nil { peer.stop() }
            }
            if keyway {
                site = try KeywaySite(peer: peer, device: device, baud: baud ?? 115200, key: key)
            } else {
                panel = try LibOSDPPanel(device: device, key: key)
                peer.awaitOnline()
            }
            // Idle CPU of this process (the whole Keyway site, release build) while it polls one PD.
            let idleCPU = keyway ? cpuShare(over: 5) : nil
            var samples: [Double] = []
            var lost = 0
            for _ in 0..<cards {
                // Past the last card's LED and buzzer, then a random moment of the poll cycle.
                Thread.sleep(forTimeInterval: (baud == 9600 ? 0.3 : 0.1) + Double.random(in: 0..<0.05))
                let start = DispatchTime.now().uptimeNanoseconds
                peer.presentCard()
                // A card the panel never answers ends the row (the waiting reader would take the next card's OUT).
                let answered = DispatchSemaphore(value: 0)
                Thread { if peer.awaitRelay() { answered.signal() } }.start()
                guard answered.wait(timeout: .now() + 5) == .success else { lost += 1; break }
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            let floor = line.flatMap { $0.floorMilliseconds() }
            return row(panelName, lineName, samples, floor: floor) + (idleCPU.map { String(format: " %.1f %% of a core |", $0) } ?? " |")
                + (lost > 0 ? " a card was never answered (5 s): row ended after \(samples.count) cards |" : "")
        } catch {
            return "| \(label) | \(lineName) | \(panelName) | could not run: \(error) |"
        }
    }

    /// A card not answered by then counts as lost; its OUT may still come, so the next card waits `noiseSettle`.
    static let noiseWindow = 20.0
    static let noiseSettle = 5.0

    private static func runNoise() {
        var lines = ["| build | line | byte corruption | cards opened within \(Int(noiseWindow)) s | p50 | p99 | slowest | Secure Channel sessions the PD dropped | bytes damaged |",
                     "|---|---|---|---|---|---|---|---|---|"]
        for rate in noiseRates {
            let row = measureNoise(rate: rate)
            lines.append(row)
            FileHandle.standardError.write(Data((row + "\n").utf8))
        }
        let table = lines.joined(separator: "\n")
        print(table)
        let path = environment["KEYWAY_BENCH_REPORT"] ?? "/tmp/keyway-card-to-relay-noise.md"
        try? (table + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Keyway on a 115 200 baud line that damages `rate` of the bytes both ways (a fixed seed per rate).
    private static func measureNoise(rate: Double) -> String {
        do {
            let line = try PacedLine(baud: 115200, wholeFramesTo: "b", corrupt: rate, seed: 7)
            defer { line.stop() }
            let peer = try Peer(arguments: ["--address", "1", "--scbk-file", Peer.keyFile(key), "--device", line.pdSide, "--baud", "115200"])
            let site = try KeywaySite(peer: peer, device: line.panelSide, baud: 115200, key: key)
            defer { site.stop() }
            let watcher = PeerWatcher(peer)
            var samples: [Double] = []
            for _ in 0..<cards {
                Thread.sleep(forTimeInterval: 0.1 + Double.random(in: 0..<0.05))
                let seen = watcher.relays
                let start = DispatchTime.now().uptimeNanoseconds
                peer.presentCard()
                let deadline = start + UInt64(noiseWindow * 1e9)
                while watcher.relays == seen, DispatchTime.now().uptimeNanoseconds < deadline { Thread.sleep(forTimeInterval: 0.002) }
                if watcher.relays > seen {
                    samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                } else {
                    Thread.sleep(forTimeInterval: noiseSettle)  // a late OUT must not be taken for the next card's
                }
            }
            let damaged = line.frames(from: 0).reduce(0) { $0 + $1.corrupted }
            let sorted = samples.sorted()
            func ms(_ index: Int) -> String { sorted.isEmpty ? "—" : String(format: "%.1f ms", sorted[index]) }
            let p99 = min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)
            return "| \(label) | 115200 baud, Secure Channel | \(String(format: "%g %%", rate * 100)) | \(samples.count) of \(cards) | "
                + "\(ms(sorted.count / 2)) | \(ms(p99)) | \(ms(sorted.count - 1)) | \(watcher.sessionsLost) | \(damaged) |"
        } catch {
            return "| \(label) | 115200 baud, Secure Channel | \(String(format: "%g %%", rate * 100)) | could not run: \(error) |"
        }
    }

    /// Percent of one core this process used over the next `seconds`.
    private static func cpuShare(over seconds: Double) -> Double {
        func used() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        let before = used(), start = DispatchTime.now().uptimeNanoseconds
        Thread.sleep(forTimeInterval: seconds)
        return (used() - before) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) * 100
    }

    private static func row(_ panel: String, _ line: String, _ samples: [Double], floor: Double?) -> String {
        guard !samples.isEmpty else { return "| \(label) | \(line) | \(panel) | no card answered |" }
        let sorted = samples.sorted()
        let p50 = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }
        func ratio(_ value: Double) -> String { floor.map { String(format: "%.2f×", value / $0) } ?? "—" }
        return "| \(label) | \(line) | \(panel) | \(floor.map(ms) ?? "—") | \(ms(p50)) | \(ms(p99)) | \(ratio(p50)) | \(ratio(p99)) |"
    }

    /// Keyway polling 32 secure libosdp PDs: the time between two POLLs to the same PD against the wire time
    /// of the frames sent in between; then cards at PDs picked at random, read to OUT at that PD, against the
    /// floor plus one poll cycle (the longest a card can wait for its PD's next POLL).
    private static func multiDrop(pdCount: Int, baud: Int) -> [String] {
        do {
            let line = try PacedLine(baud: baud, wholeFramesTo: "b")
            defer { line.stop() }
            let peer = try Peer(arguments: (1...pdCount).flatMap { ["--address", String($0)] } + ["--scbk-file", Peer.keyFile(key), "--device", line.pdSide, "--baud", String(baud)])
            let site = try KeywaySite(peer: peer, device: line.panelSide, baud: baud, key: key, pdCount: pdCount)
            defer { site.stop() }
            var online = 1
            while online < pdCount, let event = peer.nextEvent() {
                if event["event"] as? String == "online" { online += 1 }
            }
            Thread.sleep(forTimeInterval: 2)
            let from = line.frameCount
            Thread.sleep(forTimeInterval: 3)
            let frames = line.frames(from: from)
            let polls = frames.indices.filter { frames[$0].direction == "a2b" && frames[$0].address == 1 && frames[$0].code == 0x60 }
            var measured: [Double] = [], wire: [Double] = []
            for (first, second) in zip(polls, polls.dropFirst()) {
                measured.append((frames[second].end - frames[first].end) * 1000)
                let bytes = frames[(first + 1)...second].reduce(0) { $0 + $1.bytes }
                wire.append(Double(bytes * 10) / Double(baud) * 1000)
            }
            guard !measured.isEmpty else { return ["\(label): \(pdCount)-PD poll cycle at \(baud): no cycle seen (\(online) PDs online)"] }
            let cycle = measured.sorted()[measured.count / 2], wireTime = wire.sorted()[wire.count / 2]
            let cycleLine = String(format: "\(label): \(pdCount) secure PDs at \(baud) baud: poll cycle p50 %.1f ms, wire time %.1f ms, ratio %.2f× (%d cycles)",
                                   cycle, wireTime, cycle / wireTime, measured.count)

            var samples: [Double] = []
            for _ in 0..<cards {
                let address = Int.random(in: 1...pdCount)
                Thread.sleep(forTimeInterval: 0.2 + Double.random(in: 0..<(cycle / 1000)))
                let start = DispatchTime.now().uptimeNanoseconds
                peer.presentCard(address: address)
                let answered = DispatchSemaphore(value: 0)
                Thread { if peer.awaitRelay(address: address) { answered.signal() } }.start()
                guard answered.wait(timeout: .now() + 5) == .success else { break }
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            guard let floor = line.floorMilliseconds(), !samples.isEmpty else {
                return [cycleLine, "\(label): cards at \(pdCount) PDs: no card answered"]
            }
            let sorted = samples.sorted()
            let bound = floor + cycle
            let within = samples.filter { $0 <= bound }.count
            let cardLine = String(format: "\(label): a card at a random one of %d PDs, read to OUT: p50 %.1f ms, p99 %.1f ms, max %.1f ms; floor %.1f ms + one cycle %.1f ms = %.1f ms; %d of %d cards within it",
                                  pdCount, sorted[sorted.count / 2], sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)],
                                  sorted[sorted.count - 1], floor, cycle, bound, within, samples.count)
            return [cycleLine, cardLine]
        } catch {
            return ["\(label): \(pdCount)-PD bus could not run: \(error)"]
        }
    }
}

/// `Benchmarks/paced-line/paced_line.py`: side A for the control panel, side B for the PD.
final class PacedLine: Sendable {
    struct WireFrame {
        let direction: String
        let bytes: Int
        let address: Int?
        let code: Int?
        let end: Double
        let corrupted: Int
    }

    let baud: Int
    let panelSide: String
    let pdSide: String
    private let process: Process
    private let input: FileHandle
    private let seen = Seen()

    private final class Seen: Sendable {
        let frames = Mutex<[WireFrame]>([])
        func withLock<Result>(_ body: (inout [WireFrame]) -> Result) -> Result { frames.withLock { body(&$0) } }
    }

    /// `corrupt`: the share of bytes the line damages (with `seed`, the same bytes every run).
    init(baud: Int, wholeFramesTo whole: String, corrupt: Double = 0, seed: Int? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [repository.appendingPathComponent("Benchmarks/paced-line/paced_line.py").path, "--baud", String(baud), "--whole", whole,
                             "--corrupt", String(corrupt)] + (seed.map { ["--seed", String($0)] } ?? [])
        let output = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        var line = Data()
        while case let byte = reader.readData(ofLength: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let ready = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
              let a = ready["a"] as? String, let b = ready["b"] as? String else {
            process.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        self.baud = baud
        self.process = process
        self.input = input.fileHandleForWriting
        panelSide = a
        pdSide = b
        let seen = seen
        Thread {
            var buffer = Data()
            while case let chunk = reader.availableData, !chunk.isEmpty {
                buffer += chunk
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let text = buffer[buffer.startIndex..<newline]
                    buffer.removeSubrange(buffer.startIndex...newline)
                    guard let event = try? JSONSerialization.jsonObject(with: text) as? [String: Any],
                          let direction = event["dir"] as? String, let bytes = event["n"] as? Int, let end = event["end"] as? Double else { continue }
                    let frame = WireFrame(direction: direction, bytes: bytes, address: event["address"] as? Int, code: event["code"] as? Int, end: end,
                                          corrupted: event["corrupted"] as? Int ?? 0)
                    seen.withLock { $0.append(frame) }
                }
            }
        }.start()
    }

    var frameCount: Int { seen.withLock { $0.count } }

    func frames(from start: Int) -> [WireFrame] { seen.withLock { Array($0[min(start, $0.count)...]) } }

    /// Half a POLL/ACK cycle + the RAW reply + the OUT command, from the frames that crossed this line.
    func floorMilliseconds() -> Double? {
        let frames = seen.withLock { $0 }
        func size(_ direction: String, _ code: Int) -> Int? {
            let sizes = frames.filter { $0.direction == direction && $0.code == code }.map(\.bytes).sorted()
            return sizes.isEmpty ? nil : sizes[sizes.count / 2]
        }
        guard let poll = size("a2b", 0x60), let ack = size("b2a", 0x40), let raw = size("b2a", 0x50), let out = size("a2b", 0x68) else { return nil }
        return (Double(poll + ack) / 2 + Double(raw + out)) * 10 / Double(baud) * 1000
    }

    func stop() {
        try? input.close()
        process.terminate()
        process.waitUntilExit()
    }
}

/// Counts, on its own thread, the strike pulses and the Secure Channel sessions the peer's PD lost (each one
/// costs a new handshake; the PD starts without one, so the first handshake is not counted).
final class PeerWatcher: Sendable {
    private let counts = Mutex((relays: 0, sessionsLost: 0))

    init(_ peer: Peer) {
        Thread { [self] in
            while let event = peer.nextEvent() {
                if event["event"] as? String == "command", event["type"] as? String == "output", event["control_code"] as? Int == 5 {
                    self.counts.withLock { $0.relays += 1 }
                }
                if event["event"] as? String == "sc", event["active"] as? Bool == false {
                    self.counts.withLock { $0.sessionsLost += 1 }
                }
            }
        }.start()
    }

    var relays: Int { counts.withLock { $0.relays } }
    var sessionsLost: Int { counts.withLock { $0.sessionsLost } }
}
