import Access
import ArgumentParser
import Foundation

struct DoorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doors", abstract: "Doors and their modes.", subcommands: [Add.self, List.self, Mode.self])

    struct Add: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Add a door; prints its id.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The door's name (unique; the bridge's config names doors the same way).") var name: String
        @Option(help: "card, pin, card_and_pin, card_or_pin, unlocked or lockdown.") var mode: DoorMode = .card
        @Option(help: "The mode while --mode-schedule is open (e.g. unlocked on weekdays).") var scheduledMode: DoorMode?
        @Option(help: "The schedule (id or name) of --scheduled-mode.") var modeSchedule: String?
        @Flag(help: "A duress code is refused here (it still raises the alarm).") var duressDenies = false

        func run() throws {
            let door = try database.openStore(creating: true).addDoor(name: name, mode: mode, scheduledMode: scheduledMode, modeSchedule: modeSchedule,
                                                        duressGrants: !duressDenies, actor: AccessCLI.actor)
            output.print(door, text: "\(door.id)  \(door.name)  \(door.mode.rawValue)")
        }
    }

    struct List: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "List doors.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            for door in try database.openStore().doors() {
                output.print(door, text: [door.id, door.name, door.mode.rawValue,
                                          door.scheduledMode.map { "\($0.rawValue) on \(door.modeSchedule ?? "?")" }]
                    .compactMap { $0 }.joined(separator: "  "))
            }
        }
    }

    struct Mode: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Change a door's mode (e.g. lockdown).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The door (id or name).") var door: String
        @Argument(help: "card, pin, card_and_pin, card_or_pin, unlocked or lockdown.") var mode: DoorMode

        func run() throws {
            try database.openStore().setMode(door: door, mode, actor: AccessCLI.actor)
        }
    }
}
