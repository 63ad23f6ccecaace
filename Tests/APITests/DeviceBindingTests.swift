import Access
import Crypto
import Foundation
import Testing
@testable import API

/// A guest's browser as the share link's page drives it: a P-256 key pair made once, its public key registered,
/// each unlock signed with a stamp newer than the last.
final class GuestDevice: @unchecked Sendable {
    let key = P256.Signing.PrivateKey()
    private var lastStamp: Int64 = 0

    var publicKey: String { key.publicKey.x963Representation.base64EncodedString() }

    func register(_ harness: APIHarness, token: String) async throws -> Answer {
        try await harness.send(.post, "/api/v1/links/device", json: #"{"key": "\#(token)", "public_key": "\#(publicKey)"}"#)
    }

    /// The unlock body with a proof; `stamp` defaults to now (kept increasing).
    func proof(share: String, door: String, stamp: Int64? = nil) throws -> String {
        let stamp = stamp ?? max(KeywayAPI.milliseconds(Date()), lastStamp + 1)
        lastStamp = stamp
        let signature = try key.signature(for: DeviceProof.message(share: share, door: door, stamp: stamp)).rawRepresentation
        return #""device": {"stamp": \#(stamp), "signature": "\#(signature.base64EncodedString())"}"#
    }

    func unlock(_ harness: APIHarness, door: String, token: String) async throws -> Answer {
        let share = String(token.split(separator: ".")[1])
        return try await harness.send(.post, "/api/v1/doors/\(door.replacingOccurrences(of: " ", with: "%20"))/unlock",
                                      json: #"{"key": "\#(token)", \#(try proof(share: share, door: door))}"#)
    }

    /// Registers (the first device wins) and unlocks, as the page does on open and on a tap.
    func open(_ harness: APIHarness, door: String, token: String) async throws -> Answer {
        _ = try await register(harness, token: token)
        return try await unlock(harness, door: door, token: token)
    }
}

@Suite struct DeviceBindingTests {
    /// Ada (a resident holding a shareable Lobby and Garage key) shares it; the share's id and token.
    private func sharedLink(_ harness: APIHarness) async throws -> (ada: APIHarness.Session, share: String, token: String) {
        _ = try await harness.account(.resident, "ada@example.org", person: "Ada")
        _ = try await harness.storage.issueKey(person: "Ada", doors: ["Lobby", "Garage"], validUntil: nil, mayShare: true, actor: "test", at: Date())
        let ada = try await harness.login("ada@example.org")
        let keys = try await harness.send(.get, "/api/v1/keys", headers: ada.headers())
        let keyID = try #require(keys.list.first?["id"] as? String)
        let share = try await harness.send(.post, "/api/v1/keys/\(keyID)/shares", json: #"{"recipient": "guest@example.org"}"#,
                                           headers: ada.headers(changing: true))
        return (ada, try #require(share["key.id"] as? String), try #require(share["token"] as? String))
    }

    @Test func aShareLinkOpensOnlyFromTheDeviceItWasFirstOpenedOn() async throws {
        let harness = try APIHarness(adjust: { $0.unlocksPerKey = 100 })
        let (ada, share, token) = try await sharedLink(harness)
        let first = GuestDevice()
        // Before any device registered, the token alone opens nothing.
        let unregistered = try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(token)"}"#)
        #expect(unregistered.status == .forbidden)
        #expect(unregistered.errorCode == "device_not_registered")

        let bound = try await first.register(harness, token: token)
        #expect(bound.status == .created, "\(bound.text)")
        #expect(bound["binding"] as? String == "bound")
        #expect(try await first.register(harness, token: token)["binding"] as? String == "same_device")
        let opened = try await first.unlock(harness, door: "Lobby", token: token)
        #expect(opened["granted"] as? Bool == true, "\(opened.text)")

        // The proof is for one unlock: sent again it is a replay; left out or stale it is refused, and logged.
        let proof = try first.proof(share: share, door: "Lobby")
        #expect(try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(token)", \#(proof)}"#)["granted"] as? Bool == true)
        let replayed = try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(token)", \#(proof)}"#)
        #expect(replayed.errorCode == "device_proof_replayed")
        let missing = try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(token)"}"#)
        #expect(missing.status == .forbidden)
        #expect(missing.errorCode == "device_proof_missing")
        let stale = try first.proof(share: share, door: "Lobby", stamp: KeywayAPI.milliseconds(Date()) - 600_000)
        #expect(try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(token)", \#(stale)}"#).errorCode
                == "device_proof_stale")
        // A proof for the Lobby does not open the Garage.
        let lobbyProof = try first.proof(share: share, door: "Lobby")
        #expect(try await harness.send(.post, "/api/v1/doors/Garage/unlock", json: #"{"key": "\#(token)", \#(lobbyProof)}"#).errorCode
                == "second_device")

        // The link forwarded: the other device is refused at registration and at the door.
        let second = GuestDevice()
        let refused = try await second.register(harness, token: token)
        #expect(refused.status == .conflict)
        #expect(refused.errorCode == "second_device")
        let secondTap = try await second.unlock(harness, door: "Lobby", token: token)
        #expect(secondTap.status == .forbidden)
        #expect(secondTap.errorCode == "second_device")

        // The sharer sees the warning in the key's view and the list, and the log holds it.
        let view = try await harness.send(.get, "/api/v1/keys/\(share)", headers: ada.headers())
        #expect(view["device.second_device_at"] != nil, "\(view.text)")
        let listed = try await harness.send(.get, "/api/v1/keys?scope=mine", headers: ada.headers())
        #expect(listed.list.first { $0["id"] as? String == share }.flatMap { $0["device"] as? [String: Any] }?["second_device_at"] != nil)
        let log = try harness.access.store.activity().filter { $0.kind == .deviceBinding && $0.credentialID == share }
        #expect(log.map(\.event).contains("second_device"))
        #expect(log.contains { $0.event == "unlock_refused" && $0.reason == "device_proof_replayed" })
    }

    @Test func theSharerAllowsTheSecondDeviceAndTheFirstStops() async throws {
        let harness = try APIHarness()
        let (ada, share, token) = try await sharedLink(harness)
        let first = GuestDevice(), second = GuestDevice()
        #expect(try await first.open(harness, door: "Lobby", token: token)["granted"] as? Bool == true)
        let nothingToAllow = try await harness.send(.post, "/api/v1/keys/\(share)/device/allow", headers: ada.headers(changing: true))
        #expect(nothingToAllow.status == .conflict)
        #expect(try await second.register(harness, token: token).status == .conflict)

        let allowed = try await harness.send(.post, "/api/v1/keys/\(share)/device/allow", headers: ada.headers(changing: true))
        #expect(allowed.status == .ok, "\(allowed.text)")
        #expect(allowed["device.second_device_at"] == nil)
        #expect(try await second.unlock(harness, door: "Lobby", token: token)["granted"] as? Bool == true)
        #expect(try await first.unlock(harness, door: "Lobby", token: token).errorCode == "second_device")
        #expect(try harness.access.store.activity().contains { $0.event == "device_allowed" && $0.credentialID == share })

        // Revoked, the bound device hears why.
        _ = try await harness.send(.delete, "/api/v1/keys/\(share)", headers: ada.headers(changing: true))
        #expect(try await second.unlock(harness, door: "Lobby", token: token)["reason"] as? String == "revoked")
    }

    @Test func aManagerTurnsBindingOffForOneDoor() async throws {
        let harness = try APIHarness()
        let (ada, _, token) = try await sharedLink(harness)
        _ = try await harness.account(.staff, "desk@example.org")
        let staff = try await harness.login("desk@example.org")
        let byResident = try await harness.send(.put, "/api/v1/doors/Lobby/device-binding", json: #"{"required": false}"#,
                                                headers: ada.headers(changing: true))
        #expect(byResident.status == .forbidden)
        #expect(try await harness.send(.put, "/api/v1/doors/Cellar/device-binding", json: #"{"required": false}"#,
                                       headers: staff.headers(changing: true)).status == .notFound)
        #expect(try await harness.send(.put, "/api/v1/doors/Lobby/device-binding", json: #"{"required": "no"}"#,
                                       headers: staff.headers(changing: true)).status == .badRequest)
        let off = try await harness.send(.put, "/api/v1/doors/Lobby/device-binding", json: #"{"required": false}"#,
                                         headers: staff.headers(changing: true))
        #expect(off.status == .ok, "\(off.text)")
        #expect(try await harness.send(.post, "/api/v1/doors/Lobby/unlock", json: #"{"key": "\#(token)"}"#)["granted"] as? Bool == true)
        // Other doors keep the default.
        #expect(try await harness.send(.post, "/api/v1/doors/Garage/unlock", json: #"{"key": "\#(token)"}"#).errorCode
                == "device_not_registered")
        #expect(try harness.access.store.activity().contains { $0.kind == .policyChanged && $0.event == "device_binding" })
    }

    /// The dashboard's Policy page reads each door's setting before offering to change it.
    @Test func staffReadADoorsBindingAsItWasLastSet() async throws {
        let harness = try APIHarness()
        let (ada, _, _) = try await sharedLink(harness)
        _ = try await harness.account(.staff, "desk@example.org")
        let staff = try await harness.login("desk@example.org")
        #expect(try await harness.send(.get, "/api/v1/doors/Lobby/device-binding", headers: staff.headers())["required"] as? Bool == true)
        _ = try await harness.send(.put, "/api/v1/doors/Lobby/device-binding", json: #"{"required": false}"#, headers: staff.headers(changing: true))
        let read = try await harness.send(.get, "/api/v1/doors/Lobby/device-binding", headers: staff.headers())
        #expect(read.status == .ok && read["door"] as? String == "Lobby" && read["required"] as? Bool == false, "\(read.text)")
        #expect(try await harness.send(.get, "/api/v1/doors/Garage/device-binding", headers: staff.headers())["required"] as? Bool == true)
        // An unknown door is not "on": it is no door of this site.
        #expect(try await harness.send(.get, "/api/v1/doors/Cellar/device-binding", headers: staff.headers()).status == .notFound)
        #expect(try await harness.send(.get, "/api/v1/doors/Lobby/device-binding", headers: ada.headers()).status == .forbidden)
    }

    @Test func registeringRefusesBadKeysAndTokensThatAreNoShare() async throws {
        let harness = try APIHarness()
        let (_, _, token) = try await sharedLink(harness)
        for bad in ["", "not base64!", Data(repeating: 4, count: 65).base64EncodedString(), Data(repeating: 1, count: 10).base64EncodedString()] {
            let answer = try await harness.send(.post, "/api/v1/links/device", json: #"{"key": "\#(token)", "public_key": "\#(bad)"}"#)
            #expect(answer.status == .badRequest, "\(bad): \(answer.text)")
        }
        let device = GuestDevice()
        #expect(try await device.register(harness, token: "kw1.key_forged.0.AAAA").status == .notFound)
        let own = try await harness.storage.presentationToken(forKey: try #require(harness.access.store.credentials(person: "Ada").first?.id))
        #expect(try await device.register(harness, token: own).status == .notFound)
    }

    @Test func aForwardedLinkRetriedInALoopIsHeldToTheUnlocksPace() async throws {
        let harness = try APIHarness(adjust: { $0.unlocksPerKey = 2 })
        let (_, _, token) = try await sharedLink(harness)
        #expect(try await GuestDevice().register(harness, token: token).status == .created)
        #expect(try await GuestDevice().register(harness, token: token).status == .conflict)
        #expect(try await GuestDevice().register(harness, token: token).status == .tooManyRequests)
    }
}
