import Access
import ArgumentParser
import Foundation

struct RevokeCommand: DatabaseCommand {
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
        let revoked = try database.openStore().revoke(id, reason: reason, actor: AccessCLI.actor)
        // One id a line; never empty, since the credential itself is among them.
        output.print(Revoked(id: id, revoked: revoked), text: revoked.joined(separator: "\n"))
    }
}
