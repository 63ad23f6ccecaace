import Access
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOEmbedded
import Testing
import Web
@testable import API

/// The API's router with the web pages on it, as `keyway serve` builds it.
struct WebHarness {
    let api: APIHarness
    let responder: RouterResponder<APIContext>

    init() throws {
        api = try APIHarness()
        let router = api.api.router()
        WebPages.add(api.api, to: router)
        responder = router.buildResponder()
    }

    func get(_ path: String, cookie: String? = nil) async throws -> Answer {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "keyway.test", path: path, headerFields: headers),
                              body: RequestBody(buffer: ByteBuffer()))
        let context = APIContext(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: Logger(label: "web-test")))
        let response = try await responder.respond(to: request, context: context)
        let sink = BodySink(limit: nil)
        try await response.body.write(BodySink.Writer(sink: sink))
        return Answer(status: response.status, headers: response.headers, body: sink.data)
    }

    /// A resident holding a key to Lobby and Garage that may be shared, logged in.
    func resident() async throws -> (session: APIHarness.Session, keyID: String) {
        let admin = try await api.account(.admin, "admin@example.org")
        _ = admin
        let adminSession = try await api.login("admin@example.org")
        let key = try await api.send(.post, "/api/v1/keys", json: #"{"person": "Ada", "doors": ["Lobby", "Garage"], "may_share": true}"#,
                                     headers: adminSession.headers(changing: true))
        _ = try await api.account(.resident, "ada@example.org", person: "Ada")
        return (try await api.login("ada@example.org"), key["key.id"] as! String)
    }
}

@Suite("Web pages")
struct WebPageTests {
    @Test func everyPageAndFileCarriesAStrictPolicyAndNoInlineCode() async throws {
        let web = try WebHarness()
        for path in ["/login", "/set-password/abc", "/assets/keyway.css", "/assets/keyway.js"] {
            let answer = try await web.get(path)
            #expect(answer.status == .ok, "\(path)")
            let policy = answer.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe"), "\(path): \(policy)")
            #expect(answer.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(answer.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(answer.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
        }
        let login = try await web.get("/login").text
        #expect(!login.contains("<script>") && !login.contains(" style=") && !login.contains("<style"))
        #expect(login.contains(#"<script src="/assets/keyway.js" defer></script>"#))
        #expect(try await web.get("/assets/nothing.js").status == .notFound)
    }

    @Test func theSessionCookieReachesThePages() async throws {
        let web = try WebHarness()
        _ = try await web.api.account(.admin, "admin@example.org")
        let login = try await web.api.send(.post, "/api/v1/session", json: #"{"email": "admin@example.org", "password": "correct horse battery"}"#)
        #expect(login.headers[.setCookie]?.contains("Path=/;") == true, "\(login.headers[.setCookie] ?? "")")
    }

    @Test func pagesBehindALoginSendAStrangerToTheLoginPage() async throws {
        let web = try WebHarness()
        for path in ["/", "/doors", "/share", "/passcode", "/guests", "/manage", "/activity"] {
            let answer = try await web.get(path)
            #expect(answer.status == .seeOther && answer.headers[.location] == "/login", "\(path): \(answer.status)")
        }
        #expect(try await web.get("/doors", cookie: "keyway_session=forged").status == .seeOther)
    }

    @Test func aResidentGetsTheirPagesAndA403WithNoDataForTheManagers() async throws {
        let web = try WebHarness()
        let (resident, _) = try await web.resident()
        let doors = try await web.get("/doors", cookie: resident.cookie)
        #expect(doors.status == .ok && doors.text.contains(#"data-page="doors""#) && doors.text.contains("My guests"))
        #expect(!doors.text.contains("Activity log"), "a resident's navigation offers no manager page")
        for path in ["/manage", "/activity"] {
            let answer = try await web.get(path, cookie: resident.cookie)
            #expect(answer.status == .forbidden, "\(path)")
            #expect(answer.text.contains("Not for this account") && !answer.text.contains("access-list") && !answer.text.contains(#"id="log""#))
        }
        let admin = try await web.api.login("admin@example.org")
        let manage = try await web.get("/manage", cookie: admin.cookie)
        #expect(manage.status == .ok && manage.text.contains(#"id="access-list""#))
    }

    @Test func theSettingsPagesAreTheAdminsAndStaffAndResidentsGetA403() async throws {
        let web = try WebHarness()
        let (resident, _) = try await web.resident()
        _ = try await web.api.account(.staff, "desk@example.org")
        let staff = try await web.api.login("desk@example.org")
        let admin = try await web.api.login("admin@example.org")
        for (path, form, script) in [("/policy", #"id="policy-form""#, "policy.js"), ("/webhooks", #"id="webhook-form""#, "webhooks.js")] {
            let page = try await web.get(path, cookie: admin.cookie)
            #expect(page.status == .ok && page.text.contains(form) && page.text.contains(#"<script src="/assets/\#(script)" defer></script>"#),
                    "\(path)")
            let asset = try await web.get("/assets/\(script)")
            #expect(asset.status == .ok && asset.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(asset.text.contains("window.Keyway.pages"))
            for viewer in [staff, resident] {
                let refused = try await web.get(path, cookie: viewer.cookie)
                #expect(refused.status == .forbidden && refused.text.contains("Not for this account"), "\(path)")
                #expect(!refused.text.contains(form) && !refused.text.contains(script), "\(path): no form or script behind the 403")
            }
        }
        let desk = try await web.get("/manage", cookie: staff.cookie)
        #expect(desk.status == .ok && !desk.text.contains(#"href="/policy""#) && !desk.text.contains(#"href="/webhooks""#),
                "staff are not offered the admins' pages")
        #expect(try await web.get("/manage", cookie: admin.cookie).text.contains(#"href="/policy""#))
    }

