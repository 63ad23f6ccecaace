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

    /// Every key of the chain has the same fingerprint: a lookup must compare whole keys and must skip the cells a
    /// replacement or a removal left behind, however many there are.
    @Test func aFingerprintMatchNeverAnswersForAnotherKeyOrAnOldValue() {
        let map = AtomicSlotMap(contents: (0..<40).map { (Colliding(id: $0), "\($0)") })
        for round in 1...3 { map.update((0..<40).filter { $0 % 4 == 1 }.map { key in (Colliding(id: key), { _ in "\(key) v\(round)" }) }) }
        map.update((0..<40).filter { $0 % 4 == 2 }.map { (Colliding(id: $0), { _ in nil }) })
        for key in 0..<40 {
            let expected: String? = switch key % 4 {
            case 1: "\(key) v3"
            case 2: nil
            default: "\(key)"
            }
            #expect(map[Colliding(id: key)] == expected)
        }
        #expect(map[Colliding(id: 40)] == nil)
        #expect(map.count == 30)
    }

    /// A table large enough for huge pages (several MB) keeps every entry through removals and a rebuild.
    @Test func aLargeTableKeepsEveryEntry() {
        let map = AtomicSlotMap(contents: (0..<100_000).map { ($0, $0 &* 3) })
        map.update((0..<100_000).filter { $0 % 5 == 0 }.map { ($0, { _ in nil }) })
        map.update((100_000..<140_000).map { key in (key, { _ in key &* 3 }) })
        #expect(map.generations == 2)
        #expect((0..<140_000).allSatisfy { map[$0] == ($0 < 100_000 && $0 % 5 == 0 ? nil : $0 &* 3) })
        #expect(map.count == 120_000)
    }

    /// Cells of up to a cache line are padded so that none straddles two lines.
    @Test func smallCellsAreAPowerOfTwoWide() {
        #expect(AtomicSlotMap<Int, Int>.Table.cellStride == 32)
        #expect(AtomicSlotMap<CardData, String>.Table.cellStride == 64)
        #expect(AtomicSlotMap<CardData, CredentialEntry>.Table.cellStride % 8 == 0)
        #expect(AtomicSlotMap<CardData, CredentialEntry>.Table.cellStride >= 8 + MemoryLayout<(CardData, CredentialEntry)>.size)
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
