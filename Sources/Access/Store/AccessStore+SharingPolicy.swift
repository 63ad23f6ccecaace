import Foundation
import GRDB

// MARK: - The sharing policy managers set: site-wide, overridden per group of doors or per door

extension Schema {
    /// One row per level (`site` with scope_id '', a group, a door). NULL: not set at this level; limits store -1 for
    /// unlimited. A deleted door's or group's row is ignored.
    static let sharingPolicySchema = """
        CREATE TABLE sharing_policy (
            scope TEXT NOT NULL CHECK (scope IN ('site', 'group', 'door')), scope_id TEXT NOT NULL,
            may_share INTEGER, may_make_passcodes INTEGER, longest_validity_s INTEGER, most_uses INTEGER,
            may_reshare INTEGER, guest_passes_per_unit INTEGER, on_move_out TEXT,
            PRIMARY KEY (scope, scope_id)) WITHOUT ROWID;
        """
}

/// Where a set of rules applies.
public enum SharingScope: Sendable, Hashable, Codable {
    case site
    /// A group of doors (id or name): applies to each of its doors.
    case group(String)
    /// A door (id or name): applies to it before its groups' and the site's.
    case door(String)
}

/// The policy as set: the site's rules and each override, by name.
public struct SharingPolicyListing: Sendable, Hashable, Codable {
    /// The site's rules with the defaults filled in.
    public let site: SharingRules
    public let groups: [String: SharingRules]
    public let doors: [String: SharingRules]
}

extension AccessStore {
    /// Sets rules at one level: the fields given replace those set there; `clearing` unsets the named ones (they
    /// inherit again). Logged.
    public func setSharingPolicy(_ rules: SharingRules, for scope: SharingScope, clearing: Set<SharingRule> = [],
                                 actor: String = "keyway", at date: Date = Date()) throws {
        do { try rules.validate() } catch { throw AccessError.invalid(error.description) }
        if case .site = scope {} else if rules.onMoveOut != nil {
            throw AccessError.invalid("what a move-out does to residents' own credentials is set for the site only")
        }
        try change { db in
            let (kind, id, shown) = try resolve(scope, db)
            let current = try sharingRules(kind, id, db) ?? SharingRules()
            var merged = rules.over(current)
            for rule in clearing { merged.clear(rule) }
            try db.execute(sql: """
                INSERT OR REPLACE INTO sharing_policy (scope, scope_id, may_share, may_make_passcodes, longest_validity_s, most_uses,
                                                       may_reshare, guest_passes_per_unit, on_move_out)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [kind, id, merged.mayShare, merged.mayMakePasscodes, merged.longestValidity?.stored,
                                 merged.mostUses?.stored, merged.mayReshare, merged.guestPassesPerUnit?.stored,
                                 merged.onMoveOut?.rawValue])
            try log.append(ActivityDraft(at: date, kind: .policyChanged, event: "sharing_policy", detail: "\(shown): \(merged.summary)",
                                         actor: actor), in: db)
        }
    }

    public func sharingPolicy() throws -> SharingPolicyListing {
        try pool.read { db in
            var groups: [String: SharingRules] = [:], doors: [String: SharingRules] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT p.*, coalesce(g.name, d.name) AS scope_name FROM sharing_policy p
                LEFT JOIN access_group g ON p.scope = 'group' AND g.id = p.scope_id LEFT JOIN door d ON p.scope = 'door' AND d.id = p.scope_id
                WHERE p.scope != 'site'
                """) {
                guard let name: String = row["scope_name"] else { continue }
                if row["scope"] == "group" { groups[name] = SharingRules(row: row) } else { doors[name] = SharingRules(row: row) }
            }
            return SharingPolicyListing(site: try siteRules(db), groups: groups, doors: doors)
        }
    }

    /// The rules that hold at a door: the door's, else the tightest of its groups', else the site's, else the defaults.
    public func effectiveSharingRules(door: String) throws -> SharingRules {
        try pool.read { db in try effectiveRules(doorID: resolve(door, in: DoorRow.self, db), db) }
    }

