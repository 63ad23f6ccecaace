import ArgumentParser

enum WiegandCLI {
    static var commands: [any ParsableCommand.Type] { [] }
}
