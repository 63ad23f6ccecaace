import GRDB

/// How the engine reaches SQLite: inside the caller's transaction (a decision) or through the pool (a dry run).
enum DatabaseAccess {
    case transaction(Database)
    case pool(DatabasePool)

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        switch self {
        case .transaction(let db): try body(db)
        case .pool(let pool): try pool.read(body)
        }
    }
}

/// Where the engine reads the allowlist: the lock-free cache first; SQLite on a miss, for use-counted
/// credentials (their count lives only there), and for everything while the cache is not known to be current.
struct AllowlistReader {
    let cache: VerificationCache
    let database: DatabaseAccess
    let trustCache: Bool

    func credentials(_ lookup: CredentialEntry.Lookup) throws -> [CredentialEntry] {
        if trustCache, let cached = cached(lookup), !cached.usesCounted { return [cached] }
        return try database.read { try AllowlistQueries.credentials(for: lookup, in: $0) }
    }

    func person(_ id: String) throws -> PersonEntry? {
        if trustCache, let cached = cache.people[id] { return cached }
        return try database.read { try AllowlistQueries.people([id], in: $0)[id] }
    }

    private func cached(_ lookup: CredentialEntry.Lookup) -> CredentialEntry? {
        switch lookup {
        case .card(let card): cache.cards[card]
        case .code(let digest): cache.codes[digest]
        case .key(let id): cache.keys[id]
        }
    }
}
