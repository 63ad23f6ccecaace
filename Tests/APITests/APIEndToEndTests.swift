import Access
import Bridge
import Foundation
import KeywayTestSupport
import Logging
import Testing
@testable import API

/// Runs blocking work (waiting for the peer) on a thread of its own, off the few cooperative threads the site needs.
private func offPool<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
    }
}

/// The API on a real site: the site supervisor, its OSDP bus and a libosdp PD (reader and relay board) on a pseudo-terminal.
@Suite(.serialized) struct APIEndToEndTests {
    @Test func aKeySharedThroughTheAPIUnlocksAtThePDAndRevokingTheParentRefusesIt() async throws {
        let folder = try TestPaths.temporaryDirectory("api-e2e")
        let device = folder.appendingPathComponent("ttyDoor").path
        let peer = try await offPool { try OSDPPeer(.init(addresses: [1], link: device, extraArguments: ["--outputs", "2"])) }
        let yaml = """
            site: {name: API E2E, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - name: door-bus
                device: \(device)
                pds:
                  - {address: 1, name: door-reader, secure: off, outputs: 2}
            doors:
              - name: Lobby
                reader: {bus: door-bus, address: 1}
                relay: {bus: door-bus, address: 1, output: 0}
                strike: 3s
                mode: card_or_pin
            api: {socket: control.sock}
            """
        let file = folder.appendingPathComponent("site.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let configuration = try loadSiteConfiguration(path: file.path)
        let access = try AccessControl.open(database: configuration.database, secrets: configuration.secrets, timeZone: .gmt, checkpointEvery: nil)
        try access.store.addPerson(name: "Ada")
        let supervisor = SiteSupervisor(configuration: configuration, source: .file(file.path), access: access, logger: Logger(label: "api-e2e"))
        await supervisor.start()
        try await offPool { try peer.awaitOnline(address: 1, timeout: 60) }
        let harness = try APIHarness(site: { _ in SupervisedSite(supervisor: supervisor) }, access: access)

        _ = try await harness.account(.staff, "desk@example.org")
        _ = try await harness.account(.resident, "ada@example.org", person: "Ada")
        let staff = try await harness.login("desk@example.org")
        let ada = try await harness.login("ada@example.org")
        let key = try await harness.send(.post, "/api/v1/keys", json: #"{"person": "Ada", "doors": ["Lobby"], "may_share": true}"#,
                                         headers: staff.headers(changing: true))
        let keyID = try #require(key["key.id"] as? String)
        let share = try await harness.send(.post, "/api/v1/keys/\(keyID)/shares", json: #"{"recipient": "guest@example.org"}"#,
                                           headers: ada.headers(changing: true))
        let shareID = try #require(share["key.id"] as? String)
        let token = String(try #require(share["link"] as? String).split(separator: "/").last!)

        // The door's live state: its reader comes online once the site has the PD's first answers.
        #expect(try await eventually(within: .seconds(60)) {
            try await harness.send(.get, "/api/v1/doors", headers: staff.headers()).list.first?["reader_online"] as? Bool == true
        })

        // The guest's browser: the link is bound to it on first open, and each unlock is signed.
        let guest = GuestDevice()
        let opened = try await guest.open(harness, door: "Lobby", token: token)
        #expect(opened["granted"] as? Bool == true, "\(opened.text)")
        try await offPool { _ = try peer.awaitEvent("command") { event in
            event.string("type") == "output" && event.int("output_no") == 0 && event.int("control_code") == 5 && event.int("timer_count") == 30
        } }
        let granted = try #require(try access.store.activity(door: "Lobby").last { $0.kind == .decision })
        #expect(granted.outcome == "grant")
        #expect(granted.credentialID == shareID)
        #expect(granted.sequence == opened["log_sequence"] as? Int64 ?? Int64(opened["log_sequence"] as? Int ?? -1))

        let revoked = try await harness.send(.delete, "/api/v1/keys/\(keyID)", headers: ada.headers(changing: true))
        #expect(Set(revoked.json["revoked"] as? [String] ?? []) == [keyID, shareID])
        let refused = try await guest.unlock(harness, door: "Lobby", token: token)
        #expect(refused["granted"] as? Bool == false)
        #expect(refused["reason"] as? String == "revoked")
        // The refusal lit the reader red.
        try await offPool { _ = try peer.awaitEvent("command") { $0.string("type") == "led" && $0.int("on_color") == 1 } }
        let last = try #require(try access.store.activity(door: "Lobby").last { $0.kind == .decision })
        #expect(last.outcome == "deny" && last.reason == "revoked")

        await supervisor.stop()
        _ = try? await offPool { peer.terminate() }
    }
}
