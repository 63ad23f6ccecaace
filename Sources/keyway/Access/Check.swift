import Access
import ArgumentParser
import Foundation

struct CheckCommand: DatabaseCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Show the decision for a presentation at a door, without taking a use or logging.")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "The door (id or name).") var door: String
    @Option(help: ArgumentHelp("A card.", valueName: "format:facility:card")) var card: String?
    @Option(help: ArgumentHelp("File holding a PIN or passcode (mode 0600), or - for standard input.", valueName: "path"))
    var pinFile: String?
    @Option(help: ArgumentHelp("File holding a digital key token (mode 0600), or - for standard input.", valueName: "path"))
    var keyFile: String?
    @Option(help: "When (ISO 8601 or YYYY-MM-DD HH:MM; default: now).") var at: String?

    /// `{"decision":"grant","reason":null,"person":"Alice","credential":"card_…"}`: reason and person always present.
    struct Output: Encodable {
        let decision: Decision

        enum CodingKeys: String, CodingKey { case decision, reason, person, credential, alarms }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(decision.granted ? "grant" : "deny", forKey: .decision)
            try container.encode(decision.reason?.rawValue, forKey: .reason)
            try container.encode(decision.personName, forKey: .person)
            try container.encode(decision.credentialID, forKey: .credential)
            try container.encode(decision.alarms.map(\.rawValue), forKey: .alarms)
        }
    }

    func run() throws {
        guard pinFile != SecretInput.standardInput || keyFile != SecretInput.standardInput else {
            throw UsageError("only one of --pin-file and --key-file can read standard input (-)")
        }
        let pin = try pinFile.map { path throws(UsageError) in try SecretInput.read(path, option: "--pin-file") }
        let key = try keyFile.map { path throws(UsageError) in try SecretInput.read(path, option: "--key-file") }
        let presentation: Presentation = switch (card, pin, key) {
        case (let card?, nil, nil): .card(try AccessCLI.card(card))
        case (nil, let pin?, nil): .pin(pin)
        case (let card?, let pin?, nil): .cardAndPin(try AccessCLI.card(card), pin: pin)
        case (nil, nil, let key?): .digitalKey(token: key)
        default: throw UsageError("give --card, --pin-file, --card with --pin-file, or --key-file")
        }
        let access = try database.openAccess()
        let date = try AccessCLI.time(at, access.store.timeZone, option: "--at") ?? Date()
        let decision = access.check(presentation, door: try access.store.doorName(door), at: date)
        output.print(Output(decision: decision),
                     text: [decision.granted ? "grant" : "deny", decision.reason?.rawValue, decision.personName, decision.credentialID,
                            decision.alarms.isEmpty ? nil : "alarms: " + decision.alarms.map(\.rawValue).joined(separator: ",")]
                         .compactMap { $0 }.joined(separator: "  "))
    }
}
