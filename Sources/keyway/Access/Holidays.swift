import Access
import ArgumentParser
import Foundation

struct HolidaysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "holidays", abstract: "Holidays.", subcommands: [Add.self])

    struct Add: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Add a holiday: schedules are closed that day unless open on holidays.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The day, YYYY-MM-DD.") var date: String
        @Option(help: "What it is.") var name: String?

        func run() throws {
            try database.openStore(creating: true).addHoliday(day: date, name: name, actor: AccessCLI.actor)
            output.print(AccessCLI.Created(id: date, name: name ?? date), text: date)
        }
    }
}
