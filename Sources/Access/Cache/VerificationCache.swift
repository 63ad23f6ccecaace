import Foundation
import GRDB
import Synchronization

/// The allowlist in memory, read without locks by every decision (see `AtomicSlotMap` for the design).
///
/// - Only live (unrevoked) credentials are cached; a miss falls back to SQLite, which also gives the precise
///   reason (revoked, unknown).
/// - It never grants what SQLite would deny: use-counted credentials are always read and consumed in SQLite,
///   and every write reaches it only after SQLite committed.
/// - It follows the database through the `change` feed that triggers fill, whoever wrote: an in-process writer
///   catches up before returning, and a decision catches up inside its own write transaction, so a revocation
///   made by another process (the CLI) is seen by the very next decision.
final class VerificationCache: Sendable {
    let cards: AtomicSlotMap<CardData, CredentialEntry>
    let codes: AtomicSlotMap<CodeDigest, CredentialEntry>
    let keys: AtomicSlotMap<String, CredentialEntry>
    let people: AtomicSlotMap<String, PersonEntry>
    /// The current policy, read like the maps' tables: an acquiring load of an unmanaged pointer, no retain.
    private let policy: Atomic<Unmanaged<PolicyBox>>
    /// Every policy published, kept so that a reader's unretained pointer stays valid. Policies change only when
    /// a manager edits doors, schedules, groups or holidays, so this grows by one small box per such edit.
    private let policies: Locked<[PolicyBox]>
    /// False after a catch-up failed: until the next successful one, the lock-free path must not be trusted.
    let isCurrent = Atomic(true)
    /// The last change applied; the mutex also serializes catch-ups.
    private let applied: Locked<Int64>

    final class PolicyBox: Sendable {
        let value: SitePolicy
        init(_ value: SitePolicy) { self.value = value }
    }

    var currentPolicy: SitePolicy { policy.load(ordering: .acquiring)._withUnsafeGuaranteedRef { $0.value } }

    /// Loads the live allowlist in one read transaction, with the feed position it reflects. Without
    /// `credentials`, only the site policy is loaded and every credential lookup goes to SQLite (a one-off check
    /// need not wait for a million entries).
    static func load(from db: Database, credentials: Bool = true) throws -> VerificationCache {
        let head = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM change") ?? 0
        var cards: [(CardData, CredentialEntry)] = [], codes: [(CodeDigest, CredentialEntry)] = []
        var keys: [(String, CredentialEntry)] = []
        var people: [(String, PersonEntry)] = []
        if credentials {
            var doors: [String: [String]] = [:]
            let doorRows = try CredentialDoorRow.fetchCursor(db, sql: """
                SELECT cd.* FROM credential_door cd JOIN credential c ON c.id = cd.credential_id WHERE c.revoked_at IS NULL
                """)
            while let row = try doorRows.next() { doors[row.credentialID, default: []].append(row.doorID) }

            let live = CredentialRow.filter(CredentialRow.Columns.revokedAt == nil)
            cards.reserveCapacity(try live.fetchCount(db))
            let rows = try live.fetchCursor(db)
            while let row = try rows.next() {
                let (entry, lookup) = try CredentialEntry.decode(row, doors: doors[row.id] ?? [])
                switch lookup {
                case .card(let card): cards.append((card, entry))
                case .code(let digest): codes.append((digest, entry))
                case .key(let id): keys.append((id, entry))
                }
            }

            var groups: [String: [String]] = [:]
            let groupRows = try PersonGroupRow.fetchCursor(db)
            while let row = try groupRows.next() { groups[row.personID, default: []].append(row.groupID) }
            let personRows = try PersonRow.fetchCursor(db)
            while let row = try personRows.next() {
                people.append((row.id, PersonEntry(row, groups: groups[row.id] ?? [])))
            }
        }

        return VerificationCache(
            cards: AtomicSlotMap(contents: deduplicated(cards)),
            codes: AtomicSlotMap(contents: deduplicated(codes)),
            keys: AtomicSlotMap(contents: keys),
            people: AtomicSlotMap(contents: people),
            policy: try SitePolicy.load(from: db), applied: head)
    }

