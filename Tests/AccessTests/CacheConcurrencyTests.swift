import Foundation
import Synchronization
import Testing
@testable import Access

private let monday = Site.time("2026-03-02 10:00")

/// Counters shared by the threads of a test.
private final class Tally: Sendable {
    let started = Atomic<Int>(0)
    let revoked = Atomic<Int>(0)
    let violations = Atomic<Int>(0)
    let decisions = Atomic<Int>(0)
    let done = Atomic<Bool>(false)
}

/// Runs `body` on `count` threads of their own (neither the test's cooperative pool nor Dispatch's, which may
/// have fewer threads than the test needs on a small machine), returning once every thread has started.
private func onThreads(_ count: Int, tally: Tally, _ body: @escaping @Sendable (Int) -> Void) -> Joinable {
    let finished = Joinable()
    for index in 0..<count {
        finished.group.enter()
        Thread {
            tally.started.add(1, ordering: .releasing)
            body(index)
            finished.group.leave()
        }.start()
    }
    while tally.started.load(ordering: .acquiring) < count { usleep(1000) }
    return finished
}

private final class Joinable: Sendable {
    let group = DispatchGroup()
    func wait() { group.wait() }
}

@Suite struct CacheConcurrencyTests {
    /// Readers decide on random cards while a writer revokes them one by one; after each revoke returns the writer
    /// publishes how many are revoked. A reader that saw card i revoked must never see it granted afterwards.
    @Test func noGrantAfterARevokeReturned() throws {
        let site = try Site.aliceAtFront(mode: .card)
        let count = 300
        var ids: [String] = []
        for number in 0..<count { ids.append(try site.store.addCard(person: "Alice", card: Site.card(UInt64(number))).id) }

        let tally = Tally()
        let access = site.access
        let readers = onThreads(3, tally: tally) { reader in
            var random = SystemRandomNumberGenerator()
            while !tally.done.load(ordering: .acquiring) {
                let revoked = tally.revoked.load(ordering: .acquiring)
                guard revoked > 0 else { continue }
                let card = Site.card(UInt64(Int.random(in: 0..<revoked, using: &random)))
                // Mostly the lock-free dry run; every eighth a full decision through SQLite.
                let decision = reader == 0 && Int.random(in: 0..<8, using: &random) == 0
                    ? access.decide(.card(card), door: "Front", reader: "in", at: monday)
                    : access.check(.card(card), door: "Front", at: monday)
                if decision.granted { tally.violations.add(1, ordering: .relaxed) }
                tally.decisions.add(1, ordering: .relaxed)
            }
        }
        for (index, id) in ids.enumerated() {
            try site.store.revoke(id, at: monday)
            tally.revoked.store(index + 1, ordering: .releasing)
        }
        // However the threads were scheduled, let the readers decide a while against the final state too.
        while tally.decisions.load(ordering: .acquiring) < 1000 { usleep(1000) }
        tally.done.store(true, ordering: .releasing)
        readers.wait()
        #expect(tally.violations.load(ordering: .acquiring) == 0)
    }

    @Test func aRevocationByAnotherProcessStopsTheNextDecision() throws {
        let site = try Site.aliceAtFront(mode: .card)
        let card = try site.store.addCard(person: "Alice", card: Site.card(1))
        #expect(site.access.check(.card(Site.card(1)), door: "Front", at: monday).granted)

        // The CLI opens the database on its own and revokes.
        let cli = try AccessStore.open(database: site.database, timeZone: Site.zone)
        try cli.revoke(card.id, reason: "stolen")
        #expect(site.access.decide(.card(Site.card(1)), door: "Front", reader: "in", at: monday).reason == .revoked)
        #expect(site.access.check(.card(Site.card(1)), door: "Front", at: monday).reason == .revoked)

        // And what it adds opens once the service refreshes (or decides).
        try cli.addCard(person: "Alice", card: Site.card(2))
        try site.access.refresh()
        #expect(site.access.check(.card(Site.card(2)), door: "Front", at: monday).granted)
    }

