import Access
import ArgumentParser
import Foundation

/// Managers' and technicians' commands on the access database.
enum AccessCLI {
    static var commands: [any ParsableCommand.Type] {
        [PeopleCommand.self, DoorsCommand.self, SchedulesCommand.self, HolidaysCommand.self, GroupsCommand.self,
         CardsCommand.self, PinsCommand.self, PasscodesCommand.self, KeysCommand.self, RevokeCommand.self,
         CredentialsCommand.self, CheckCommand.self, LogCommand.self]
    }

    /// What create commands print: `{"id": …}` plus what was made.
    struct Created: Encodable {
        let id: String
        let name: String
    }
}

// MARK: People

struct PeopleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "people", abstract: "Residents, staff, visitors and vendors.",
        subcommands: [Add.self, List.self, Grant.self, Suspend.self, Reinstate.self, Vacation.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a person; prints their id.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The person's name (unique).") var name: String
        @Option(help: "resident, staff, visitor or vendor.") var kind: PersonKind = .resident

        func run() throws {
            try AccessCLI.run {
                let person = try database.openStore().addPerson(name: name, kind: kind, actor: AccessCLI.actor)
                output.json ? printJSONLine(person) : print("\(person.id)  \(person.name)  \(person.kind.rawValue)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List people.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try AccessCLI.run {
                for person in try database.openStore().people() {
                    output.json ? printJSONLine(person)
                        : print([person.id, person.name, person.kind.rawValue, person.suspended ? "SUSPENDED" : nil,
                                 person.vacationStart.map { "vacation \($0)…\(person.vacationEnd ?? "")" }]
                            .compactMap { $0 }.joined(separator: "  "))
                }
            }
        }
    }

    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a person to an access group.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The person (id or name).") var person: String
        @Option(help: "The group (id or name).") var group: String

        func run() throws {
            try AccessCLI.run {
                try database.openStore().grant(person: person, group: group, actor: AccessCLI.actor)
                output.json ? printJSONLine(["person": person, "group": group]) : print("\(person) is in \(group)")
            }
        }
    }

    struct Suspend: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend all of a person's access at once.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The person (id or name).") var person: String

        func run() throws {
            try AccessCLI.run { try database.openStore().setSuspended(person, true, actor: AccessCLI.actor) }
        }
    }

    struct Reinstate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a person's suspension.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The person (id or name).") var person: String

        func run() throws {
            try AccessCLI.run { try database.openStore().setSuspended(person, false, actor: AccessCLI.actor) }
        }
    }

    struct Vacation: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend a person's access from the first day to the last (site days), or clear it.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The person (id or name).") var person: String
        @Option(help: "First day, YYYY-MM-DD.") var from: String?
        @Option(help: "Last day, YYYY-MM-DD.") var until: String?
        @Flag(help: "Clear the vacation.") var clear = false

        func run() throws {
            try AccessCLI.run {
                guard clear == (from == nil && until == nil) else { throw UsageError("give --from and --until, or --clear") }
                for day in [from, until].compactMap({ $0 }) where SiteTime.parseDay(day) == nil {
                    throw UsageError("'\(day)' is not a date YYYY-MM-DD")
                }
                try database.openStore().setVacation(person, from: from, until: until, actor: AccessCLI.actor)
            }
        }
    }
}

// MARK: Doors, schedules, holidays, groups

