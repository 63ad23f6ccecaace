import Crypto
import Foundation
import GRDB
import KeywayTestSupport
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")

@Suite struct ActivityLogTests {
    func busySite() throws -> Site {
        let site = try Site()
        try site.store.addDoor(name: "Front", mode: .card)
        try site.store.addPerson(name: "Alice")
        let card = try site.store.addCard(person: "Alice", card: Site.card(5))
        for second in 0..<5 {
            _ = site.access.decide(.card(Site.card(5)), door: "Front", reader: "in", at: monday + Double(second))
        }
        try site.access.record(DoorEvent(.forcedOpen, door: "Front", at: monday + 10))
        try site.store.revoke(card.id, reason: "lost")
        return site
    }

    @Test func everyDecisionChangeAndEventIsLoggedAndChained() throws {
        let site = try busySite()
        let rows = try site.store.activity()
        #expect(rows.map(\.sequence) == Array(1...Int64(rows.count)))
        #expect(rows.filter { $0.kind == .decision }.count == 5)
        #expect(rows.contains { $0.kind == .door && $0.event == "forced_open" })
        #expect(rows.contains { $0.kind == .credentialRevoked && $0.detail == "lost" })
        #expect(try site.store.activity(door: "Front").allSatisfy { $0.door == "Front" })
        #expect(try site.store.activity(since: monday + 3).count < rows.count)
        let verification = try site.store.verifyLog()
        #expect(verification.isIntact)
        #expect(verification.rowsChecked == rows.count)
    }

    @Test func rowsCannotBeChangedOrDeleted() throws {
        let site = try busySite()
        #expect(throws: (any Error).self) { try site.store.pool.write { try $0.execute(sql: "UPDATE activity SET outcome = 'grant'") } }
        #expect(throws: (any Error).self) { try site.store.pool.write { try $0.execute(sql: "DELETE FROM activity WHERE seq = 3") } }
    }

    @Test func verifyPinpointsTheFirstTamperedRow() throws {
        let site = try busySite()
        try site.store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER activity_no_update")
            try db.execute(sql: "UPDATE activity SET reason = NULL, outcome = 'grant' WHERE seq = 4")
        }
        let verification = try site.store.verifyLog()
        #expect(verification.firstBroken?.sequence == 4)
        #expect(verification.rowsChecked == 3)
    }

    @Test func verifyFindsADeletedRow() throws {
        let site = try busySite()
        try site.store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER activity_no_delete")
            try db.execute(sql: "DELETE FROM activity WHERE seq = 6")
        }
        #expect(try site.store.verifyLog().firstBroken?.sequence == 6)
    }
}

/// What someone with write access to the database but not the log key can do: edit rows and re-hash the chain
/// after them with SHA-256, the way an unkeyed chain was computed (the format is public).
enum LogForger {
    static func canonical(_ row: Row) -> String {
        let fields: [String?] = [
            String(row["seq"] as Int64), String(row["at_ms"] as Int64), row["kind"], row["event"], row["door"], row["reader"],
            row["credential_id"], row["person_id"], row["outcome"], row["reason"], row["detail"], row["actor"],
        ]
        return fields.map { field in field.map { "\($0.utf8.count):\($0)" } ?? "-" }.joined(separator: "|")
    }

    static func sha256(previous: Data, _ row: Row) -> Data {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: Data(canonical(row).utf8))
        return Data(hasher.finalize())
    }

    /// Re-links and re-hashes every row from `sequence` on, as an unkeyed chain.
    static func rehash(from sequence: Int64, in db: Database) throws {
        try db.execute(sql: "DROP TRIGGER IF EXISTS activity_no_update")
        var previous = try Data.fetchOne(db, sql: "SELECT hash FROM activity WHERE seq = ?", arguments: [sequence - 1]) ?? Data(count: 32)
        for row in try Row.fetchAll(db, sql: "SELECT * FROM activity WHERE seq >= ? ORDER BY seq", arguments: [sequence]) {
            let hash = sha256(previous: previous, row)
            try db.execute(sql: "UPDATE activity SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [previous, hash, row["seq"] as Int64])
            previous = hash
        }
    }
}

