import ArgumentParser
import Bridge
import Foundation

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the running service: buses, PDs, readers, doors, faults.",
        discussion: "--follow then prints the service's log as it happens (Ctrl-C to stop).")

    @OptionGroup var service: ServiceSocketOptions

    @Flag(help: "Print JSON (one object per line).")
    var json = false

    @Flag(help: "Keep printing the service's log lines.")
    var follow = false

    func run() throws {
        let response = try service.send(.status)
        if let status = response.status {
            // Written unbuffered, so it comes before the lines --follow streams after it.
            if json { printJSONLine(status) } else { FileHandle.standardOutput.write(Data((render(status) + "\n").utf8)) }
        }
        guard follow else { return }
        try ControlClient.followLog(at: try service.path()) { line in
            if json {
                FileHandle.standardOutput.write(line + Data("\n".utf8))
            } else if let text = ServiceLogHandler.humanLine(fromJSON: line) {
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            }
        }
    }

    private func render(_ status: ServiceStatus) -> String {
        var lines = ["site \(status.site) (\(status.configuration)), up since \(status.startedAt.formatted(.iso8601))"]
        for bus in status.buses {
            lines.append("bus \(bus.name) on \(bus.port): \(bus.open ? "open" : "NOT OPEN")")
            for pd in bus.pds {
                lines.append("  PD \(pd.address) \(pd.name): \(pd.online ? "online" : "OFFLINE")\(pd.secure ? ", secure channel" : "")")
            }
        }
        for reader in status.readers {
            lines.append("reader \(reader.name) (\(reader.kind)): \(reader.online ? "online" : "OFFLINE")\(reader.lastEvent.map { ", last: \($0)" } ?? "")")
        }
        for door in status.doors {
            let mode = door.mode == door.configuredMode ? door.mode : "\(door.mode) (configured \(door.configuredMode))"
            let position = door.open.map { $0 ? ", open" : ", closed" } ?? ""
            let alarms = door.alarms.isEmpty ? "" : ", ALARM \(door.alarms.joined(separator: ", "))"
            lines.append("door \(door.name): \(mode)\(position)\(alarms)\(door.lastEvent.map { ", last: \($0)" } ?? "")")
        }
        lines += status.faults.map { "FAULT \($0)" }
        return lines.joined(separator: "\n")
    }
}