struct DoorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doors", abstract: "Doors and their modes.", subcommands: [Add.self, List.self, Mode.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a door; prints its id.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The door's name (unique; the bridge's config names doors the same way).") var name: String
        @Option(help: "card, pin, card_and_pin, card_or_pin, unlocked or lockdown.") var mode: DoorMode = .card
        @Option(help: "The mode while --mode-schedule is open (e.g. unlocked on weekdays).") var scheduledMode: DoorMode?
        @Option(help: "The schedule (id or name) of --scheduled-mode.") var modeSchedule: String?
        @Flag(help: "A duress code is refused here (it still raises the alarm).") var duressDenies = false

        func run() throws {
            try AccessCLI.run {
                let door = try database.openStore().addDoor(name: name, mode: mode, scheduledMode: scheduledMode, modeSchedule: modeSchedule,
                                                            duressGrants: !duressDenies, actor: AccessCLI.actor)
                output.json ? printJSONLine(door) : print("\(door.id)  \(door.name)  \(door.mode.rawValue)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List doors.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try AccessCLI.run {
                for door in try database.openStore().doors() {
                    output.json ? printJSONLine(door)
                        : print([door.id, door.name, door.mode.rawValue,
                                 door.scheduledMode.map { "\($0.rawValue) on \(door.modeSchedule ?? "?")" }]
                            .compactMap { $0 }.joined(separator: "  "))
                }
            }
        }
    }

    struct Mode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a door's mode (e.g. lockdown).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The door (id or name).") var door: String
        @Argument(help: "card, pin, card_and_pin, card_or_pin, unlocked or lockdown.") var mode: DoorMode

        func run() throws {
            try AccessCLI.run { try database.openStore().setMode(door: door, mode, actor: AccessCLI.actor) }
        }
    }
}

struct SchedulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedules", abstract: "Weekly schedules.", subcommands: [Add.self])

    struct Add: ParsableCommand {
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
            try AccessCLI.run {
                guard let weekdays = Weekdays(parsing: days) else { throw UsageError("--days: '\(days)' is not like mon-fri or sat,sun") }
                guard let start = TimeOfDay(parsing: from) else { throw UsageError("--from: '\(from)' is not HH:MM") }
                guard let end = TimeOfDay(parsing: to) else { throw UsageError("--to: '\(to)' is not HH:MM") }
                let schedule = try database.openStore().addSchedule(
                    name: name, intervals: [ScheduleInterval(days: weekdays, start: start, end: end)],
                    openOnHolidays: openOnHolidays, actor: AccessCLI.actor)
                output.json ? printJSONLine(schedule) : print("\(schedule.id)  \(schedule.name)")
            }
        }
    }
}

struct HolidaysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "holidays", abstract: "Holidays.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a holiday: schedules are closed that day unless open on holidays.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The day, YYYY-MM-DD.") var date: String
        @Option(help: "What it is.") var name: String?

        func run() throws {
            try AccessCLI.run {
                try database.openStore().addHoliday(day: date, name: name, actor: AccessCLI.actor)
                output.json ? printJSONLine(AccessCLI.Created(id: date, name: name ?? date)) : print(date)
            }
        }
    }
}

struct GroupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "groups", abstract: "Access groups: doors × schedules.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an access group; prints its id.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The group's name (unique).") var name: String
        @Option(name: .customLong("door"), help: ArgumentHelp("A door, open always or on a schedule (repeatable).", valueName: "door[@schedule]"))
        var doors: [String] = []

        func run() throws {
            try AccessCLI.run {
                guard !doors.isEmpty else { throw UsageError("give at least one --door") }
                let pairs = doors.map { text -> (door: String, schedule: String?) in
                    guard let at = text.lastIndex(of: "@") else { return (text, nil) }
                    return (String(text[..<at]), String(text[text.index(after: at)...]))
                }
                let group = try database.openStore().addGroup(name: name, doors: pairs, actor: AccessCLI.actor)
                output.json ? printJSONLine(group) : print("\(group.id)  \(group.name)")
            }
        }
    }
}

// MARK: Credentials

