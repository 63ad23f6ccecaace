import Access
import ArgumentParser
import Foundation
import Timebase

/// Managers' and technicians' commands on the access database.
enum AccessCLI {
    static var commands: [any ParsableCommand.Type] {
        [PeopleCommand.self, DoorsCommand.self, SchedulesCommand.self, HolidaysCommand.self, GroupsCommand.self,
         CardsCommand.self, PinsCommand.self, PasscodesCommand.self, KeysCommand.self, RevokeCommand.self,
         CredentialsCommand.self, CheckCommand.self, LogCommand.self]
            + [UsersCommand.self, UnitsCommand.self, PolicyCommand.self, WebhooksCommand.self]
    }

    /// What create commands print: `{"id": …}` plus what was made.
    struct Created: Encodable {
        let id: String
        let name: String
    }
}

extension AccessCLI {
    /// Who the log names as the author of a change.
    static var actor: String { ProcessInfo.processInfo.environment["USER"].map { "cli:\($0)" } ?? "cli" }

    static func time(_ text: String?, _ zone: TimeZone, option: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = SiteTime.parse(text, timeZone: zone) else {
            throw UsageError("\(option): '\(text)' is not a time (ISO 8601 with an offset or Z, or YYYY-MM-DD HH:MM)")
        }
        return date
    }

    static func duration(_ text: String, option: String) throws -> TimeInterval {
        switch parseDuration(text, within: .credentialPeriod) {
        case .success(let duration): return duration.seconds
        case .failure(let problem): throw UsageError("\(option): \(problem)")
        }
    }

    static func format(_ date: Date?, _ zone: TimeZone) -> String? {
        date.map { SiteTime.format($0, timeZone: zone) }
    }

    /// `FORMAT:FACILITY:CARD` or `FORMAT:CARD`.
    static func card(_ text: String) throws -> CardData {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), isFormatName(parts[0]), let number = UInt64(parts[parts.count - 1]) else {
            throw UsageError("--card: '\(text)' is not FORMAT:FACILITY:CARD (e.g. h10301:12:345)")
        }
        var facility: UInt32?
        if parts.count == 3 {
            guard let value = UInt32(parts[1]) else { throw UsageError("--card: facility '\(parts[1])' is not a number") }
            facility = value
        }
        return .fields(format: parts[0], facility: facility, number: number)
    }

    static func isFormatName(_ text: String) -> Bool { CardData.isFormatName(text) }
}

extension PersonKind: ExpressibleByArgument {}
extension DoorMode: ExpressibleByArgument {}
