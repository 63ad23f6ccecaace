import ArgumentParser

enum OSDPCLI {
    static var commands: [any ParsableCommand.Type] { [OSDPCommand.self] }
}

/// `keyway osdp ...`: a field technician's tools for OSDP readers on an RS-485 bus.
struct OSDPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "osdp",
        abstract: "Talk to OSDP readers as the control panel: identify, scan, monitor, drive outputs, install keys.",
        discussion: "Exit status: 0 success, 1 the device or PD failed (no answer, NAK, secure channel refused), 2 usage error.",
        subcommands: [
            Identify.self, Capabilities.self, Scan.self, Monitor.self, Output.self, LED.self, Buzz.self, Text.self,
            KeySet.self, Transfer.self,
        ]
    )
}
