import ArgumentParser
import Foundation

/// Exit codes shared by every command.
enum ExitStatus {
    /// The device, the peer or the operation failed (no answer, NAK, refused).
    static let failure = ExitCode(1)
    /// The input or the arguments were malformed.
    static let usage = ExitCode(2)
}

/// A malformed argument or input: its message goes to stderr and the program exits with 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// `--json`: one JSON object per line instead of text.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object per line.")
    var json = false
}

/// Writes one JSON object as one line on stdout (the `--json` contract of every command).
func printJSONLine<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Encoding plain records cannot fail; a failure here is a programming error worth seeing.
    let data = try! encoder.encode(value)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

/// Writes a line on stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
