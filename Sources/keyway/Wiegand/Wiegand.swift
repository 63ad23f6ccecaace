import ArgumentParser
import Wiegand

enum WiegandCLI {
    static var commands: [any ParsableCommand.Type] { [WiegandCommand.self] }
}

struct WiegandCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wiegand",
        abstract: "Decode, encode and watch Wiegand card and keypad frames.",
        subcommands: [Decode.self, Encode.self, Formats.self, Replay.self, Sniff.self]
    )
}

extension WiegandCommand {
    static func cardFormat(named name: String) throws -> CardFormat {
        guard let format = CardFormat.named(name) else {
            throw ValidationError(
                "unknown card format '\(name)'; known: \(CardFormat.builtIn.map(\.name).joined(separator: ", "))"
            )
        }
        return format
    }
}
