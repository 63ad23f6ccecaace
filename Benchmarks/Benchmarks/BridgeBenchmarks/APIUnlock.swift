import API
import Access
import Bridge
import Foundation
import GRDB
import Logging
import Synchronization

/// An API unlock to the OUT at the PD, against a card's read to OUT on the same line: the card benchmark's
/// set-up (`PacedLine`, the libosdp `Peer`, `KeywaySite`, Secure Channel) with the HTTP API as `keyway serve`
/// runs it on loopback, and 100 digital keys. Cards and unlocks alternate at random moments of the poll cycle,
/// each timed from the moment it is handed over (the card to the PD, the request to the socket) to the moment the
/// PD reports the OUT. $KEYWAY_BENCH_UNLOCKS of each per line (100); the table goes to $KEYWAY_BENCH_REPORT
/// (default /tmp/keyway-api-unlock-to-relay.md).
enum APIUnlockLatency {
    static let environment = ProcessInfo.processInfo.environment
    static let samples = Int(environment["KEYWAY_BENCH_UNLOCKS"] ?? "") ?? 100
    static let label = environment["KEYWAY_BENCH_LABEL"] ?? "this build"
    /// An OUT not seen by then counts as lost (a loaded machine can cost a Secure Channel session and the PD's
    /// back-off before the next handshake); a late one is awaited `noiseSettle` more before the next sample.
    static let noiseWindow = 20.0
    static let noiseSettle = 5.0

    static func run() {
        var lines = ["| build | line | card → OUT p50 | p99 | API unlock → OUT p50 | p99 | API − card p50 | p99 | API answer p50 | p99 | cards / unlocks | lost | Secure Channel sessions the PD dropped |",
                     "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for baud in [9600, 115200, nil] as [Int?] {
            let row = measure(baud: baud)
            lines.append(row)
            FileHandle.standardError.write(Data((row + "\n").utf8))
        }
        lines.append("")
        lines.append("load average \(loadAverage())")
        let table = lines.joined(separator: "\n")
        print(table)
        try? (table + "\n").write(toFile: environment["KEYWAY_BENCH_REPORT"] ?? "/tmp/keyway-api-unlock-to-relay.md", atomically: true, encoding: .utf8)
    }

