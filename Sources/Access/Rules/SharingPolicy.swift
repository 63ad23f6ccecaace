import Foundation
import Timebase

/// A bound a manager sets: none, or at most a number.
public enum PolicyLimit: Sendable, Hashable, Codable, CustomStringConvertible {
    case unlimited
    case atMost(Int)

    /// The tighter of two limits.
    func tighter(_ other: PolicyLimit) -> PolicyLimit {
        switch (self, other) {
        case (.unlimited, _): other
        case (_, .unlimited): self
        case (.atMost(let a), .atMost(let b)): .atMost(min(a, b))
        }
    }

    func allows(_ value: Int) -> Bool {
        switch self {
        case .unlimited: true
        case .atMost(let limit): value <= limit
        }
    }

    public var description: String {
        switch self {
        case .unlimited: "unlimited"
        case .atMost(let limit): String(limit)
        }
    }
}

/// What a resident's own credentials become when they move out.
public enum MoveOutAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Revoked, with every share below them.
    case revoke
    /// The person is suspended: their credentials stop but are kept (to reinstate on a move back).
    case suspend
    /// Left alone (staff who keep working on site, say): only the guest passes they issued are revoked.
    case keep
}

/// The sharing rules managers set at one level (the site, a group of doors, a door). A nil field is not set at this
/// level: a door's rule comes from the door, else the tightest of its groups', else the site's, else the default.
public struct SharingRules: Sendable, Hashable, Codable {
    /// Residents may share their keys to these doors.
    public var mayShare: Bool?
    /// Residents may make passcodes for these doors.
    public var mayMakePasscodes: Bool?
    /// The longest a guest pass may last, in seconds, from when it starts (or now, if later).
    public var longestValidity: PolicyLimit?
    /// The most entries a resident's passcode may allow (keys carry no use count).
    public var mostUses: PolicyLimit?
    /// A share may itself be shared on.
    public var mayReshare: Bool?
    /// Active guest passes (shares and passcodes) a unit's residents may have at once.
    public var guestPassesPerUnit: PolicyLimit?
    /// Site only: what a resident's own credentials become at move-out.
    public var onMoveOut: MoveOutAction?

    public init(mayShare: Bool? = nil, mayMakePasscodes: Bool? = nil, longestValidity: PolicyLimit? = nil,
                mostUses: PolicyLimit? = nil, mayReshare: Bool? = nil, guestPassesPerUnit: PolicyLimit? = nil,
                onMoveOut: MoveOutAction? = nil) {
        self.mayShare = mayShare
        self.mayMakePasscodes = mayMakePasscodes
        self.longestValidity = longestValidity
        self.mostUses = mostUses
        self.mayReshare = mayReshare
        self.guestPassesPerUnit = guestPassesPerUnit
        self.onMoveOut = onMoveOut
    }

    /// What holds where nobody set anything: today's behaviour (shares and passcodes allowed, no bounds, a share
    /// not shared on), and a move-out revokes the residents' own credentials.
    public static let defaults = SharingRules(mayShare: true, mayMakePasscodes: true, longestValidity: .unlimited,
                                              mostUses: .unlimited, mayReshare: false, guestPassesPerUnit: .unlimited,
                                              onMoveOut: .revoke)

    /// The bounds on what a manager may set, each stated in the refusal.
    public static let mostUsesRange = 1...1_000_000
    public static let guestPassesRange = 0...10_000

    /// Refuses values beyond the bounds (a validity outside `DurationLimits.credentialPeriod`, say).
    public func validate() throws(SharingPolicyError) {
        if case .atMost(let seconds)? = longestValidity {
            let limits = DurationLimits.credentialPeriod
            guard Double(seconds) >= limits.minimum.seconds, Double(seconds) <= limits.maximum.seconds else {
                throw SharingPolicyError("the longest validity must be from \(Self.describe(seconds: Int(limits.minimum.seconds))) "
                                         + "to \(Self.describe(seconds: Int(limits.maximum.seconds))) (\(limits.reason))")
            }
        }
        if case .atMost(let uses)? = mostUses, !Self.mostUsesRange.contains(uses) {
            throw SharingPolicyError("most uses must be from \(Self.mostUsesRange.lowerBound) to \(Self.mostUsesRange.upperBound)")
        }
        if case .atMost(let passes)? = guestPassesPerUnit, !Self.guestPassesRange.contains(passes) {
            throw SharingPolicyError("guest passes per unit must be from \(Self.guestPassesRange.lowerBound) to \(Self.guestPassesRange.upperBound)")
        }
    }

    /// A validity in the largest whole unit: 7d, 12h, 30m, 90s.
    public static func describe(seconds: Int) -> String {
        for (unit, suffix) in [(86_400, "d"), (3600, "h"), (60, "m")] where seconds >= unit && seconds % unit == 0 {
            return "\(seconds / unit)\(suffix)"
        }
        return "\(seconds)s"
    }

