import Access
import Foundation
import HTTPTypes
import Testing
@testable import API

/// The manager's alerts over HTTP: what the core already records (door events, alarms, refused codes), picked out
/// of the log as data, paged, filtered, acknowledged (logged), streamed, and for staff and admins only.
@Suite struct AlertTests {
    /// One row of every alert kind, and rows next to them that are not alerts; returns the ids of the two non-alert
    /// rows that look most like one (a door opened, a shared key refused before its window).
    static func recordAlertsAndLookalikes(_ harness: APIHarness) throws -> (opened: Int64, keyNotYetValid: Int64) {
        let access = harness.access, now = Date()
        try access.record(DoorEvent(.forcedOpen, door: "Lobby", reader: "Lobby-reader", at: now))
        try access.record(DoorEvent(.heldOpen, door: "Garage", reader: "Garage-reader", at: now))
        try access.record(DoorEvent(.readerOffline, door: "Roof", reader: "Roof-reader", at: now, detail: "no answer for 3 s"))
        try access.record(DoorEvent(.openingUnconfirmed, door: "Lobby", reader: "Lobby-reader", at: now, detail: "the relay did not acknowledge"))
        let opened = try access.record(DoorEvent(.opened, door: "Lobby", reader: "Lobby-reader", at: now))
        // Five wrong codes at one keypad lock it.
        for _ in 0..<5 { _ = access.decide(.pin("999999"), door: "Lobby", reader: "Lobby-reader", at: now) }
        // A duress code where its holder may go: the door opens, and the silent alarm is raised.
        try access.store.addGroup(name: "Garage users", doors: [("Garage", nil)])
        try access.store.grant(person: "Ada", group: "Garage users")
        let duress = try access.store.addPIN(person: "Ada", code: "580214", duress: true)
        #expect(access.decide(.pin(duress.code), door: "Garage", reader: "Garage-reader", at: now).alarms == [.duress])
        // A dog walker's code, tried an hour before its window opens: out of hours.
        var walker = PasscodeRequest(label: "Dog walker", doors: ["Roof"])
        walker.validFrom = now.addingTimeInterval(3600)
        walker.validUntil = now.addingTimeInterval(7200)
        let code = try access.store.createPasscode(walker)
        #expect(access.decide(.pin(code.code), door: "Roof", reader: "Roof-reader", at: now).reason == .notYetValid)
        // The same refusal for a digital key is not a code out of its hours.
        let key = try access.store.issueKey(person: "Bob", doors: ["Roof"], mayShare: true)
        let share = try access.store.shareKey(key.credential.id, to: "guest@example.org", validFrom: now.addingTimeInterval(3600))
        let refused = access.decide(.digitalKey(token: share.token), door: "Roof", reader: "Roof-reader", at: now)
        #expect(refused.reason == .notYetValid)
        return (opened, refused.logSequence ?? 0)
    }

