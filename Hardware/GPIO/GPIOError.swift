/// Why GPIO lines could not be used.
public enum GPIOError: Error, Sendable, Hashable, CustomStringConvertible {
    case chipUnavailable(chip: String, reason: String)
    /// An input line (Wiegand data, a contact) could not be requested for edge events.
    case lineUnavailable(chip: String, offset: UInt32, reason: String)
    /// An output line (a relay, a reader's LED or beeper wire) could not be requested.
    case outputUnavailable(chip: String, offset: UInt32, reason: String)
    case readFailed(reason: String)
    /// An output line could not be set: the relay or wire is not where it was told to be.
    case writeFailed(chip: String, offset: UInt32, reason: String)

    public var description: String {
        switch self {
        case .chipUnavailable(let chip, let reason): "cannot open GPIO chip \(chip): \(reason)"
        case .lineUnavailable(let chip, let offset, let reason): "cannot watch line \(offset) of \(chip): \(reason)"
        case .outputUnavailable(let chip, let offset, let reason): "cannot drive line \(offset) of \(chip): \(reason)"
        case .readFailed(let reason): "cannot read GPIO events: \(reason)"
        case .writeFailed(let chip, let offset, let reason): "cannot set line \(offset) of \(chip): \(reason)"
        }
    }
}
