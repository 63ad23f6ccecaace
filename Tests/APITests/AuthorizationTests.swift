import Access
import Foundation
import HTTPTypes
import Hummingbird
import Testing
@testable import API

/// Who may do what: every role against every resource, sessions and tokens refused at once when ended.
@Suite struct AuthorizationTests {
    /// An admin, a staff member and two residents (Ada holds a shareable key to the Lobby and Garage; Bob one to the Roof).
    struct Site {
        let harness: APIHarness
        let admin: APIHarness.Session
        let staff: APIHarness.Session
        let ada: APIHarness.Session
        let bob: APIHarness.Session
        let adaKey: String
        let bobKey: String

        init() async throws {
            harness = try APIHarness()
            _ = try await harness.account(.admin, "admin@example.org")
            _ = try await harness.account(.staff, "desk@example.org")
            _ = try await harness.account(.resident, "ada@example.org", person: "Ada")
            _ = try await harness.account(.resident, "bob@example.org", person: "Bob")
            admin = try await harness.login("admin@example.org")
            staff = try await harness.login("desk@example.org")
            ada = try await harness.login("ada@example.org")
            bob = try await harness.login("bob@example.org")
            adaKey = try await Self.issue(harness, staff, person: "Ada", doors: ["Lobby", "Garage"])
            bobKey = try await Self.issue(harness, staff, person: "Bob", doors: ["Roof"])
        }

        static func issue(_ harness: APIHarness, _ session: APIHarness.Session, person: String, doors: [String]) async throws -> String {
            let doorList = doors.map { "\"\($0)\"" }.joined(separator: ", ")
            let answer = try await harness.send(.post, "/api/v1/keys", json: #"{"person": "\#(person)", "doors": [\#(doorList)], "may_share": true}"#,
                                                headers: session.headers(changing: true))
            #expect(answer.status == .created, "\(answer.text)")
            return answer["key.id"] as? String ?? ""
        }
    }

