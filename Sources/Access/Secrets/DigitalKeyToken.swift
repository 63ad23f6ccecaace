import Crypto
import Foundation

/// A digital key as a phone presents it, offline: `kw1.<key id>.<expiry>.<signature>`.
/// The expiry is Unix seconds (`0`: none beyond the key's own state); the signature is the site's Ed25519
/// signature over `kw1.<key id>.<expiry>`, base64url without padding. The token proves the site issued it;
/// the key's state (revoked, window, doors) is still checked against the allowlist.
public struct DigitalKeyToken: Sendable, Hashable {
    public let keyID: String
    public let expiry: Date?

    static let version = "kw1"

    public init(keyID: String, expiry: Date?) {
        self.keyID = keyID
        self.expiry = expiry
    }

    var signedPart: String {
        "\(Self.version).\(keyID).\(expiry.map { String(Int64($0.timeIntervalSince1970)) } ?? "0")"
    }

    func encoded(signingWith key: Curve25519.Signing.PrivateKey) throws -> String {
        let signature = try key.signature(for: Data(signedPart.utf8))
        return signedPart + "." + Base64URL.encode(signature)
    }

    enum ParseError: Error { case malformed, badSignature }

    /// Parses a token and verifies its signature; any doubt is an error.
    static func verified(_ token: String, publicKey: Curve25519.Signing.PublicKey) throws(ParseError) -> DigitalKeyToken {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.version, !parts[1].isEmpty,
              let seconds = Int64(parts[2]), seconds >= 0,
              let signature = Base64URL.decode(String(parts[3]))
        else { throw .malformed }
        let signed = parts[0...2].joined(separator: ".")
        guard publicKey.isValidSignature(signature, for: Data(signed.utf8)) else { throw .badSignature }
        return DigitalKeyToken(keyID: String(parts[1]), expiry: seconds == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
