import Timebase

/// Every bound the API puts on what comes in, in one place (the OpenAPI document states the same).
public enum APILimits {
    /// A request body, in bytes.
    public static let bodySize = 16 * 1024
    public static let emailLength = 254
    public static let nameLength = 200
    public static let labelLength = 200
    public static let reasonLength = 500
    /// bcrypt reads at most 72 bytes: a longer password would be cut silently, so it is refused.
    public static let passwordBytes = 12...72
    /// A secret (token, link, session, digital key) as sent back to us.
    public static let secretLength = 512
    public static let doorsPerRequest = 64
    public static let pageSize = 1...200
    public static let uses = 1...10_000
    /// How long a rotated code's old code may keep working beside the new one: up to a week.
    public static let rotationOverlapSeconds = 0...604_800
    /// A card's raw bits (`bits`), as `0` and `1` characters.
    public static let cardBits = 1...1024
    /// How long a token or share may run, at most (`DurationLimits.credentialPeriod`).
    public static let credentialPeriod = DurationLimits.credentialPeriod
    /// A timed unlock from the API, in whole seconds: within `DurationLimits.relayPulse` (the longest OSDP output timer).
    public static let timedUnlockSeconds: ClosedRange<Int64> = 1...6553
}
