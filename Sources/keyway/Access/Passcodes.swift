import Access
import ArgumentParser
import Foundation

struct PasscodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "passcodes", abstract: "Passcodes for named doors.",
                                                    subcommands: [Create.self, Rotate.self])

    struct Create: DatabaseCommand {
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
        @Option(help: ArgumentHelp("File holding the digits (mode 0600), or - for standard input; default: a random 6-digit code.",
                                   valueName: "path"))
        var codeFile: String?
        @Flag(help: "A duress code (see pins add).") var duress = false
        @Option(help: "The resident issuing it as a guest pass (id or name): the sharing policy applies, their unit's move-out revokes it.")
        var issuedBy: String?

        func run() throws {
            guard (person == nil) != (label == nil) else { throw UsageError("give --person or --label (one of them)") }
            guard !doors.isEmpty else { throw UsageError("give at least one --door") }
            guard validFor == nil || (from == nil && until == nil) else { throw UsageError("give --valid-for or --from/--until, not both") }
            guard let limit = UseLimit(parsing: uses) else { throw UsageError("--uses: '\(uses)' is not 1, N or unlimited") }
            let store = try database.openStore(creating: true)
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
            request.code = try codeFile.map { path throws(UsageError) in try SecretInput.read(path, option: "--code-file") }
            request.duress = duress
            request.issuedBy = issuedBy
            let issued = try store.createPasscode(request, actor: AccessCLI.actor, at: now)
            let shown = CredentialOutput(issued.credential, zone: store.timeZone, code: issued.code)
            output.print(shown)
        }
    }

    struct Rotate: DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a PIN or passcode by a new code; the old one still works for the overlap, then is refused.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The PIN or passcode id.") var id: String
        @Option(help: "When the new code starts (default: now).") var at: String?
        @Option(help: "How long the old code keeps working after that (30m, 2h, 1d).") var overlap = "1d"
        @Option(help: ArgumentHelp("File holding the new digits (mode 0600), or - for standard input; default: random.", valueName: "path"))
        var codeFile: String?

        func run() throws {
            let code = try codeFile.map { path throws(UsageError) in try SecretInput.read(path, option: "--code-file") }
            let store = try database.openStore()
            let overlap = try AccessCLI.duration(overlap, option: "--overlap")
            let effective = try AccessCLI.time(at, store.timeZone, option: "--at") ?? Date()
            let issued = try store.rotateCode(id, effective: effective, overlap: overlap, code: code, actor: AccessCLI.actor)
            let shown = CredentialOutput(issued.credential, zone: store.timeZone, code: issued.code)
            output.print(shown)
        }
    }
}
