import Access
import ArgumentParser
import Bridge
import Foundation
import Timebase

/// Where the access database is: `--config FILE` (the service's site file: its database, secrets and zone)
/// or `--db PATH` (secrets beside it unless `--secrets PATH`), and the site's zone.
/// Every database command takes these; `location()` is the one place that turns them into paths.
struct DatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The site configuration file of `keyway serve`: its database, secrets and time zone.",
                               valueName: "file"))
    var config: String?

    @Option(name: .customLong("db"), help: ArgumentHelp("The access database (SQLite).", valueName: "path"))
    var database: String?

    @Option(help: ArgumentHelp("The keyed-hash secret file (default: the config's, or beside the database).", valueName: "path"))
    var secrets: String?

    @Option(name: .customLong("time-zone"),
            help: ArgumentHelp("The site's time zone, e.g. Europe/Paris (default: the config's, $TZ or the system's).",
                               valueName: "zone"))
    var timeZone: String?

    func location() throws -> (database: URL, secrets: URL?, timeZone: TimeZone) {
        let namedZone = try timeZone.map { name in
            guard let zone = TimeZone(identifier: name) else { throw UsageError("unknown time zone '\(name)'") }
            return zone
        }
        let secretsFile = secrets.map { URL(fileURLWithPath: $0) }
        switch (config, database) {
        case (let config?, nil):
            let site: SiteConfiguration
            do {
                site = try loadSiteConfiguration(path: config)
            } catch {
                throw UsageError("\(error)")
            }
            return (site.database, secretsFile ?? site.secrets, namedZone ?? site.site.timeZone)
        case (nil, let database?):
            return (URL(fileURLWithPath: database), secretsFile, namedZone ?? .current)
        case (.some, .some):
            throw UsageError("give --config FILE or --db PATH, not both")
        case (nil, nil):
            throw UsageError("no database: give --config FILE or --db PATH")
        }
    }

    func openStore() throws -> AccessStore {
        let location = try location()
        return try AccessStore.open(database: location.database, secrets: location.secrets, timeZone: location.timeZone)
    }

    /// For one-off decisions: the allowlist is read from SQLite as needed rather than loaded whole.
    func openAccess() throws -> AccessControl {
        let location = try location()
        return try AccessControl.open(database: location.database, secrets: location.secrets, timeZone: location.timeZone,
                                      preload: false)
    }
}

/// `--json`: one JSON object per line instead of text.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object per line.")
    var json = false
}

extension AccessCLI {
    /// Runs a command body, turning the access layer's errors into messages and exit codes:
    /// bad input (unknown names, broken rules, malformed values) exits 2, everything else 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as AccessError {
            printError("error: \(error)")
            throw error.isUsageError ? ExitStatus.usage : ExitStatus.failure
        } catch let error as UsageError {
            printError("error: \(error)")
            throw ExitStatus.usage
        } catch let error as ExitCode {
            throw error
        } catch {
            printError("error: \(error)")
            throw ExitStatus.failure
        }
    }

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
        guard let duration = parseDuration(text) else {
            throw UsageError("\(option): '\(text)' is not a duration (like 30m, 2h, 1d)")
        }
        return duration.seconds
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

    static func isFormatName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

/// Credentials as `credentials list` and the create commands print them.
struct CredentialOutput: Encodable {
    let id: String
    let kind: String
    let person: String?
    let label: String?
    let shown: String?
    let doors: [String]
    let validFrom: String?
    let validUntil: String?
    let schedule: String?
    let usesLeft: Int?
    let duress: Bool
    let parent: String?
    let recipient: String?
    let mayShare: Bool
    let revokedAt: String?
    let revokedBy: String?
    let revokedReason: String?
    let code: String?
    let token: String?

    init(_ credential: Credential, zone: TimeZone, code: String? = nil, token: String? = nil) {
        id = credential.id
        kind = credential.kind.rawValue
        person = credential.person
        label = credential.label
        shown = credential.shown
        doors = credential.doors
        validFrom = AccessCLI.format(credential.validFrom, zone)
        validUntil = AccessCLI.format(credential.validUntil, zone)
        schedule = credential.schedule
        usesLeft = credential.usesLeft
        duress = credential.duress
        parent = credential.parent
        recipient = credential.recipient
        mayShare = credential.mayShare
        revokedAt = AccessCLI.format(credential.revokedAt, zone)
        revokedBy = credential.revokedBy
        revokedReason = credential.revokedReason
        self.code = code
        self.token = token
    }

    /// One line for people: id, kind, whose, what, when, state.
    var text: String {
        var parts = [id, kind]
        if let person { parts.append(person) }
        if let label { parts.append("\"\(label)\"") }
        if let shown { parts.append(shown) }
        if let recipient { parts.append("to \(recipient)") }
        if !doors.isEmpty { parts.append("doors " + doors.joined(separator: ",")) }
        if let validFrom { parts.append("from \(validFrom)") }
        if let validUntil { parts.append("until \(validUntil)") }
        if let schedule { parts.append("on \(schedule)") }
        if let usesLeft { parts.append("\(usesLeft) uses left") }
        if duress { parts.append("duress") }
        if let revokedAt { parts.append("REVOKED \(revokedAt) by \(revokedBy ?? "?")" + (revokedReason.map { ": \($0)" } ?? "")) }
        if let code { parts.append("code \(code)") }
        if let token { parts.append("token \(token)") }
        return parts.joined(separator: "  ")
    }
}

extension PersonKind: ExpressibleByArgument {}
extension DoorMode: ExpressibleByArgument {}
