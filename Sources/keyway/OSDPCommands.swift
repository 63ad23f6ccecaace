import ArgumentParser

enum OSDPCLI {
    static var commands: [any ParsableCommand.Type] { [] }
}
