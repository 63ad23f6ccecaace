import Access
import ArgumentParser
import Foundation

struct CardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cards", abstract: "Cards.", subcommands: [Add.self])

    struct Add: DatabaseCommand {
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
            let store = try database.openStore(creating: true)
            let credential = try store.addCard(
                person: person, card: data, validFrom: AccessCLI.time(validFrom, store.timeZone, option: "--valid-from"),
                validUntil: AccessCLI.time(validUntil, store.timeZone, option: "--valid-until"), actor: AccessCLI.actor)
            let shown = CredentialOutput(credential, zone: store.timeZone)
            output.print(shown)
        }
    }
}