    private static func measure(baud: Int?) -> String {
        let lineName = baud.map { "\($0) baud" } ?? "bare pty"
        do {
            let line = try baud.map { try PacedLine(baud: $0, wholeFramesTo: "b") }
            defer { line?.stop() }
            let peerLine = line.map { ["--device", $0.pdSide, "--baud", String($0.baud)] } ?? ["--baud", "115200"]
            let peer = try Peer(arguments: ["--address", "1", "--scbk-file", Peer.keyFile(WirePacedLatency.key)] + peerLine)
            let site: KeywaySite
            do {
                site = try KeywaySite(peer: peer, device: line?.panelSide ?? peer.device, baud: baud ?? 115200, key: WirePacedLatency.key)
            } catch {
                peer.stop()
                throw error
            }
            defer { site.stop() }
            let api = try LoopbackAPI(site: site)
            defer { api.stop() }
            let keys = try DigitalKeys(site: site, count: 100)
            let client = try LoopbackHTTP(port: api.port)
            let watcher = RelayWatcher(peer, doors: site.doorNames)
            var card: [Double] = [], unlock: [Double] = [], answer: [Double] = []
            var lost = (cards: 0, unlocks: 0), refused = 0
            for index in 0..<samples {
                for viaAPI in [false, true].shuffled() {
                    // Past the last grant's LED and buzzer, then a random moment of the poll cycle.
                    Thread.sleep(forTimeInterval: (baud == 9600 ? 0.3 : 0.1) + Double.random(in: 0..<0.05))
                    let seen = watcher.total
                    let answered = DispatchSemaphore(value: 0)
                    let reply = Mutex<(response: LoopbackHTTP.Response?, at: UInt64)?>(nil)
                    let start = DispatchTime.now().uptimeNanoseconds
                    if viaAPI {
                        let key = keys.tokens[index % keys.tokens.count]
                        _ = client.send(post: "/api/v1/doors/\(key.door)/unlock", json: "{\"key\":\"\(key.token)\"}")
                        Thread {
                            let response = client.response()
                            reply.withLock { $0 = (response, DispatchTime.now().uptimeNanoseconds) }
                            answered.signal()
                        }.start()
                    } else {
                        peer.presentCard()
                    }
                    guard let relayed = watcher.pulse(after: seen, within: noiseWindow) else {
                        if viaAPI { lost.unlocks += 1 } else { lost.cards += 1 }
                        _ = answered.wait(timeout: .now() + 10)
                        // A late OUT must not be taken for the next one's.
                        _ = watcher.pulse(after: seen, within: noiseSettle)
                        continue
                    }
                    let elapsed = Double(relayed - start) / 1e6
                    guard viaAPI else {
                        card.append(elapsed)
                        continue
                    }
                    unlock.append(elapsed)
                    guard answered.wait(timeout: .now() + 10) == .success, let (response, at) = reply.withLock({ $0 }),
                          let response, response.status == 200, response.granted else {
                        refused += 1
                        continue
                    }
                    answer.append(Double(at - start) / 1e6)
                }
            }
            guard !card.isEmpty, !unlock.isEmpty else { return "| \(label) | \(lineName) | no sample (lost: \(lost.cards) cards, \(lost.unlocks) unlocks) |" }
            let (cardP50, cardP99) = (percentile(card, 0.5), percentile(card, 0.99))
            let (apiP50, apiP99) = (percentile(unlock, 0.5), percentile(unlock, 0.99))
            let misses = [lost.cards > 0 ? "\(lost.cards) cards" : nil, lost.unlocks > 0 ? "\(lost.unlocks) unlocks" : nil, refused > 0 ? "\(refused) unlocks not answered with a grant" : nil]
                .compactMap { $0 }
            return "| \(label) | \(lineName), Secure Channel | \(ms(cardP50)) | \(ms(cardP99)) | \(ms(apiP50)) | \(ms(apiP99)) | "
                + "\(signed(apiP50 - cardP50)) | \(signed(apiP99 - cardP99)) | \(ms(percentile(answer, 0.5))) | \(ms(percentile(answer, 0.99))) | "
                + "\(card.count) / \(unlock.count) | \(misses.isEmpty ? "none" : misses.joined(separator: ", ") + " not relayed within \(Int(noiseWindow)) s") | \(watcher.sessionsLost) |"
        } catch {
            return "| \(label) | \(lineName) | could not run: \(error) |"
        }
    }
}

/// Sustained unlocks through the API: $KEYWAY_BENCH_RATE requests a second (500) for $KEYWAY_BENCH_SECONDS (20)
/// with 100 digital keys, over $KEYWAY_BENCH_BUSES buses (10) of $KEYWAY_BENCH_PDS secure libosdp PDs (2), one door
/// on each PD and key k at door k mod doors, each bus a bare pty (Keyway's link keeps the 115 200 baud timing on it).
/// A grant costs three secure exchanges (OUT, LED, buzzer), about 12 ms of a 115 200 baud line, so a bus carries
/// at most about 80 grants a second: 500 need at least 7 buses; at 10, each carries 50. Requests go out on a fixed schedule (open loop)
/// over $KEYWAY_BENCH_CONNECTIONS keep-alive connections (128); a request's latency runs from its scheduled moment to its answer, so a server
/// that falls behind shows it. Every grant sends its own timed OUT, also when it overlaps the door's last one (the
/// PD restarts the strike's timer), so the pulses counted are the OUTs each PD reports, per door, against the
/// grants answered for that door; the log rows are the decision rows whose sequence numbers the answers gave.
/// The per-key unlock limit (10 a minute in service) is lifted: 500 a second over 100 keys is 5 a second each.
enum SustainedUnlocks {
    static let environment = ProcessInfo.processInfo.environment
    static let rate = Int(environment["KEYWAY_BENCH_RATE"] ?? "") ?? 500
    static let seconds = Int(environment["KEYWAY_BENCH_SECONDS"] ?? "") ?? 20
    static let busCount = Int(environment["KEYWAY_BENCH_BUSES"] ?? "") ?? 10
    static let pdsPerBus = Int(environment["KEYWAY_BENCH_PDS"] ?? "") ?? 2
    static let keyCount = 100
    /// An answer waits for the PD's ACK of the OUT (tens of ms on a busy bus): 500 a second need well over 32 in flight.
    static let connections = Int(environment["KEYWAY_BENCH_CONNECTIONS"] ?? "") ?? 128