struct CardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cards", abstract: "Cards.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a person a card; prints its id.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The card holder (id or name).") var person: String
        @Option(help: "The card format's name, e.g. h10301.") var format: String?
        @Option(help: "The facility code.") var facility: UInt32?
        @Option(help: "The card number.") var card: UInt64?
        @Option(help: "Raw bits instead of a format (e.g. 0110…), for cards no format decodes.") var bits: String?
        @Option(help: "Valid from (ISO 8601 or YYYY-MM-DD HH:MM).") var validFrom: String?
        @Option(help: "Valid until (ISO 8601 or YYYY-MM-DD HH:MM).") var validUntil: String?

        func run() throws {
            try AccessCLI.run {
                let data: CardData
                switch (format, card, bits) {
                case (let format?, let number?, nil):
                    guard AccessCLI.isFormatName(format) else { throw UsageError("--format: '\(format)' is not a format name") }
                    data = .fields(format: format, facility: facility, number: number)
                case (nil, nil, let bits?):
                    guard !bits.isEmpty, bits.allSatisfy({ $0 == "0" || $0 == "1" }) else { throw UsageError("--bits: only 0 and 1") }
                    data = .raw(bits: bits.map { $0 == "1" })
                default:
                    throw UsageError("give --format and --card (and --facility if the format has one), or --bits")
                }
                let store = try database.openStore()
                let credential = try store.addCard(
                    person: person, card: data, validFrom: AccessCLI.time(validFrom, store.timeZone, option: "--valid-from"),
                    validUntil: AccessCLI.time(validUntil, store.timeZone, option: "--valid-until"), actor: AccessCLI.actor)
                let shown = CredentialOutput(credential, zone: store.timeZone)
                output.json ? printJSONLine(shown) : print(shown.text)
            }
        }
    }
}

struct PinsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pins", abstract: "People's PINs.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a person a PIN (their groups' doors; the second factor of card and PIN); prints it once.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The person (id or name).") var person: String
        @Option(help: "The PIN (default: a random 6-digit one).") var code: String?
        @Flag(help: "A duress PIN: opens like the PIN where the door allows, and raises a silent alarm.") var duress = false

        func run() throws {
            try AccessCLI.run {
                let store = try database.openStore()
                let issued = try store.addPIN(person: person, code: code, duress: duress, actor: AccessCLI.actor)
                let shown = CredentialOutput(issued.credential, zone: store.timeZone, code: issued.code)
                output.json ? printJSONLine(shown) : print(shown.text)
            }
        }
    }
}

