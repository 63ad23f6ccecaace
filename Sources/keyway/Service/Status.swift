import ArgumentParser
import Bridge
import Foundation

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the running service: buses, PDs, readers, doors, faults.",
        discussion: "--follow then prints the service's log as it happens (Ctrl-C to stop).")

    @OptionGroup var service: ServiceSocketOptions

    @OptionGroup var output: OutputOptions

    @Flag(help: "Keep printing the service's log lines.")
    var follow = false

    func run() throws {
        let response = try service.send(.status)
        if let status = response.status {
            // Written unbuffered, so it comes before the lines --follow streams after it.
            if output.json { printJSONLine(status) } else { FileHandle.standardOutput.write(Data((status.humanDescription + "\n").utf8)) }
        }
        guard follow else { return }
        try ControlClient.followLog(at: try service.path()) { line in
            if output.json {
                FileHandle.standardOutput.write(line + Data("\n".utf8))
            } else if let text = ServiceLogHandler.humanLine(fromJSON: line) {
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            }
        }
    }
}
