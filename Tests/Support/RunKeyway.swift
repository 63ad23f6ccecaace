import Foundation

/// What a finished `keyway` run printed and how it exited.
public struct KeywayResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// stdout split into its non-empty lines.
    public var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// Each stdout line parsed as a JSON object (lines that are not objects are skipped).
    public var jsonLines: [[String: Any]] {
        lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}

/// Runs the built `keyway` with arguments and optional stdin, and waits for it to exit.
public func runKeyway(
    _ arguments: [String],
    stdin: String? = nil,
    environment: [String: String] = [:],
    currentDirectory: URL? = nil
) throws -> KeywayResult {
    let process = Process()
    process.executableURL = TestPaths.keyway
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = inPipe
    try process.run()
    if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
    try inPipe.fileHandleForWriting.close()
    // Read both pipes to the end before waiting, so a chatty child never blocks on a full pipe.
    let errData = LockedData()
    let errReader = Thread { errData.set(errPipe.fileHandleForReading.readDataToEndOfFile()) }
    errReader.start()
    let out = outPipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { Thread.sleep(forTimeInterval: 0.001) }
    return KeywayResult(
        status: process.terminationStatus,
        stdout: String(decoding: out, as: UTF8.self),
        stderr: String(decoding: errData.value, as: UTF8.self)
    )
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}
