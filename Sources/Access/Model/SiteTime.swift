import Foundation

/// Times and durations as people type them: ISO 8601 with an offset or `Z`, or `YYYY-MM-DD HH:MM` in the
/// site's zone; durations `30m`, `2h`, `1d` (also `45s`, `2w`).
public enum SiteTime {
    public static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        if let date = iso.date(from: text) { return date }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return date }
        return local(text, format: "yyyy-MM-dd HH:mm", timeZone: timeZone)
    }

    /// `YYYY-MM-DD`, checked to be a real calendar day.
    public static func parseDay(_ text: String) -> String? {
        guard text.count == 10, local(text, format: "yyyy-MM-dd", timeZone: TimeZone(identifier: "UTC")!) != nil else { return nil }
        return text
    }

    /// ISO 8601 in the site's zone, as listings print times.
    public static func format(_ date: Date, timeZone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private static func local(_ text: String, format: String, timeZone: TimeZone) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = format
        formatter.isLenient = false
        guard let date = formatter.date(from: text), formatter.string(from: date) == text else { return nil }
        return date
    }
}
