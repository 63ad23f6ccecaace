import ArgumentParser
import Bridge

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Site configuration files.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a site configuration without touching hardware (exit 2 on errors, each with file:line:column).")

        @Argument(help: "The configuration file.")
        var file: String

        func run() throws {
            do {
                let site = try loadSiteConfiguration(path: file)
                let pds = site.buses.reduce(0) { $0 + $1.pds.count }
                print("\(file): OK, site \"\(site.site.name)\": \(site.buses.count) buses, \(pds) PDs, \(site.wiegandReaders.count) Wiegand readers, \(site.doors.count) doors")
            } catch {
                for issue in error.issues { printError(issue.description) }
                printError("\(error.issues.count) problem\(error.issues.count == 1 ? "" : "s") in \(file)")
                throw ExitStatus.usage
            }
        }
    }
}
