/// Rules for PINs and passcodes: their length, the trivial ones refused, and their generation from a CSPRNG.
public struct CodePolicy: Sendable {
    /// The shortest code anyone may choose or be given (a site may ask for more; 6 digits is a million codes).
    public var minimumLength = 6
    public static let maximumLength = 12
    public var lengths: ClosedRange<Int> { minimumLength...max(minimumLength, Self.maximumLength) }
    /// Length of generated codes (6+ digits for anything that opens a door), never below the minimum.
    public var generatedLength: Int { get { max(chosenGeneratedLength, minimumLength) } set { chosenGeneratedLength = newValue } }
    private var chosenGeneratedLength = 6

    public init() {}

    /// Why a code is refused, worded for the person who typed it.
    public enum Rejection: Error, Hashable, CustomStringConvertible {
        case notDigits
        case length(ClosedRange<Int>)
        case trivial(String)
        case collision

        public var description: String {
            switch self {
            case .notDigits: "a code is made of digits only"
            case .length(let range): "a code has \(range.lowerBound) to \(range.upperBound) digits"
            case .trivial(let why): "the code is too easy to guess (\(why))"
            case .collision: "the code is already in use; choose another"
            }
        }
    }

    /// Trivial patterns, as data: a name for the message and a test on the digits.
    static let trivialPatterns: [(name: String, matches: @Sendable ([Int]) -> Bool)] = [
        ("ascending sequence", { digits in zip(digits, digits.dropFirst()).allSatisfy { $1 == $0 + 1 } }),
        ("descending sequence", { digits in zip(digits, digits.dropFirst()).allSatisfy { $1 == $0 - 1 } }),
        // Covers one repeated digit (111111), repeated pairs (121212) and repeated halves (123123).
        ("repeated pattern", { digits in
            (1...(digits.count / 2)).contains { period in
                digits.count % period == 0 && digits.indices.allSatisfy { digits[$0] == digits[$0 % period] }
            }
        }),
    ]

    /// Checks a code someone chose; collisions with active codes are the store's to check.
    public func validate(_ code: String) throws(Rejection) {
        guard code.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .notDigits }
        guard lengths.contains(code.count) else { throw .length(lengths) }
        let digits = code.map { Int($0.asciiValue! - 48) }
        if let pattern = Self.trivialPatterns.first(where: { $0.matches(digits) }) { throw .trivial(pattern.name) }
    }

    /// A fresh non-trivial code from the system CSPRNG.
    public func generate() -> String {
        var random = SystemRandomNumberGenerator()
        while true {
            let code = String((0..<generatedLength).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
            if (try? validate(code)) != nil { return code }
        }
    }

    /// What the log and listings may show of a code: its length, never its digits.
    static func mask(_ code: String) -> String {
        String(repeating: "•", count: code.count)
    }
}
