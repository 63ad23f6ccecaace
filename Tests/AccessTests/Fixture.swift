import Foundation
import KeywayTestSupport
@testable import Access

/// A fresh site in a temporary directory: database, secrets, the Paris time zone (it has DST).
struct Site {
    let directory: URL
    let access: AccessControl
    var store: AccessStore { access.store }
    static let zone = TimeZone(identifier: "Europe/Paris")!

    /// Tests decide at made-up times, back and forth: the clock is not watched unless a test asks (`ClockTests`).
    init(lockout: KeypadLockoutPolicy = KeypadLockoutPolicy(), clock: ClockPolicy = ClockPolicy(tolerance: nil)) throws {
        directory = try TestPaths.temporaryDirectory("access")
        database = directory.appendingPathComponent("keyway.db")
        access = try AccessControl.open(database: database, timeZone: Self.zone, lockout: lockout, clockPolicy: clock)
    }

    let database: URL

    /// A site with one door, Front, that Alice may always open (group All).
    static func aliceAtFront(mode: DoorMode, lockout: KeypadLockoutPolicy = KeypadLockoutPolicy(),
                             clock: ClockPolicy = ClockPolicy(tolerance: nil)) throws -> Site {
        let site = try Site(lockout: lockout, clock: clock)
        try site.store.addDoor(name: "Front", mode: mode)
        try site.store.addPerson(name: "Alice")
        try site.store.addGroup(name: "All", doors: [("Front", nil)])
        try site.store.grant(person: "Alice", group: "All")
        return site
    }

    /// `YYYY-MM-DD HH:MM` in the site's zone.
    static func time(_ text: String) -> Date {
        guard let date = SiteTime.parse(text, timeZone: zone) else { fatalError("bad test time \(text)") }
        return date
    }

    static func card(_ number: UInt64, facility: UInt32 = 12) -> CardData {
        .fields(format: "h10301", facility: facility, number: number)
    }
}
