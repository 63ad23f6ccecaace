import Synchronization

/// A map whose readers do no locking, no read-modify-write and no reference counting: an open-addressing table
/// of 64-bit atomic slots over an append-only arena of entries.
///
/// Layout. A slot is one `Atomic<UInt64>`: 2 bits of state (empty, live, tombstone), 30 bits of the key's hash
/// (a fingerprint that skips most foreign keys without touching the arena) and a 32-bit index into the arena.
/// An arena cell holds a (key, value) pair; it is written once, before any slot names it, and never changed or
/// freed while the map lives. Collisions probe linearly; a lookup stops at the first empty slot (a quarter of the
/// slots or more stay empty, so every probe ends).
///
/// Memory ordering. A writer initializes the arena cell, then stores the slot naming it with `.releasing`; a
/// reader loads the slot with `.acquiring` and only then reads the cell, so it sees the cell fully written. A
/// revocation stores a tombstone (releasing) into the key's slot before `update` returns, so any lookup that
/// starts after that return and is ordered after it (by a lock, a database transaction, a thread start...) loads
/// the tombstone and misses; the caller falls back to its source of truth. Replacing a value stores a slot naming
/// a new cell: a reader sees the old pair or the new one, never a mixture. Writers serialize on a mutex;
/// readers never touch it.
///
/// Growth. When the arena or the slots run out (tombstones are reused by inserts and trimmed where a chain ends,
/// so this takes about `live` appends), the writer builds a bigger table and publishes it through an atomic
/// unmanaged pointer (releasing; readers acquire it and use it without retaining it). Later writes go to the new
/// table only; a lookup still in an older one loaded it before they began, so it is concurrent with them (the
/// same as a lookup that loaded a slot just before a revocation stored it). A reader may still be
/// inside the old table, so retired tables are kept until the map is released: their memory is bounded by the
/// number of appends since the load (each retirement needs at least `live` of them), i.e. by the volume of
/// credential changes, not by the read rate.
public final class AtomicSlotMap<Key: Hashable & Sendable, Value: Sendable & Equatable>: Sendable {
    @usableFromInline let current: Atomic<Unmanaged<Table>>
    /// Every table ever published (the last is current); also the writers' mutex.
    private let tables: Locked<[Table]>

    /// `contents` must not repeat a key (the last one wins if it does).
    public init(contents: [(Key, Value)] = []) {
        let table = Table(live: contents.count)
        for (key, value) in contents { table.upsert(key, value) }
        current = Atomic(Unmanaged.passUnretained(table))
        tables = Locked([table])
    }

    /// Lock-free read; inlinable so that a client module runs it specialized to its types, as the cache does.
    @inlinable public subscript(key: Key) -> Value? {
        current.load(ordering: .acquiring)._withUnsafeGuaranteedRef { $0.lookup(key) }
    }

    /// Applies edits (each sees the key's current value and returns the new one, nil to remove) and publishes
    /// them before returning.
    public func update(_ edits: [(key: Key, edit: (Value?) -> Value?)]) {
        tables.withLock { tables in
            var table = tables[tables.count - 1]
            for (key, edit) in edits {
                let found = table.slot(of: key)
                let old = found.map { table.entry(at: $0).value }
                guard let new = edit(old) else {
                    if let found { table.remove(at: found) }
                    continue
                }
                guard new != old else { continue }
                if !table.hasRoom {
                    table = table.rebuilt()
                    tables.append(table)
                    current.store(Unmanaged.passUnretained(table), ordering: .releasing)
                }
                table.upsert(key, new)
            }
        }
    }

    public func update(_ key: Key, _ edit: @escaping (Value?) -> Value?) {
        update([(key, edit)])
    }

    /// Live entries right now: for statistics and tests, not for decisions.
    public var count: Int { tables.withLock { $0[$0.count - 1].live } }

    /// Tables published so far, the current one included (for tests of growth).
    var generations: Int { tables.withLock { $0.count } }

    /// One generation of the map. Readers only call `lookup`; everything else runs under the writers' mutex.
    /// `@unchecked`: the arena is raw memory; the ordering argument above is what makes sharing it sound.
    @usableFromInline final class Table: @unchecked Sendable {
        @usableFromInline typealias Slot = UInt64
        @inlinable static var empty: Slot { 0 }
        @inlinable static var liveState: Slot { 1 << 62 }
        private static var tombstone: Slot { 2 << 62 }
        private static var stateMask: Slot { 3 << 62 }

