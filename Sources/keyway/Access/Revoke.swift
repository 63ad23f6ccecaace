import Access
import ArgumentParser
import Foundation

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
