import Access
import Foundation
import KeywayTestSupport
import Logging
import Testing
import Wiegand
@testable import Bridge

/// Blocking waits for the peer run on a thread of their own, never on the site's cooperative threads.
private func offPool<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
    }
}

/// A one-door site whose reader, relay board and exit button are a real libosdp PD that holds `pdKey`, while the
/// configuration gives the reader `configuredKey` and no `secure:` line: what an installer writes.
private final class KeyedSite: @unchecked Sendable {
    static let door = "Lobby"
    static let configuredKey = "00112233445566778899aabbccddeeff"

    let peer: OSDPPeer
    let access: AccessControl
    let supervisor: SiteSupervisor

    /// `pdKey` nil: a plaintext PD, with no key at all.
    init(pdKey: String?) async throws {
        let folder = try TestPaths.temporaryDirectory("bridge-keyed")
        let device = folder.appendingPathComponent("ttyDoor").path
        peer = try await offPool { try OSDPPeer(.init(addresses: [1], scbk: pdKey, link: device, extraArguments: ["--outputs", "2"])) }
        let yaml = """
            site: {name: Keyed, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - name: door-bus
                device: \(device)
                pds:
                  - {address: 1, name: door-reader, key: \(Self.configuredKey), outputs: 2}
            doors:
              - name: \(Self.door)
                reader: {bus: door-bus, address: 1}
                relay: {bus: door-bus, address: 1, output: 0}
                strike: 3s
                mode: card
                exit_button: {bus: door-bus, address: 1, input: 1, normally: open}
            api: {socket: control.sock}
            """
        let file = folder.appendingPathComponent("site.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)  // it holds the key
        let configuration = try loadSiteConfiguration(path: file.path)
        access = try AccessControl.open(database: configuration.database, secrets: configuration.secrets, timeZone: .gmt)
        try access.store.addDoor(name: Self.door, mode: .card)
        try access.store.addGroup(name: "Staff", doors: [(door: Self.door, schedule: nil)])
        try access.store.addPerson(name: "Ada")
        try access.store.grant(person: "Ada", group: "Staff")
        try access.store.addCard(person: "Ada", card: .fields(format: "h10301", facility: 1, number: 100))
        supervisor = SiteSupervisor(configuration: configuration, source: .file(file.path), access: access, logger: Logger(label: "keyed"))
        await supervisor.start()
    }

    /// Ada's card, `reader` and `flipping` one bit as a damaged or forged read would.
    func swipe(reader: Int = 0, flipping bit: Int? = nil) throws {
        let frame = try CardFormat.h10301.encode(CardFields(facility: 1, card: 100))
        var bits = (0..<frame.bitCount).map { frame.bit(at: $0) ? "1" : "0" }
        if let bit { bits[bit] = bits[bit] == "1" ? "0" : "1" }
        try peer.send(["cmd": "card", "address": 1, "reader": reader, "bitstring": bits.joined(), "format": "wiegand"])
    }

    /// The first strike pulse the PD is told to make within `seconds`, if any.
    func strikePulse(within seconds: TimeInterval) async throws -> Bool {
        let peer = peer
        return try await offPool {
            (try? peer.awaitEvent("command", timeout: seconds) { $0.string("type") == "output" && $0.int("control_code") == 5 }) != nil
        }
    }

    func awaitLED(color: Int) async throws {
        let peer = peer
        try await offPool { try peer.awaitEvent("command") { $0.string("type") == "led" && $0.int("on_color") == color } }
    }

    /// Online in Secure Channel at both ends: the service serves its cards.
    func awaitSecureOnline() async throws {
        let peer = peer
        try await offPool { try peer.awaitOnline(address: 1, secure: true, timeout: 60) }
        #expect(try await eventually(within: .seconds(60)) { await self.supervisor.status().buses.first?.pds.first?.online == true })
    }

    func activity() throws -> [ActivityEntry] { try access.store.activity(door: Self.door) }

    func stop() async {
        await supervisor.stop()
        let peer = peer
        _ = try? await offPool { peer.terminate() }
    }
}

@Suite(.serialized) struct SecureReaderEndToEndTests {
    /// A reader swapped for one with another key (or someone on the pair answering for it) refuses the handshake:
    /// with a key configured it is never used in plaintext, its card and exit button open nothing, and status says why.
    @Test func aReaderWithAnotherKeyOpensNothingAndIsAFault() async throws {
        let site = try await KeyedSite(pdKey: "ffeeddccbbaa99887766554433221100")
        let fault = "reader door-reader secure_channel: cryptogram mismatch — wrong SCBK?; reader refused until Secure Channel is up"
        #expect(try await eventually { await site.supervisor.status().faults.contains(fault) })
        try site.swipe()
        try site.peer.setInputs(address: 1, [0, 1, 0, 0])  // the exit button
        #expect(try await !site.strikePulse(within: 5))
        let status = await site.supervisor.status()
        #expect(status.buses.first?.pds.first?.online == false)
        #expect(try site.activity().filter { $0.kind == .decision }.isEmpty, "nothing from it was decided")
        #expect(try await eventually { try site.activity().contains { $0.event == "secure_channel_failed" } })
        await site.stop()
    }