    @Test func aSetPasswordLinkWorksOnceAndThereIsNoDefaultPassword() async throws {
        let harness = try APIHarness()
        let (_, link) = try await KeywayAPI.addUser(NewUser(email: "first@example.org", name: "First", role: .admin),
                                                    accounts: harness.storage, settings: harness.api.settings, actor: "test")
        #expect(link.url.hasPrefix("https://keyway.example/set-password/"))
        // Before the link is used nothing logs in, whatever the password.
        let early = try await harness.send(.post, "/api/v1/session", json: #"{"email": "first@example.org", "password": "correct horse battery"}"#)
        #expect(early.status == .unauthorized)
        let secret = String(link.url.split(separator: "/").last!)
        let short = try await harness.send(.post, "/api/v1/password", json: #"{"token": "\#(secret)", "password": "short"}"#)
        #expect(short.status == .badRequest)
        let set = try await harness.send(.post, "/api/v1/password", json: #"{"token": "\#(secret)", "password": "correct horse battery"}"#)
        #expect(set.status == .ok)
        let again = try await harness.send(.post, "/api/v1/password", json: #"{"token": "\#(secret)", "password": "another good password"}"#)
        #expect(again.status == .badRequest)
        #expect(again.errorCode == "invalid_link")
        let session = try await harness.login("first@example.org")
        let me = try await harness.send(.get, "/api/v1/session", headers: session.headers())
        #expect(me["user.role"] as? String == "admin")
    }

    @Test func loginFailuresAreRateLimitedPerAccountWithAClear429() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.staff, "desk@example.org")
        for _ in 0..<5 {
            let wrong = try await harness.send(.post, "/api/v1/session", json: #"{"email": "desk@example.org", "password": "not the password"}"#)
            #expect(wrong.status == .unauthorized)
        }
        let limited = try await harness.send(.post, "/api/v1/session", json: #"{"email": "desk@example.org", "password": "correct horse battery"}"#)
        #expect(limited.status == .tooManyRequests)
        #expect(limited.errorCode == "rate_limited")
        #expect(limited.headers[.retryAfter] != nil)
    }

    @Test func loginFailuresAreRateLimitedPerAddress() async throws {
        let harness = try APIHarness(adjust: { $0.loginFailuresPerAddress = 3 })
        for index in 0..<3 {
            _ = try await harness.send(.post, "/api/v1/session", json: #"{"email": "nobody\#(index)@example.org", "password": "guessing away"}"#)
        }
        let limited = try await harness.send(.post, "/api/v1/session", json: #"{"email": "other@example.org", "password": "guessing away"}"#)
        #expect(limited.status == .tooManyRequests)
    }

    @Test func theSessionCookieIsHttpOnlyStrictAndSecureBehindTLS() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.staff, "desk@example.org")
        let answer = try await harness.send(.post, "/api/v1/session", json: #"{"email": "desk@example.org", "password": "correct horse battery"}"#)
        let cookie = try #require(answer.headers[.setCookie])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"))
    }

    @Test func aLoggedOutSessionIsRefusedAtOnce() async throws {
        let site = try await Site()
        let logout = try await site.harness.send(.delete, "/api/v1/session", headers: site.ada.headers(changing: true))
        #expect(logout.status == .noContent)
        let after = try await site.harness.send(.get, "/api/v1/keys", headers: site.ada.headers())
        #expect(after.status == .unauthorized)
        #expect(after.errorCode == "session_ended")
    }

    @Test func aRevokedTokenIsRefusedAtOnce() async throws {
        let site = try await Site()
        let token = try await site.harness.token(site.staff)
        #expect(try await site.harness.send(.get, "/api/v1/doors", headers: token.headers).status == .ok)
        let revoke = try await site.harness.send(.delete, "/api/v1/tokens/\(token.id)", headers: site.staff.headers(changing: true))
        #expect(revoke.status == .ok)
        let after = try await site.harness.send(.get, "/api/v1/doors", headers: token.headers)
        #expect(after.status == .unauthorized)
        #expect(after.errorCode == "invalid_token")
    }

    @Test func changesMadeWithTheCookieNeedTheCSRFToken() async throws {
        let site = try await Site()
        let withoutToken = try await site.harness.send(.post, "/api/v1/keys", json: #"{"person": "Ada", "doors": ["Lobby"]}"#,
                                                        headers: site.staff.headers())
        #expect(withoutToken.status == .forbidden)
        #expect(withoutToken.errorCode == "csrf")
        var wrong = site.staff.headers()
        wrong[KeywayAPI.csrfHeader] = "not-the-token"
        #expect(try await site.harness.send(.post, "/api/v1/keys", json: #"{"person": "Ada", "doors": ["Lobby"]}"#, headers: wrong).status == .forbidden)
    }

    @Test func staffCannotListAddOrChangeUsers() async throws {
        let site = try await Site()
        let staffHeaders = site.staff.headers(changing: true)
        #expect(try await site.harness.send(.get, "/api/v1/users", headers: staffHeaders).status == .forbidden)
        let add = try await site.harness.send(.post, "/api/v1/users", json: #"{"email": "x@example.org", "name": "X", "role": "admin"}"#,
                                              headers: staffHeaders)
        #expect(add.status == .forbidden)
        let users = try await site.harness.storage.users()
        let ada = try #require(users.first { $0.email == "ada@example.org" })
        #expect(try await site.harness.send(.patch, "/api/v1/users/\(ada.id)", json: #"{"disabled": true}"#, headers: staffHeaders).status == .forbidden)
        // A staff token cannot be raised to admin either.
        let raise = try await site.harness.send(.post, "/api/v1/tokens", json: #"{"name": "up", "role": "admin"}"#, headers: staffHeaders)
        #expect(raise.status == .forbidden)
        // The admin can, and a disabled account is refused at once.
        let disable = try await site.harness.send(.patch, "/api/v1/users/\(ada.id)", json: #"{"disabled": true}"#, headers: site.admin.headers(changing: true))
        #expect(disable.status == .ok)
        #expect(try await site.harness.send(.get, "/api/v1/keys", headers: site.ada.headers()).status == .unauthorized)
    }

    @Test func aResidentCannotReadOthersKeysOrPasscodes() async throws {
        let site = try await Site()
        let code = try await site.harness.send(.post, "/api/v1/passcodes", json: #"{"label": "Bob's walker", "doors": ["Roof"], "uses": 3}"#,
                                               headers: site.bob.headers(changing: true))
        #expect(code.status == .created, "\(code.text)")
        let adaHeaders = site.ada.headers(changing: true)
        let keys = try await site.harness.send(.get, "/api/v1/keys", headers: adaHeaders)
        #expect(keys.list.map { $0["id"] as? String } == [site.adaKey])
        #expect(try await site.harness.send(.get, "/api/v1/keys?scope=all", headers: adaHeaders).status == .forbidden)
        #expect(try await site.harness.send(.get, "/api/v1/keys/\(site.bobKey)", headers: adaHeaders).status == .notFound)
        #expect(try await site.harness.send(.delete, "/api/v1/keys/\(site.bobKey)", headers: adaHeaders).status == .notFound)
        #expect(try await site.harness.send(.get, "/api/v1/passcodes", headers: adaHeaders).list.isEmpty)
        let codeID = try #require(code["passcode.id"] as? String)
        #expect(try await site.harness.send(.delete, "/api/v1/passcodes/\(codeID)", headers: adaHeaders).status == .notFound)
        // Staff see both, with uses left and who issued them.
        let listed = try await site.harness.send(.get, "/api/v1/passcodes", headers: site.staff.headers()).list
        #expect(listed.count == 1)
        #expect(listed.first?["uses_left"] as? Int == 3)
        #expect((listed.first?["issuer"] as? String)?.hasPrefix("usr_") == true)
    }

    @Test func aResidentCannotUnlockOutsideTheirAccess() async throws {
        let site = try await Site()
        let own = try await site.harness.send(.post, "/api/v1/doors/Lobby/unlock", headers: site.ada.headers(changing: true))
        #expect(own.status == .ok)
        #expect(own["granted"] as? Bool == true)
        let roof = try await site.harness.send(.post, "/api/v1/doors/Roof/unlock", headers: site.ada.headers(changing: true))
        #expect(roof.status == .ok)
        #expect(roof["granted"] as? Bool == false)
        #expect(roof["reason"] as? String == "door_not_allowed")
        // Both attempts are in the log before the answer.
        let decisions = try site.harness.access.store.activity().filter { $0.kind == .decision }
        #expect(decisions.map(\.outcome) == ["grant", "deny"])
        // An account without any key of its own has nothing to present.
        let admin = try await site.harness.send(.post, "/api/v1/doors/Lobby/unlock", headers: site.admin.headers(changing: true))
        #expect(admin.status == .forbidden)
        #expect(admin.errorCode == "no_access")
    }

    @Test func aResidentCannotShareBeyondTheirOwnKey() async throws {
        let site = try await Site()
        let headers = site.ada.headers(changing: true)
        let beyond = try await site.harness.send(.post, "/api/v1/keys/\(site.adaKey)/shares",
                                                 json: #"{"recipient": "guest@example.org", "doors": ["Lobby", "Roof"]}"#, headers: headers)
        #expect(beyond.status == .unprocessableContent)
        let others = try await site.harness.send(.post, "/api/v1/keys/\(site.bobKey)/shares", json: #"{"recipient": "guest@example.org"}"#,
                                                 headers: headers)
        #expect(others.status == .notFound)
        let share = try await site.harness.send(.post, "/api/v1/keys/\(site.adaKey)/shares",
                                                json: #"{"recipient": "guest@example.org", "doors": ["Lobby"]}"#, headers: headers)
        #expect(share.status == .created)
        #expect((share["link"] as? String)?.hasPrefix("https://keyway.example/k/kw1.") == true)
        #expect(share["key.doors"] as? [String] == ["Lobby"])
        // The share cannot be shared on (it was not allowed to), and its holder's passcode cannot reach the Roof.
        let shareID = try #require(share["key.id"] as? String)
        let reshare = try await site.harness.send(.post, "/api/v1/keys/\(shareID)/shares", json: #"{"recipient": "other@example.org"}"#,
                                                  headers: site.staff.headers(changing: true))
        #expect(reshare.status == .unprocessableContent)
        let passcode = try await site.harness.send(.post, "/api/v1/passcodes", json: #"{"label": "walker", "doors": ["Roof"]}"#, headers: headers)
        #expect(passcode.status == .forbidden)
        let forBob = try await site.harness.send(.post, "/api/v1/passcodes", json: #"{"person": "Bob", "doors": ["Lobby"]}"#, headers: headers)
        #expect(forBob.status == .forbidden)
    }

    @Test func aTokenActsWithinItsRoleAndDoors() async throws {
        let site = try await Site()
        let residentToken = try await site.harness.token(site.staff, role: .resident)
        #expect(try await site.harness.send(.get, "/api/v1/keys?scope=all", headers: residentToken.headers).status == .forbidden)
        let lobbyOnly = try await site.harness.token(site.staff, doors: ["Lobby"])
        let doors = try await site.harness.send(.get, "/api/v1/doors", headers: lobbyOnly.headers).list
        #expect(doors.map { $0["name"] as? String } == ["Lobby"])
        let roofKey = try await site.harness.send(.post, "/api/v1/keys", json: #"{"person": "Bob", "doors": ["Roof"]}"#, headers: lobbyOnly.headers)
        #expect(roofKey.status == .forbidden)
        // The token's last use is recorded.
        let listed = try await site.harness.send(.get, "/api/v1/tokens", headers: site.staff.headers()).list
        #expect(listed.first { $0["id"] as? String == lobbyOnly.id }?["last_used_at"] != nil)
    }

    @Test func whatAResidentsTokenIssuedIsTheirs() async throws {
        let site = try await Site()
        let token = try await site.harness.token(site.ada)
        let made = try await site.harness.send(.post, "/api/v1/passcodes", json: #"{"label": "walker", "doors": ["Lobby"], "uses": 2}"#,
                                               headers: token.headers)
        #expect(made.status == .created)
        let id = try #require(made["passcode.id"] as? String)
        #expect(try await site.harness.send(.get, "/api/v1/passcodes", headers: site.ada.headers()).list.map { $0["id"] as? String } == [id])
        #expect(try await site.harness.send(.get, "/api/v1/passcodes", headers: site.bob.headers()).list.isEmpty)
        let log = try await site.harness.send(.get, "/api/v1/activity", headers: site.ada.headers())
        let entries = try #require(log.json["entries"] as? [[String: Any]])
        #expect(entries.contains { $0["credential_id"] as? String == id && ($0["actor"] as? String)?.hasSuffix("via \(token.id)") == true })
        let bobLog = try await site.harness.send(.get, "/api/v1/activity", headers: site.bob.headers())
        #expect(!bobLog.text.contains(id))
    }

    @Test func everyChangeIsLoggedWithItsActor() async throws {
        let site = try await Site()
        let users = try await site.harness.storage.users()
        let staffID = try #require(users.first { $0.email == "desk@example.org" }?.id)
        let created = try site.harness.access.store.activity().filter { $0.kind == .credentialCreated }
        #expect(created.count == 2)
        #expect(created.allSatisfy { $0.actor == staffID })
        _ = try await site.harness.send(.delete, "/api/v1/keys/\(site.adaKey)", json: #"{"reason": "moved out"}"#, headers: site.staff.headers(changing: true))
        let revoked = try #require(try site.harness.access.store.activity().last { $0.kind == .credentialRevoked })
        #expect(revoked.actor == staffID)
        #expect(try site.harness.access.store.activity().contains { $0.kind == .accountChanged && $0.event == "user_added" })
    }
}
