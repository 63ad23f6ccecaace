import ArgumentParser

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "Present a card or keys at a simulated reader of the running demo.",
        subcommands: [Card.self, Keys.self])

    struct Card: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Swipe a card.")

        @Option(help: "The simulated reader.")
        var reader: String

        @Option(help: "The card format (h10301, c1k35, ...).")
        var format: String = "h10301"

        @Option(help: "The facility code.")
        var facility: UInt64?

        @Option(help: "The card number.")
        var card: UInt64

        @OptionGroup var service: ServiceSocketOptions

        func run() throws {
            print(try service.send(.simulateCard(reader: reader, format: format, facility: facility, card: card)).message ?? "")
        }
    }

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Type keys on a reader's keypad (digits, * and #).")

        @Option(help: "The simulated reader.")
        var reader: String

        @Argument(help: "The keys, like 1234#.")
        var keys: String

        @OptionGroup var service: ServiceSocketOptions

        func validate() throws {
            guard !keys.isEmpty, keys.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") }) else {
                throw ValidationError("keys are digits, * and #")
            }
        }

        func run() throws {
            print(try service.send(.simulateKeys(reader: reader, keys: keys)).message ?? "")
        }
    }
}
