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

/// A one-door site whose reader and relay board is a real libosdp PD on a pseudo-terminal (reached through a
/// link, as a udev name), run by the real supervisor; the service can be stopped and started again.
private final class ReaderSite: @unchecked Sendable {
    static let door = "Lobby"

    let device: String
    let peer: OSDPPeer
    let access: AccessControl
    let configuration: SiteConfiguration
    let file: String
    private(set) var supervisor: SiteSupervisor

    init() async throws {
        let folder = try TestPaths.temporaryDirectory("bridge-status")
        device = folder.appendingPathComponent("ttyDoor").path
        peer = try await offPool { [device] in try OSDPPeer(.init(addresses: [1], link: device, extraArguments: ["--outputs", "2"])) }
        file = folder.appendingPathComponent("site.yaml").path
        try """
            site: {name: Status, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - name: door-bus
                device: \(device)
                pds:
                  - {address: 1, name: door-reader, secure: off, outputs: 2}
            doors:
              - {name: \(Self.door), reader: {bus: door-bus, address: 1}, relay: {bus: door-bus, address: 1, output: 0}, strike: 3s, mode: card}
            api: {socket: control.sock}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        configuration = try loadSiteConfiguration(path: file)
        access = try AccessControl.open(database: configuration.database, secrets: configuration.secrets, timeZone: .gmt)
        try access.store.addDoor(name: Self.door, mode: .card)
        try access.store.addGroup(name: "Staff", doors: [(door: Self.door, schedule: nil)])
        try access.store.addPerson(name: "Ada")
        try access.store.grant(person: "Ada", group: "Staff")
        try access.store.addCard(person: "Ada", card: .fields(format: "h10301", facility: 1, number: 100))
        supervisor = SiteSupervisor(configuration: configuration, source: .file(file), access: access, logger: Logger(label: "status"))
        await supervisor.start()
        try await awaitOnline()
    }

    /// The service stops and starts again with the same database, as `systemctl restart` would.
    func restartService(whileDown: () throws -> Void) async throws {
        await supervisor.stop()
        try whileDown()
        supervisor = SiteSupervisor(configuration: configuration, source: .file(file), access: access, logger: Logger(label: "status"))
        await supervisor.start()
    }

    func awaitOnline() async throws {
        #expect(try await eventually(within: .seconds(60)) { await self.supervisor.status().buses.first?.pds.first?.online == true })
    }

    func swipe() throws {
        let frame = try CardFormat.h10301.encode(CardFields(facility: 1, card: 100))
        let bits = (0..<frame.bitCount).map { frame.bit(at: $0) ? "1" : "0" }.joined()
        try peer.send(["cmd": "card", "address": 1, "bitstring": bits, "format": "wiegand"])
    }

    /// Whether a strike pulse reaches the PD within `seconds`.
    func strikePulse(within seconds: TimeInterval) async throws -> Bool {
        let peer = peer
        return try await offPool {
            (try? peer.awaitEvent("command", timeout: seconds) { $0.string("type") == "output" && $0.int("control_code") == 5 }) != nil
        }
    }

    func activity() throws -> [ActivityEntry] { try access.store.activity(door: Self.door) }

    func stop() async {
        await supervisor.stop()
        let peer = peer
        _ = try? await offPool { peer.terminate() }
    }
}

@Suite(.serialized) struct StaleReadAndStatusTests {
    /// Reads the PD kept while the service was down come with its first answers after the restart: their age
    /// cannot be bounded, so they are refused (stale_read), logged, and open nothing. A fresh read opens.
    @Test func readsBufferedWhileTheServiceWasDownOpenNothing() async throws {
        let site = try await ReaderSite()
        try await site.restartService { try site.swipe() }
        try await site.awaitOnline()
        #expect(try await eventually { try site.activity().contains { $0.event == "report_rejected" && $0.reason == "stale_read" } })
        #expect(try await !site.strikePulse(within: 2))
        #expect(try site.activity().filter { $0.kind == .decision }.isEmpty, "nothing buffered was decided")

        try site.swipe()
        #expect(try await site.strikePulse(within: 20))
        await site.stop()
    }

    /// The device's path removed (an adapter unplugged): status, faults and the log say so at once, and again
    /// when it is back.
    @Test func aVanishedDeviceIsShownClosedAndItsReaderOffline() async throws {
        let site = try await ReaderSite()
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: site.device)
        unlink(site.device)
        #expect(try await eventually(within: .seconds(10)) {
            let status = await site.supervisor.status()
            return status.buses.first?.open == false && status.buses.first?.pds.first?.online == false
                && status.faults.contains { $0.hasPrefix("bus door-bus: adapter lost: serial device") }
                && status.faults.contains("reader door-reader: offline")
        })
        #expect(try await eventually { try site.activity().contains { $0.event == "reader_offline" } })

        try FileManager.default.createSymbolicLink(atPath: site.device, withDestinationPath: target)
        try await site.awaitOnline()
        #expect(try await eventually { await site.supervisor.status().faults.isEmpty })
        #expect(try await eventually { try site.activity().contains { $0.event == "reader_online" && ($0.detail ?? "").hasPrefix("offline for ") } })
        await site.stop()
    }

    /// A PD that stops answering for a few seconds (well inside OSDP's 8 s) is offline in status, a fault and
    /// a row while it lasts, and its return is logged with the outage's length.
    @Test func aShortPDOutageLeavesATraceWithItsLength() async throws {
        let site = try await ReaderSite()
        site.peer.pause()
        let offline = try await eventually(within: .seconds(5)) {
            let status = await site.supervisor.status()
            return status.buses.first?.pds.first?.online == false && status.faults.contains("reader door-reader: offline")
        }
        site.peer.resume()
        #expect(offline)
        try await site.awaitOnline()
        #expect(try await eventually {
            let events = try site.activity().compactMap(\.event)
            return events.contains("reader_offline") && events.contains("reader_online")
        })
        let back = try #require(try site.activity().last { $0.event == "reader_online" })
        #expect(back.detail?.hasPrefix("offline for ") == true)
        #expect(try await eventually { await site.supervisor.status().faults.isEmpty })
        await site.stop()
    }
}
