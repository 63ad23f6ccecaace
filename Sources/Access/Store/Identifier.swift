/// Identifiers that say what they name (`per_…`, `card_…`, `key_…`): a prefix and 10 random base-32 characters,
/// 15 characters at most so they stay inline in memory.
enum Identifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    static func make(_ prefix: String) -> String {
        var random = SystemRandomNumberGenerator()
        return prefix + "_" + String((0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
    }
}
