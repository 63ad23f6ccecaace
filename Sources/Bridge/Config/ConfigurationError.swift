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

    public init(file: String, line: Int, column: Int, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
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