    @Test func everyKindIsFoundAndNothingElse() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.staff, "desk@example.org")
        let desk = try await harness.login("desk@example.org").headers()
        let lookalikes = try Self.recordAlertsAndLookalikes(harness)

        let page = try await harness.send(.get, "/api/v1/alerts", headers: desk)
        #expect(page.status == .ok)
        let alerts = try #require(page.json["alerts"] as? [[String: Any]])
        #expect(Set(alerts.compactMap { $0["kind"] as? String }) == Set(AlertKind.allCases.map(\.rawValue)))
        let sequences = alerts.compactMap { $0["sequence"] as? Int64 }
        #expect(!sequences.contains(lookalikes.opened) && !sequences.contains(lookalikes.keyNotYetValid))
        #expect(sequences == sequences.sorted(by: >), "newest first")
        #expect(alerts.allSatisfy { $0["acknowledged"] as? Bool == false })
        let outOfHours = try #require(alerts.first { $0["kind"] as? String == "out_of_hours" })
        #expect(outOfHours["reason"] as? String == "not_yet_valid" && outOfHours["door"] as? String == "Roof")

        let picked = try await harness.send(.get, "/api/v1/alerts?kind=forced,duress", headers: desk)
        #expect(Set((picked.json["alerts"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }) == ["forced", "duress"])
        let atRoof = try await harness.send(.get, "/api/v1/alerts?door=Roof", headers: desk)
        #expect((atRoof.json["alerts"] as? [[String: Any]] ?? []).allSatisfy { $0["door"] as? String == "Roof" })
        let later = try await harness.send(.get, "/api/v1/alerts?from=\(Timestamp.format(Date().addingTimeInterval(60)))", headers: desk)
        #expect((later.json["alerts"] as? [[String: Any]])?.isEmpty == true)
    }

    @Test func pagesFollowTheCursorWithoutGapOrRepeat() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.admin, "admin@example.org")
        let admin = try await harness.login("admin@example.org").headers()
        _ = try Self.recordAlertsAndLookalikes(harness)
        let all = try await harness.send(.get, "/api/v1/alerts?limit=200", headers: admin)
        let expected = (all.json["alerts"] as? [[String: Any]] ?? []).compactMap { $0["sequence"] as? Int64 }
        #expect(expected.count >= AlertKind.allCases.count)
        var walked: [Int64] = []
        var cursor: String?
        repeat {
            let page = try await harness.send(.get, "/api/v1/alerts?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), headers: admin)
            #expect(page.status == .ok)
            walked += (page.json["alerts"] as? [[String: Any]] ?? []).compactMap { $0["sequence"] as? Int64 }
            cursor = page.json["next_cursor"] as? String
        } while cursor != nil && walked.count <= expected.count
        #expect(walked == expected)
    }

    @Test func badInputIsRefusedWithTheRule() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.staff, "desk@example.org")
        let desk = try await harness.login("desk@example.org").headers(changing: true)
        let cases: [(String, String)] = [
            ("/api/v1/alerts?kind=fire", "known: forced"), ("/api/v1/alerts?kind=forced,", "not an alert kind"),
            ("/api/v1/alerts?limit=0", "limit is 1 to 200"), ("/api/v1/alerts?limit=99999999999999999999", "limit is 1 to 200"),
            ("/api/v1/alerts?cursor=-3", "cursor"), ("/api/v1/alerts?cursor=x", "cursor"),
            ("/api/v1/alerts?acknowledged=maybe", "true or false"), ("/api/v1/alerts?from=yesterday", "from"),
            ("/api/v1/alerts?from=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z", "until must be after from"),
            ("/api/v1/alerts/stream?kind=fire", "not an alert kind"),
        ]
        for (path, message) in cases {
            let answer = try await harness.send(.get, path, headers: desk)
            #expect(answer.status == .badRequest, "\(path) → \(answer.status)")
            #expect(answer.text.contains(message), "\(path) → \(answer.text)")
        }
        for path in ["/api/v1/alerts/0/acknowledge", "/api/v1/alerts/-1/acknowledge", "/api/v1/alerts/x/acknowledge",
                     "/api/v1/alerts/99999999999999999999/acknowledge"] {
            #expect(try await harness.send(.post, path, headers: desk).status == .badRequest, "\(path)")
        }
        #expect(try await harness.send(.post, "/api/v1/alerts/\(Int64.max)/acknowledge", headers: desk).status == .notFound)
    }

    @Test func staffAcknowledgeOnceAndTheLogSaysWho() async throws {
        let harness = try APIHarness()
        let staff = try await harness.account(.staff, "desk@example.org")
        let desk = try await harness.login("desk@example.org").headers(changing: true)
        let lookalikes = try Self.recordAlertsAndLookalikes(harness)
        let forced = try #require(try await harness.storage.alerts({ var q = AlertQuery(limit: 1); q.kinds = [.forced]; return q }()).first)
        let sequence = forced.entry.sequence

        let first = try await harness.send(.post, "/api/v1/alerts/\(sequence)/acknowledge", headers: desk)
        #expect(first.status == .ok)
        #expect(first["acknowledged"] as? Bool == true && first["acknowledged_by"] as? String == staff.id)
        #expect(first["acknowledged_by_name"] as? String == "desk@example.org")
        let again = try await harness.send(.post, "/api/v1/alerts/\(sequence)/acknowledge", headers: desk)
        #expect(again["acknowledged_at"] as? String == first["acknowledged_at"] as? String, "the first acknowledgement stays")
        let log = try await harness.storage.activity(ActivityQuery(limit: 20)).filter { $0.event == "alert_acknowledged" }
        #expect(log.count == 1 && log.first?.actor == staff.id && log.first?.detail == "forced #\(sequence)")

        let open = try await harness.send(.get, "/api/v1/alerts?acknowledged=false", headers: desk)
        #expect(!(open.json["alerts"] as? [[String: Any]] ?? []).contains { $0["sequence"] as? Int64 == sequence })
        let done = try await harness.send(.get, "/api/v1/alerts?acknowledged=true", headers: desk)
        #expect((done.json["alerts"] as? [[String: Any]] ?? []).compactMap { $0["sequence"] as? Int64 } == [sequence])
        // A row that is not an alert cannot be acknowledged as one.
        #expect(try await harness.send(.post, "/api/v1/alerts/\(lookalikes.opened)/acknowledge", headers: desk).status == .notFound)
    }

    @Test func residentsAndOtherDoorsTokensSeeNone() async throws {
        let harness = try APIHarness()
        let (sessions, _) = try await harness.roleSessions()
        _ = try Self.recordAlertsAndLookalikes(harness)
        let resident = sessions[.resident]!.headers(changing: true)
        for (method, path) in [(HTTPRequest.Method.get, "/api/v1/alerts"), (.get, "/api/v1/alerts/stream"), (.post, "/api/v1/alerts/1/acknowledge")] {
            let answer = try await harness.send(method, path, headers: resident)
            #expect(answer.status == .forbidden, "\(path) → \(answer.status)")
            #expect(!answer.text.contains("Lobby"))
        }
        let lobbyToken = try await harness.token(sessions[.staff]!, doors: ["Lobby"]).headers
        let page = try await harness.send(.get, "/api/v1/alerts", headers: lobbyToken)
        let doors = Set((page.json["alerts"] as? [[String: Any]] ?? []).compactMap { $0["door"] as? String })
        #expect(doors == ["Lobby"])
        #expect(try await harness.send(.get, "/api/v1/alerts?door=Roof", headers: lobbyToken).status == .forbidden)
        let roofAlert = try #require(try await harness.storage.alerts({ var q = AlertQuery(limit: 1); q.door = "Roof"; return q }()).first)
        #expect(try await harness.send(.post, "/api/v1/alerts/\(roofAlert.entry.sequence)/acknowledge", headers: lobbyToken).status == .notFound)
    }

    @Test func theStreamSendsAlertsOnly() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.staff, "desk@example.org")
        var desk = try await harness.login("desk@example.org").headers()
        let lookalikes = try Self.recordAlertsAndLookalikes(harness)
        desk[HTTPField.Name("Last-Event-ID")!] = "0"
        // Enough bytes for the first alerts (forced, held open, reader offline), not for a heartbeat 15 s later.
        let stream = try await harness.send(.get, "/api/v1/alerts/stream", headers: desk, streamLimit: 700)
        #expect(stream.headers[.contentType] == "text/event-stream")
        #expect(stream.text.contains("event: alert\n"))
        #expect(stream.text.contains(#""kind":"forced""#) && stream.text.contains(#""kind":"held_open""#))
        #expect(!stream.text.contains("id: \(lookalikes.opened)\n") && !stream.text.contains("event: activity"))
        let filtered = try await harness.send(.get, "/api/v1/alerts/stream?kind=duress", headers: desk, streamLimit: 200)
        #expect(filtered.text.contains(#""kind":"duress""#) && !filtered.text.contains(#""kind":"forced""#))
    }
}