        @usableFromInline let slots: UnsafeMutablePointer<Atomic<Slot>>
        @usableFromInline let mask: Int
        @usableFromInline let arena: UnsafeMutablePointer<(key: Key, value: Value)>
        private let arenaCapacity: Int
        // Writer-only bookkeeping.
        private var appended = 0
        private(set) var live = 0
        private var used = 0  // slots that are not empty: live ones and tombstones

        /// Room for `live` entries plus as many appends again; slots at most half full of live entries.
        init(live: Int) {
            arenaCapacity = 2 * max(live, 32)
            var slotCount = 1
            while slotCount < 2 * arenaCapacity { slotCount <<= 1 }
            precondition(arenaCapacity < 1 << 32, "AtomicSlotMap: more than 2^32 entries")
            mask = slotCount - 1
            slots = .allocate(capacity: slotCount)
            for index in 0..<slotCount { (slots + index).initialize(to: Atomic(Self.empty)) }
            arena = .allocate(capacity: arenaCapacity)
        }

        deinit {
            slots.deinitialize(count: mask + 1)
            slots.deallocate()
            arena.deinitialize(count: appended)
            arena.deallocate()
        }

        @inlinable static func fingerprint(_ hash: Int) -> Slot { (Slot(UInt(bitPattern: hash)) >> 34) << 32 }

        @inlinable func lookup(_ key: Key) -> Value? {
            let hash = key.hashValue
            let wanted = Self.liveState | Self.fingerprint(hash)
            var index = hash & mask
            while true {
                let slot = slots[index].load(ordering: .acquiring)
                if slot == Self.empty { return nil }
                if slot & ~0xFFFF_FFFF == wanted, arena[Int(slot & 0xFFFF_FFFF)].key == key {
                    return arena[Int(slot & 0xFFFF_FFFF)].value
                }
                index = (index + 1) & mask
            }
        }

        func slot(of key: Key) -> Int? { probe(key).live }

        /// The key's live slot if any, and where it would go: that slot, else the first tombstone of its chain,
        /// else the empty slot ending the chain.
        private func probe(_ key: Key) -> (live: Int?, free: Int) {
            let hash = key.hashValue
            let wanted = Self.liveState | Self.fingerprint(hash)
            var index = hash & mask, firstTombstone: Int?
            while true {
                let slot = slots[index].load(ordering: .relaxed)
                if slot == Self.empty { return (nil, firstTombstone ?? index) }
                if slot == Self.tombstone { firstTombstone = firstTombstone ?? index }
                if slot & ~0xFFFF_FFFF == wanted, arena[Int(slot & 0xFFFF_FFFF)].key == key { return (index, index) }
                index = (index + 1) & mask
            }
        }

        func entry(at slot: Int) -> (key: Key, value: Value) {
            arena[Int(slots[slot].load(ordering: .relaxed) & 0xFFFF_FFFF)]
        }

        /// Whether one more append fits: a free arena cell, and slots no more than three quarters used.
        var hasRoom: Bool { appended < arenaCapacity && 4 * (used + 1) <= 3 * (mask + 1) }

        /// Appends the pair and points the key's slot at it (the live one, else a reused tombstone or an empty one).
        func upsert(_ key: Key, _ value: Value) {
            let (existing, free) = probe(key)
            let target = existing ?? free
            let previous = slots[target].load(ordering: .relaxed)
            (arena + appended).initialize(to: (key, value))
            slots[target].store(Self.liveState | Self.fingerprint(key.hashValue) | Slot(appended), ordering: .releasing)
            appended += 1
            if existing == nil { live += 1 }
            if previous == Self.empty { used += 1 }
        }

        /// Tombstones a live slot; tombstones that end a chain become empty again, which shortens it for
        /// everyone (no key can be found past an empty slot, so none is lost).
        func remove(at slot: Int) {
            slots[slot].store(Self.tombstone, ordering: .releasing)
            live -= 1
            var index = slot
            while slots[(index + 1) & mask].load(ordering: .relaxed) == Self.empty,
                  slots[index].load(ordering: .relaxed) == Self.tombstone {
                slots[index].store(Self.empty, ordering: .releasing)
                used -= 1
                index = (index - 1) & mask
            }
        }

        /// A fresh table holding this one's live entries, with room to grow.
        func rebuilt() -> Table {
            let table = Table(live: live)
            for index in 0...mask {
                let slot = slots[index].load(ordering: .relaxed)
                if slot & Self.stateMask == Self.liveState {
                    let pair = arena[Int(slot & 0xFFFF_FFFF)]
                    table.upsert(pair.key, pair.value)
                }
            }
            return table
        }
    }
}
