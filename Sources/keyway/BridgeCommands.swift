import ArgumentParser

enum BridgeCLI {
    static var commands: [any ParsableCommand.Type] { [] }
}
