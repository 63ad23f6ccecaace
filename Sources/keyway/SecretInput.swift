import Access
import Foundation

/// A secret (a Secure Channel key, a PIN, a digital key token) named on the command line by where to read it, never
/// by its value: every user of the machine can read a command line in /proc. `--…-file PATH` is a file only its
/// owner may read or write (mode 0600, checked on the file opened); `--…-file -` is standard input.
enum SecretInput {
    static let standardInput = "-"
    /// Far more than any key, PIN or token; a secret file is never a log to read whole.
    static let maximumLength = 4096

    /// The text of the secret, surrounding spaces and newlines trimmed; `option` names the option in errors.
    static func read(_ source: String, option: String) throws(UsageError) -> String {
        let data: Data
        if source == standardInput {
            data = try readStandardInput(option: option)
        } else {
            do {
                data = try SecretFile.contents(at: URL(fileURLWithPath: source), maximumLength: maximumLength)
            } catch {
                throw UsageError("\(option): \(error)")
            }
        }
        guard let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        else { throw UsageError("\(option): \(source == standardInput ? "standard input" : source) holds no secret") }
        return text
    }

    private static func readStandardInput(option: String) throws(UsageError) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes(readStandardInputChunk)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw UsageError("\(option): cannot read standard input: \(String(cString: strerror(errno)))") }
            if count == 0 { return data }
            data.append(contentsOf: buffer[..<count])
            guard data.count <= maximumLength else { throw UsageError("\(option): standard input holds more than \(maximumLength) bytes") }
        }
    }
}

/// read(2) on standard input, out of `SecretInput`'s scope, where `read` names its own method.
private func readStandardInputChunk(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(STDIN_FILENO, buffer.baseAddress, buffer.count)
}
