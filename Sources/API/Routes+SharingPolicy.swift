import Access
import Foundation
import Hummingbird

/// A limit as the API writes and reads it: a number, or "unlimited".
enum LimitValue: Codable, Equatable {
    case unlimited
    case atMost(Int)

    init(_ limit: PolicyLimit) {
        switch limit {
        case .unlimited: self = .unlimited
        case .atMost(let value): self = .atMost(value)
        }
    }

    var limit: PolicyLimit {
        switch self {
        case .unlimited: .unlimited
        case .atMost(let value): .atMost(value)
        }
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard text == "unlimited" else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "a limit is a whole number or \"unlimited\"")
            }
            self = .unlimited
        } else {
            self = .atMost(try container.decode(Int.self))
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .unlimited: try container.encode("unlimited")
        case .atMost(let value): try container.encode(value)
        }
    }
}

/// The rules set at one level; a field left out is not set there (it inherits).
struct SharingRulesView: Encodable {
    let mayShare: Bool?
    let mayMakePasscodes: Bool?
    /// Seconds.
    let longestValidity: LimitValue?
    let mostUses: LimitValue?
    let mayReshare: Bool?
    let guestPassesPerUnit: LimitValue?
    let onMoveOut: MoveOutAction?

    init(_ rules: SharingRules) {
        mayShare = rules.mayShare
        mayMakePasscodes = rules.mayMakePasscodes
        longestValidity = rules.longestValidity.map(LimitValue.init)
        mostUses = rules.mostUses.map(LimitValue.init)
        mayReshare = rules.mayReshare
        guestPassesPerUnit = rules.guestPassesPerUnit.map(LimitValue.init)
        onMoveOut = rules.onMoveOut
    }
}

struct SharingPolicyView: Encodable {
    /// The site's rules, defaults filled in.
    let site: SharingRulesView
    let groups: [String: SharingRulesView]
    let doors: [String: SharingRulesView]

    init(_ listing: SharingPolicyListing) {
        site = SharingRulesView(listing.site)
        groups = listing.groups.mapValues(SharingRulesView.init)
        doors = listing.doors.mapValues(SharingRulesView.init)
    }
}

/// A change at one level: the site, or one `group` or `door`; `clear` unsets rules there (they inherit again).
struct SharingPolicyChange: Decodable {
    let group: String?
    let door: String?
    let mayShare: Bool?
    let mayMakePasscodes: Bool?
    let longestValidity: LimitValue?
    let mostUses: LimitValue?
    let mayReshare: Bool?
    let guestPassesPerUnit: LimitValue?
    let onMoveOut: MoveOutAction?
    let clear: [SharingRule]?
}

extension KeywayAPI {
    func addSharingPolicyRoutes(_ v1: RouterGroup<APIContext>) {
        // Everyone who may share reads the rules they share under.
        v1.get("policy") { request, context in
            _ = try await self.caller(request, context)
            return JSONBody.response(SharingPolicyView(try await self.access.sharingPolicy()))
        }
        v1.patch("policy") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.admin, "setting the sharing policy")
            let change = try await JSONBody.decode(SharingPolicyChange.self, from: request, context: context)
            let scope: SharingScope
            switch (try Input.optionalText(change.group, "group", max: APILimits.nameLength),
                    try Input.optionalText(change.door, "door", max: APILimits.nameLength)) {
            case (nil, nil): scope = .site
            case (let group?, nil): scope = .group(group)
            case (nil, let door?): scope = .door(door)
            case (_?, _?): throw APIError.invalid("give group or door, not both (neither: the site's rules)")
            }
            let rules = SharingRules(mayShare: change.mayShare, mayMakePasscodes: change.mayMakePasscodes,
                                     longestValidity: change.longestValidity?.limit, mostUses: change.mostUses?.limit,
                                     mayReshare: change.mayReshare, guestPassesPerUnit: change.guestPassesPerUnit?.limit,
                                     onMoveOut: change.onMoveOut)
            let clearing = Set(change.clear ?? [])
            guard clearing.isDisjoint(with: [.withinParent, .issuerAccess]) else {
                throw APIError.invalid("within_parent and issuer_access always hold; they cannot be cleared")
            }
            try await self.access.setSharingPolicy(rules, for: scope, clearing: clearing, actor: caller.actor, at: Date())
            return JSONBody.response(SharingPolicyView(try await self.access.sharingPolicy()))
        }
    }
}
