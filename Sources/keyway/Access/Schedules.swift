import Access
import ArgumentParser
import Foundation

struct SchedulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedules", abstract: "Weekly schedules.", subcommands: [Add.self])

    struct Add: DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a weekly schedule (site time); prints its id. --to at or before --from runs past midnight.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The schedule's name (unique).") var name: String
        @Option(help: "Days: mon-fri, sat,sun, mon,wed-fri or daily.") var days: String
        @Option(help: "Opening time, HH:MM.") var from: String
        @Option(help: "Closing time, HH:MM (24:00 for midnight).") var to: String
        @Flag(help: "Keep the schedule open on holidays.") var openOnHolidays = false

        func run() throws {
            guard let weekdays = Weekdays(parsing: days) else { throw UsageError("--days: '\(days)' is not like mon-fri or sat,sun") }
            guard let start = TimeOfDay(parsing: from) else { throw UsageError("--from: '\(from)' is not HH:MM") }
            guard let end = TimeOfDay(parsing: to) else { throw UsageError("--to: '\(to)' is not HH:MM") }
            let schedule = try database.openStore(creating: true).addSchedule(
                name: name, intervals: [ScheduleInterval(days: weekdays, start: start, end: end)],
                openOnHolidays: openOnHolidays, actor: AccessCLI.actor)
            output.print(schedule, text: "\(schedule.id)  \(schedule.name)")
        }
    }
}
