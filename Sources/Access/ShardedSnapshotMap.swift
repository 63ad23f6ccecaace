import Atomics

/// A map that readers never lock: read-copy-update over shards.
///
/// Design. The keys are spread over a fixed number of shards by hash. Each shard is an immutable dictionary
/// in a class instance published through a `ManagedAtomic` reference. A reader loads its shard's current instance
/// (acquiring) and looks the key up in it: no lock, no waiting on a writer, and the instance it holds stays
/// alive and unchanged however long it reads. A writer copies the one shard it touches, edits the copy and
/// publishes it (releasing), so a write costs O(entries per shard) instead of O(everything), which is what makes
/// thousands of revocations per second affordable with a million entries. Writers serialize among themselves
/// on a mutex (two writers editing copies of the same shard would lose one edit); readers never touch it.
///
/// Visibility: once `update` returns, every load that starts later, on any thread, sees the new shard
/// (release/acquire on the same atomic), which is the "a revoke that returned is seen by every later decision" rule.
public final class ShardedSnapshotMap<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    final class Shard: AtomicReference, Sendable {
        let entries: [Key: Value]
        init(_ entries: [Key: Value]) { self.entries = entries }
    }

    private let shards: [ManagedAtomic<Shard>]
    private let mask: Int
    private let writers = Locked<Void>(())

    /// `shardCount` is rounded up to a power of two; aim for tens to hundreds of entries per shard.
    public init(shardCount: Int, contents: [(Key, Value)] = []) {
        var count = 1
        while count < shardCount { count <<= 1 }
        mask = count - 1
        var dictionaries = [[Key: Value]](repeating: [:], count: count)
        for (key, value) in contents { dictionaries[key.hashValue & (count - 1)][key] = value }
        shards = dictionaries.map { ManagedAtomic(Shard($0)) }
    }

    /// Lock-free read.
    public subscript(key: Key) -> Value? {
        shards[key.hashValue & mask].load(ordering: .acquiring).entries[key]
    }

    /// Applies edits (each sees the key's current value and returns the new one, nil to remove), copying each
    /// touched shard once, and publishes them before returning.
    public func update(_ edits: [(key: Key, edit: (Value?) -> Value?)]) {
        writers.withLock { _ in
            var byShard: [Int: [(key: Key, edit: (Value?) -> Value?)]] = [:]
            for edit in edits { byShard[edit.key.hashValue & mask, default: []].append(edit) }
            for (index, shardEdits) in byShard {
                var entries = shards[index].load(ordering: .acquiring).entries
                for (key, edit) in shardEdits { entries[key] = edit(entries[key]) }
                shards[index].store(Shard(entries), ordering: .releasing)
            }
        }
    }

    public func update(_ key: Key, _ edit: @escaping (Value?) -> Value?) {
        update([(key, edit)])
    }

    /// Entries right now (each shard as of its own load): for statistics and tests, not for decisions.
    public var count: Int {
        shards.reduce(0) { $0 + $1.load(ordering: .acquiring).entries.count }
    }
}
