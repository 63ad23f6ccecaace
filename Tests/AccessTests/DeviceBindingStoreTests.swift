import Foundation
import Testing
@testable import Access

/// The core's half of device-bound share links: the first device wins, a second is recorded, a stamp is accepted
/// once, the sharer may move the link, and a door's switch is on unless a manager turned it off.
@Suite struct DeviceBindingStoreTests {
    private let now = Site.time("2026-03-02 10:00")

    @Test func theFirstDeviceWinsAndEachStampIsAcceptedOnce() throws {
        let site = try Site.aliceAtFront(mode: .cardOrPin)
        let key = try site.store.issueKey(person: "Alice", doors: ["Front"], mayShare: true, at: now)
        let share = try site.store.shareKey(key.credential.id, to: "guest@example.com", at: now).credential.id
        let first = Data(repeating: 1, count: 65), second = Data(repeating: 2, count: 65)

        // A person's own key is no share: it is not bound.
        #expect(throws: AccessError.self) { try site.store.registerDevice(key.credential.id, publicKey: first, at: now) }
        #expect(try site.store.registerDevice(share, publicKey: first, at: now) == .bound)
        #expect(try site.store.registerDevice(share, publicKey: first, at: now) == .sameDevice)
        #expect(try site.store.deviceBinding(share)?.secondDeviceAt == nil)
        #expect(try site.store.registerDevice(share, publicKey: second, at: now + 60) == .secondDevice)
        #expect(try site.store.deviceBinding(share)?.publicKey == first)
        #expect(try site.store.deviceBinding(share)?.secondDeviceAt == now + 60)
        #expect(try site.store.activity().contains { $0.kind == .deviceBinding && $0.event == "second_device" && $0.credentialID == share })

        #expect(try site.store.acceptDeviceStamp(share, publicKey: first, stampMs: 1000))
        #expect(try !site.store.acceptDeviceStamp(share, publicKey: first, stampMs: 1000))
        #expect(try !site.store.acceptDeviceStamp(share, publicKey: first, stampMs: 999))
        #expect(try !site.store.acceptDeviceStamp(share, publicKey: second, stampMs: 2000))

        try site.store.allowSecondDevice(share, actor: "alice", at: now + 120)
        #expect(try site.store.deviceBinding(share)?.publicKey == second)
        #expect(try site.store.deviceBinding(share)?.secondDeviceAt == nil)
        #expect(try site.store.acceptDeviceStamp(share, publicKey: second, stampMs: 5))
        #expect(try !site.store.acceptDeviceStamp(share, publicKey: first, stampMs: 3000))
        #expect(throws: AccessError.self) { try site.store.allowSecondDevice(share, at: now + 180) }
    }

    @Test func bindingIsOnForADoorUntilAManagerTurnsItOff() throws {
        let site = try Site.aliceAtFront(mode: .cardOrPin)
        #expect(try site.store.deviceBindingRequired(door: "Front"))
        #expect(try site.store.deviceBindingRequired(door: "Nowhere"))
        try site.store.setDeviceBinding(door: "Front", required: false, actor: "manager", at: now)
        #expect(try !site.store.deviceBindingRequired(door: "Front"))
        try site.store.setDeviceBinding(door: "Front", required: true, actor: "manager", at: now)
        #expect(try site.store.deviceBindingRequired(door: "Front"))
        #expect(throws: AccessError.self) { try site.store.setDeviceBinding(door: "Nowhere", required: false, at: now) }
    }
}
