import Access
import ArgumentParser
import Foundation

struct GroupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "groups", abstract: "Access groups: doors × schedules.", subcommands: [Add.self])

    struct Add: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Add an access group; prints its id.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The group's name (unique).") var name: String
        @Option(name: .customLong("door"), help: ArgumentHelp("A door, open always or on a schedule (repeatable).", valueName: "door[@schedule]"))
        var doors: [String] = []

        func run() throws {
            guard !doors.isEmpty else { throw UsageError("give at least one --door") }
            let pairs = doors.map { text -> (door: String, schedule: String?) in
                guard let at = text.lastIndex(of: "@") else { return (text, nil) }
                return (String(text[..<at]), String(text[text.index(after: at)...]))
            }
            let group = try database.openStore(creating: true).addGroup(name: name, doors: pairs, actor: AccessCLI.actor)
            output.print(group, text: "\(group.id)  \(group.name)")
        }
    }
}
