import ArgumentParser
import Foundation

/// The `keyway` program: one executable, a subcommand per job.
/// Each area declares its commands in its own file; this root only lists them.
@main
struct Keyway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyway",
        abstract: "Keyway access-control bridge: Wiegand and OSDP readers, allowlist decisions, activity log.",
        subcommands: WiegandCLI.commands + OSDPCLI.commands + AccessCLI.commands + ServiceCLI.commands
    )

    /// Usage errors exit with 2 (argument-parser's default is 64), as every Keyway command documents.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as UsageError {
            printError("error: \(error)")
            Foundation.exit(ExitStatus.usage.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}
