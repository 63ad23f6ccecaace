import Access
import Foundation

/// Credentials as `credentials list` and the create commands print them.
struct CredentialOutput: OutputRecord {
    let id: String
    let kind: String
    let person: String?
    let label: String?
    let shown: String?
    let doors: [String]
    let validFrom: String?
    let validUntil: String?
    let schedule: String?
    let usesLeft: Int?
    let duress: Bool
    let parent: String?
    let recipient: String?
    let mayShare: Bool
    let revokedAt: String?
    let revokedBy: String?
    let revokedReason: String?
    let code: String?
    let token: String?

    init(_ credential: Credential, zone: TimeZone, code: String? = nil, token: String? = nil) {
        id = credential.id
        kind = credential.kind.rawValue
        person = credential.person
        label = credential.label
        shown = credential.shown
        doors = credential.doors
        validFrom = AccessCLI.format(credential.validFrom, zone)
        validUntil = AccessCLI.format(credential.validUntil, zone)
        schedule = credential.schedule
        usesLeft = credential.usesLeft
        duress = credential.duress
        parent = credential.parent
        recipient = credential.recipient
        mayShare = credential.mayShare
        revokedAt = AccessCLI.format(credential.revokedAt, zone)
        revokedBy = credential.revokedBy
        revokedReason = credential.revokedReason
        self.code = code
        self.token = token
    }

    /// One line for people: id, kind, whose, what, when, state.
    var humanDescription: String {
        var parts = [id, kind]
        if let person { parts.append(person) }
        if let label { parts.append("\"\(label)\"") }
        if let shown { parts.append(shown) }
        if let recipient { parts.append("to \(recipient)") }
        if !doors.isEmpty { parts.append("doors " + doors.joined(separator: ",")) }
        if let validFrom { parts.append("from \(validFrom)") }
        if let validUntil { parts.append("until \(validUntil)") }
        if let schedule { parts.append("on \(schedule)") }
        if let usesLeft { parts.append("\(usesLeft) uses left") }
        if duress { parts.append("duress") }
        if let revokedAt { parts.append("REVOKED \(revokedAt) by \(revokedBy ?? "?")" + (revokedReason.map { ": \($0)" } ?? "")) }
        if let code { parts.append("code \(code)") }
        if let token { parts.append("token \(token)") }
        return parts.joined(separator: "  ")
    }
}
