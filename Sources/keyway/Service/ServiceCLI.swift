import ArgumentParser

enum ServiceCLI {
    static var commands: [any ParsableCommand.Type] {
        [Serve.self, ConfigCommand.self, Status.self, DoorCommand.self, Reload.self, Simulate.self]
    }
}