    /// These rules where set, `fallback`'s elsewhere.
    func over(_ fallback: SharingRules) -> SharingRules {
        SharingRules(mayShare: mayShare ?? fallback.mayShare, mayMakePasscodes: mayMakePasscodes ?? fallback.mayMakePasscodes,
                     longestValidity: longestValidity ?? fallback.longestValidity, mostUses: mostUses ?? fallback.mostUses,
                     mayReshare: mayReshare ?? fallback.mayReshare, guestPassesPerUnit: guestPassesPerUnit ?? fallback.guestPassesPerUnit,
                     onMoveOut: onMoveOut ?? fallback.onMoveOut)
    }

    /// The tightest of two sets of rules, field by field (a field set in only one is taken from it).
    func tightest(_ other: SharingRules) -> SharingRules {
        func both(_ a: Bool?, _ b: Bool?) -> Bool? { a.flatMap { a in b.map { a && $0 } ?? a } ?? b }
        func both(_ a: PolicyLimit?, _ b: PolicyLimit?) -> PolicyLimit? { a.flatMap { a in b.map(a.tighter) ?? a } ?? b }
        return SharingRules(mayShare: both(mayShare, other.mayShare), mayMakePasscodes: both(mayMakePasscodes, other.mayMakePasscodes),
                            longestValidity: both(longestValidity, other.longestValidity), mostUses: both(mostUses, other.mostUses),
                            mayReshare: both(mayReshare, other.mayReshare),
                            guestPassesPerUnit: both(guestPassesPerUnit, other.guestPassesPerUnit), onMoveOut: onMoveOut ?? other.onMoveOut)
    }
}

/// The rule that refused a guest pass: named so a caller (the CLI, the API) can say which and show it.
public enum SharingRule: String, Sendable, Hashable, Codable, CaseIterable {
    case mayShare = "may_share"
    case mayMakePasscodes = "may_make_passcodes"
    case longestValidity = "longest_validity"
    case mostUses = "most_uses"
    case mayReshare = "may_reshare"
    case guestPassesPerUnit = "guest_passes_per_unit"
    /// A share asked for doors (or time) beyond its parent key's.
    case withinParent = "within_parent"
    /// The issuer cannot open the door themselves (or is suspended): nobody grants more than they have.
    case issuerAccess = "issuer_access"
}

/// A guest pass refused by the sharing policy, naming the rule and (for a door's rule) the door.
public struct SharingRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public let rule: SharingRule
    public let door: String?
    /// What was refused and what the rule allows.
    public let reason: String

    public var description: String { "refused by the sharing policy (\(rule.rawValue)): \(reason)" }
}

/// A policy value out of bounds.
public struct SharingPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A guest pass about to be issued, as the policy sees it.
struct GuestPassRequest: Sendable {
    enum Kind: Sendable {
        /// `parentIsShare`: a share of a share; `reshareable`: the new share may itself be shared.
        case share(parentIsShare: Bool, reshareable: Bool)
        case passcode(uses: UseLimit)
    }

    var kind: Kind
    /// The doors' effective rules, by door name.
    var doors: [String: SharingRules]
    var validFrom: Date?
    var validUntil: Date?
    var at: Date
    /// Active guest passes of the issuer's unit, this one included.
    var activeInUnit: Int

    /// The first rule that refuses the pass, checked door by door in name order; nil when every rule allows it.
    func refusal() -> SharingRefusal? {
        for (door, rules) in doors.sorted(by: { $0.key < $1.key }) {
            if let refusal = refusal(at: door, rules) { return refusal }
        }
        return nil
    }

    private func refusal(at door: String, _ rules: SharingRules) -> SharingRefusal? {
        let refuse = { (rule: SharingRule, reason: String) in SharingRefusal(rule: rule, door: door, reason: reason) }
        switch kind {
        case .share(let parentIsShare, let reshareable):
            if rules.mayShare == false { return refuse(.mayShare, "residents may not share keys to \(door)") }
            if (parentIsShare || reshareable), rules.mayReshare == false {
                return refuse(.mayReshare, parentIsShare ? "a shared key may not be shared on at \(door)"
                                                         : "a share may not be made shareable at \(door)")
            }
        case .passcode(let uses):
            if rules.mayMakePasscodes == false { return refuse(.mayMakePasscodes, "residents may not make passcodes for \(door)") }
            if let mostUses = rules.mostUses, case .atMost(let limit) = mostUses {
                switch uses {
                case .unlimited: return refuse(.mostUses, "a passcode for \(door) allows at most \(limit) uses, not unlimited")
                case .count(let count) where !mostUses.allows(count):
                    return refuse(.mostUses, "a passcode for \(door) allows at most \(limit) uses, not \(count)")
                case .count: break
                }
            }
        }
        if case .atMost(let seconds)? = rules.longestValidity {
            let longest = SharingRules.describe(seconds: seconds)
            guard let validUntil else { return refuse(.longestValidity, "a guest pass for \(door) must end within \(longest)") }
            let start = max(validFrom ?? at, at)
            if validUntil.timeIntervalSince(start) > Double(seconds) {
                return refuse(.longestValidity, "a guest pass for \(door) may last at most \(longest)")
            }
        }
        if case .atMost(let limit)? = rules.guestPassesPerUnit, activeInUnit > limit {
            return refuse(.guestPassesPerUnit, "a unit may have at most \(limit) active guest passes for \(door)")
        }
        return nil
    }
}
