import Access
import Foundation
import HTTPTypes
import Testing
@testable import API

/// The managers' Doors and Alerts pages: shells for staff and admins (their data comes from the API), a 403 with no
/// data for a resident, and their scripts shipped with the binary under the same strict policy.
@Suite("Doors and alerts pages")
struct DoorsAndAlertsPageTests {
    @Test func staffGetTheShellsAndResidentsA403WithNothingInIt() async throws {
        let web = try WebHarness()
        let (resident, _) = try await web.resident()
        _ = try await web.api.account(.staff, "desk@example.org")
        let desk = try await web.api.login("desk@example.org")
        for (path, marker, script) in [("/site-doors", #"id="site-doors""#, "site-doors.js"), ("/alerts", #"id="alerts""#, "alerts.js")] {
            let page = try await web.get(path, cookie: desk.cookie)
            #expect(page.status == .ok, "\(path)")
            #expect(page.text.contains(marker) && page.text.contains(#"<script src="/assets/\#(script)" defer></script>"#), "\(path)")
            #expect(page.text.contains(#"href="\#(path)" aria-current="page""#), "\(path) is in the navigation, as the current page")
            let refused = try await web.get(path, cookie: resident.cookie)
            #expect(refused.status == .forbidden, "\(path)")
            #expect(refused.text.contains("Not for this account") && !refused.text.contains(marker) && !refused.text.contains(script))
            #expect(try await web.get(path).status == .seeOther)

            let asset = try await web.get("/assets/\(script)")
            #expect(asset.status == .ok && asset.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(asset.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            #expect(asset.text.contains("window.Keyway.pages["), "\(script) registers its page")
        }
        let doors = try await web.get("/doors", cookie: resident.cookie)
        #expect(!doors.text.contains(#"href="/site-doors""#) && !doors.text.contains(#"href="/alerts""#), "a resident's navigation offers neither")
    }
}
