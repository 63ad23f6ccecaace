import Foundation
import OSDP
import Testing
@testable import Bridge

/// A bus's poll pacing in the site configuration and the options the bus driver runs with.
@Suite struct BusPacingTests {
    private func parse(cycle: String?) throws(ConfigurationError) -> SiteConfiguration {
        try parseSiteConfiguration(yaml: """
            site: {name: Test, timezone: UTC}
            database: keyway.sqlite
            secrets: secrets
            buses:
              - {name: main, device: /dev/ttyUSB0, \(cycle.map { "min_poll_cycle: \($0), " } ?? "")pds: [{address: 1, name: lobby}]}
            doors:
              - {name: Lobby, reader: {bus: main, address: 1}, relay: {bus: main, address: 1, output: 0}}
            """, file: "site.yaml", baseDirectory: URL(fileURLWithPath: "/srv/keyway"), environment: [:])
    }

    @Test func theMinimumPollCycleDefaultsTo2msAndIsBounded() throws {
        #expect(try parse(cycle: nil).buses[0].minimumPollCycle == .milliseconds(2))
        #expect(try parse(cycle: "5ms").buses[0].minimumPollCycle == .milliseconds(5))
        for bad in ["1s", "0", "soon"] {
            #expect(throws: ConfigurationError.self) { try parse(cycle: bad) }
        }
        do {
            _ = try parse(cycle: "1s")
        } catch {
            #expect(error.issues.map(\.description).contains { $0.contains("min_poll_cycle: 1s is too long: at most 100ms (longer would delay every card)") })
        }
    }

    /// No timer idles the line: a reader is polled back to back, and its card's answer goes out before its next poll.
    @Test func theBridgePollsBackToBackAndWaitsForACardsAnswer() {
        #expect(OSDPBusDriver.busOptions.answerWindow == 50_000_000)
        #expect(OSDPBusDriver.busOptions.minimumPollCycle <= 2_000_000)
    }
}
