import Foundation

/// Where a demo peer (a Python script the demo starts beside the service) writes its standard error:
/// `var/demo/logs/<script>.log`, mode 0600, so a peer that fails to start is reported with its own last words
/// (a missing module, a busy port) instead of a guess, and a running one can be read when something looks wrong.
struct DemoPeerLog {
    static let directory = "\(DemoSite.directory)/logs"
    let path: String
    let handle: FileHandle

    /// Makes the script's log, or empties it, owner-only (never through a symbolic link).
    init(for script: URL) throws(BridgeError) {
        path = "\(Self.directory)/\(script.deletingPathExtension().lastPathComponent).log"
        do {
            try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
        } catch {
            throw .startup("cannot make \(Self.directory): \(error)")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .startup("cannot write \(path): \(String(cString: strerror(errno)))") }
        fchmod(fd, 0o600)
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Why `script` did not start, for the error `keyway serve --demo` stops with: the last line the peer wrote
    /// (Python's traceback ends with the exception), or the likely cause when it wrote nothing.
    func failure(_ script: URL, likely cause: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let last = text.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }
        let said = last.map { ": \($0.trimmingCharacters(in: .whitespaces).prefix(300))" } ?? " (\(cause))"
        return "the demo's \(script.lastPathComponent) did not start\(said); run scripts/setup.sh (its output: \(path))"
    }
}
