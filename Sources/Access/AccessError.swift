/// Errors of the access store, worded for the person at the keyboard.
public enum AccessError: Error, Equatable, CustomStringConvertible {
    /// A person, door, group, schedule or credential that does not exist.
    case notFound(what: String, String)
    /// Input that breaks a rule (a trivial code, a window that ends before it starts).
    case invalid(String)
    /// Something that would clash with what exists (a name taken, a card already assigned).
    case conflict(String)
    /// The database holds something this version cannot read.
    case corrupt(String)
    /// The database file was deleted or replaced under this process: nothing is written to the lost file.
    case databaseFile(String)

    public var description: String {
        switch self {
        case .notFound(let what, let name): "no \(what) '\(name)'"
        case .invalid(let message), .conflict(let message): message
        case .corrupt(let message): "database: \(message)"
        case .databaseFile(let problem): problem
        }
    }

    /// True when the input, not the system, is at fault (the CLI exits with 2).
    public var isUsageError: Bool {
        switch self {
        case .notFound, .invalid, .conflict: true
        case .corrupt, .databaseFile: false
        }
    }
}
