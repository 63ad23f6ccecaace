import ArgumentParser
import Foundation

/// The `keyway` program: one executable, a subcommand per job.
/// Each area declares its commands in its own folder; this root lists them and reports their errors.
@main
struct Keyway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyway",
        abstract: "Keyway access-control bridge: Wiegand and OSDP readers, allowlist decisions, activity log.",
        subcommands: WiegandCLI.commands + OSDPCLI.commands + AccessCLI.commands + ServiceCLI.commands
    )

    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(reporting: error, from: nil)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(reporting: error, from: command)
        }
    }

    /// The one place an error becomes a message on stderr and an exit status.
    private static func exit(reporting error: any Error, from command: (any ParsableCommand)?) -> Never {
        switch error {
        case let failure as any CommandFailure:
            if !failure.message.isEmpty { printError(failure.message) }
            Foundation.exit(failure.exitStatus)
        case is ExitCode:
            // The command already printed its result (a NAK, a broken log); only the status is left.
            exit(withError: error)
        case _ where command is any DatabaseCommand:
            // Anything else the access layer throws (SQLite, files) is reported in its commands' own style.
            printError("error: \(error)")
            Foundation.exit(ExitStatus.failure.rawValue)
        case _ where exitCode(for: error) == .validationFailure:
            // Usage errors exit with 2 (argument-parser's default is 64), as every Keyway command documents.
            printError(fullMessage(for: error))
            Foundation.exit(ExitStatus.usage.rawValue)
        default:
            exit(withError: error)
        }
    }
}
