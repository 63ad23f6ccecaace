import Access
import Bridge
import Foundation

/// The demo's logins (`keyway serve --demo`): made once, on a site with no account yet, as `keyway users add` makes
/// them, and printed with the dashboard's address on standard output, never in the log (a link sets a password).
public enum DemoAccounts {
    public static func announce(for site: RunningSite) async throws {
        guard site.demo, let http = site.configuration.http else { return }
        let storage = try SQLiteSiteStorage(access: site.access)
        let settings = APISettings(publicURL: http.publicURL, secureCookies: http.secureCookies)
        let existing = try await storage.users().map(\.email)
        var made: [(account: NewUser, link: String)] = []
        if existing.isEmpty {
            for account in DemoSite.accounts {
                let (_, link) = try await KeywayAPI.addUser(account, accounts: storage, settings: settings, actor: "keyway serve --demo")
                made.append((account, link.url))
            }
        }
        let lines = DemoSite.loginGuide(keyway: DemoSite.commandAsTyped, publicURL: settings.publicURL, made: made, existing: existing)
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
