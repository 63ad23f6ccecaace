import Access
import Foundation
import Hummingbird

/// Who a web page is shown to: the API's own cookie session (pages are GETs, so no CSRF token is asked for).
/// The pages' scripts then act through the API's routes, which check everything again.
public struct PageViewer: Sendable {
    public let name: String
    public let email: String
    public let role: String
    /// Staff and admins see the manager pages.
    public let isStaff: Bool
    /// Only admins see the site's settings (policy, webhooks).
    public let isAdmin: Bool
}

/// What a share link's page tells its guest before anyone taps Unlock: never the token or another key.
public struct SharedKeySummary: Sendable {
    public enum Standing: String, Sendable {
        case active, notYetValid = "not_yet_valid", expired, revoked
    }

    public let standing: Standing
    public let doors: [String]
    /// The key holder's name (the person whose key was shared), else the account that shared it.
    public let sharedBy: String
    public let recipient: String?
    public let validFrom: Date?
    public let validUntil: Date?
    public let revokedAt: Date?
}

extension KeywayAPI {
    /// The account of a browser session, or nil (no cookie, an ended session, a disabled account, an API token).
    public func pageViewer(_ request: Request, _ context: APIContext) async -> PageViewer? {
        guard request.method == .get || request.method == .head,
              let caller = try? await caller(request, context), caller.session != nil else { return nil }
        return PageViewer(name: caller.user.name, email: caller.user.email, role: caller.role.rawValue, isStaff: caller.role >= .staff,
                          isAdmin: caller.role >= .admin)
    }

    /// A share link's key, when the token is one the site issued for it; nil for anything else (malformed,
    /// forged, unknown, not a key). Tokens are deterministic (Ed25519 signs deterministically and the expiry is the
    /// key's own), so the site's current token for the id is compared in constant time, as digests.
    public func sharedKey(token: String, at now: Date = Date()) async -> SharedKeySummary? {
        guard let token = try? Input.secret(token, "key") else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, !parts[1].isEmpty else { return nil }
        let id = String(parts[1])
        guard let issued = try? await access.credential(id), issued.credential.kind == .key,
              let expected = try? await access.presentationToken(forKey: id),
              APISecret.same(APISecret.digest(expected), APISecret.digest(token)) else { return nil }
        let credential = issued.credential
        let standing: SharedKeySummary.Standing
        if credential.revokedAt != nil {
            standing = .revoked
        } else if let end = credential.validUntil, end <= now {
            standing = .expired
        } else if let start = credential.validFrom, start > now {
            standing = .notYetValid
        } else {
            standing = .active
        }
        // A share names no person: the holder is the person of the key it came from (a short chain of re-shares).
        var sharedBy = credential.person
        var parent = credential.parent
        for _ in 0..<8 where sharedBy == nil {
            guard let id = parent, let above = try? await access.credential(id) else { break }
            sharedBy = above.credential.person
            parent = above.credential.parent
        }
        if sharedBy == nil, let issuer = issued.issuer, let userID = issuer.split(separator: " ").first {
            sharedBy = try? await accounts.user(id: String(userID))?.name
        }
        return SharedKeySummary(standing: standing, doors: credential.doors, sharedBy: sharedBy ?? "the building's staff",
                                recipient: credential.recipient, validFrom: credential.validFrom, validUntil: credential.validUntil,
                                revokedAt: credential.revokedAt)
    }
}
