import Foundation
import Testing
@testable import Bridge

/// `http:` in the site file: where the API listens and the address its links start with.
@Suite struct HTTPConfigurationTests {
    private func parse(_ http: String) throws(ConfigurationError) -> SiteConfiguration {
        try parseSiteConfiguration(yaml: """
            site: {name: S, timezone: UTC}
            database: keyway.sqlite
            secrets: keyway.secret
            \(http)
            """, file: "site.yaml", baseDirectory: URL(fileURLWithPath: "/tmp"), environment: [:])
    }

    private func problems(_ http: String) -> String {
        do {
            _ = try parse(http)
            return ""
        } catch {
            return error.description
        }
    }

    @Test func listenAndPublicURLAreRead() throws {
        let site = try parse("http: {listen: 127.0.0.1:8080, public_url: https://doors.example.org/}")
        #expect(site.http?.listen.description == "127.0.0.1:8080")
        #expect(site.http?.publicURL == "https://doors.example.org")
        #expect(site.http?.secureCookies == true)
        #expect(try parse("").http == nil)
    }

    @Test func badValuesAreClearErrors() {
        #expect(problems("http: {listen: 127.0.0.1:99999, public_url: http://x.example}").contains("is not a listen address"))
        #expect(problems("http: {listen: 127.0.0.1:8080, public_url: ftp://x.example}").contains("is not a public URL"))
        #expect(problems("http: {listen: 127.0.0.1:8080, public_url: 'http://x.example/?a=1'}").contains("is not a public URL"))
        #expect(problems("http: {listen: 127.0.0.1:8080}").contains("missing key \"public_url\""))
        #expect(problems("http: {listen: 127.0.0.1:8080, public_url: http://x.example, port: 1}").contains("port"))
        let tls = problems("http: {listen: 127.0.0.1:8443, public_url: https://x.example, tls: {certificate: c.pem, key: k.pem}}")
        #expect(tls.contains("reverse proxy"))
    }
}
