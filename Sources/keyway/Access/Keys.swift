import Access
import ArgumentParser
import Foundation

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Digital keys (signed tokens).",
                                                    subcommands: [Issue.self, Share.self])

    struct Issue: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a digital key to a person; prints its id and token.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The holder (id or name).") var person: String
        @Option(name: .customLong("door"), help: "A door it opens (repeatable).") var doors: [String] = []
        @Option(help: "Valid until (ISO 8601 or YYYY-MM-DD HH:MM).") var until: String?
        @Flag(help: "The holder may share it.") var mayShare = false

        func run() throws {
            guard !doors.isEmpty else { throw UsageError("give at least one --door") }
            let store = try database.openStore(creating: true)
            let issued = try store.issueKey(person: person, doors: doors, validUntil: AccessCLI.time(until, store.timeZone, option: "--until"),
                                            mayShare: mayShare, actor: AccessCLI.actor)
            let shown = CredentialOutput(issued.credential, zone: store.timeZone, token: issued.token)
            output.print(shown)
        }
    }

    struct Share: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Share a key that allows it; prints the new key's id and token.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The key to share (id).") var key: String
        @Option(help: "The recipient: an email address or a phone number.") var to: String
        @Option(help: "Valid until (no later than the shared key).") var until: String?
        @Option(name: .customLong("door"), help: "Only this door of the key's (repeatable; default: all of them).") var doors: [String] = []
        @Flag(help: "The recipient may share it on (where the sharing policy allows re-sharing).") var mayShare = false

        func run() throws {
            let store = try database.openStore()
            let issued = try store.shareKey(key, to: to, doors: doors, validUntil: AccessCLI.time(until, store.timeZone, option: "--until"),
                                            mayShare: mayShare, actor: AccessCLI.actor)
            let shown = CredentialOutput(issued.credential, zone: store.timeZone, token: issued.token)
            output.print(shown)
        }
    }
}
