import Access
import Foundation
import HTTPTypes
import Hummingbird
import Testing
@testable import API

@Suite struct ResourceTests {
    /// A staff session with Ada's shareable key to the Lobby.
    private func staffWithKey() async throws -> (APIHarness, APIHarness.Session, String) {
        let harness = try APIHarness()
        _ = try await harness.account(.staff, "desk@example.org")
        let staff = try await harness.login("desk@example.org")
        let key = try await harness.send(.post, "/api/v1/keys", json: #"{"person": "Ada", "doors": ["Lobby"], "may_share": true}"#,
                                         headers: staff.headers(changing: true))
        return (harness, staff, try #require(key["key.id"] as? String))
    }

    @Test func hostileRequestsGetClearJSONErrors() async throws {
        let (harness, staff, _) = try await staffWithKey()
        let headers = staff.headers(changing: true)
        let cases: [(String, HTTPResponse.Status)] = [
            ("not json", .badRequest),
            (#"{"person": 12, "doors": ["Lobby"]}"#, .badRequest),
            (#"{"doors": ["Lobby"]}"#, .badRequest),
            (#"{"person": "Ada", "doors": []}"#, .badRequest),
            (#"{"person": "\#(String(repeating: "x", count: 201))", "doors": ["Lobby"]}"#, .badRequest),
            (#"{"person": "Ada", "doors": ["Lobby"], "valid_until": "tomorrow"}"#, .badRequest),
            (#"{"person": "Ada", "doors": ["Lobby"], "valid_until": "9999-01-01T00:00:00Z"}"#, .badRequest),
            (#"{"person": "Ada", "doors": ["Lobby"], "valid_until": "2001-01-01T00:00:00Z"}"#, .badRequest),
            (#"{"person": "Nobody", "doors": ["Lobby"]}"#, .notFound),
            (#"{"person": "Ada", "doors": ["Cellar"]}"#, .notFound),
        ]
        for (body, status) in cases {
            let answer = try await harness.send(.post, "/api/v1/keys", json: body, headers: headers)
            #expect(answer.status == status, "\(body) → \(answer.status) \(answer.text)")
            #expect(answer.errorCode != nil, "\(body): \(answer.text)")
        }
        let huge = try await harness.send(.post, "/api/v1/keys", json: String(repeating: " ", count: APILimits.bodySize + 1), headers: headers)
        #expect(huge.status == .contentTooLarge)
        #expect(huge.errorCode == "body_too_large")
        let uses = try await harness.send(.post, "/api/v1/passcodes", json: #"{"label": "x", "doors": ["Lobby"], "uses": 10000000000000000000}"#,
                                          headers: headers)
        #expect(uses.status == .badRequest)
        let page = try await harness.send(.get, "/api/v1/activity?limit=100000", headers: headers)
        #expect(page.status == .badRequest)
        let cursor = try await harness.send(.get, "/api/v1/activity?cursor=-5", headers: headers)
        #expect(cursor.status == .badRequest)
        let bearer = try await harness.send(.get, "/api/v1/doors", headers: [.authorization: "Basic abc"])
        #expect(bearer.status == .unauthorized)
        let nowhere = try await harness.send(.get, "/api/v1/nowhere", headers: headers)
        #expect(nowhere.status == .notFound)
        #expect(nowhere.errorCode != nil)
    }

    @Test func aSharedKeyUnlocksWithItsLinkAndIsRateLimitedPerKey() async throws {
        // Three tries a key: the guest's page registering its device, the Lobby and the Garage.
        let harness = try APIHarness(adjust: { $0.unlocksPerKey = 3 })
        _ = try await harness.account(.staff, "desk@example.org")
        let staff = try await harness.login("desk@example.org")
        let key = try await harness.send(.post, "/api/v1/keys", json: #"{"person": "Ada", "doors": ["Lobby"], "may_share": true}"#,
                                         headers: staff.headers(changing: true))
        let share = try await harness.send(.post, "/api/v1/keys/\(key["key.id"] as! String)/shares", json: #"{"recipient": "+41791234567"}"#,
                                           headers: staff.headers(changing: true))
        let link = try #require(share["link"] as? String)
        let token = String(link.split(separator: "/").last!)
        // The guest has no account: the link's secret is the credential.
        let guest = GuestDevice()
        let opened = try await guest.open(harness, door: "Lobby", token: token)
        #expect(opened["granted"] as? Bool == true)
        #expect(opened["credential"] as? String == share["key.id"] as? String)
        let garage = try await guest.unlock(harness, door: "Garage", token: token)
        #expect(garage["reason"] as? String == "door_not_allowed")
        let limited = try await guest.unlock(harness, door: "Lobby", token: token)
        #expect(limited.status == .tooManyRequests)
        let forged = try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "kw1.key_forged.0.AAAA"}"#)
        #expect(forged["reason"] as? String == "invalid_signature")
        let unknownDoor = try await harness.send(.post, "/api/v1/doors/Cellar/unlock", json: #"{"key": "kw1.key_other.0.AAAA"}"#)
        #expect(unknownDoor.status == .notFound)
    }

    @Test func aShareMayStartLaterAndDoorNamesMayHaveSpaces() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.staff, "desk@example.org")
        let staff = try await harness.login("desk@example.org")
        let key = try await harness.send(.post, "/api/v1/keys", json: #"{"person": "Ada", "doors": ["Back Door", "Lobby"], "may_share": true}"#,
                                         headers: staff.headers(changing: true))
        let keyID = try #require(key["key.id"] as? String)
        let start = Timestamp.format(Date().addingTimeInterval(3600))
        let later = try await harness.send(.post, "/api/v1/keys/\(keyID)/shares",
                                           json: #"{"recipient": "guest@example.org", "doors": ["Back Door"], "valid_from": "\#(start)"}"#,
                                           headers: staff.headers(changing: true))
        #expect(later.status == .created, "\(later.text)")
        let token = try #require(later["token"] as? String)
        let early = try await GuestDevice().open(harness, door: "Back Door", token: token)
        #expect(early.status == .ok, "\(early.text)")
        #expect(early["reason"] as? String == "not_yet_valid")
        let own = try await harness.storage.presentationToken(forKey: keyID)
        #expect(try await harness.send(.post, "/api/v1/doors/Back%20Door/unlock", json: #"{"key": "\#(own)"}"#)["granted"] as? Bool == true)
        #expect(try await harness.send(.post, "/api/v1/doors/Back%ZZDoor/unlock", json: #"{"key": "\#(own)"}"#).status == .badRequest)
    }

    @Test func keysAreListedAPageAtATime() async throws {
        let (harness, staff, firstKey) = try await staffWithKey()
        for _ in 0..<4 {
            _ = try await harness.send(.post, "/api/v1/keys", json: #"{"person": "Bob", "doors": ["Roof"]}"#, headers: staff.headers(changing: true))
        }
        let first = try await harness.send(.get, "/api/v1/keys?limit=2", headers: staff.headers()).list
        #expect(first.count == 2)
        #expect(first.first?["id"] as? String == firstKey)
        let last = try #require(first.last?["id"] as? String)
        let second = try await harness.send(.get, "/api/v1/keys?limit=10&after=\(last)", headers: staff.headers()).list
        #expect(second.count == 3)
        #expect(Set(second.compactMap { $0["id"] as? String }).isDisjoint(with: first.compactMap { $0["id"] as? String }))
        _ = try await harness.send(.delete, "/api/v1/keys/\(firstKey)", headers: staff.headers(changing: true))
        #expect(try await harness.send(.get, "/api/v1/keys?active=true", headers: staff.headers()).list.count == 4)
        #expect(try await harness.send(.get, "/api/v1/keys?active=maybe", headers: staff.headers()).status == .badRequest)
    }

    @Test func passcodesAreShownOnceAndListedWhileActive() async throws {
        let (harness, staff, _) = try await staffWithKey()
        let made = try await harness.send(.post, "/api/v1/passcodes", json: #"{"label": "Dog walker", "doors": ["Lobby"], "uses": 1}"#,
                                          headers: staff.headers(changing: true))
        #expect(made.status == .created)
        let code = try #require(made["code"] as? String)
        let listed = try await harness.send(.get, "/api/v1/passcodes", headers: staff.headers())
        #expect(!listed.text.contains(code))
        #expect(listed.list.first?["label"] as? String == "Dog walker")
        let id = try #require(made["passcode.id"] as? String)
        #expect(try await harness.send(.delete, "/api/v1/passcodes/\(id)", headers: staff.headers(changing: true)).status == .ok)
        #expect(try await harness.send(.get, "/api/v1/passcodes", headers: staff.headers()).list.isEmpty)
        #expect(try await harness.send(.delete, "/api/v1/passcodes/\(id)", headers: staff.headers(changing: true)).status == .conflict)
    }

    /// The manager's passcode flow: a weekly schedule, a duress code (not a resident's to make), and a per-staff code
    /// rotated by the desk: the new code is shown once, the old one stops (or works for the overlap asked).
    @Test func passcodesTakeASchedulesAndDuressAndRotate() async throws {
        let harness = try APIHarness()
        let (sessions, _) = try await harness.roleSessions()
        let admin = sessions[.admin]!, staff = sessions[.staff]!, resident = sessions[.resident]!
        #expect(try await harness.send(.post, "/api/v1/schedules", json: #"{"name": "Weekdays", "days": "mon-fri", "from": "08:00", "to": "18:00"}"#,
                                       headers: admin.headers(changing: true)).status == .created)
        let scheduled = try await harness.send(.post, "/api/v1/passcodes", json: #"{"label": "Cleaner", "doors": ["Lobby"], "schedule": "Weekdays"}"#,
                                               headers: staff.headers(changing: true))
        #expect(scheduled.status == .created, "\(scheduled.text)")
        let unknown = try await harness.send(.post, "/api/v1/passcodes", json: #"{"label": "Cleaner", "doors": ["Lobby"], "schedule": "Sundays"}"#,
                                             headers: staff.headers(changing: true))
        #expect([.badRequest, .notFound, .unprocessableContent].contains(unknown.status) && unknown.errorCode != nil, "\(unknown.text)")
        let duress = #"{"person": "Ada", "doors": ["Lobby"], "duress": true}"#
        #expect(try await harness.send(.post, "/api/v1/passcodes", json: duress, headers: resident.headers(changing: true)).status == .forbidden)
        #expect(try await harness.send(.post, "/api/v1/passcodes", json: duress, headers: staff.headers(changing: true)).status == .created)

        let own = try await harness.send(.post, "/api/v1/passcodes", json: #"{"person": "Ada", "doors": ["Lobby"]}"#, headers: staff.headers(changing: true))
        let id = try #require(own["passcode.id"] as? String), old = try #require(own["code"] as? String)
        let path = "/api/v1/passcodes/\(id)/rotate"
        #expect(try await harness.send(.post, path, json: #"{"overlap_seconds": 999999999}"#, headers: staff.headers(changing: true)).status == .badRequest)
        #expect(try await harness.send(.post, path, headers: resident.headers(changing: true)).status == .forbidden)
        let rotated = try await harness.send(.post, path, headers: staff.headers(changing: true))
        #expect(rotated.status == .created, "\(rotated.text)")
        let new = try #require(rotated["code"] as? String)
        #expect(new != old && rotated["passcode.id"] as? String != id)
        let listed = try await harness.send(.get, "/api/v1/passcodes?limit=200", headers: staff.headers())
        #expect(!listed.text.contains(new) && !listed.text.contains(old), "codes are never listed")
        let again = try await harness.send(.post, path, headers: staff.headers(changing: true))
        #expect(again.status.code / 100 == 4 && again.errorCode != nil, "the old code is replaced: \(again.status) \(again.text)")
    }

    @Test func theActivityLogIsPagedWithACursorAndFiltered() async throws {
        let (harness, staff, keyID) = try await staffWithKey()
        let token = try await harness.storage.presentationToken(forKey: keyID)
        for door in ["Lobby", "Garage", "Lobby", "Garage", "Lobby"] {
            _ = try await harness.send(.post, "/api/v1/doors/\(door)/unlock", json: #"{"key": "\#(token)"}"#)
        }
        let first = try await harness.send(.get, "/api/v1/activity?result=deny&limit=1", headers: staff.headers())
        let entries = try #require(first.json["entries"] as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["reason"] as? String == "door_not_allowed")
        let cursor = try #require(first.json["next_cursor"] as? String)
        let second = try await harness.send(.get, "/api/v1/activity?result=deny&limit=1&cursor=\(cursor)", headers: staff.headers())
        let older = try #require(second.json["entries"] as? [[String: Any]])
        #expect(older.count == 1)
        #expect((older.first?["sequence"] as? Int ?? .max) < (entries.first?["sequence"] as? Int ?? 0))
        let lobby = try await harness.send(.get, "/api/v1/activity?door=Lobby&result=grant", headers: staff.headers())
        #expect((lobby.json["entries"] as? [[String: Any]])?.count == 3)
        // A key's usage history: its decisions (and its creation).
        let history = try await harness.send(.get, "/api/v1/activity?credential=\(keyID)", headers: staff.headers())
        let used = try #require(history.json["entries"] as? [[String: Any]])
        #expect(used.filter { $0["kind"] as? String == "decision" }.count == 5)
        #expect(used.allSatisfy { $0["credential_id"] as? String == keyID })
    }

    @Test func aResidentSeesOnlyTheirOwnActivity() async throws {
        let (harness, staff, keyID) = try await staffWithKey()
        let bobKey = try await harness.send(.post, "/api/v1/keys", json: #"{"person": "Bob", "doors": ["Garage"]}"#, headers: staff.headers(changing: true))
        for id in [keyID, bobKey["key.id"] as! String] {
            let token = try await harness.storage.presentationToken(forKey: id)
            _ = try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(token)"}"#)
        }
        _ = try await harness.account(.resident, "ada@example.org", person: "Ada")
        let ada = try await harness.login("ada@example.org")
        let page = try await harness.send(.get, "/api/v1/activity?kind=decision", headers: ada.headers())
        let entries = try #require(page.json["entries"] as? [[String: Any]])
        let credentials = Set(entries.compactMap { $0["credential_id"] as? String })
        #expect(credentials == [keyID])
    }

    @Test func theStreamSendsNewEntriesAsServerSentEvents() async throws {
        let (harness, staff, keyID) = try await staffWithKey()
        let token = try await harness.storage.presentationToken(forKey: keyID)
        let head = try harness.access.store.activity().last?.sequence ?? 0
        _ = try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(token)"}"#)
        var headers = staff.headers()
        headers[HTTPField.Name("Last-Event-ID")!] = String(head)
        let stream = try await harness.send(.get, "/api/v1/activity/stream?door=Lobby", headers: headers, streamLimit: 200)
        #expect(stream.headers[.contentType] == "text/event-stream")
        #expect(stream.text.contains("event: activity\n"))
        #expect(stream.text.contains("\"outcome\":\"grant\""))
    }

    @Test func theOpenAPIDocumentIsServedAndNamesEveryRoute() async throws {
        let harness = try APIHarness()
        let answer = try await harness.send(.get, "/api/v1/openapi.json")
        #expect(answer.status == .ok)
        #expect(answer["openapi"] as? String == "3.1.0")
        let paths = try #require(answer.json["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        let served: Set<String> = [
            "GET /api/v1/openapi.json", "POST /api/v1/session", "GET /api/v1/session", "DELETE /api/v1/session", "POST /api/v1/password",
            "GET /api/v1/users", "POST /api/v1/users", "PATCH /api/v1/users/{id}", "POST /api/v1/users/{id}/password-link", "GET /api/v1/tokens", "POST /api/v1/tokens",
            "DELETE /api/v1/tokens/{id}", "GET /api/v1/doors", "POST /api/v1/doors/{door}/unlock",
            "POST /api/v1/doors/{door}/lockdown", "POST /api/v1/doors/{door}/normal", "POST /api/v1/doors/{door}/timed-unlock", "GET /api/v1/keys", "POST /api/v1/keys",
            "GET /api/v1/keys/{id}", "DELETE /api/v1/keys/{id}", "POST /api/v1/keys/{id}/shares", "GET /api/v1/passcodes",
            "POST /api/v1/passcodes", "DELETE /api/v1/passcodes/{id}", "POST /api/v1/passcodes/{id}/rotate", "GET /api/v1/activity", "GET /api/v1/activity/stream", "GET /api/v1/activity.csv",
            "GET /api/v1/people", "POST /api/v1/people", "POST /api/v1/people/{person}/suspend", "POST /api/v1/people/{person}/reinstate",
            "GET /api/v1/people/{person}/credentials", "POST /api/v1/people/{person}/cards", "DELETE /api/v1/people/{person}/credentials/{id}",
            "POST /api/v1/people/{person}/groups", "POST /api/v1/groups", "POST /api/v1/schedules", "POST /api/v1/holidays",
            "GET /api/v1/units", "POST /api/v1/units", "POST /api/v1/units/{unit}/residents", "POST /api/v1/units/{unit}/move-out",
            "GET /api/v1/units/{unit}/passes", "GET /api/v1/policy", "PATCH /api/v1/policy", "GET /api/v1/webhooks", "POST /api/v1/webhooks",
            "DELETE /api/v1/webhooks/{id}", "GET /api/v1/webhooks/{id}/deliveries",
            "POST /api/v1/links/device", "POST /api/v1/keys/{id}/device/allow", "PUT /api/v1/doors/{door}/device-binding",
            "GET /api/v1/doors/{door}/device-binding", "GET /api/v1/webhook-events",
            "GET /api/v1/alerts", "GET /api/v1/alerts/stream", "POST /api/v1/alerts/{sequence}/acknowledge",
            "GET /api/v1/groups", "GET /api/v1/schedules", "GET /api/v1/holidays", "POST /api/v1/import", "GET /api/v1/export.csv",
        ]
        #expect(documented == served)
        // Every reason a decision can carry is documented once, and both the unlock's answer and the activity filter use it.
        let components = try #require(answer.json["components"] as? [String: [String: Any]])
        let reasons = (components["schemas"]?["DenyReason"] as? [String: Any])?["enum"] as? [String]
        #expect(reasons.map(Set.init) == Set(DenyReason.allCases.map(\.rawValue)))
        let unlockResult = (components["schemas"]?["UnlockResult"] as? [String: Any])?["properties"] as? [String: Any]
        let reference = ["$ref": "#/components/schemas/DenyReason"]
        #expect(unlockResult?["reason"] as? [String: String] == reference)
        #expect((components["parameters"]?["Reason"] as? [String: Any])?["schema"] as? [String: String] == reference)
        let alertKinds = ((components["schemas"]?["Alert"] as? [String: Any])?["properties"] as? [String: Any])?["kind"] as? [String: Any]
        #expect(alertKinds?["enum"] as? [String] == AlertKind.allCases.map(\.rawValue))
        // A subscription's events are the code's event types, or all.
        let events = (components["schemas"]?["NewWebhook"] as? [String: Any])?["properties"] as? [String: Any]
        let eventList = events?["events"] as? [String: Any]
        #expect((eventList?["items"] as? [String: Any])?["enum"] as? [String] == ["all"] + WebhookEventType.allCases.map(\.rawValue))
        #expect(eventList?["maxItems"] as? Int == WebhookEventType.allCases.count + 1)
    }
}