    private init(cards: AtomicSlotMap<CardData, CredentialEntry>, codes: AtomicSlotMap<CodeDigest, CredentialEntry>,
                 keys: AtomicSlotMap<String, CredentialEntry>, people: AtomicSlotMap<String, PersonEntry>,
                 policy: SitePolicy, applied: Int64) {
        self.cards = cards
        self.codes = codes
        self.keys = keys
        self.people = people
        let box = PolicyBox(policy)
        self.policy = Atomic(Unmanaged.passUnretained(box))
        self.policies = Locked([box])
        self.applied = Locked(applied)
    }

    private static func deduplicated<Key: Hashable>(_ pairs: [(Key, CredentialEntry)]) -> [(Key, CredentialEntry)] {
        var kept: [Key: CredentialEntry] = [:]
        kept.reserveCapacity(pairs.count)
        for (key, entry) in pairs where kept[key].map({ entry.outlasts($0) }) ?? true { kept[key] = entry }
        return Array(kept)
    }

    /// Applies every change committed since the last catch-up. Call it with a connection that sees committed data:
    /// after a write committed, or inside a write transaction before that transaction changes anything.
    func catchUp(in db: Database) throws {
        do {
            try applied.withLock { applied in
                let changes = try ChangeRow.filter(ChangeRow.Columns.sequence > applied).order(ChangeRow.Columns.sequence).fetchAll(db)
                guard let last = changes.last?.sequence else { return }
                var credentialIDs: Set<String> = [], personIDs: Set<String> = [], policyChanged = false
                for change in changes {
                    switch change.entity {
                    case "credential": credentialIDs.insert(change.entityID)
                    case "person": personIDs.insert(change.entityID)
                    default: policyChanged = true
                    }
                }
                if policyChanged { publish(try SitePolicy.load(from: db)) }
                try apply(people: Array(personIDs), in: db)
                try apply(credentials: Array(credentialIDs), in: db)
                applied = last
            }
            isCurrent.store(true, ordering: .releasing)
        } catch {
            isCurrent.store(false, ordering: .releasing)
            throw error
        }
    }

    private func publish(_ newPolicy: SitePolicy) {
        let box = PolicyBox(newPolicy)
        policies.withLock { $0.append(box) }
        policy.store(Unmanaged.passUnretained(box), ordering: .releasing)
    }

    private func apply(people ids: [String], in db: Database) throws {
        guard !ids.isEmpty else { return }
        let found = try AllowlistQueries.people(ids, in: db)
        people.update(ids.map { id in (id, { _ in found[id] }) })
    }

    private func apply(credentials ids: [String], in db: Database) throws {
        guard !ids.isEmpty else { return }
        var cardEdits: [(key: CardData, edit: (CredentialEntry?) -> CredentialEntry?)] = []
        var codeEdits: [(key: CodeDigest, edit: (CredentialEntry?) -> CredentialEntry?)] = []
        var keyEdits: [(key: String, edit: (CredentialEntry?) -> CredentialEntry?)] = []
        for chunk in ids.chunked(500) {
            let rows = try AllowlistQueries.credentials(CredentialRow.filter(Array(chunk).contains(CredentialRow.Columns.id)), in: db)
            for (entry, lookup) in rows {
                // A revoked credential leaves (only if it is the one cached there); a live one enters unless a
                // longer-lived one holds its place.
                let edit: (CredentialEntry?) -> CredentialEntry? = entry.revoked
                    ? { current in current?.id == entry.id ? nil : current }
                    : { current in
                        guard let current, current.id != entry.id else { return entry }
                        return entry.outlasts(current) ? entry : current
                    }
                switch lookup {
                case .card(let card): cardEdits.append((card, edit))
                case .code(let digest): codeEdits.append((digest, edit))
                case .key(let id): keyEdits.append((id, edit))
                }
            }
        }
        cards.update(cardEdits)
        codes.update(codeEdits)
        keys.update(keyEdits)
    }
}
