import Access
import ArgumentParser
import Bridge
import GPIO
import OSDPLink

/// An error reported in the program's own words: `message` on stderr (nothing when empty), then `exitStatus`.
/// The CLI's failures adopt it, and so, in this file, do the libraries' errors that commands let through;
/// `Keyway.main` turns it into what the user sees.
protocol CommandFailure: Error {
    var message: String { get }
    var exitStatus: Int32 { get }
}

/// Exit codes shared by every command.
enum ExitStatus {
    /// The device, the peer or the operation failed (no answer, NAK, refused).
    static let failure = ExitCode(1)
    /// The input or the arguments were malformed.
    static let usage = ExitCode(2)
}

/// A malformed argument or input: `error: …` on stderr, exit 2.
struct UsageError: CommandFailure, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }

    var message: String { "error: \(description)" }
    var exitStatus: Int32 { ExitStatus.usage.rawValue }
}

/// The device or the PD failed: the message as is on stderr, exit 1.
struct OSDPFailure: CommandFailure, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    var message: String { description }
    var exitStatus: Int32 { ExitStatus.failure.rawValue }
}

/// The running service could not be reached, or refused the request: the message as is on stderr, exit 1.
struct ServiceFailure: CommandFailure {
    let message: String
    init(_ message: String) { self.message = message }

    var exitStatus: Int32 { ExitStatus.failure.rawValue }
}

// MARK: The libraries' errors

/// Bad input (unknown names, broken rules, malformed values) exits 2, everything else 1.
extension AccessError: CommandFailure {
    var message: String { "error: \(self)" }
    var exitStatus: Int32 { (isUsageError ? ExitStatus.usage : ExitStatus.failure).rawValue }
}

extension OSDPLinkError: CommandFailure {
    var message: String { description }
    var exitStatus: Int32 { ExitStatus.failure.rawValue }
}

extension GPIOError: CommandFailure {
    var message: String { description }
    var exitStatus: Int32 { ExitStatus.failure.rawValue }
}

/// A failure to start is `keyway serve`'s own; the others say what failed.
extension BridgeError: CommandFailure {
    var message: String {
        if case .startup = self { "keyway serve: \(description)" } else { description }
    }
    var exitStatus: Int32 { ExitStatus.failure.rawValue }
}
