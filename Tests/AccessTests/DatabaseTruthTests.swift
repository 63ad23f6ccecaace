import Foundation
import KeywayTestSupport
import Synchronization
import Testing
@testable import Access

/// Monday 2026-03-02 10:00 in Paris.
private let monday = Site.time("2026-03-02 10:00")

/// Counts the syncs of the write-ahead log (`SyncHooks.observer`).
private final class SyncCounter: Sendable {
    private let count = Atomic<Int>(0)
    var syncs: Int { count.load(ordering: .acquiring) }
    var hooks: SyncHooks { SyncHooks(observer: { [self] in count.add(1, ordering: .acquiringAndReleasing) }) }
}

/// Alice's card 12:345 and a two-use delivery passcode at Front, in a database synced as `durability` says.
private func front(_ durability: Durability, counter: SyncCounter) throws -> (access: AccessControl, database: URL, passcode: String) {
    let folder = try TestPaths.temporaryDirectory("durability")
    let database = folder.appendingPathComponent("keyway.db")
    let access = try AccessControl.open(database: database, timeZone: Site.zone, clockPolicy: ClockPolicy(tolerance: nil),
                                        durability: durability, syncHooks: counter.hooks, checkpointEvery: nil)
    try access.store.addDoor(name: "Front", mode: .cardOrPin)
    try access.store.addPerson(name: "Alice")
    try access.store.addGroup(name: "All", doors: [("Front", nil)])
    try access.store.grant(person: "Alice", group: "All")
    try access.store.addCard(person: "Alice", card: Site.card(345))
    var request = PasscodeRequest(label: "Delivery", doors: ["Front"])
    request.uses = .count(2)
    return (access, database, try access.store.createPasscode(request).code)
}

@Suite struct DurabilityTests {
    /// With `synchronous = NORMAL` alone a power cut after the relay moved could lose the use, and hand it out again.
    @Test func aUseTakenFromACountedPasscodeIsOnDiskBeforeTheDecisionReturns() throws {
        let counter = SyncCounter()
        let site = try front(.fast, counter: counter)
        let before = counter.syncs
        #expect(site.access.decide(.pin(site.passcode), door: "Front", reader: "keypad", at: monday).granted)
        #expect(counter.syncs > before)
    }

    @Test func inStrictModeEveryDecisionIsOnDiskBeforeItReturns() throws {
        let counter = SyncCounter()
        let site = try front(.strict, counter: counter)
        for card in [Site.card(345), Site.card(999)] {
            let before = counter.syncs
            _ = site.access.decide(.card(card), door: "Front", reader: "in", at: monday)
            #expect(counter.syncs > before, "\(card)")
        }
    }

    /// In fast mode a card's row is not synced on the way to the relay, but one sync follows within milliseconds.
    @Test func inFastModeAnotherDecisionsRowIsSyncedSoonAfter() async throws {
        let counter = SyncCounter()
        let site = try front(.fast, counter: counter)
        let before = counter.syncs
        #expect(site.access.decide(.card(Site.card(345)), door: "Front", reader: "in", at: monday).granted)
        #expect(try await eventually(within: .seconds(120)) { counter.syncs > before })
    }

    /// A suspension or revocation that returned must survive a power cut: changes are synced before they return.
    @Test func aManagementChangeIsOnDiskBeforeItReturns() throws {
        let counter = SyncCounter()
        let site = try front(.fast, counter: counter)
        let before = counter.syncs
        try site.access.store.setSuspended("Alice", true, actor: "test")
        #expect(counter.syncs > before)
    }
}

@Suite struct DatabaseFileTests {
    /// Deleted under a running service, the file lived on for its open connections: every card was still granted
    /// and logged into a file nobody would read again.
    @Test func aDeletedDatabaseDeniesEveryDecisionUntilItIsBack() throws {
        let site = try front(.fast, counter: SyncCounter())
        let aside = site.database.appendingPathExtension("aside")
        #expect(site.access.checkDatabaseFile() == .intact)
        try FileManager.default.moveItem(at: site.database, to: aside)
        #expect(site.access.checkDatabaseFile() == .missing)
        let denied = site.access.decide(.card(Site.card(345)), door: "Front", reader: "in", at: monday)
        #expect(!denied.granted)
        #expect(denied.reason == .databaseMissing)
        #expect(site.access.decide(.pin(site.passcode), door: "Front", reader: "keypad", at: monday).reason == .databaseMissing)
        #expect(throws: AccessError.self) { try site.access.store.addPerson(name: "Bob") }

        // The same file back at its path: decisions resume, and the outage is in the log.
        try FileManager.default.moveItem(at: aside, to: site.database)
        #expect(site.access.decide(.card(Site.card(345)), door: "Front", reader: "in", at: monday).granted)
        let outage = try #require(try site.access.store.activity().last { $0.kind == .alarm })
        #expect(outage.event == "database_missing")
        #expect(outage.detail?.contains("missing") == true)
        #expect(outage.detail?.contains("2 decisions meanwhile were denied") == true)
    }

    @Test func aReplacedDatabaseDeniesEveryDecision() throws {
        let site = try front(.fast, counter: SyncCounter())
        let copy = site.database.appendingPathExtension("copy")
        try FileManager.default.copyItem(at: site.database, to: copy)
        #expect(rename(copy.path, site.database.path) == 0)
        #expect(site.access.checkDatabaseFile() == .replaced)
        #expect(site.access.decide(.card(Site.card(345)), door: "Front", reader: "in", at: monday).reason == .databaseMissing)
    }

    /// The next start used to create an empty database silently: every card unknown, the log "intact".
    @Test func aLostDatabaseIsNotCreatedAgainUnlessAsked() throws {
        let folder = try TestPaths.temporaryDirectory("lost-database")
        let database = folder.appendingPathComponent("keyway.db")
        do {
            let access = try AccessControl.open(database: database, timeZone: Site.zone, checkpointEvery: nil)
            try access.store.addPerson(name: "Alice")
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database.path + suffix) }

        #expect {
            try AccessControl.open(database: database, timeZone: Site.zone, checkpointEvery: nil)
        } throws: { error in
            "\(error)".contains("is missing, but its secrets") && "\(error)".contains("--create-database")
        }
        #expect(!FileManager.default.fileExists(atPath: database.path))
        #expect(throws: DatabaseMissingError.self) { try AccessStore.open(database: database, timeZone: Site.zone) }

        let fresh = try AccessControl.open(database: database, timeZone: Site.zone, recreating: true, checkpointEvery: nil)
        #expect(try fresh.store.people().isEmpty)
    }

    /// A first start (no database, no secrets) still creates both.
    @Test func aFirstStartCreatesTheDatabase() throws {
        let folder = try TestPaths.temporaryDirectory("first-start")
        let access = try AccessControl.open(database: folder.appendingPathComponent("keyway.db"), timeZone: Site.zone, checkpointEvery: nil)
        #expect(access.checkDatabaseFile() == .intact)
    }
}
