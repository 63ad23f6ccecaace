import Foundation
import KeywayTestSupport
import Testing
@testable import Bridge

/// `delivery:` in the site file: the SMTP relay and the SMS gateway template, their secret files, and clear errors.
@Suite struct DeliveryConfigurationTests {
    let directory: URL

    init() throws {
        directory = try TestPaths.temporaryDirectory("delivery-config")
        try secret("smtp-password", "s3cret pass", mode: 0o600)
        try secret("sms-token", "tok-123", mode: 0o600)
        try secret("loose-password", "s3cret", mode: 0o644)
    }

    private func secret(_ name: String, _ text: String, mode: Int) throws {
        let url = directory.appendingPathComponent(name)
        try Data((text + "\n").utf8).write(to: url)
        #expect(chmod(url.path, mode_t(mode)) == 0)
    }

    private func check(_ delivery: String, scope: ConfigurationScope = .service) -> ConfigurationCheck {
        checkSiteConfiguration(yaml: """
            site: {name: S, timezone: UTC}
            database: keyway.sqlite
            secrets: keyway.secret
            \(delivery)
            """, file: "site.yaml", baseDirectory: directory, environment: [:], scope: scope)
    }

    private func problems(_ delivery: String, scope: ConfigurationScope = .service) -> String {
        check(delivery, scope: scope).issues.map(\.description).joined(separator: "\n")
    }

    @Test func emailAndSMSAreRead() throws {
        let site = try #require(check("""
            delivery:
              email: {host: smtp.example.org, from: "Keyway <keyway@example.org>", username: keyway, password_file: smtp-password, timeout: 20s}
              sms:
                url: https://sms.example.net/send
                headers: ["Authorization: Bearer {credentials}"]
                body: '{"to": "{to}", "text": "{text}"}'
                credentials_file: sms-token
            """).site)
        let email = try #require(site.delivery?.email)
        #expect(email.host == "smtp.example.org" && email.port == 587 && email.starttls == .required)
        #expect(email.fromAddress == "keyway@example.org" && email.fromName == "Keyway")
        #expect(email.username == "keyway" && email.password?.value == "s3cret pass" && email.timeout == .seconds(20))
        #expect("\(email.password!)" == "<secret>")
        let sms = try #require(site.delivery?.sms)
        #expect(sms.method == .post && sms.encoding == .json && sms.credentials?.value == "tok-123")
        #expect(sms.headers.map(\.name) == ["Authorization"] && sms.headers.map(\.value) == ["Bearer {credentials}"])
        #expect(check("").site?.delivery == nil)
        #expect(check("delivery: {email: {host: localhost, from: k@example.org, starttls: none}}").site?.delivery?.email?.port == 25)
    }

    @Test func badValuesAreClearErrors() {
        #expect(problems("delivery: {email: {host: smtp.example.org, from: k@example.org, username: k, password_file: loose-password}}")
            .contains("too permissive (mode 644): make it 0600"))
        #expect(problems("delivery: {email: {host: smtp.example.org, from: k@example.org, username: k, password_file: absent}}")
            .contains("cannot read"))
        #expect(problems("delivery: {email: {host: smtp.example.org, from: k@example.org, username: k}}").contains("username and password_file together"))
        #expect(problems("delivery: {email: {host: smtp.example.org, from: k@example.org, starttls: none, username: k, password_file: smtp-password}}")
            .contains("a password is sent only over TLS"))
        #expect(problems("delivery: {email: {host: smtp.example.org, from: 'not an address'}}").contains("is not a sender"))
        #expect(problems("delivery: {email: {host: 'smtp example', from: k@example.org}}").contains("is not a host name"))
        #expect(problems("delivery: {email: {host: smtp.example.org, from: k@example.org, port: 70000}}").contains("out of range 1...65535"))
        #expect(problems("delivery: {email: {host: smtp.example.org, from: k@example.org, starttls: maybe}}").contains("is not one of required, none"))
        #expect(problems("delivery: {email: {host: smtp.example.org, from: k@example.org, timeout: 1h}}").contains("timeout"))
        #expect(problems("delivery: {email: {host: smtp.example.org, from: k@example.org, tls: true}}").contains("unknown key \"tls\""))
        #expect(problems("delivery: {sms: {url: https://sms.example.net, body: 'to={to}'}}").contains("names {to} and {text}"))
        #expect(problems("delivery: {sms: {url: ftp://sms.example.net, body: '{to} {text}'}}").contains("is not a gateway URL"))
        #expect(problems("delivery: {sms: {url: https://sms.example.net, body: '{to} {text}', headers: [NoColon]}}").contains("is not a header"))
        #expect(problems("delivery: {sms: {url: https://sms.example.net, body: '{to} {text} {credentials}'}}")
            .contains("{credentials} is used but no credentials_file"))
        #expect(problems("delivery: {sms: {url: https://sms.example.net, body: '{to} {text}', credentials_file: loose-password}}")
            .contains("too permissive"))
        #expect(problems("delivery: {sms: {url: https://sms.example.net, body: '{to} {text}', method: GET}}").contains("is not one of POST, PUT"))
    }

    /// `config check --offline` checks the file's text but reads no secret file (it may be on another machine).
    @Test func anOfflineCheckReadsNoSecretFile() {
        let text = "delivery: {email: {host: smtp.example.org, from: k@example.org, username: k, password_file: /nowhere/password}}"
        #expect(problems(text, scope: .offline).isEmpty)
        #expect(problems(text, scope: .service).contains("cannot read /nowhere/password"))
        #expect(problems("delivery: {email: {host: smtp.example.org, from: bad}}", scope: .offline).contains("is not a sender"))
    }
}