    @Test func withoutPreloadingEveryLookupGoesToSQLiteAndDecidesTheSame() throws {
        let site = try Site.aliceAtFront(mode: .cardOrPin)
        try site.store.addCard(person: "Alice", card: Site.card(1))
        let pin = try site.store.addPIN(person: "Alice")
        let lazy = try AccessControl.open(database: site.database, timeZone: Site.zone, clockPolicy: ClockPolicy(tolerance: nil), preload: false)
        #expect(lazy.cache.cards.count == 0)
        for presentation in [Presentation.card(Site.card(1)), .pin(pin.code), .card(Site.card(2))] {
            #expect(lazy.check(presentation, door: "Front", at: monday) == site.access.check(presentation, door: "Front", at: monday))
        }
        #expect(lazy.check(.card(Site.card(1)), door: "Front", at: monday).personName == "Alice")
    }

    /// Keys that all share one hash (one chain, one fingerprint) have their values replaced and are removed and put
    /// back while readers look them up: a reader must only ever get a value written for that very key, whole. The
    /// values are heap strings, so a pair read while it was being written or after it was freed would not match
    /// (or would crash, or be reported by the thread sanitizer).
    @Test func readersGetOnlyTheirKeysValueWhileCollidingKeysAreReplaced() {
        struct SameHash: Hashable, Sendable {
            let id: Int
            func hash(into hasher: inout Hasher) { hasher.combine(0) }
        }
        func value(_ key: Int, _ version: Int) -> String { "value of key \(key), version \(version), long enough for the heap" }
        let keys = 0..<32
        let map = AtomicSlotMap(contents: keys.map { (SameHash(id: $0), value($0, 0)) })
        let tally = Tally()
        let readers = onThreads(2, tally: tally) { reader in
            var key = reader
            while !tally.done.load(ordering: .acquiring) {
                if let found = map[SameHash(id: key)], !found.hasPrefix("value of key \(key), version ") {
                    tally.violations.add(1, ordering: .relaxed)
                }
                tally.decisions.add(1, ordering: .relaxed)
                key = (key + 5) % keys.count
            }
        }
        for version in 1...300 {
            map.update(keys.filter { $0 % 3 == version % 3 }.map { key in (SameHash(id: key), { _ in value(key, version) }) })
            map.update(SameHash(id: version % keys.count)) { _ in nil }
            map.update(SameHash(id: (version + 16) % keys.count)) { _ in value((version + 16) % keys.count, version) }
        }
        while tally.decisions.load(ordering: .acquiring) < 1000 { usleep(1000) }
        tally.done.store(true, ordering: .releasing)
        readers.wait()
        #expect(tally.violations.load(ordering: .acquiring) == 0)
        #expect(map.generations > 1)
    }

    /// Readers race a writer that bumps versions, inserts keys (growing the map through several tables from an
    /// empty start) and removes keys one by one, publishing how many it removed once each removal returned.
    /// Versions must only move forward, and a removed key must never be found again.
    @Test func atomicSlotMapReadersSeeWritesInOrder() {
        let map = AtomicSlotMap<Int, Int>()
        let removable = 100_000..<102_000
        map.update(removable.map { key in (key, { _ in 0 }) })
        let tally = Tally()
        let readers = onThreads(2, tally: tally) { reader in
            var seen = [Int](repeating: -1, count: 64)
            var probe = removable.lowerBound + reader
            while !tally.done.load(ordering: .acquiring) {
                for key in 0..<64 {
                    let version = map[key] ?? -1
                    if version < seen[key] { tally.violations.add(1, ordering: .relaxed) }
                    seen[key] = version
                }
                let removed = tally.revoked.load(ordering: .acquiring)
                if removed > 0, map[removable.lowerBound + (probe % removed)] != nil { tally.violations.add(1, ordering: .relaxed) }
                probe &+= 7
            }
        }
        for version in 0..<2000 {
            map.update((0..<64).filter { $0 % 7 == version % 7 }.map { key in (key, { _ in version }) })
            map.update((1_000 + version * 10 ..< 1_010 + version * 10).map { key in (key, { _ in version }) })
            map.update(removable.lowerBound + version) { _ in nil }
            tally.revoked.store(version + 1, ordering: .releasing)
        }
        tally.done.store(true, ordering: .releasing)
        readers.wait()
        #expect(tally.violations.load(ordering: .acquiring) == 0)
        #expect(map.generations > 1)
        #expect(map.count == 64 + 20_000)
    }
}
