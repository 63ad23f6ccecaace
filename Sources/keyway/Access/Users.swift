import API
import Access
import ArgumentParser
import Bridge
import Foundation

struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Accounts of the HTTP API (admin, staff, resident).",
        subcommands: [Add.self, List.self, Link.self])

    struct Add: AsyncParsableCommand, DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account; prints its one-time set-password link (there is no default password).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: ArgumentHelp("Add an admin of this name.", valueName: "name")) var admin: String?
        @Option(help: ArgumentHelp("Add a staff member of this name.", valueName: "name")) var staff: String?
        @Option(help: ArgumentHelp("Add a resident of this name (give --person).", valueName: "name")) var resident: String?
        @Option(help: "The account's e-mail address (its login).") var email: String
        @Option(help: "The person (id or name) whose keys and passcodes are the account's own.") var person: String?
        @OptionGroup var link: LinkOptions

        func run() async throws {
            let named: [(Role, String)] = [(.admin, admin), (.staff, staff), (.resident, resident)].compactMap { role, name in name.map { (role, $0) } }
            guard named.count == 1, let (role, name) = named.first else { throw UsageError("give one of --admin NAME, --staff NAME, --resident NAME") }
            guard role != .resident || person != nil else { throw UsageError("a resident's account needs --person") }
            let settings = try link.settings(database)
            let storage = try UsersCommand.openStorage(database, creating: true)
            let (user, link) = try await KeywayAPI.addUser(NewUser(email: email.lowercased(), name: name, role: role, person: person),
                                                           accounts: storage, settings: settings, actor: AccessCLI.actor)
            UsersCommand.print(user, link)
        }
    }

    struct List: AsyncParsableCommand, DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            for user in try await UsersCommand.openStorage(database).users() {
                Swift.print("\(user.id)  \(user.role.rawValue)  \(user.email)  \(user.name)\(user.person.map { "  person: \($0)" } ?? "")"
                            + (user.disabled ? "  disabled" : "") + (user.hasPassword ? "" : "  (no password yet)"))
            }
        }
    }

    struct Link: AsyncParsableCommand, DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Make a new one-time set-password link for an account.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The account's e-mail address.") var email: String
        @OptionGroup var link: LinkOptions

        func run() async throws {
            let settings = try link.settings(database)
            let storage = try UsersCommand.openStorage(database)
            guard let user = try await storage.user(email: email.lowercased()) else { throw AccessError.notFound(what: "account", email) }
            UsersCommand.print(user, try await KeywayAPI.passwordLink(for: user, accounts: storage, settings: settings, actor: AccessCLI.actor))
        }
    }

    struct LinkOptions: ParsableArguments {
        @Option(name: .customLong("public-url"), help: "The API's public URL (default: http.public_url of --config).")
        var publicURL: String?

        func settings(_ database: DatabaseOptions) throws -> APISettings {
            var url = publicURL
            if url == nil, let config = database.config {
                do { url = try loadSiteConfiguration(path: config).http?.publicURL } catch { throw UsageError("\(error)") }
            }
            guard let url else { throw UsageError("no public URL: give --public-url or a --config with http.public_url") }
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw UsageError("--public-url starts with http:// or https://") }
            return APISettings(publicURL: url, secureCookies: url.hasPrefix("https://"))
        }
    }

    static func openStorage(_ database: DatabaseOptions, creating: Bool = false) throws -> SQLiteSiteStorage {
        let location = try database.location()
        let access = try AccessControl.open(database: location.database, secrets: location.secrets, timeZone: location.timeZone,
                                            clockPolicy: ClockPolicy(tolerance: nil), preload: false, creating: creating, checkpointEvery: nil)
        return try SQLiteSiteStorage(access: access)
    }

    static func print(_ user: User, _ link: PasswordLinkView) {
        Swift.print("\(user.role.rawValue) \(user.name) <\(user.email)> (\(user.id))")
        Swift.print("set-password link (once, until \(link.expiresAt.formatted(.iso8601))):")
        Swift.print(link.url)
    }
}
