import Foundation

/// One problem in a site configuration file, located precisely enough to fix it without searching.
public struct ConfigurationIssue: Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it.
    public let file: String
    /// 1-based line and column of the offending value (or of its key when the value is missing).
    public let line: Int
    public let column: Int
    /// Where in the document, e.g. `doors[2].relay.output`; empty for syntax errors.
    public let path: String
    public let message: String
    /// Whether the file is wrong, or the machine it is checked on (an environment variable, a key file, a device).
    public let origin: Origin

    public enum Origin: String, Sendable, Equatable {
        /// The file's text: wrong wherever it is used.
        case file
        /// What this machine gives the file: set the variable, fix the key file, plug the device in.
        case machine
    }

    public init(file: String, line: Int, column: Int, path: String, message: String, origin: Origin = .file) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.origin = origin
    }

    /// `site.yaml:14:17: doors[2].relay.output: 7 is out of range, PD "lobby" has 4 outputs`
    public var description: String {
        let location = "\(file):\(line):\(column)"
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// Every problem found in a configuration file, in document order: a file is checked in full,
/// so an integrator fixes all of them in one round.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let issues: [ConfigurationIssue]

    public init(issues: [ConfigurationIssue]) {
        self.issues = issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// How far a configuration is checked.
public enum ConfigurationScope: Sendable, Equatable {
    /// The file alone (`keyway config check --offline`): no environment, no key files, no devices. A value
    /// that needs an environment variable without a default is left unchecked.
    case offline
    /// What `keyway serve` and every reload load: the file with this environment and its key files.
    case service
    /// `keyway config check`: as the service loads it, and the devices it names exist on this machine
    /// (the service itself starts without them and reports a fault until they appear).
    case machine
}
