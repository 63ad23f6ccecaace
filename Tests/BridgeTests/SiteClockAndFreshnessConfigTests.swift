import Access
import Foundation
import Testing
@testable import Bridge

/// `site.clock_sync` and `site.stale_read_limit`: their defaults (fail secure), their spellings and their bounds.
@Suite struct SiteClockAndFreshnessConfigTests {
    private func parse(site extra: String) throws(ConfigurationError) -> SiteConfiguration {
        try parseSiteConfiguration(yaml: """
            site: {name: Test, timezone: UTC\(extra)}
            database: keyway.sqlite
            secrets: secrets
            """, file: "site.yaml", baseDirectory: URL(fileURLWithPath: "/srv/keyway"), environment: [:])
    }

    @Test func anUnsynchronisedClockIsAFaultUnlessTheSiteSaysItHasNoNTP() throws {
        let strict = try parse(site: "")
        #expect(strict.site.clockSync == .required)
        #expect(strict.site.clockPolicy.synchronised != nil)
        let relaxed = try parse(site: ", clock_sync: not_required")
        #expect(relaxed.site.clockSync == .notRequired)
        #expect(relaxed.site.clockPolicy.synchronised == nil)
        #expect(relaxed.site.clockPolicy.tolerance != nil, "the clock is still watched for being set back")
        #expect(throws: ConfigurationError.self) { try parse(site: ", clock_sync: sometimes") }
    }

    @Test func theStaleReadLimitDefaultsToTwoSecondsAndIsBounded() throws {
        #expect(try parse(site: "").site.staleReadLimit == .seconds(2))
        #expect(try parse(site: ", stale_read_limit: 500ms").site.staleReadLimit == .milliseconds(500))
        for bad in ["0", "10ms", "5m", "soon"] {
            #expect(throws: ConfigurationError.self) { try parse(site: ", stale_read_limit: \(bad)") }
        }
        do {
            _ = try parse(site: ", stale_read_limit: 5m")
        } catch {
            #expect(error.issues.map(\.description).contains {
                $0.contains("stale_read_limit: 5m is too long: at most 30s (a read older than that is no one at the door any more)")
            })
        }
    }
}
