import Access
import Benchmark
import Foundation
import GRDB

/// A site whose activity log holds 1,000,000 rows: 20 doors, 10,000 people, a row every 30 s (about a year), 3 %
/// denied (1 in 100 of those `revoked`), 1 in 1,000 a change made by an account. One resident, Person 42, has
/// about 100 rows of their own, a key they hold and a key they issued. Built once into a temporary directory.
///
/// The rows are written straight into the table (the hash chain is not what is measured here; its columns hold
/// zeros) and the database is not ANALYZEd, as in service: the pages rely on the indexes alone.
enum MillionLog {
    static let rows = 1_000_000
    static let doors = 20
    static let people = 10_000
    static let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("keyway-api-log-bench-v2")
    static let database = directory.appendingPathComponent("site.db")
    static let zone = TimeZone(identifier: "Europe/Paris")!
    static let start = Date(timeIntervalSince1970: 1_740_000_000)
    static let step: TimeInterval = 30
    static let resident = "usr_bench_resident"
    static let residentPerson = "per_bench_42"

    static func prepare() throws -> AccessControl {
        let done = directory.appendingPathComponent("done")
        if FileManager.default.fileExists(atPath: done.path) {
            return try AccessControl.open(database: database, timeZone: zone, checkpointEvery: nil, checkpointSinks: [])
        }
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let access = try AccessControl.open(database: database, timeZone: zone, checkpointEvery: nil, checkpointSinks: [])
        for door in 0..<doors { try access.store.addDoor(name: "Door \(door)") }
        let queue = try DatabaseQueue(path: database.path)
        try queue.write { db in
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                INSERT INTO person (id, name, kind, created_at) SELECT 'per_bench_' || i, 'Person ' || i, 'resident', 0 FROM n
                """, arguments: [people])
        }
        let held = try access.store.issueKey(person: "Person 42", doors: ["Door 1"], actor: "usr_bench_staff", at: Date())
        let issued = try access.store.issueKey(person: "Person 43", doors: ["Door 1"], actor: resident, at: Date())
        try queue.write { db in
            let startMS = Int64(start.timeIntervalSince1970 * 1000), stepMS = Int64(step * 1000)
            // After the rows setting up the doors and keys wrote.
            let base = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM activity") ?? 0
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?),
                r(i, p, deny, change) AS (SELECT i, (i * 7919) % ?, i % 33 = 0, i % 1000 = 500 FROM n)
                INSERT INTO activity (seq, at_ms, kind, door, reader, credential_id, person_id, outcome, reason, actor, prev_hash, hash)
                SELECT ? + i, ? + i * ?, CASE WHEN change THEN 'person_changed' ELSE 'decision' END, 'Door ' || (i % ?), 'reader',
                    CASE WHEN p = 42 THEN ? WHEN p = 43 THEN ? ELSE 'crd_bench_' || ((i * 104729) % 30000) END,
                    'per_bench_' || p,
                    CASE WHEN change THEN NULL WHEN deny THEN 'deny' ELSE 'grant' END,
                    CASE WHEN change OR NOT deny THEN NULL WHEN i % 3300 = 0 THEN 'revoked' WHEN i % 2 = 0 THEN 'door_not_allowed'
                         ELSE 'outside_schedule' END,
                    CASE WHEN NOT change THEN NULL WHEN (i / 1000) % 50 = 7 THEN ? ELSE 'usr_bench_' || ((i / 1000) % 50) END,
                    zeroblob(32), zeroblob(32)
                FROM r
                """, arguments: [rows, people, base, startMS, stepMS, doors, held.credential.id, issued.credential.id, resident])
        }
        FileManager.default.createFile(atPath: done.path, contents: nil)
        return access
    }

    static func at(row: Int) -> Date { start.addingTimeInterval(Double(row) * step) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], warmupIterations: 5, maxDuration: .seconds(3), maxIterations: 2_000)

    let storage: SQLiteSiteStorage
    do {
        storage = try SQLiteSiteStorage(access: try MillionLog.prepare())
    } catch {
        fatalError("cannot prepare the benchmark log: \(error)")
    }

    /// A page of 50, its cursor moving through the log with the iteration (no two iterations read the same page).
    func page(_ name: String, _ filter: @escaping @Sendable (inout ActivityQuery, Int) -> Void) {
        Benchmark("Activity page of 50 at 1M rows: \(name)") { benchmark in
            for iteration in benchmark.scaledIterations {
                var query = ActivityQuery(limit: 50)
                filter(&query, iteration)
                blackHole(try await storage.activity(query))
            }
        }
    }
    let residentScope = ActivityScope(personID: MillionLog.residentPerson, userID: MillionLog.resident)

    page("newest, no filter") { _, _ in }
    page("cursor deep in the log") { query, i in query.before = Int64(900_000 - i * 37) }
    page("by door") { query, i in query.door = "Door \(i % MillionLog.doors)" }
    page("by door, cursor deep in the log") { query, i in
        query.door = "Door \(i % MillionLog.doors)"
        query.before = Int64(900_000 - i * 37)
    }
    page("person (about 100 rows)") { query, i in query.person = "Person \(i % MillionLog.people)" }
    page("result deny (3 %)") { query, _ in query.outcome = "deny" }
    page("reason revoked (0.03 %)") { query, _ in query.reason = "revoked" }
    page("one day, half a year back") { query, i in
        query.from = MillionLog.at(row: 500_000 + i * 10)
        query.until = query.from!.addingTimeInterval(86_400)
    }
    page("thirty days, half a year back") { query, i in
        query.from = MillionLog.at(row: 500_000 + i * 10)
        query.until = query.from!.addingTimeInterval(30 * 86_400)
    }
    page("by door + deny + one week") { query, i in
        query.door = "Door \(i % MillionLog.doors)"
        query.outcome = "deny"
        query.from = MillionLog.at(row: 400_000 + i * 10)
        query.until = query.from!.addingTimeInterval(7 * 86_400)
    }
    page("scope of a resident, newest") { query, _ in query.scope = residentScope }
    page("scope of a resident, denied, cursor in the middle") { query, i in
        query.scope = residentScope
        query.outcome = "deny"
        query.before = Int64(600_000 - i * 37)
    }
    page("scope of a resident + door") { query, _ in
        query.scope = residentScope
        query.door = "Door 3"
    }
}
