import Access
import Foundation
import KeywayTestSupport
import Testing
@testable import API

/// A share or passcode naming an e-mail address or phone number is queued for sending when `delivery:` configures
/// that channel, and the answer says so; otherwise the link or code is only shown (as before).
@Suite struct DeliveryAPITests {
    func setUp(_ channels: Set<MessageChannel>) async throws -> (APIHarness, APIHarness.Session, String) {
        let harness = try APIHarness(adjust: { $0.messageChannels = channels })
        _ = try await harness.account(.staff, "desk@example.org")
        let staff = try await harness.login("desk@example.org")
        let key = try await harness.send(.post, "/api/v1/keys", json: #"{"person": "Ada", "doors": ["Lobby"], "may_share": true}"#,
                                         headers: staff.headers(changing: true))
        return (harness, staff, try #require(key["key.id"] as? String))
    }

    @Test func aShareToAnEmailIsQueuedWhenEmailIsConfigured() async throws {
        let (harness, staff, keyID) = try await setUp([.email])
        let share = try await harness.send(.post, "/api/v1/keys/\(keyID)/shares", json: #"{"recipient": "guest@example.org"}"#,
                                           headers: staff.headers(changing: true))
        #expect(share.status == .created)
        #expect(share["delivery"] as? [String: String] == ["channel": "email", "to_masked": "g***@example.org", "status": "queued"])
        #expect(share["link"] != nil)
        let queued = try harness.access.store.messages()
        #expect(queued.count == 1 && queued.first?.credentialID == share["key.id"] as? String && queued.first?.toMasked == "g***@example.org")
        let due = try #require(try harness.access.store.dueMessages(at: Date()).first)
        let link = try #require(share["link"] as? String)
        #expect(due.to == "guest@example.org" && due.message.text.contains(link))
        #expect(due.message.subject == "A key for Lobby")

        // A phone number while only e-mail is configured: shown, not sent.
        let byPhone = try await harness.send(.post, "/api/v1/keys/\(keyID)/shares", json: #"{"recipient": "+447700900189"}"#,
                                             headers: staff.headers(changing: true))
        #expect(byPhone.status == .created && byPhone["delivery"] == nil)
        let refused = try await harness.send(.post, "/api/v1/keys/\(keyID)/shares",
                                             json: #"{"recipient": "Sam", "send_to": "+447700900189"}"#, headers: staff.headers(changing: true))
        #expect(refused.status == .badRequest && refused.text.contains("delivery.sms is not configured"))
        #expect(try harness.access.store.messages().count == 1)
    }

    @Test func aPasscodeIsSentToItsSendToAddress() async throws {
        let (harness, staff, _) = try await setUp([.sms])
        let passcode = try await harness.send(.post, "/api/v1/passcodes",
                                              json: #"{"label": "Walker", "doors": ["Lobby"], "send_to": "+447700900189"}"#,
                                              headers: staff.headers(changing: true))
        #expect(passcode.status == .created)
        #expect(passcode["delivery"] as? [String: String] == ["channel": "sms", "to_masked": "+44********89", "status": "queued"])
        let due = try #require(try harness.access.store.dueMessages(at: Date()).first)
        let code = try #require(passcode["code"] as? String)
        #expect(due.message.text == "Your passcode for Lobby: \(code)")
        let bad = try await harness.send(.post, "/api/v1/passcodes", json: #"{"label": "W", "doors": ["Lobby"], "send_to": "nobody"}"#,
                                         headers: staff.headers(changing: true))
        #expect(bad.status == .badRequest && bad.text.contains("send_to is an e-mail address or a phone number"))
    }

    @Test func withoutDeliveryTheLinkIsOnlyShown() async throws {
        let (harness, staff, keyID) = try await setUp([])
        let share = try await harness.send(.post, "/api/v1/keys/\(keyID)/shares", json: #"{"recipient": "guest@example.org"}"#,
                                           headers: staff.headers(changing: true))
        #expect(share.status == .created && share["delivery"] == nil && share["link"] != nil)
        #expect(try harness.access.store.messages().isEmpty)
    }
}
