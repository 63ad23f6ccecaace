import Access
import Benchmark
import Foundation
import Synchronization

/// A site with 1,000,000 credentials: 10,000 people holding 99 cards each (990,000 cards), 5,000 PINs and
/// 5,000 digital keys. Built once into a temporary directory and reused by later runs.
enum MillionSite {
    static let people = 10_000
    static let cardsPerPerson = 99
    static let pins = 5_000
    static let keys = 5_000
    static let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("keyway-access-bench-v1")
    static let database = directory.appendingPathComponent("site.db")
    static let zone = TimeZone(identifier: "Europe/Paris")!
    static let now = Date(timeIntervalSince1970: 1_772_442_000) // a Monday, 10:00 in Paris

    static func card(_ index: Int) -> CardData {
        .fields(format: "h10301", facility: UInt32(index / 65_536), number: UInt64(index % 65_536))
    }

    /// The codes and tokens issued, to present them again.
    struct Issued: Codable {
        var pins: [String]
        var tokens: [String]
    }

    static func prepare() throws -> Issued {
        let issuedFile = directory.appendingPathComponent("issued.json")
        if let data = FileManager.default.contents(atPath: issuedFile.path) {
            return try JSONDecoder().decode(Issued.self, from: data)
        }
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try AccessStore.open(database: database, timeZone: zone)
        try store.addDoor(name: "Front", mode: .cardOrPin)
        try store.addGroup(name: "Everyone", doors: [("Front", nil)])
        var issued = Issued(pins: [], tokens: [])
        for person in 0..<people {
            let name = "Person \(person)"
            try store.addPerson(name: name, at: now)
            try store.grant(person: name, group: "Everyone", at: now)
            try store.addCards((0..<cardsPerPerson).map { CardEnrollment(person: name, card: card(person * cardsPerPerson + $0)) }, at: now)
            if person < pins { issued.pins.append(try store.addPIN(person: name, at: now).code) }
            if person < keys { issued.tokens.append(try store.issueKey(person: name, doors: ["Front"], at: now).token) }
        }
        try JSONEncoder().encode(issued).write(to: issuedFile)
        return issued
    }

    /// Resident memory of this process, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Read throughput on two threads while a third revokes 10,000 entries a second, for any map.
enum RevocationRace {
    static let readers = 2
    static let revocationsPerSecond = 10_000
    static let duration: TimeInterval = 1

    /// Returns lookups per second over all readers.
    static func run(lookup: @escaping @Sendable (CardData) -> String?, revoke: @escaping @Sendable (CardData) -> Void, keys: [CardData]) -> Int {
        let stop = Atomic<Bool>(false)
        let lookups = Atomic<Int>(0)
        let group = DispatchGroup()
        // Threads of their own: Dispatch may not give three threads on a two-core machine.
        for reader in 0..<readers {
            group.enter()
            Thread {
                defer { group.leave() }
                var index = reader * 7919, count = 0
                while !stop.load(ordering: .relaxed) {
                    for _ in 0..<256 {
                        blackHole(lookup(keys[index]))
                        index = (index &+ 104_729) % keys.count
                    }
                    count += 256
                }
                lookups.add(count, ordering: .relaxed)
            }.start()
        }
        group.enter()
        Thread {
            defer { group.leave() }
            let start = Date()
            var revoked = 0
            while !stop.load(ordering: .relaxed) {
                let due = Int(Date().timeIntervalSince(start) * Double(revocationsPerSecond))
                while revoked < due {
                    revoke(keys[(revoked * 31) % keys.count])
                    revoked += 1
                }
                usleep(1000)
            }
        }.start()
        Thread.sleep(forTimeInterval: duration)
        stop.store(true, ordering: .relaxed)
        group.wait()
        return Int(Double(lookups.load(ordering: .relaxed)) / duration)
    }
}

/// One door, Ada's card and a delivery passcode with uses to spare, in a fresh database synced as `durability` says;
/// `syncDelay` before each sync of the write-ahead log simulates a slow disk (an SD card's fsync takes tens of ms).
enum DurabilitySite {
    static let slowDisk = Duration.milliseconds(20)
    /// Between decisions, as between cards at a door: the group sync of fast mode has time to finish.
    static let pause: TimeInterval = 0.05

