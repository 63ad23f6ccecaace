import Access
import ArgumentParser
import Foundation

struct PinsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pins", abstract: "People's PINs.", subcommands: [Add.self])

    struct Add: DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a person a PIN (their groups' doors; the second factor of card and PIN); prints it once.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The person (id or name).") var person: String
        @Option(help: ArgumentHelp("File holding the PIN (mode 0600), or - for standard input; default: a random 6-digit PIN.", valueName: "path"))
        var codeFile: String?
        @Flag(help: "A duress PIN: opens like the PIN where the door allows, and raises a silent alarm.") var duress = false

        func run() throws {
            let code = try codeFile.map { path throws(UsageError) in try SecretInput.read(path, option: "--code-file") }
            let store = try database.openStore(creating: true)
            let issued = try store.addPIN(person: person, code: code, duress: duress, actor: AccessCLI.actor)
            let shown = CredentialOutput(issued.credential, zone: store.timeZone, code: issued.code)
            output.print(shown)
        }
    }
}
