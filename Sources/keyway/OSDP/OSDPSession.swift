import OSDP
import OSDPLink
import Serial

/// One run of a command on the bus: the link, and the events it reported that were not yet looked at.
final class OSDPSession: Sendable {
    let link: OSDPLink
    let connection: OSDPConnectionOptions
    private let inbox: OSDPEventInbox

    /// How long a PD has to come online: ID, CAP and the Secure Channel handshake take well under a second at 9600.
    static let readyTimeout: Duration = .seconds(5)

    init(_ connection: OSDPConnectionOptions, addresses: [PDAddress], bus: BusOptions = .init()) throws {
        self.connection = connection
        let key = try connection.readKey()
        link = try OSDPLink(configuration: OSDPLinkConfiguration(
            devicePath: connection.device,
            port: SerialPortOptions(baudRate: connection.baudRate),
            pds: addresses.map { connection.pd($0, key: key) },
            bus: bus))
        inbox = OSDPEventInbox(link)
    }

    deinit { link.stop() }

    /// The next event within the timeout, or nil.
    func nextEvent(within timeout: Duration) async -> OSDPLinkEvent? {
        await inbox.next(within: timeout)
    }

    /// Waits until the PD is online, or fails with the reason a technician needs.
    func awaitReady(_ address: PDAddress, within timeout: Duration = readyTimeout) async throws -> PDStatus {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var refusal: SecureChannelError?
        while clock.now < deadline, let event = await nextEvent(within: deadline - clock.now) {
            switch event {
            case .bus(.online(address.value, _)):
                if let status = await link.status(of: address.value) { return status }
            case .bus(.secureChannelFailed(address.value, let error)):
                // A wrong key will not become right on the next try: say so at once.
                if error == .cryptogramMismatch || error == .notSupported { throw OSDPFailure("secure channel refused: \(error)") }
                refusal = error
            case .deviceLost(let error):
                throw OSDPFailure(error.description)
            default:
                break
            }
        }
        if let refusal { throw OSDPFailure("secure channel refused: \(refusal)") }
        throw OSDPFailure(
            "no answer from PD \(address) at \(connection.baud) baud on \(connection.device)")
    }
}

extension OSDPSession {
    /// Sends one command to a PD that is online, prints its result, and fails unless it succeeded.
    func sendAndReport(_ command: Command, to address: PDAddress) async throws {
        _ = try await awaitReady(address)
        let result = await link.submit(command, to: address.value)
        let report = CommandResultReport(result)
        connection.output.print(report)
        guard result.isSuccess else { throw ExitStatus.failure }
    }
}
