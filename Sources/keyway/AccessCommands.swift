import ArgumentParser

enum AccessCLI {
    static var commands: [any ParsableCommand.Type] { [] }
}
