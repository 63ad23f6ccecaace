import Access
import Bridge

/// What the API needs of the running site: the doors' live state, and a digital key presented at a door.
public protocol SiteControl: Sendable {
    func doorStates() async -> [DoorState]
    /// The door's decision on the key, made and acted on exactly as for a card at its reader (rule engine,
    /// schedules, lockdown, the log row before the relay moves); nil when the site has no such door.
    func present(key token: String, at door: String) async -> Decision?
    /// An operator's command at a door (`keyway door lockdown|normal|unlock --for`), for `actor` (who the log names):
    /// what happened, in words. Throws the refusal in words (a timed unlock during lockdown, no such door).
    func command(_ action: DoorRequestAction, door: String, for duration: Duration?, actor: String) async throws(BridgeError) -> String
}

extension SiteControl {
    /// A site that takes no operator commands (a test double written before they came) refuses them: nothing moves.
    public func command(_ action: DoorRequestAction, door: String, for duration: Duration?, actor: String) async throws(BridgeError) -> String {
        throw .doorCommand("this site takes no door commands")
    }
}

/// A door as the API lists it.
public struct DoorState: Sendable, Hashable, Codable {
    public let name: String
    public let mode: String
    public let configuredMode: String
    /// nil: no door position switch (or it has not reported).
    public let open: Bool?
    public let alarms: [String]
    public let lastEvent: String?
    public let reader: String?
    public let readerOnline: Bool
    /// The reader's OSDP Secure Channel is up (false for Wiegand readers).
    public let secureChannel: Bool

    public init(name: String, mode: String, configuredMode: String, open: Bool?, alarms: [String], lastEvent: String?,
                reader: String?, readerOnline: Bool, secureChannel: Bool) {
        self.name = name
        self.mode = mode
        self.configuredMode = configuredMode
        self.open = open
        self.alarms = alarms
        self.lastEvent = lastEvent
        self.reader = reader
        self.readerOnline = readerOnline
        self.secureChannel = secureChannel
    }
}

/// The site `keyway serve` runs.
public struct SupervisedSite: SiteControl {
    let supervisor: SiteSupervisor

    public init(supervisor: SiteSupervisor) {
        self.supervisor = supervisor
    }

    public func doorStates() async -> [DoorState] {
        let status = await supervisor.status()
        let configuration = await supervisor.configuration
        return status.doors.map { door in
            let reader: String?
            var secure = false
            switch configuration.doors.first(where: { $0.name == door.name })?.reader {
            case .osdp(let bus, let address)?:
                reader = configuration.bus(named: bus)?.pd(at: address)?.name
                secure = status.buses.first { $0.name == bus }?.pds.first { $0.address == address }?.secure ?? false
            case .wiegand(let name)?: reader = name
            case nil: reader = nil
            }
            let online = status.readers.first { $0.name == reader }?.online ?? false
            return DoorState(name: door.name, mode: door.mode, configuredMode: door.configuredMode, open: door.open, alarms: door.alarms,
                             lastEvent: door.lastEvent, reader: reader, readerOnline: online, secureChannel: secure)
        }
    }

    public func present(key token: String, at door: String) async -> Decision? {
        await supervisor.runtime.present(digitalKey: token, at: door)
    }

    public func command(_ action: DoorRequestAction, door: String, for duration: Duration?, actor: String) async throws(BridgeError) -> String {
        try await DoorOperator(site: supervisor.runtime).command(action, door: door, for: duration, actor: actor)
    }
}