    /// People and Units are for staff and admins, Users & API tokens for admins only: anyone else gets the 403 page,
    /// with no form of the page in it and no link to it in their navigation.
    @Test func thePeopleUnitsAndUsersPagesGoOnlyToTheirRoles() async throws {
        let web = try WebHarness()
        let (resident, _) = try await web.resident()
        _ = try await web.api.account(.staff, "desk@example.org")
        let staff = try await web.api.login("desk@example.org")
        let admin = try await web.api.login("admin@example.org")
        let marks = ["/people": #"id="people-list""#, "/units": #"id="units-list""#, "/users": #"id="token-form""#]
        for (path, mark) in marks {
            let answer = try await web.get(path, cookie: resident.cookie)
            #expect(answer.status == .forbidden && answer.text.contains("Not for this account") && !answer.text.contains(mark), "\(path)")
            let page = try await web.get(path, cookie: admin.cookie)
            #expect(page.status == .ok && page.text.contains(mark), "\(path)")
        }
        for path in ["/people", "/units"] {
            let page = try await web.get(path, cookie: staff.cookie)
            #expect(page.status == .ok && page.text.contains(#"<script src="/assets/people.js" defer></script>"#), "\(path)")
        }
        let users = try await web.get("/users", cookie: staff.cookie)
        #expect(users.status == .forbidden && users.text.contains("administrators") && !users.text.contains("token-form"))
        #expect(!(try await web.get("/people", cookie: staff.cookie)).text.contains(#"href="/users""#), "staff are offered no Users page")
        #expect(try await web.get("/people", cookie: admin.cookie).text.contains(#"href="/users""#))
        for name in ["people.js", "users.js"] {
            let script = try await web.get("/assets/\(name)")
            #expect(script.status == .ok && script.headers[.contentType]?.hasPrefix("text/javascript") == true, "\(name)")
        }
    }

    @Test func aGuestLinkNamesItsDoorsAndHolderThenSaysPlainlyWhenRevoked() async throws {
        let web = try WebHarness()
        let (resident, keyID) = try await web.resident()
        let share = try await web.api.send(.post, "/api/v1/keys/\(keyID)/shares", json: #"{"recipient": "sam@example.org", "doors": ["Lobby"]}"#,
                                           headers: resident.headers(changing: true))
        let link = try #require(share["link"] as? String, "\(share.text)")
        let path = String(link.dropFirst("https://keyway.example".count))
        let page = try await web.get(path)
        #expect(page.status == .ok)
        #expect(page.text.contains("Ada shared the door Lobby with you") && page.text.contains(#"data-door="Lobby""#), "\(page.text)")
        #expect(!page.text.contains("Garage"), "only the shared doors are named")

        _ = try await web.api.send(.delete, "/api/v1/keys/\(share["key.id"] as! String)", headers: resident.headers(changing: true))
        let revoked = try await web.get(path)
        #expect(revoked.status == .gone && revoked.text.contains("This link was revoked") && !revoked.text.contains("data-door"))
    }

    @Test func aForgedOrMangledLinkIsNotOneTheBuildingIssued() async throws {
        let web = try WebHarness()
        let (resident, keyID) = try await web.resident()
        let share = try await web.api.send(.post, "/api/v1/keys/\(keyID)/shares", json: #"{"recipient": "sam@example.org"}"#,
                                           headers: resident.headers(changing: true))
        let link = try #require(share["link"] as? String, "\(share.text)")
        let token = String(link.split(separator: "/").last!)
        var parts = token.split(separator: ".").map(String.init)
        parts[3] = String(parts[3].reversed())
        for bad in [parts.joined(separator: "."), "kw1.\(keyID).0.AAAA", "nothing", String(repeating: "x", count: 5000), "kw1..0.x"] {
            let answer = try await web.get("/k/\(bad)")
            #expect(answer.status == .notFound, "\(bad.prefix(40))")
            #expect(answer.text.contains("not one this building issued") && !answer.text.contains("Ada"))
        }
    }

    @Test func aLinkPastItsEndIsExpiredAndOneNotStartedSaysWhen() async throws {
        let web = try WebHarness()
        let (resident, keyID) = try await web.resident()
        let now = Date()
        let later = Timestamp.format(now.addingTimeInterval(3600)), end = Timestamp.format(now.addingTimeInterval(7200))
        let share = try await web.api.send(.post, "/api/v1/keys/\(keyID)/shares",
                                           json: #"{"recipient": "sam@example.org", "valid_from": "\#(later)", "valid_until": "\#(end)"}"#,
                                           headers: resident.headers(changing: true))
        let link = try #require(share["link"] as? String, "\(share.text)")
        let token = String(link.split(separator: "/").last!)
        #expect(await web.api.api.sharedKey(token: token, at: now)?.standing == .notYetValid)
        #expect(await web.api.api.sharedKey(token: token, at: now.addingTimeInterval(5400))?.standing == .active)
        #expect(await web.api.api.sharedKey(token: token, at: now.addingTimeInterval(7300))?.standing == .expired)
        let page = try await web.get("/k/\(token)")
        #expect(page.status == .ok && page.text.contains("This link starts working on") && !page.text.contains("data-door"))
    }
}