@Suite struct KeyedLogTests {
    @Test func anEditRehashedWithoutTheLogKeyIsDetected() throws {
        let site = try ActivityLogTests().busySite()
        try site.store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER activity_no_update")
            try db.execute(sql: "UPDATE activity SET reason = NULL, outcome = 'grant' WHERE seq = 4")
            try LogForger.rehash(from: 4, in: db)
        }
        let verification = try site.store.verifyLog()
        #expect(!verification.isIntact)
        #expect(verification.firstBroken?.sequence == 4)
    }

    func truncate(_ site: Site, after sequence: Int64) throws {
        try site.store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER activity_no_delete")
            try db.execute(sql: "DELETE FROM activity WHERE seq > ?", arguments: [sequence])
        }
    }

    @Test func aTruncatedTailIsDetectedAgainstTheCheckpoints() throws {
        let site = try ActivityLogTests().busySite()
        let checkpoint = try #require(try site.store.checkpoint(at: monday + 60))
        #expect(try site.store.verifyLog(against: [checkpoint]).checkpointsChecked == 1)
        try truncate(site, after: checkpoint.sequence - 2)
        // The chain alone cannot tell; the checkpoint can.
        #expect(try site.store.verifyLog().isIntact)
        let verification = try site.store.verifyLog(against: [checkpoint])
        #expect(verification.firstBroken?.sequence == checkpoint.sequence - 1)
        #expect(verification.firstBroken?.problem.hasPrefix("truncated") == true)
    }

    @Test func rowsRewrittenAfterATruncationDoNotMatchTheCheckpoint() throws {
        let site = try ActivityLogTests().busySite()
        let checkpoint = try #require(try site.store.checkpoint(at: monday + 60))
        try truncate(site, after: checkpoint.sequence - 3)
        for second in 0..<3 { try site.access.record(DoorEvent(.opened, door: "Front", at: monday + 70 + Double(second))) }
        #expect(try site.store.verifyLog().isIntact)
        #expect(try site.store.verifyLog(against: [checkpoint]).firstBroken?.sequence == checkpoint.sequence)
    }

    @Test func aCheckpointNotSignedByTheSiteIsRefused() throws {
        let site = try ActivityLogTests().busySite()
        let other = try ActivityLogTests().busySite()
        let foreign = try #require(try other.store.checkpoint())
        #expect(try site.store.verifyLog(against: [foreign]).firstBroken?.problem.contains("not signed by this site") == true)
    }

    /// Checkpoints reach every sink: the file beside the database (JSON lines, read back whole) and the others.
    @Test func checkpointsGoToEverySinkOnlyWhenTheLogMoved() throws {
        final class Collected: LogCheckpointSink, @unchecked Sendable {
            let name = "memory"
            let checkpoints = Locked<[LogCheckpoint]>([])
            func publish(_ checkpoint: LogCheckpoint) throws { checkpoints.withLock { $0.append(checkpoint) } }
        }
        let directory = try TestPaths.temporaryDirectory("checkpoints")
        let file = LogCheckpointFile(url: directory.appendingPathComponent("site.checkpoints"))
        let memory = Collected()
        let access = try AccessControl.open(database: directory.appendingPathComponent("site.db"), timeZone: Site.zone,
                                            checkpointEvery: nil, checkpointSinks: [file, memory])
        try access.store.addDoor(name: "Front", mode: .card)
        let first = try #require(try access.checkpointLog(at: monday))
        #expect(try access.checkpointLog(at: monday + 1) == nil)
        try access.record(DoorEvent(.opened, door: "Front", at: monday + 2))
        let second = try #require(try access.checkpointLog(at: monday + 3))
        #expect(try file.read() == [first, second])
        #expect(memory.checkpoints.withLock { $0 } == [first, second])
        #expect(try access.store.verifyLog(against: try file.read()).checkpointsChecked == 2)
    }

    /// A database chained before the log key existed: its rows keep verifying, the keyed chain starts at a marker
    /// row after them, and an edit of an old row re-hashed without the key is still caught, at the marker (which
    /// links to the old rows and cannot be re-hashed).
    @Test func anUnkeyedDatabaseKeepsVerifyingAndIsKeyedFromAMarkedRow() throws {
        let directory = try TestPaths.temporaryDirectory("legacy-log")
        let database = directory.appendingPathComponent("keyway.db")
        do {
            let queue = try DatabaseQueue(path: database.path)
            try Schema.migrator.migrate(queue, upTo: "v2: the secrets the database was created with")
            try queue.write { db in
                try db.execute(sql: "DROP TRIGGER activity_no_update")
                var previous = Data(count: 32)
                for sequence in Int64(1)...4 {
                    try db.execute(sql: """
                        INSERT INTO activity (seq, at_ms, kind, door, detail, prev_hash, hash) VALUES (?, ?, 'door', 'Front', 'old', ?, ?)
                        """, arguments: [sequence, Int64(monday.timeIntervalSince1970 * 1000) + sequence, previous, Data(count: 32)])
                    let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM activity WHERE seq = ?", arguments: [sequence]))
                    previous = LogForger.sha256(previous: previous, row)
                    try db.execute(sql: "UPDATE activity SET hash = ? WHERE seq = ?", arguments: [previous, sequence])
                }
                try db.execute(sql: "CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity BEGIN SELECT RAISE(ABORT, 'x'); END")
            }
        }
        let access = try AccessControl.open(database: database, timeZone: Site.zone, clockPolicy: ClockPolicy(tolerance: nil), checkpointEvery: nil)
        try access.store.addDoor(name: "Front", mode: .card)
        let verification = try access.store.verifyLog()
        #expect(verification.isIntact)
        #expect(verification.keyedFrom == 5)
        #expect(try access.store.activity().first { $0.sequence == 5 }?.kind == .logKeyed)
        #expect(verification.rowsChecked == 6)

        try access.store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER activity_no_update")
            try db.execute(sql: "UPDATE activity SET detail = 'forged' WHERE seq = 2")
            try LogForger.rehash(from: 2, in: db)
        }
        // The unkeyed rows re-hash consistently; the keyed marker that links to them does not.
        let broken = try #require(try access.store.verifyLog().firstBroken)
        #expect(broken.sequence == 5)
    }

    @Test func aKeyedLogRefusesAMissingOrForeignLogKey() throws {
        let site = try ActivityLogTests().busySite()
        let keyFile = site.directory.appendingPathComponent("keyway.log-key")
        #expect(FileManager.default.fileExists(atPath: keyFile.path))
        let saved = try Data(contentsOf: keyFile)
        try FileManager.default.removeItem(at: keyFile)
        #expect(throws: LogKeyError.self) { try AccessStore.open(database: site.database, timeZone: Site.zone) }
        try SecretFile.create(at: keyFile, contents: Data(repeating: 7, count: 32))
        #expect(throws: LogKeyError.self) { try AccessStore.open(database: site.database, timeZone: Site.zone) }
        try SecretFile.replace(at: keyFile, contents: saved)
        #expect(try AccessStore.open(database: site.database, timeZone: Site.zone).verifyLog().isIntact)
    }
}