    func effectiveRules(doorID: String, _ db: Database) throws -> SharingRules {
        let groups = try Row.fetchAll(db, sql: """
            SELECT p.* FROM sharing_policy p JOIN group_door gd ON p.scope = 'group' AND p.scope_id = gd.group_id WHERE gd.door_id = ?
            """, arguments: [doorID]).map(SharingRules.init(row:))
        let door = try sharingRules("door", doorID, db) ?? SharingRules()
        let tightestGroup = groups.reduce(SharingRules()) { $0.tightest($1) }
        return door.over(tightestGroup).over(try siteRules(db))
    }

    func siteRules(_ db: Database) throws -> SharingRules {
        (try sharingRules("site", "", db) ?? SharingRules()).over(.defaults)
    }

    private func sharingRules(_ scope: String, _ id: String, _ db: Database) throws -> SharingRules? {
        try Row.fetchOne(db, sql: "SELECT * FROM sharing_policy WHERE scope = ? AND scope_id = ?", arguments: [scope, id])
            .map(SharingRules.init(row:))
    }

    private func resolve(_ scope: SharingScope, _ db: Database) throws -> (kind: String, id: String, shown: String) {
        switch scope {
        case .site: ("site", "", "site")
        case .group(let text): ("group", try resolve(text, in: AccessGroupRow.self, db), "group \(text)")
        case .door(let text): ("door", try resolve(text, in: DoorRow.self, db), "door \(text)")
        }
    }
}

extension PolicyLimit {
    /// -1 for unlimited.
    var stored: Int {
        switch self {
        case .unlimited: -1
        case .atMost(let limit): limit
        }
    }

    init?(stored: Int?) {
        guard let stored else { return nil }
        self = stored < 0 ? .unlimited : .atMost(stored)
    }
}

extension SharingRules {
    init(row: Row) {
        self.init(mayShare: row["may_share"], mayMakePasscodes: row["may_make_passcodes"],
                  longestValidity: PolicyLimit(stored: row["longest_validity_s"]), mostUses: PolicyLimit(stored: row["most_uses"]),
                  mayReshare: row["may_reshare"], guestPassesPerUnit: PolicyLimit(stored: row["guest_passes_per_unit"]),
                  onMoveOut: (row["on_move_out"] as String?).flatMap(MoveOutAction.init(rawValue:)))
    }

    mutating func clear(_ rule: SharingRule) {
        switch rule {
        case .mayShare: mayShare = nil
        case .mayMakePasscodes: mayMakePasscodes = nil
        case .longestValidity: longestValidity = nil
        case .mostUses: mostUses = nil
        case .mayReshare: mayReshare = nil
        case .guestPassesPerUnit: guestPassesPerUnit = nil
        case .withinParent, .issuerAccess: break
        }
    }

    /// `rule=value` for each field set, as the log and `policy show` print them.
    public var summary: String {
        let fields: [(String, String?)] = [
            (SharingRule.mayShare.rawValue, mayShare.map(String.init)),
            (SharingRule.mayMakePasscodes.rawValue, mayMakePasscodes.map(String.init)),
            (SharingRule.longestValidity.rawValue, longestValidity.map { limit in
                if case .atMost(let seconds) = limit { SharingRules.describe(seconds: seconds) } else { limit.description } }),
            (SharingRule.mostUses.rawValue, mostUses?.description),
            (SharingRule.mayReshare.rawValue, mayReshare.map(String.init)),
            (SharingRule.guestPassesPerUnit.rawValue, guestPassesPerUnit?.description),
            ("on_move_out", onMoveOut?.rawValue),
        ]
        let set = fields.compactMap { name, value in value.map { "\(name)=\($0)" } }
        return set.isEmpty ? "(nothing set)" : set.joined(separator: " ")
    }
}
