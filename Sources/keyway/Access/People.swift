import Access
import ArgumentParser
import Foundation

struct PeopleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "people", abstract: "Residents, staff, visitors and vendors.",
        subcommands: [Add.self, List.self, Grant.self, Suspend.self, Reinstate.self, Vacation.self])

    struct Add: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Add a person; prints their id.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The person's name (unique).") var name: String
        @Option(help: "resident, staff, visitor or vendor.") var kind: PersonKind = .resident

        func run() throws {
            let person = try database.openStore(creating: true).addPerson(name: name, kind: kind, actor: AccessCLI.actor)
            output.print(person, text: "\(person.id)  \(person.name)  \(person.kind.rawValue)")
        }
    }

    struct List: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "List people.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            for person in try database.openStore().people() {
                output.print(person, text: [person.id, person.name, person.kind.rawValue, person.suspended ? "SUSPENDED" : nil,
                                            person.vacationStart.map { "vacation \($0)…\(person.vacationEnd ?? "")" }]
                    .compactMap { $0 }.joined(separator: "  "))
            }
        }
    }

    struct Grant: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Add a person to an access group.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The person (id or name).") var person: String
        @Option(help: "The group (id or name).") var group: String

        func run() throws {
            try database.openStore().grant(person: person, group: group, actor: AccessCLI.actor)
            output.print(["person": person, "group": group], text: "\(person) is in \(group)")
        }
    }

    struct Suspend: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend all of a person's access at once.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The person (id or name).") var person: String

        func run() throws {
            try database.openStore().setSuspended(person, true, actor: AccessCLI.actor)
        }
    }

    struct Reinstate: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a person's suspension.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The person (id or name).") var person: String

        func run() throws {
            try database.openStore().setSuspended(person, false, actor: AccessCLI.actor)
        }
    }

    struct Vacation: DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend a person's access from the first day to the last (site days), or clear it.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The person (id or name).") var person: String
        @Option(help: "First day, YYYY-MM-DD.") var from: String?
        @Option(help: "Last day, YYYY-MM-DD.") var until: String?
        @Flag(help: "Clear the vacation.") var clear = false

        func run() throws {
            guard clear == (from == nil && until == nil) else { throw UsageError("give --from and --until, or --clear") }
            for day in [from, until].compactMap({ $0 }) where SiteTime.parseDay(day) == nil {
                throw UsageError("'\(day)' is not a date YYYY-MM-DD")
            }
            try database.openStore().setVacation(person, from: from, until: until, actor: AccessCLI.actor)
        }
    }
}