struct PasscodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "passcodes", abstract: "Passcodes for named doors.",
                                                    subcommands: [Create.self, Rotate.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a passcode; prints it once, with its id.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Whose passcode it is (it identifies them in the log).") var person: String?
        @Option(help: "What it is for, e.g. \"Cleaner – Tuesdays\".") var label: String?
        @Option(name: .customLong("door"), help: "A door it opens (repeatable).") var doors: [String] = []
        @Option(help: "Valid from now for this long (30m, 2h, 1d).") var validFor: String?
        @Option(help: "Valid from (ISO 8601 or YYYY-MM-DD HH:MM).") var from: String?
        @Option(help: "Valid until (ISO 8601 or YYYY-MM-DD HH:MM).") var until: String?
        @Option(help: "Only on this weekly schedule (id or name).") var schedule: String?
        @Option(help: "How many entries: 1, N or unlimited.") var uses = "unlimited"
        @Option(help: "The digits (default: a random 6-digit code).") var code: String?
        @Flag(help: "A duress code (see pins add).") var duress = false

        func run() throws {
            try AccessCLI.run {
                guard (person == nil) != (label == nil) else { throw UsageError("give --person or --label (one of them)") }
                guard !doors.isEmpty else { throw UsageError("give at least one --door") }
                guard validFor == nil || (from == nil && until == nil) else { throw UsageError("give --valid-for or --from/--until, not both") }
                guard let limit = UseLimit(parsing: uses) else { throw UsageError("--uses: '\(uses)' is not 1, N or unlimited") }
                let store = try database.openStore()
                let now = Date()
                var request = PasscodeRequest(person: person, label: label, doors: doors)
                if let validFor {
                    request.validFrom = now
                    request.validUntil = now + (try AccessCLI.duration(validFor, option: "--valid-for"))
                } else {
                    request.validFrom = try AccessCLI.time(from, store.timeZone, option: "--from")
                    request.validUntil = try AccessCLI.time(until, store.timeZone, option: "--until")
                }
                request.schedule = schedule
                request.uses = limit
                request.code = code
                request.duress = duress
                let issued = try store.createPasscode(request, actor: AccessCLI.actor, at: now)
                let shown = CredentialOutput(issued.credential, zone: store.timeZone, code: issued.code)
                output.json ? printJSONLine(shown) : print(shown.text)
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a PIN or passcode by a new code; the old one still works for the overlap, then is refused.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The PIN or passcode id.") var id: String
        @Option(help: "When the new code starts (default: now).") var at: String?
        @Option(help: "How long the old code keeps working after that (30m, 2h, 1d).") var overlap = "1d"
        @Option(help: "The new digits (default: random).") var code: String?

        func run() throws {
            try AccessCLI.run {
                let store = try database.openStore()
                let overlap = try AccessCLI.duration(overlap, option: "--overlap")
                let effective = try AccessCLI.time(at, store.timeZone, option: "--at") ?? Date()
                let issued = try store.rotateCode(id, effective: effective, overlap: overlap, code: code, actor: AccessCLI.actor)
                let shown = CredentialOutput(issued.credential, zone: store.timeZone, code: issued.code)
                output.json ? printJSONLine(shown) : print(shown.text)
            }
        }
    }
}

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Digital keys (signed tokens).",
                                                    subcommands: [Issue.self, Share.self])

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a digital key to a person; prints its id and token.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The holder (id or name).") var person: String
        @Option(name: .customLong("door"), help: "A door it opens (repeatable).") var doors: [String] = []
        @Option(help: "Valid until (ISO 8601 or YYYY-MM-DD HH:MM).") var until: String?
        @Flag(help: "The holder may share it.") var mayShare = false

        func run() throws {
            try AccessCLI.run {
                guard !doors.isEmpty else { throw UsageError("give at least one --door") }
                let store = try database.openStore()
                let issued = try store.issueKey(person: person, doors: doors, validUntil: AccessCLI.time(until, store.timeZone, option: "--until"),
                                                mayShare: mayShare, actor: AccessCLI.actor)
                let shown = CredentialOutput(issued.credential, zone: store.timeZone, token: issued.token)
                output.json ? printJSONLine(shown) : print(shown.text)
            }
        }
    }

    struct Share: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Share a key that allows it; prints the new key's id and token.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The key to share (id).") var key: String
        @Option(help: "The recipient: an email address or a phone number.") var to: String
        @Option(help: "Valid until (no later than the shared key).") var until: String?

        func run() throws {
            try AccessCLI.run {
                let store = try database.openStore()
                let issued = try store.shareKey(key, to: to, validUntil: AccessCLI.time(until, store.timeZone, option: "--until"),
                                                actor: AccessCLI.actor)
                let shown = CredentialOutput(issued.credential, zone: store.timeZone, token: issued.token)
                output.json ? printJSONLine(shown) : print(shown.text)
            }
        }
    }
}

struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a credential now (a key takes its shares along); prints the ids revoked.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The credential id.") var id: String
    @Option(help: "Why (recorded).") var reason: String?

    struct Revoked: Encodable {
        let id: String
        let revoked: [String]
    }

    func run() throws {
        try AccessCLI.run {
            let revoked = try database.openStore().revoke(id, reason: reason, actor: AccessCLI.actor)
            output.json ? printJSONLine(Revoked(id: id, revoked: revoked)) : revoked.forEach { print($0) }
        }
    }
}

struct CredentialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "credentials", abstract: "Credentials.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials (never a code or token).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this person's (id or name).") var person: String?
        @Flag(help: "Only those active now.") var active = false

        func run() throws {
            try AccessCLI.run {
                let store = try database.openStore()
                for credential in try store.credentials(person: person, activeAt: active ? Date() : nil) {
                    let shown = CredentialOutput(credential, zone: store.timeZone)
                    output.json ? printJSONLine(shown) : print(shown.text)
                }
            }
        }
    }
}
