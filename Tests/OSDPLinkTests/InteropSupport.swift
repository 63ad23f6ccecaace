import OSDPLink
import Foundation
import KeywayTestSupport
import OSDP
import Serial

/// A key both sides of an interop test hold.
let interopKey = "0123456789abcdeffedcba9876543210"

/// Keyway's control panel on a real line (an `OSDPLink`), with the events it reported so far.
final class InteropBus: Sendable {
    let link: OSDPLink
    private let inbox: OSDPEventInbox

    init(device: String, pds: [PDConfiguration], baud: BaudRate = .b9600, bus: BusOptions = .init()) throws {
        link = try OSDPLink(configuration: OSDPLinkConfiguration(
            devicePath: device, port: SerialPortOptions(baudRate: baud), pds: pds, bus: bus,
            reopenInterval: .milliseconds(100)))
        // A test's whole run, so it can say what did not happen.
        inbox = OSDPEventInbox(link, remembering: 1_000_000)
    }

    convenience init(_ peer: OSDPPeer, pds: [PDConfiguration]) throws {
        try self.init(device: peer.devicePath, pds: pds)
    }

    deinit { link.stop() }

    /// Every event so far.
    var events: [OSDPLinkEvent] { get async { await inbox.received } }

    /// Waits for the first event not yet consumed that `matching` picks, and consumes everything up to it.
    @discardableResult
    func awaitEvent<Value: Sendable>(
        _ what: String, timeout: Duration = .seconds(20), _ matching: @Sendable (OSDPLinkEvent) -> Value?
    ) async throws -> Value {
        guard let value = await inbox.take(within: timeout, matching) else {
            throw InteropError(description: "no \(what) within \(timeout); events: \(await events.suffix(30))")
        }
        return value
    }

    /// Waits until the PD is online, and returns whether it is secure.
    @discardableResult
    func awaitOnline(_ address: UInt8, timeout: Duration = .seconds(20)) async throws -> Bool {
        try await awaitEvent("online of PD \(address)", timeout: timeout) { event -> Bool? in
            guard case .bus(.online(address, let secure)) = event else { return nil }
            return secure
        }
    }

    func awaitOffline(_ address: UInt8, timeout: Duration = .seconds(30)) async throws {
        try await awaitEvent("offline of PD \(address)", timeout: timeout) { event -> Void? in
            guard case .bus(.offline(address)) = event else { return nil }
            return ()
        }
    }
}

struct InteropError: Error, CustomStringConvertible {
    let description: String
}

/// A configuration for a PD that must come up in Secure Channel with the interop key.
func securePD(_ address: UInt8, key: String = interopKey) -> PDConfiguration {
    PDConfiguration(address: address, scbk: SecureChannelKey(hex: key), security: .required)
}

/// A configuration for a PD talked to in plaintext.
func plainPD(_ address: UInt8) -> PDConfiguration {
    PDConfiguration(address: address, security: .off)
}