    struct Outcome {
        let scheduled: UInt64
        let sent: UInt64
        let finished: UInt64
        let door: String
        let response: LoopbackHTTP.Response?
    }

    static func run() {
        let report: String
        do {
            report = try measure()
        } catch {
            report = "sustained unlocks could not run: \(error)"
        }
        print(report)
        try? (report + "\n").write(toFile: environment["KEYWAY_BENCH_REPORT"] ?? "/tmp/keyway-sustained-unlocks.md", atomically: true, encoding: .utf8)
    }

    private static func measure() throws -> String {
        let keyFile = try Peer.keyFile(WirePacedLatency.key)
        var peers: [Peer] = []
        do {
            for _ in 0..<busCount {
                peers.append(try Peer(arguments: (1...pdsPerBus).flatMap { ["--address", String($0)] } + ["--scbk-file", keyFile, "--baud", "115200"]))
            }
        } catch {
            for peer in peers { peer.stop() }
            throw error
        }
        let site: KeywaySite
        do {
            site = try KeywaySite(buses: peers.map { ($0, $0.device, pdsPerBus) }, key: WirePacedLatency.key)
        } catch {
            for peer in peers { peer.stop() }
            throw error
        }
        defer { site.stop() }
        let counters = zip(0..., peers).map { index, peer in RelayWatcher(peer, doors: (1...pdsPerBus).map { site.doorNames[index * pdsPerBus + $0 - 1] }) }
        let api = try LoopbackAPI(site: site) { $0.unlocksPerKey = 1_000_000 }
        defer { api.stop() }
        let keys = try DigitalKeys(site: site, count: keyCount)

        // Every door opens once before the clock starts: all PDs online, their Secure Channels up.
        let warmUp = try LoopbackHTTP(port: api.port)
        for door in site.doorNames {
            guard let key = keys.tokens.first(where: { $0.door == door }) else { throw BenchError("no key for \(door): more doors than keys") }
            _ = warmUp.send(post: "/api/v1/doors/\(door)/unlock", json: "{\"key\":\"\(key.token)\"}")
            _ = warmUp.response()
        }
        let warmDeadline = Date().addingTimeInterval(60)
        while counters.contains(where: { $0.pulses.values.contains(0) || $0.pulses.count < pdsPerBus }), Date() < warmDeadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard !counters.contains(where: { $0.pulses.values.contains(0) || $0.pulses.count < pdsPerBus }) else {
            throw BenchError("not every door opened in the warm-up (60 s)")
        }
        Thread.sleep(forTimeInterval: 4)  // past the warm-up's LEDs and buzzers
        let before = Dictionary(counters.flatMap { $0.pulses }, uniquingKeysWith: +)
        let lastSequence = try site.access.maxDecisionSequence()
        let loadBefore = loadAverage()
        let cpuBefore = processCPUSeconds()
        let commandsBefore = counters.map(\.commands)

        let clients = try (0..<connections).map { _ in try LoopbackHTTP(port: api.port) }
        let total = rate * seconds
        let next = Atomic<Int>(0)
        let start = DispatchTime.now().uptimeNanoseconds + 200_000_000
        let interval = 1_000_000_000 / UInt64(rate)
        let outcomes = Mutex<[Outcome]>([])
        let done = DispatchGroup()
        for client in clients {
            done.enter()
            Thread {
                var mine: [Outcome] = []
                while case let index = next.add(1, ordering: .relaxed).oldValue, index < total {
                    let scheduled = start + UInt64(index) * interval
                    let wait = Int64(scheduled) - Int64(DispatchTime.now().uptimeNanoseconds)
                    if wait > 0 { Thread.sleep(forTimeInterval: Double(wait) / 1e9) }
                    let key = keys.tokens[index % keys.tokens.count]
                    let sent = DispatchTime.now().uptimeNanoseconds
                    let response = client.send(post: "/api/v1/doors/\(key.door)/unlock", json: "{\"key\":\"\(key.token)\"}") ? client.response() : nil
                    mine.append(Outcome(scheduled: scheduled, sent: sent, finished: DispatchTime.now().uptimeNanoseconds, door: key.door, response: response))
                }
                outcomes.withLock { $0 += mine }
                done.leave()
            }.start()
        }
        done.wait()
        let loadAfter = loadAverage()
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = (processCPUSeconds() - cpuBefore) / loadSeconds * 100
        // What each bus carried while the requests came, against the three commands a grant asks of it.
        let carried = zip(counters, commandsBefore).map { Double($0.commands - $1) / loadSeconds }
        // The last OUTs are on their way: wait until the counts stop moving.
        var settled = counters.reduce(0) { $0 + $1.total }
        for _ in 0..<40 {
            Thread.sleep(forTimeInterval: 0.5)
            let now = counters.reduce(0) { $0 + $1.total }
            if now == settled { break }
            settled = now
        }

        let all = outcomes.withLock { $0 }
        let answered = all.compactMap { outcome in outcome.response.map { (outcome: outcome, response: $0) } }
        let granted = answered.filter { $0.response.status == 200 && $0.response.granted }
        var statuses: [String: Int] = [:]
        for outcome in all {
            let key = outcome.response.map { $0.status == 200 ? ($0.granted ? "200 grant" : "200 deny \($0.reason ?? "")") : "\($0.status)" } ?? "no answer"
            statuses[key, default: 0] += 1
        }
        let after = Dictionary(counters.flatMap { $0.pulses }, uniquingKeysWith: +)
        var missed = 0, extra = 0, uneven: [String] = []
        for door in site.doorNames {
            let grants = granted.filter { $0.outcome.door == door }.count
            let pulses = (after[door] ?? 0) - (before[door] ?? 0)
            missed += max(0, grants - pulses)
            extra += max(0, pulses - grants)
            if grants != pulses { uneven.append("\(door) \(pulses - grants > 0 ? "+" : "")\(pulses - grants)") }
        }
        let sessionsLost = counters.map(\.sessionsLost)
        // Pulses in each 5 s of the run: a bus that falls behind for a while shows where.
        var windows = [Int](repeating: 0, count: (seconds + 9) / 5)
        for stamp in counters.flatMap(\.stamps) where stamp >= start {
            windows[min(windows.count - 1, Int((stamp - start) / 5_000_000_000))] += 1
        }
        let answeredSequences = Set(answered.compactMap(\.response.logSequence))
        let unnumbered = answered.filter { $0.response.status == 200 && $0.response.logSequence == nil }.count
        let logged = try site.access.decisionSequences(after: lastSequence)
        let lostRows = answeredSequences.subtracting(logged).count + unnumbered
        let unanswered = logged.subtracting(answeredSequences).count

        let first = all.map(\.sent).min() ?? start, last = all.map(\.finished).max() ?? start
        let fromSchedule = answered.map { Double($0.outcome.finished - $0.outcome.scheduled) / 1e6 }
        let fromSend = answered.map { Double($0.outcome.finished - $0.outcome.sent) / 1e6 }
        let late = all.filter { $0.sent > $0.scheduled + 10_000_000 }.count
        let achieved = Double(answered.count) / (Double(last - first) / 1e9)
        return """
            | build | requests | answered | achieved rate | latency from schedule p50 / p99 / max | from send p50 / p99 | sent > 10 ms late | grants | pulses missed / extra | log rows lost / without an answer | load average before → after |
            |---|---|---|---|---|---|---|---|---|---|---|
            | \(APIUnlockLatency.label) | \(total) at \(rate)/s for \(seconds) s, \(keyCount) keys, \(site.doorNames.count) doors on \(busCount) buses × \(pdsPerBus) PDs | \(answered.count) | \(String(format: "%.1f", achieved))/s | \(ms(percentile(fromSchedule, 0.5))) / \(ms(percentile(fromSchedule, 0.99))) / \(ms(fromSchedule.max() ?? 0)) | \(ms(percentile(fromSend, 0.5))) / \(ms(percentile(fromSend, 0.99))) | \(late) | \(granted.count) | \(missed) / \(extra) | \(lostRows) / \(unanswered) | \(loadBefore) → \(loadAfter) |

            answers: \(statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")); Secure Channel sessions the PDs dropped, by bus: \(sessionsLost.map(String.init).joined(separator: " ")); pulses − grants where they differ: \(uneven.isEmpty ? "none" : uneven.joined(separator: ", ")); this process (site, API and the \(connections) client threads) used \(String(format: "%.0f", cpu)) % of a core; pulses in each 5 s (\(rate * 5) asked): \(windows.map(String.init).joined(separator: " ")); commands each bus carried a second while the requests came (3 a grant: \(3 * rate / busCount) asked): \(carried.map { String(format: "%.0f", $0) }.joined(separator: " "))
            """
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The HTTP API as `keyway serve` runs it (`APIService`): the site's storage and supervisor, served on loopback.
final class LoopbackAPI: Sendable {
    let port: Int
    private let server: Task<Void, any Error>

    private final class Bound: Sendable {
        let port = Mutex<Int?>(nil)
        let ready = DispatchSemaphore(value: 0)
    }

    init(site: KeywaySite, adjust: (inout APISettings) -> Void = { _ in }) throws {
        let storage = try SQLiteSiteStorage(access: site.access)
        var settings = APISettings(publicURL: "http://127.0.0.1", secureCookies: false)
        adjust(&settings)
        var logger = Logger(label: "bench.api")
        logger.logLevel = .error
        let api = KeywayAPI(accounts: storage, access: storage, site: SupervisedSite(supervisor: site.supervisor), settings: settings, logger: logger)
        let bound = Bound()
        let server = APIServer(api: api, host: "127.0.0.1", port: 0, logger: logger,
                               onListening: { port in
                                   bound.port.withLock { $0 = port }
                                   bound.ready.signal()
                               },
                               onFailure: { _ in bound.ready.signal() })
        self.server = Task { try await server.run() }
        guard bound.ready.wait(timeout: .now() + 30) == .success, let port = bound.port.withLock({ $0 }) else {
            self.server.cancel()
            throw BenchError("the API did not listen within 30 s")
        }
        self.port = port
    }

    func stop() { server.cancel() }
}

/// `count` digital keys held by the site's person, key k for door k mod doors, as presentation tokens.
struct DigitalKeys {
    let tokens: [(door: String, token: String)]

    init(site: KeywaySite, count: Int) throws {
        let storage = try SQLiteSiteStorage(access: site.access)
        let issued = try (0..<count).map { index in
            let door = site.doorNames[index % site.doorNames.count]
            return (door, try site.access.store.issueKey(person: "Ada", doors: [door]).credential.id)
        }
        let made = Mutex<[(door: String, token: String)]>([])
        let finished = DispatchSemaphore(value: 0)
        Task {
            for (door, id) in issued {
                if let token = try? await storage.presentationToken(forKey: id) { made.withLock { $0.append((door, token)) } }
            }
            finished.signal()
        }
        finished.wait()
        tokens = made.withLock { $0 }
        guard tokens.count == count else { throw BenchError("only \(tokens.count) of \(count) keys have a token") }
    }
}

extension AccessControl {
    func maxDecisionSequence() throws -> Int64 {
        try DatabaseQueue(path: store.file.path).read { db in
            try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM activity") ?? 0
        }
    }

    func decisionSequences(after sequence: Int64) throws -> Set<Int64> {
        try DatabaseQueue(path: store.file.path).read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT seq FROM activity WHERE kind = 'decision' AND seq > ?", arguments: [sequence]))
        }
    }
}

/// Counts, on its own thread, the strike pulses (OUT, control code 5) each PD of a peer reports, by door, the
/// moment each was read, and the Secure Channel sessions the PDs dropped.
final class RelayWatcher: Sendable {
    private let counts = Mutex((pulses: [String: Int](), stamps: [UInt64](), sessionsLost: 0, commands: 0))
    private let arrived = DispatchSemaphore(value: 0)

