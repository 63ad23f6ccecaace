import Access
import ArgumentParser
import Foundation

struct CredentialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "credentials", abstract: "Credentials.", subcommands: [List.self])

    struct List: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials (never a code or token).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this person's (id or name).") var person: String?
        @Flag(help: "Only those active now.") var active = false

        func run() throws {
            let store = try database.openStore()
            for credential in try store.credentials(person: person, activeAt: active ? Date() : nil) {
                let shown = CredentialOutput(credential, zone: store.timeZone)
                output.print(shown)
            }
        }
    }
}
