import Access
import Timebase

/// An operator's door commands (`keyway door unlock|lock|lockdown|normal`): what each does to a door
/// in the mode it is in, and the words the operator reads back. Mode changes go to the access core,
/// which keeps (and logs) them; a timed unlock is the door's alone.
public struct DoorOperator: Sendable {
    let site: SiteRuntime

    public init(site: SiteRuntime) {
        self.site = site
    }

    /// Carries out `action` on the door for `actor` (who the activity log names); returns what happened, in
    /// words. `duration` is checked where it came in (`DurationLimits.relayPulse`).
    public func command(
        _ action: DoorRequestAction, door name: String, for duration: Duration?, actor: String = "keyway door"
    ) async throws(BridgeError) -> String {
        guard let modes = await site.modes(ofDoor: name) else {
            let hint = closestMatch(to: name, among: await site.doorNames).map { ", did you mean \"\($0)\"?" } ?? ""
            throw .doorCommand("no door \"\(name)\"\(hint)")
        }
        let newMode: DoorMode
        switch action {
        case .unlock:
            guard modes.current != .lockdown else { throw .doorCommand("\(name) is in lockdown: `keyway door normal \(name)` first") }
            guard let duration else {
                newMode = .unlocked
                break
            }
            await site.unlock(name, for: duration, actor: actor)
            return "\(name) unlocked for \(duration.text)"
        // Locking a door configured unlocked still lets credentials in.
        case .lock: newMode = modes.configured == .unlocked ? .card : modes.configured
        case .lockdown: newMode = .lockdown
        case .normal: newMode = modes.configured
        }
        let mode: DoorMode
        do {
            mode = try await site.setMode(newMode, door: name, actor: actor)
        } catch {
            throw .doorCommand("cannot change the mode of \(name): \(error)")
        }
        // A mode change relocks by itself; locking a door already in its mode still ends a timed unlock.
        if action == .lock, mode == modes.current { await site.relock(name) }
        return "\(name) is now \(mode.rawValue)"
    }
}