    /// `doors`: the door of the PD at address 1, 2, ….
    init(_ peer: Peer, doors: [String]) {
        counts.withLock { counts in for door in doors { counts.pulses[door] = 0 } }
        Thread { [self] in
            var secure: Set<Int> = []
            while let event = peer.nextEvent() {
                if event["event"] as? String == "command" { self.counts.withLock { $0.commands += 1 } }
                if event["event"] as? String == "command", event["type"] as? String == "output", event["control_code"] as? Int == 5,
                   let address = event["address"] as? Int, doors.indices.contains(address - 1) {
                    let now = DispatchTime.now().uptimeNanoseconds
                    self.counts.withLock {
                        $0.pulses[doors[address - 1], default: 0] += 1
                        $0.stamps.append(now)
                    }
                    self.arrived.signal()
                }
                // A PD reports "not secure" once as it starts: only a session that was up and ended counts.
                if event["event"] as? String == "sc", let address = event["address"] as? Int, let active = event["active"] as? Bool {
                    if active { secure.insert(address) } else if secure.remove(address) != nil { self.counts.withLock { $0.sessionsLost += 1 } }
                }
            }
        }.start()
    }

    var pulses: [String: Int] { counts.withLock { $0.pulses } }
    var total: Int { counts.withLock { $0.stamps.count } }
    var stamps: [UInt64] { counts.withLock { $0.stamps } }
    var sessionsLost: Int { counts.withLock { $0.sessionsLost } }
    /// Every command the PDs took (OUT, LED, buzzer, …; not POLL).
    var commands: Int { counts.withLock { $0.commands } }

