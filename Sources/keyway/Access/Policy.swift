import Access
import ArgumentParser
import Foundation
import Timebase

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "The sharing policy: what residents may share and make passcodes for, site-wide or per door or group.",
        subcommands: [Show.self, Set.self])

    /// `--door` or `--group` (or neither: the site).
    struct Scope: ParsableArguments {
        @Option(help: "A door (id or name): rules for it alone.") var door: String?
        @Option(help: "A group (id or name): rules for each of its doors.") var group: String?

        func scope() throws -> SharingScope {
            switch (door, group) {
            case (nil, nil): .site
            case (let door?, nil): .door(door)
            case (nil, let group?): .group(group)
            case (.some, .some): throw UsageError("give --door or --group, not both")
            }
        }
    }

    struct Show: DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the site's rules and every override; with --door, the rules that hold at that door.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "A door (id or name): the rules in force there.") var door: String?

        func run() throws {
            let store = try database.openStore()
            if let door {
                let rules = try store.effectiveSharingRules(door: door)
                output.print(rules, text: "\(door): \(rules.summary)")
                return
            }
            let policy = try store.sharingPolicy()
            output.print(policy, text: (["site: \(policy.site.summary)"]
                + policy.groups.sorted { $0.key < $1.key }.map { "group \($0.key): \($0.value.summary)" }
                + policy.doors.sorted { $0.key < $1.key }.map { "door \($0.key): \($0.value.summary)" }).joined(separator: "\n"))
        }
    }

    struct Set: DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set rules for the site, a --group or a --door; `inherit` unsets one (it comes from the level above again).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var scope: Scope
        @Option(help: "Residents may share keys: true, false or inherit.") var mayShare: String?
        @Option(help: "Residents may make passcodes: true, false or inherit.") var mayMakePasscodes: String?
        @Option(help: "The longest a guest pass may last (7d, 12h), unlimited or inherit.") var longestValidity: String?
        @Option(help: "The most uses of a resident's passcode: N, unlimited or inherit.") var mostUses: String?
        @Option(help: "A share may be shared on: true, false or inherit.") var mayReshare: String?
        @Option(help: "Active guest passes per unit: N, unlimited or inherit.") var guestPassesPerUnit: String?
        @Option(help: "Site only: residents' own credentials at move-out: revoke, suspend or keep.") var onMoveOut: String?

        func run() throws {
            var rules = SharingRules()
            var clearing: Swift.Set<SharingRule> = []
            func flag(_ text: String?, _ rule: SharingRule) throws -> Bool? {
                switch text {
                case nil: return nil
                case "true": return true
                case "false": return false
                case "inherit": clearing.insert(rule); return nil
                case let text?: throw UsageError("--\(rule.optionName): '\(text)' is not true, false or inherit")
                }
            }
            func limit(_ text: String?, _ rule: SharingRule, parse: (String) throws -> Int) throws -> PolicyLimit? {
                switch text {
                case nil: return nil
                case "unlimited": return .unlimited
                case "inherit": clearing.insert(rule); return nil
                case let text?: return .atMost(try parse(text))
                }
            }
            func count(_ rule: SharingRule) -> (String) throws -> Int {
                { text in
                    guard let value = Int(text) else { throw UsageError("--\(rule.optionName): '\(text)' is not a number, unlimited or inherit") }
                    return value
                }
            }
            rules.mayShare = try flag(mayShare, .mayShare)
            rules.mayMakePasscodes = try flag(mayMakePasscodes, .mayMakePasscodes)
            rules.mayReshare = try flag(mayReshare, .mayReshare)
            rules.longestValidity = try limit(longestValidity, .longestValidity) { text in
                Int(try AccessCLI.duration(text, option: "--longest-validity").rounded(.up))
            }
            rules.mostUses = try limit(mostUses, .mostUses, parse: count(.mostUses))
            rules.guestPassesPerUnit = try limit(guestPassesPerUnit, .guestPassesPerUnit, parse: count(.guestPassesPerUnit))
            rules.onMoveOut = try onMoveOut.map { text in
                guard let action = MoveOutAction(rawValue: text) else { throw UsageError("--on-move-out: '\(text)' is not revoke, suspend or keep") }
                return action
            }
            guard rules != SharingRules() || !clearing.isEmpty else { throw UsageError("give at least one rule to set") }
            try database.openStore().setSharingPolicy(rules, for: try scope.scope(), clearing: clearing, actor: AccessCLI.actor)
        }
    }
}

extension SharingRule {
    var optionName: String { rawValue.replacingOccurrences(of: "_", with: "-") }
}

/// A guest pass the sharing policy refused: the rule and why, exit 2 (the request, not the system, is at fault).
extension SharingRefusal: CommandFailure {
    var message: String { "error: \(self)" }
    var exitStatus: Int32 { ExitStatus.usage.rawValue }
}
