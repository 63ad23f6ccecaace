import Access
import Foundation

/// `keyway status` built from what the site's parts know: the buses, the readers, the doors, the faults.
extension ServiceStatus {
    init(
        site: String, configuration: String, startedAt: Date, buses: [BusSnapshot],
        readers: [(name: String, reader: ReaderRegistry.Reader)], doors: [DoorSnapshot], faults: [String], webhooks: [WebhookState] = []
    ) {
        self.init(
            site: site, configuration: configuration, startedAt: startedAt,
            buses: buses.map(Bus.init),
            readers: readers.map { Reader(name: $0.name, kind: $0.reader.kind.rawValue, online: $0.reader.online, lastEvent: $0.reader.lastEvent) },
            doors: doors.map(Door.init),
            faults: faults, webhooks: webhooks.map(Webhook.init))
    }
}

extension ServiceStatus.Bus {
    init(_ bus: BusSnapshot) {
        self.init(
            name: bus.configuration.name, port: bus.configuration.port.description, open: bus.isOpen, openedAt: bus.openedAt,
            pds: bus.configuration.pds.map { pd in
                let status = bus.pds.first { Int($0.address) == pd.address }
                return ServiceStatus.PD(
                    address: pd.address, name: pd.name, online: bus.answering.contains(UInt8(pd.address)), secure: bus.isOpen && status?.secure == true,
                    secureChannelRestarts: status?.counters.secureChannelRestarts ?? 0)
            })
    }
}

extension ServiceStatus.Door {
    init(_ door: DoorSnapshot) {
        self.init(
            name: door.name, mode: door.mode.rawValue, configuredMode: door.configuredMode.rawValue,
            open: door.open, alarms: door.alarms.map(\.rawValue).sorted(), lastEvent: door.lastEvent)
    }
}
