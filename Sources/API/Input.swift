import Access
import Foundation

/// Checks on values from outside, each failing with a 400 that states the rule.
enum Input {
    /// A path parameter, percent-decoded (the router leaves `Back%20Door` as it came).
    static func path(_ context: APIContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else { throw APIError.invalid("\(name) is not a valid path segment") }
        return try text(decoded, name, max: APILimits.nameLength)
    }

    static func text(_ value: String, _ field: String, max: Int) throws(APIError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid("\(field) must not be empty") }
        guard trimmed.unicodeScalars.count <= max else { throw .invalid("\(field) is at most \(max) characters") }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("\(field) must not contain control characters")
        }
        return trimmed
    }

    static func optionalText(_ value: String?, _ field: String, max: Int) throws(APIError) -> String? {
        guard let value else { return nil }
        return try text(value, field, max: max)
    }

    static func email(_ value: String) throws(APIError) -> String {
        let email = try text(value, "email", max: APILimits.emailLength).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(" ") else {
            throw .invalid("email must be an e-mail address like ada@example.org")
        }
        return email
    }

    static func password(_ value: String) throws(APIError) -> String {
        guard APILimits.passwordBytes.contains(value.utf8.count) else {
            throw .invalid("a password is \(APILimits.passwordBytes.lowerBound) to \(APILimits.passwordBytes.upperBound) bytes long (bcrypt reads no more)")
        }
        return value
    }

    static func secret(_ value: String, _ field: String) throws(APIError) -> String {
        guard !value.isEmpty, value.utf8.count <= APILimits.secretLength else { throw .invalid("\(field) is not a valid secret") }
        return value
    }

    static func doors(_ value: [String]?, required: Bool) throws(APIError) -> [String]? {
        guard let value else {
            if required { throw .invalid("doors must list at least one door") }
            return nil
        }
        guard !value.isEmpty else { throw .invalid("doors must list at least one door") }
        guard value.count <= APILimits.doorsPerRequest else { throw .invalid("doors lists at most \(APILimits.doorsPerRequest) doors") }
        var names: [String] = []
        for door in value { names.append(try text(door, "a door name", max: APILimits.nameLength)) }
        return names
    }

    static func date(_ value: String?, _ field: String) throws(APIError) -> Date? {
        guard let value else { return nil }
        return try Timestamp.parse(value, field: field)
    }

    /// An end in the future, no further than `APILimits.credentialPeriod` ahead.
    static func end(_ value: String?, _ field: String, now: Date) throws(APIError) -> Date? {
        guard let end = try date(value, field) else { return nil }
        guard end > now else { throw .invalid("\(field) must be in the future") }
        let longest = APILimits.credentialPeriod.maximum
        guard end.timeIntervalSince(now) <= Double(longest.components.seconds) else {
            throw .invalid("\(field) is at most \(longest.components.seconds / 86_400) days ahead (\(APILimits.credentialPeriod.reason))")
        }
        return end
    }

    static func uses(_ value: Int?) throws(APIError) -> UseLimit {
        guard let value else { return .unlimited }
        guard APILimits.uses.contains(value) else {
            throw .invalid("uses is \(APILimits.uses.lowerBound) to \(APILimits.uses.upperBound), or left out for unlimited")
        }
        return .count(value)
    }

    static func pageSize(_ value: Substring?) throws(APIError) -> Int {
        guard let value else { return 50 }
        guard let size = Int(value), APILimits.pageSize.contains(size) else {
            throw .invalid("limit is \(APILimits.pageSize.lowerBound) to \(APILimits.pageSize.upperBound)")
        }
        return size
    }

    static func recipient(_ value: String, _ field: String = "recipient") throws(APIError) -> String {
        MessageRecipient.normalized(try text(value, field, max: APILimits.emailLength))
    }
}
