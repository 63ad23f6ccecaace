import Access
import ArgumentParser
import Bridge
import Foundation

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

    /// Only commands that add something (`creating`) create a missing database; every other one refuses it, so
    /// a mistyped path or a vanished database is an error, not an empty database that says nothing is wrong.
    func openStore(creating: Bool = false) throws -> AccessStore {
        let location = try location()
        return try AccessStore.open(database: location.database, secrets: location.secrets, timeZone: location.timeZone,
                                    creating: creating)
    }

    /// For one-off decisions: the allowlist is read from SQLite as needed rather than loaded whole. A dry run
    /// judges the time it is given, so the clock is not watched (nor its latest time written).
    func openAccess() throws -> AccessControl {
        let location = try location()
        return try AccessControl.open(database: location.database, secrets: location.secrets, timeZone: location.timeZone,
                                      clockPolicy: ClockPolicy(tolerance: nil), preload: false, creating: false, checkpointEvery: nil)
    }
}

/// A command on the access database. What the access layer throws beyond `AccessError` (SQLite, files)
/// is reported as `error: …` with exit 1, in the style of its other messages (see `Keyway.main`).
protocol DatabaseCommand: ParsableCommand {
    var database: DatabaseOptions { get }
}