    static func open(_ durability: Durability, syncDelay: Duration) throws -> (access: AccessControl, passcode: String) {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("keyway-durability-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let access = try AccessControl.open(database: folder.appendingPathComponent("site.db"), timeZone: MillionSite.zone,
                                            durability: durability, syncHooks: SyncHooks(delay: syncDelay), checkpointEvery: nil)
        try access.store.addDoor(name: "Front", mode: .cardOrPin)
        try access.store.addPerson(name: "Ada")
        try access.store.addGroup(name: "All", doors: [("Front", nil)])
        try access.store.grant(person: "Ada", group: "All")
        try access.store.addCard(person: "Ada", card: MillionSite.card(1))
        var request = PasscodeRequest(label: "Deliveries", doors: ["Front"])
        request.uses = .count(1_000_000)
        return (access, try access.store.createPasscode(request).code)
    }
}

/// A directory import as the dashboard sends it: 300 units, 3,000 residents in them, 6,000 cards (9,300 records).
/// It holds the database's writer from its first record to its last, so a door's decision waits for it.
enum DirectoryImport {
    static let lines: [DirectoryLine] = {
        let units = (0..<300).map { DirectoryRecord.unit("Flat \($0)") }
        let people = (0..<3_000).map {
            DirectoryRecord.person(DirectoryPerson(name: "Resident \($0)", kind: .resident, unit: "Flat \($0 % 300)", suspended: false))
        }
        let cards = (0..<6_000).map {
            DirectoryRecord.card(DirectoryCard(person: "Resident \($0 % 3_000)", card: .fields(format: "h10301", facility: 7, number: UInt64(10_000 + $0)),
                                               validFrom: nil, validUntil: nil))
        }
        return (units + people + cards).enumerated().map { DirectoryLine(line: $0.offset + 2, record: $0.element) }
    }()

    /// A dry run: every write of the import, rolled back, so each iteration imports into the same site.
    static func dryRun(_ access: AccessControl) {
        guard let result = try? access.store.importDirectory(lines, apply: false, actor: "bench", at: Date()),
              result.problems.isEmpty, result.changes.count == 12_300 else { fatalError("the benchmark's import failed") }
    }
}

/// The baseline: one dictionary behind one mutex.
final class LockedMap: Sendable {
    let entries: Mutex<[CardData: String]>
    init(_ entries: [CardData: String]) { self.entries = Mutex(entries) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], warmupIterations: 10, maxDuration: .seconds(3), maxIterations: 200_000)

    let issued: MillionSite.Issued
    let access: AccessControl
    do {
        issued = try MillionSite.prepare()
        access = try AccessControl.open(database: MillionSite.database, timeZone: MillionSite.zone)
    } catch {
        fatalError("cannot prepare the benchmark site: \(error)")
    }
    let now = MillionSite.now
    let cardCount = MillionSite.people * MillionSite.cardsPerPerson

    Benchmark("Cache load, 1M credentials",
              configuration: .init(metrics: [.wallClock, .custom("resident MB added")], warmupIterations: 0, maxIterations: 3)) { benchmark in
        let before = MillionSite.residentBytes()
        benchmark.startMeasurement()
        let loaded = try AccessControl.open(database: MillionSite.database, timeZone: MillionSite.zone)
        benchmark.stopMeasurement()
        benchmark.measurement(.custom("resident MB added"), (MillionSite.residentBytes() - before) / 1_000_000)
        blackHole(loaded)
    }

    Benchmark("Decision (check), cached card") { benchmark in
        blackHole(access.check(.card(MillionSite.card(benchmark.currentIteration % cardCount)), door: "Front", at: now))
    }

    Benchmark("Decision (check), PIN: keyed-hash lookup") { benchmark in
        blackHole(access.check(.pin(issued.pins[benchmark.currentIteration % issued.pins.count]), door: "Front", at: now))
    }

    Benchmark("Decision (check), digital key: signature verify") { benchmark in
        blackHole(access.check(.digitalKey(token: issued.tokens[benchmark.currentIteration % issued.tokens.count]), door: "Front", at: now))
    }

    Benchmark("Decision (check), uncached: SQLite lookup of an unknown card") { benchmark in
        blackHole(access.check(.card(.fields(format: "h10302", facility: nil, number: UInt64(benchmark.currentIteration))), door: "Front", at: now))
    }

    Benchmark("Decision (decide), cached card + log append", configuration: .init(metrics: [.wallClock], maxIterations: 20_000)) { benchmark in
        blackHole(access.decide(.card(MillionSite.card(benchmark.currentIteration % cardCount)), door: "Front", reader: "bench", at: now))
    }

    // Each decision's wall time with the database synced as each durability mode says, on this disk and on a slow
    // one (a 20 ms delay injected before each sync): a card's row (synced after in fast mode, before in strict mode)
    // and a use taken from a counted passcode (synced before in both).
    let durable = Benchmark.Configuration(metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 3,
                                          maxDuration: .seconds(10), maxIterations: 100)
    for durability in Durability.allCases {
        for delay in [Duration.zero, DurabilitySite.slowDisk] {
            let disk = delay == .zero ? "this disk" : "slow disk (+20 ms a sync)"
            for counted in [false, true] {
                Benchmark("Decision (decide), \(durability): \(counted ? "counted passcode" : "card"), \(disk)", configuration: durable) { benchmark in
                    let site = try DurabilitySite.open(durability, syncDelay: delay)
                    let presentation: Presentation = counted ? .pin(site.passcode) : .card(MillionSite.card(1))
                    for _ in benchmark.scaledIterations {
                        Thread.sleep(forTimeInterval: DurabilitySite.pause)
                        benchmark.startMeasurement()
                        let decision = site.access.decide(presentation, door: "Front", reader: "bench", at: Date())
                        benchmark.stopMeasurement()
                        guard decision.granted else { fatalError("the benchmark's decision was denied: \(decision)") }
                    }
                }
            }
        }
    }

