import Bridge
import Foundation

/// `keyway status` for a person: the site, then a line per bus, PD, reader and door, then the faults.
extension ServiceStatus {
    var humanDescription: String {
        var lines = ["site \(site) (\(configuration)), up since \(startedAt.formatted(.iso8601))"]
        for bus in buses {
            lines.append("bus \(bus.name) on \(bus.port): \(bus.open ? "open" : "NOT OPEN")")
            for pd in bus.pds {
                let restarts = pd.secureChannelRestarts > 0 ? ", \(pd.secureChannelRestarts) secure channel restarts" : ""
                lines.append("  PD \(pd.address) \(pd.name): \(pd.online ? "online" : "OFFLINE")\(pd.secure ? ", secure channel" : "")\(restarts)")
            }
        }
        for reader in readers {
            lines.append("reader \(reader.name) (\(reader.kind)): \(reader.online ? "online" : "OFFLINE")\(reader.lastEvent.map { ", last: \($0)" } ?? "")")
        }
        for door in doors {
            let mode = door.mode == door.configuredMode ? door.mode : "\(door.mode) (configured \(door.configuredMode))"
            let position = door.open.map { $0 ? ", open" : ", closed" } ?? ""
            let alarms = door.alarms.isEmpty ? "" : ", ALARM \(door.alarms.joined(separator: ", "))"
            lines.append("door \(door.name): \(mode)\(position)\(alarms)\(door.lastEvent.map { ", last: \($0)" } ?? "")")
        }
        let now = Date()
        lines += webhooks.map { $0.summary(now: now) }
        lines += faults.map { "FAULT \($0)" }
        return lines.joined(separator: "\n")
    }
}