    /// A plaintext PD where the configuration requires Secure Channel is refused, and status says so at once: a
    /// fault at the reader, the PD offline, the log's row; nothing it reports is decided.
    @Test func aPlaintextReaderUnderRequiredSecureChannelIsAFaultInStatus() async throws {
        let site = try await KeyedSite(pdKey: nil)
        #expect(try await eventually {
            let status = await site.supervisor.status()
            return status.faults.contains { $0.hasPrefix("reader door-reader secure_channel: ") && $0.hasSuffix("reader refused until Secure Channel is up") }
                && status.buses.first?.pds.first?.online == false && status.buses.first?.pds.first?.secure == false
        })
        #expect(try await eventually { try site.activity().contains { $0.event == "secure_channel_failed" } })
        try site.swipe()
        #expect(try await !site.strikePulse(within: 3))
        #expect(try site.activity().filter { $0.kind == .decision }.isEmpty)
        await site.stop()
    }

    @Test func readsFromAnotherReaderOrWithBadParityAreRefusedAndLoggedWithTheirReason() async throws {
        let site = try await KeyedSite(pdKey: KeyedSite.configuredKey)
        try await site.awaitSecureOnline()
        try site.swipe(reader: 255)
        try await site.awaitLED(color: 1)
        try site.swipe(flipping: 0)
        try await site.awaitLED(color: 1)
        #expect(try await !site.strikePulse(within: 1))
        #expect(try await eventually { try site.activity().filter { $0.event == "report_rejected" }.count == 2 })
        let rejected = try site.activity().filter { $0.event == "report_rejected" }
        #expect(rejected.map(\.reason) == ["unknown_reader", "format_error"])
        #expect(try site.activity().filter { $0.kind == .decision }.isEmpty)
        // The PD's own reader still works.
        try site.swipe()
        #expect(try await site.strikePulse(within: 20))
        await site.stop()
    }

    @Test func tamperAndPowerFailureAreAlarmsUntilTheyClear() async throws {
        let site = try await KeyedSite(pdKey: KeyedSite.configuredKey)
        try await site.awaitSecureOnline()
        try site.peer.setLocalStatus(address: 1, tamper: true, power: true)
        let alarms = ["reader door-reader power_failure: power failure", "reader door-reader tamper: tamper switch open"]
        #expect(try await eventually { await Set(site.supervisor.status().faults).isSuperset(of: alarms) })
        #expect(try await eventually {
            let events = try site.activity().compactMap(\.event)
            return events.contains("tamper") && events.contains("power_failure")
        })
        try site.peer.setLocalStatus(address: 1, tamper: false, power: false)
        #expect(try await eventually { await site.supervisor.status().faults.allSatisfy { !alarms.contains($0) } })
        await site.stop()
    }
}