    // How long an import of 9,300 records holds the writer, and how long a card's decision waits when it comes in the
    // middle of one (the import starts, the card 300 ms later; decisions are logged before the door opens).
    let importing = Benchmark.Configuration(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 1,
                                            maxDuration: .seconds(60), maxIterations: 10)
    let importSite: AccessControl
    do { importSite = try DurabilitySite.open(.fast, syncDelay: .zero).access } catch { fatalError("cannot prepare the import site: \(error)") }
    Benchmark("Directory import, 9,300 records (a dry run: every write, rolled back)", configuration: importing) { _ in
        DirectoryImport.dryRun(importSite)
    }
    Benchmark("Card decision (decide) 300 ms into a 9,300-record import", configuration: importing) { benchmark in
        let finished = DispatchSemaphore(value: 0)
        Thread { DirectoryImport.dryRun(importSite); finished.signal() }.start()
        Thread.sleep(forTimeInterval: 0.3)
        benchmark.startMeasurement()
        let decision = importSite.decide(.card(MillionSite.card(1)), door: "Front", reader: "bench", at: Date())
        benchmark.stopMeasurement()
        finished.wait()
        guard decision.granted else { fatalError("the benchmark's decision was denied: \(decision)") }
    }

    // The revocation race on the cache's structure and on the baseline, side by side, with the same keys.
    let keys = (0..<cardCount).map(MillionSite.card)
    let race = Benchmark.Configuration(metrics: [.custom("lookups per second", polarity: .prefersLarger, useScalingFactor: false)],
                                       warmupIterations: 0, maxDuration: .seconds(60), maxIterations: 5)

    // What one lookup costs on one thread with no writer, in the race's key order: the maps, and the key load and
    // hash that both share. Where the time goes when the race does not reach its goal.
    let perLookup = BenchmarkMetric.custom("ns per lookup", polarity: .prefersSmaller, useScalingFactor: false)
    let single = Benchmark.Configuration(metrics: [perLookup], warmupIterations: 10, maxDuration: .seconds(3), maxIterations: 5_000)
    func nanosecondsPerLookup(_ benchmark: Benchmark, _ lookup: (CardData) -> Int) {
        var index = (benchmark.currentIteration &* 7919) % keys.count, found = 0
        let elapsed = ContinuousClock().measure {
            for _ in 0..<1_000 {
                found &+= lookup(keys[index])
                index = (index &+ 104_729) % keys.count
            }
        }
        blackHole(found)
        benchmark.measurement(perLookup, Int(elapsed / .nanoseconds(1)) / 1_000)
    }
    let slotMap = AtomicSlotMap<CardData, String>(contents: keys.map { ($0, "card") })
    let dictionary = Dictionary(uniqueKeysWithValues: keys.map { ($0, "card") })

    Benchmark("Lookup on one thread, no writer: atomic slot map", configuration: single) { benchmark in
        nanosecondsPerLookup(benchmark) { slotMap[$0] == nil ? 0 : 1 }
    }

    Benchmark("Lookup on one thread, no writer: Dictionary without a lock", configuration: single) { benchmark in
        nanosecondsPerLookup(benchmark) { dictionary[$0] == nil ? 0 : 1 }
    }

    Benchmark("Lookup on one thread, no writer: key load and hash only", configuration: single) { benchmark in
        nanosecondsPerLookup(benchmark) { $0.hashValue & 1 }
    }

    Benchmark("Reads on 2 threads, writer revoking 10k/s: lock-free atomic slot map", configuration: race) { benchmark in
        let map = AtomicSlotMap<CardData, String>(contents: keys.map { ($0, "card") })
        let throughput = RevocationRace.run(lookup: { map[$0] }, revoke: { key in map.update(key) { _ in nil } }, keys: keys)
        benchmark.measurement(.custom("lookups per second", polarity: .prefersLarger, useScalingFactor: false), throughput)
    }

    Benchmark("Reads on 2 threads, writer revoking 10k/s: Mutex<Dictionary> baseline", configuration: race) { benchmark in
        let map = LockedMap(Dictionary(uniqueKeysWithValues: keys.map { ($0, "card") }))
        let throughput = RevocationRace.run(lookup: { key in map.entries.withLock { $0[key] } },
                                            revoke: { key in map.entries.withLock { _ = $0.removeValue(forKey: key) } }, keys: keys)
        benchmark.measurement(.custom("lookups per second", polarity: .prefersLarger, useScalingFactor: false), throughput)
    }
}
