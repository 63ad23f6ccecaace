import Crypto
import Foundation

/// The API's secrets (session cookies, CSRF tokens, API tokens, password links): 256 random bits, base64url,
/// with a prefix that says what they are; stored only as SHA-256 digests (enough for random secrets; passwords
/// get bcrypt).
enum APISecret {
    static func make(prefix: String) -> String {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return prefix + text
    }

    static func digest(_ secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Compares two digests in time independent of where they differ.
    static func same(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func identifier(_ prefix: String) -> String { prefix + "_" + UUID().uuidString.lowercased() }
}
