import Synchronization

/// A map whose readers do no locking, no read-modify-write and no reference counting: an open-addressing table
/// whose cells hold the entries themselves, so that a lookup that hits reads one cache line or a few adjacent ones
/// (one memory round trip), where a table of indices into a separate arena costs two dependent ones.
///
/// Layout. A cell is an `Atomic<UInt64>` control word followed by a (key, value) pair. The control word holds
/// 2 bits of state (empty, live, tombstone) and 62 bits of the key's hash (a fingerprint that skips most foreign
/// keys without comparing them); a lookup that matches the fingerprint still compares the whole key, so two keys
/// with the same hash are told apart and a collision can only cost time, never answer for the wrong key.
/// Collisions probe linearly; a lookup stops at the first empty cell (3/16 of the cells or more stay empty, so
/// every probe ends). Cells of 64 bytes or less are padded to a power of two so that none straddles two cache
/// lines; the table lives in huge pages where the system offers them (`TableMemory`).
///
/// Write once. A cell's pair is written once, before a releasing store of its control word makes it live, and
/// is never changed or freed while the table lives: cells go from empty to live to tombstone and never back.
/// A reader loads the control word with `.acquiring` and only then reads the pair, so it sees the pair fully
/// written. A revocation stores a tombstone (releasing) before `update` returns, so any lookup that starts after
/// that return and is ordered after it (by a lock, a database transaction, a thread start...) loads the tombstone
/// and misses; the caller falls back to its source of truth. Replacing a value writes the new pair into the empty
/// cell that ends the key's chain, publishes it, then tombstones the old cell: a reader sees the old pair or the
/// new one, never a mixture. Writers serialize on a mutex; readers never touch it.
///
/// Growth. Every insert or replacement takes a fresh cell (tombstones are not reused, since a reader may still be
/// reading the pair they hold); when 13/16 of the cells are taken, the writer builds a table of the live entries
/// with room to grow and publishes it through an atomic unmanaged pointer (releasing; readers acquire it and use it
/// without retaining it). Later writes go to the new table only; a lookup still in an older one loaded it before
/// they began, so it is concurrent with them (the same as a lookup that loaded a cell just before a revocation
/// stored it). A reader may still be inside the old table, so retired tables are kept until the map is released:
/// their memory is bounded by the number of inserts and replacements since the load (each retirement needs at
/// least 0.3 × `live` of them), i.e. by the volume of credential changes, not by the read rate. Removals take no
/// room.
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
                let found = table.cell(of: key)
                let old = found.map { table.value(at: $0) }
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
    /// `@unchecked`: the cells are raw memory; the write-once argument above is what makes sharing them sound.
    @usableFromInline final class Table: @unchecked Sendable {
        @usableFromInline typealias Control = UInt64
        @usableFromInline typealias Pair = (key: Key, value: Value)
        @inlinable static var empty: Control { 0 }
        @inlinable static var liveState: Control { 1 << 62 }
        private static var tombstone: Control { 2 << 62 }
        @inlinable static var stateMask: Control { 3 << 62 }

        /// The pair follows the control word at its own alignment.
        @inlinable static var pairOffset: Int { max(8, MemoryLayout<Pair>.alignment) }
        @inlinable static var cellStride: Int {
            let alignment = pairOffset
            let bytes = (pairOffset + MemoryLayout<Pair>.size + alignment - 1) / alignment * alignment
            guard bytes <= 64 else { return bytes }
            var padded = alignment
            while padded < bytes { padded <<= 1 }
            return padded
        }

        private let memory: TableMemory
        @usableFromInline let cells: UnsafeMutableRawPointer
        @usableFromInline let capacity: Int
        // Writer-only bookkeeping.
        private(set) var live = 0
        private var used = 0  // cells that are not empty: live ones and tombstones

        /// Room for `live` entries with 5/8 of the cells taken, so 0.3 × `live` inserts or replacements more fit
        /// before the 13/16 limit.
        init(live: Int) {
            capacity = max(live, 32) * 8 / 5
            memory = TableMemory(bytes: capacity * Self.cellStride)
            cells = memory.base
            for index in 0..<capacity {
                (cells + index * Self.cellStride).bindMemory(to: Atomic<Control>.self, capacity: 1).initialize(to: Atomic(Self.empty))
            }
        }

        deinit {
            for index in 0..<capacity where control(index).pointee.load(ordering: .relaxed) != Self.empty {
                pair(index).deinitialize(count: 1)
            }
            memory.release()
        }

        @inlinable func control(_ index: Int) -> UnsafeMutablePointer<Atomic<Control>> {
            (cells + index * Self.cellStride).assumingMemoryBound(to: Atomic<Control>.self)
        }

        @inlinable func pair(_ index: Int) -> UnsafeMutablePointer<Pair> {
            (cells + index * Self.cellStride + Self.pairOffset).assumingMemoryBound(to: Pair.self)
        }

        @inlinable static func fingerprint(_ hash: Int) -> Control { Control(UInt(bitPattern: hash)) & ~stateMask }

        /// The first cell of the key's chain: the hash scaled to the capacity (which need not be a power of two).
        @inlinable func home(_ hash: Int) -> Int {
            Int(truncatingIfNeeded: UInt64(UInt(bitPattern: hash)).multipliedFullWidth(by: UInt64(capacity)).high)
        }

        @inlinable func lookup(_ key: Key) -> Value? {
            let hash = key.hashValue
            let wanted = Self.liveState | Self.fingerprint(hash)
            var index = home(hash)
            while true {
                let state = control(index).pointee.load(ordering: .acquiring)
                if state == Self.empty { return nil }
                if state == wanted, pair(index).pointee.key == key { return pair(index).pointee.value }
                index += 1
                if index == capacity { index = 0 }
            }
        }

        func cell(of key: Key) -> Int? { probe(key).live }

        /// The key's live cell if any, and the empty cell that ends its chain.
        private func probe(_ key: Key) -> (live: Int?, end: Int) {
            let hash = key.hashValue
            let wanted = Self.liveState | Self.fingerprint(hash)
            var index = home(hash), found: Int?
            while true {
                let state = control(index).pointee.load(ordering: .relaxed)
                if state == Self.empty { return (found, index) }
                if found == nil, state == wanted, pair(index).pointee.key == key { found = index }
                index += 1
                if index == capacity { index = 0 }
            }
        }

        func value(at cell: Int) -> Value { pair(cell).pointee.value }

        /// Whether one more insert or replacement fits: no more than 13/16 of the cells taken after it.
        var hasRoom: Bool { 16 * (used + 1) <= 13 * capacity }

        /// Writes the pair into the empty cell that ends the key's chain and makes it live, then tombstones the
        /// key's previous cell if it had one.
        func upsert(_ key: Key, _ value: Value) {
            let (previous, end) = probe(key)
            pair(end).initialize(to: (key, value))
            control(end).pointee.store(Self.liveState | Self.fingerprint(key.hashValue), ordering: .releasing)
            used += 1
            if let previous {
                control(previous).pointee.store(Self.tombstone, ordering: .releasing)
            } else {
                live += 1
            }
        }

        /// Tombstones a live cell; its pair stays readable for a lookup already inside it.
        func remove(at cell: Int) {
            control(cell).pointee.store(Self.tombstone, ordering: .releasing)
            live -= 1
        }

        /// A fresh table holding this one's live entries, with room to grow.
        func rebuilt() -> Table {
            let table = Table(live: live)
            for index in 0..<capacity where control(index).pointee.load(ordering: .relaxed) & Self.stateMask == Self.liveState {
                table.upsert(pair(index).pointee.key, pair(index).pointee.value)
            }
            return table
        }
    }
}
