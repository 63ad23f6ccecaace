/// A reader configuration that cannot work; the message says why.
public enum WiegandConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidTiming(String)
    case invalidFormat(String)
    case invalidPasscodeRules(String)
    case invalidKeyMap(String)

    public var description: String {
        switch self {
        case .invalidTiming(let why): "invalid Wiegand timing: \(why)"
        case .invalidFormat(let why): "invalid card format: \(why)"
        case .invalidPasscodeRules(let why): "invalid PIN rules: \(why)"
        case .invalidKeyMap(let why): "invalid key map: \(why)"
        }
    }
}
