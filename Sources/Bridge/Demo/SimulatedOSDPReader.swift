import Foundation
import Logging
import Synchronization
import Wiegand

/// The demo's OSDP reader with its relay board: a real libosdp PD (`Demo/osdp_pd.py`) on a
/// pseudo-terminal, which the service's real control panel talks to. Cards and keys are injected
/// into it as if presented at the reader; what the panel commands (relay, LED, buzzer) is logged.
public final class SimulatedOSDPReader: Sendable {
    /// The pseudo-terminal the bus opens.
    public let device: String
    public let address: Int
    private let process: Process
    private let input: FileHandle

    /// Starts the PD (with Secure Channel when given the key's file) and waits for it to announce its device.
    public init(python: URL, script: URL, address: Int, outputs: Int, baud: Int, keyFile: URL?, logger: Logger) throws(BridgeError) {
        guard FileManager.default.isExecutableFile(atPath: python.path), FileManager.default.fileExists(atPath: script.path) else {
            throw .startup("the simulated reader needs libosdp's Python (\(python.path)) and \(script.path): run scripts/setup.sh")
        }
        let process = Process()
        process.executableURL = python
        // The key goes by file: a command line is readable by every user of the machine.
        process.arguments = [script.path, "--address", String(address), "--outputs", String(outputs), "--baud", String(baud)]
            + (keyFile.map { ["--scbk-file", $0.path] } ?? [])
        let stdout = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        let errors = try DemoPeerLog(for: script)
        process.standardError = errors.handle
        do {
            try process.run()
        } catch {
            throw .startup("cannot start \(python.path): \(error)")
        }
        let lines = LineReader(stdout.fileHandleForReading)
        guard let ready = lines.next(), let fields = Self.fields(ready), fields["event"] as? String == "ready",
              let device = fields["device"] as? String else {
            process.terminate()
            process.waitUntilExit()
            throw .startup(errors.failure(script, likely: "is libosdp installed?"))
        }
        self.process = process
        self.device = device
        self.address = address
        input = stdin.fileHandleForWriting
        let thread = Thread {
            while let line = lines.next() {
                guard let fields = Self.fields(line), fields["event"] as? String == "command" else { continue }
                var metadata: Logger.Metadata = [:]
                for (key, value) in fields where !["event", "t", "address", "refused"].contains(key) { metadata[key] = "\(value)" }
                logger.info("simulated PD received", metadata: metadata)
            }
        }
        thread.name = "simulated-osdp-reader"
        thread.start()
    }

    /// A card presented at the reader, sent as RAW Wiegand bits the way a real reader would.
    public func present(_ frame: WiegandFrame) {
        let bits = (0..<frame.bitCount).map { frame.bit(at: $0) ? "1" : "0" }.joined()
        send(["cmd": "card", "address": address, "bitstring": bits, "format": "wiegand"])
    }

    /// Keys typed on the reader's keypad.
    public func type(_ keys: String) {
        send(["cmd": "keys", "address": address, "keys": keys])
    }

    /// Ends the PD (stdin EOF, then SIGTERM, then SIGKILL if it lingers) and reaps it.
    public func stop() {
        try? input.close()
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private func send(_ request: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: request) else { return }
        try? input.write(contentsOf: data + Data("\n".utf8))
    }

    private static func fields(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
}

/// Lines from a pipe, read on the caller's thread.
private final class LineReader: @unchecked Sendable {
    // Used by one thread at a time: the starter, then the forwarding thread.
    private let handle: FileHandle
    private var buffer = Data()

    init(_ handle: FileHandle) { self.handle = handle }

    func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                return line
            }
            let chunk = handle.availableData
            guard !chunk.isEmpty else { return nil }
            buffer += chunk
        }
    }
}
