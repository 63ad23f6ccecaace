import Testing
@testable import Access

/// A key whose hash is the same for every instance: every key lands in one probe chain with one fingerprint,
/// so lookups must fall through to comparing keys.
private struct Colliding: Hashable, Sendable {
    let id: Int
    func hash(into hasher: inout Hasher) { hasher.combine(0) }
}

@Suite struct AtomicSlotMapTests {
    @Test func collidingKeysAreToldApartByKey() {
        let map = AtomicSlotMap(contents: (0..<100).map { (Colliding(id: $0), $0 * 10) })
        #expect((0..<100).allSatisfy { map[Colliding(id: $0)] == $0 * 10 })
        #expect(map[Colliding(id: 100)] == nil)
        #expect(map.count == 100)
    }

    @Test func removalLeavesLaterKeysOfTheChainReachable() {
        let map = AtomicSlotMap(contents: (0..<50).map { (Colliding(id: $0), $0) })
        map.update((0..<50).filter { $0 % 2 == 0 }.map { (Colliding(id: $0), { _ in nil }) })
        #expect((0..<50).allSatisfy { map[Colliding(id: $0)] == ($0 % 2 == 0 ? nil : $0) })
        #expect(map.count == 25)
        // New keys and returning ones take the tombstones' places; none is stored twice.
        map.update((0..<60).map { key in (Colliding(id: key), { _ in key + 1 }) })
        #expect((0..<60).allSatisfy { map[Colliding(id: $0)] == $0 + 1 })
        #expect(map.count == 60)
    }

    @Test func removingTheWholeChainEmptiesIt() {
        let map = AtomicSlotMap(contents: (0..<20).map { (Colliding(id: $0), $0) })
        for key in (0..<20).reversed() { map.update(Colliding(id: key)) { _ in nil } }
        #expect(map.count == 0)
        #expect(map[Colliding(id: 3)] == nil)
        map.update(Colliding(id: 3)) { _ in 33 }
        #expect(map[Colliding(id: 3)] == 33)
    }

    @Test func growsPastItsFirstTableKeepingEveryEntry() {
        let map = AtomicSlotMap<Int, Int>()
        for key in 0..<10_000 { map.update(key) { _ in key } }
        map.update((0..<10_000).filter { $0 % 3 == 0 }.map { ($0, { _ in nil }) })
        #expect(map.generations > 1)
        #expect((0..<10_000).allSatisfy { map[$0] == ($0 % 3 == 0 ? nil : $0) })
        #expect(map.count == 10_000 - 3334)
    }

    @Test func editsThatChangeNothingTakeNoRoom() {
        let map = AtomicSlotMap(contents: [(1, "one")])
        for _ in 0..<1_000 { map.update(1) { $0 } }
        map.update(2) { _ in nil }
        #expect(map.generations == 1)
        #expect(map[1] == "one")
        #expect(map.count == 1)
    }
}