    /// When the pulse after the first `seen` arrived, waiting up to `seconds` for it; nil if it did not.
    func pulse(after seen: Int, within seconds: Double) -> UInt64? {
        let deadline = DispatchTime.now() + seconds
        while true {
            if let stamp = counts.withLock({ $0.stamps.count > seen ? $0.stamps[seen] : nil }) { return stamp }
            guard arrived.wait(timeout: deadline) == .success else { return nil }
        }
    }
}

/// One keep-alive HTTP/1.1 connection to the API on loopback, blocking: a request, then its answer.
final class LoopbackHTTP: @unchecked Sendable {
    struct Response: Sendable {
        let status: Int
        let granted: Bool
        let reason: String?
        let logSequence: Int64?
    }

    private let socket: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchError("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var patience = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &patience, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw BenchError("connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    deinit { close(socket) }

    func send(post path: String, json: String) -> Bool {
        let request = Array("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)".utf8)
        var written = 0
        while written < request.count {
            let count = request[written...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            written += count
        }
        return true
    }

    /// The answer to the last request (a body with Content-Length, as the API sends), or nil.
    func response() -> Response? {
        let separator = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = buffer.firstRange(of: separator)?.upperBound
            if headerEnd == nil, !fill() { return nil }
        }
        guard let headerEnd, let head = String(bytes: buffer[..<headerEnd], encoding: .utf8) else { return nil }
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, case let parts = statusLine.split(separator: " "), parts.count >= 2, let status = Int(parts[1]) else { return nil }
        let length = lines.dropFirst().compactMap { line -> Int? in
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2, pair[0].lowercased() == "content-length" else { return nil }
            return Int(pair[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        while buffer.count < headerEnd + length {
            if !fill() { return nil }
        }
        let body = Data(buffer[headerEnd..<(headerEnd + length)])
        buffer.removeFirst(headerEnd + length)
        let fields = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        return Response(status: status, granted: fields["granted"] as? Bool ?? false, reason: fields["reason"] as? String ?? fields["error"] as? String,
                        logSequence: (fields["log_sequence"] as? NSNumber)?.int64Value)
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[..<count]
        return true
    }
}

func percentile(_ values: [Double], _ share: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * share).rounded(.up)) - 1))]
}

func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }
func signed(_ value: Double) -> String { String(format: "%+.1f ms", value) }

/// User and system CPU time of this process so far, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// The 1, 5 and 15 minute load averages, as /proc/loadavg gives them.
func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
}
