import ArgumentParser
import Foundation

/// `--json`: one JSON object per line instead of text.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object per line.")
    var json = false
}

/// A record a command prints: one JSON line with `--json`, else its text for a person.
protocol OutputRecord: Encodable {
    var humanDescription: String { get }
}

extension OutputOptions {
    func print(_ record: some OutputRecord) {
        print(record, text: record.humanDescription)
    }

    /// `value` as one JSON line with `--json`, else `text`.
    func print(_ value: some Encodable, text: @autoclosure () -> String) {
        json ? printJSONLine(value) : Swift.print(text())
    }
}

/// Writes one JSON object as one line on stdout (the `--json` contract of every command).
func printJSONLine<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Encoding plain records cannot fail; a failure here is a programming error worth seeing.
    let data = try! encoder.encode(value)
    try? FileHandle.standardOutput.write(contentsOf: data + Data("\n".utf8))
}

/// Writes a line on stderr.
func printError(_ message: String) {
    try? FileHandle.standardError.write(contentsOf: Data((message + "\n").utf8))
}
