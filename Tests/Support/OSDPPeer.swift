import Foundation

/// One JSON line the peer printed: `{"event":"command","address":1,"type":"output",...}`.
public struct PeerEvent: Sendable, CustomStringConvertible {
    public let line: String

    /// The line's fields (JSON numbers as `Int` or `Double`, booleans as `Bool`).
    public var fields: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }
    public var name: String { fields["event"] as? String ?? "" }
    public subscript(key: String) -> Any? { fields[key] }
    public func int(_ key: String) -> Int? { fields[key] as? Int }
    public func string(_ key: String) -> String? { fields[key] as? String }
    public var description: String { line }
}

/// The peer did not do what a test waited for.
public struct OSDPPeerError: Error, CustomStringConvertible {
    public let description: String
}

/// Real OSDP readers for a test: libosdp PDs in `Demo/osdp_pd.py`, run by the repository's
/// Python (`TestPaths.python`) on a pseudo-terminal of their own (or on a given device).
///
/// The child is always terminated and reaped: by `terminate()`, by `kill()`, or when the peer is released
/// (a test that throws or fails releases it too).
public final class OSDPPeer: @unchecked Sendable {
    /// How the peer's PDs are set up (each maps to an option of osdp_pd.py).
    public struct Options: Sendable {
        public var addresses: [UInt8] = [1]
        /// The SCBK the PDs hold (32 hex digits); nil with `installMode` for a blank reader.
        public var scbk: String?
        public var installMode = false
        public var enforceSecure = false
        public var baud = 9600
        /// Use this existing device instead of a new pseudo-terminal.
        public var device: String?
        /// Point this symlink at the new pseudo-terminal: a name that survives the peer's restart.
        public var link: String?
        /// Further osdp_pd.py options (`--outputs 2`, `--vendor-code 0x...`).
        public var extraArguments: [String] = []

        public init(
            addresses: [UInt8] = [1], scbk: String? = nil, installMode: Bool = false, enforceSecure: Bool = false,
            baud: Int = 9600, device: String? = nil, link: String? = nil, extraArguments: [String] = []
        ) {
            self.addresses = addresses
            self.scbk = scbk
            self.installMode = installMode
            self.enforceSecure = enforceSecure
            self.baud = baud
            self.device = device
            self.link = link
            self.extraArguments = extraArguments
        }

        /// The key goes by file, as everywhere: a command line is readable by every user of the machine.
        func arguments(keyFile: URL?) -> [String] {
            var arguments = addresses.flatMap { ["--address", String($0)] } + ["--baud", String(baud)]
            if let keyFile { arguments += ["--scbk-file", keyFile.path] }
            if installMode { arguments.append("--install-mode") }
            if enforceSecure { arguments.append("--enforce-secure") }
            if let device { arguments += ["--device", device] }
            if let link { arguments += ["--link", link] }
            return arguments + extraArguments
        }
    }

    /// The script, carried by the repository.
    public static let script = TestPaths.repository.appendingPathComponent("Demo/osdp_pd.py")
    /// Waits in tests are generous: a loaded CI machine must never make them flaky.
    public static let defaultTimeout: TimeInterval = 20

    /// The device the control panel opens (the link, when one was asked for).
    public private(set) var devicePath = ""
    public let options: Options

    private let process = Process()
    private let input = Pipe()
    private let condition = NSCondition()
    /// Guarded by `condition`: events not yet consumed by `awaitEvent`, and whether stdout ended.
    private var pending: [PeerEvent] = []
    private var ended = false
    private let stderrFile: URL

    /// Starts the peer and waits for its `ready` line.
    public init(_ options: Options = .init(), timeout: TimeInterval = defaultTimeout) throws {
        self.options = options
        let folder = try TestPaths.temporaryDirectory("osdp-peer")
        stderrFile = folder.appendingPathComponent("stderr.log")
        try Data().write(to: stderrFile)
        let keyFile = try options.scbk.map { key in
            let file = folder.appendingPathComponent("scbk.key")
            guard FileManager.default.createFile(atPath: file.path, contents: Data((key + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw OSDPPeerError(description: "cannot write the PD's key file \(file.path)")
            }
            return file
        }
        process.executableURL = TestPaths.python
        process.arguments = ["-u", Self.script.path] + options.arguments(keyFile: keyFile)
        process.standardInput = input
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        try process.run()
        startReading(output.fileHandleForReading)
        do {
            let ready = try awaitEvent("ready", timeout: timeout)
            guard let device = ready.string("device") else { throw OSDPPeerError(description: "ready without a device: \(ready)") }
            devicePath = options.link ?? device
        } catch {
            terminate()
            throw error
        }
    }

    deinit { terminate() }

    // MARK: Making the PDs act

    /// Sends one command line to the peer.
    public func send(_ command: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: command, options: [.sortedKeys])
        try input.fileHandleForWriting.write(contentsOf: data + Data("\n".utf8))
    }

    /// A card presented at a PD: `bits` valid bits of `hex`, left-aligned as on the wire.
    public func presentCard(address: UInt8, bits: Int, hex: String, format: String = "raw") throws {
        try send(["cmd": "card", "address": Int(address), "bits": bits, "hex": hex, "format": format])
        try awaitEvent("ok") { $0.string("cmd") == "card" }
    }

    /// Keys pressed on a PD's keypad ("1234#").
    public func pressKeys(address: UInt8, _ keys: String) throws {
        try send(["cmd": "keys", "address": Int(address), "keys": keys])
        try awaitEvent("ok") { $0.string("cmd") == "keys" }
    }

    /// The PD's inputs change.
    public func setInputs(address: UInt8, _ states: [Int]) throws {
        try send(["cmd": "input", "address": Int(address), "states": states])
        try awaitEvent("ok") { $0.string("cmd") == "input" }
    }

    /// Tamper and power state of the PD.
    public func setLocalStatus(address: UInt8, tamper: Bool, power: Bool) throws {
        try send(["cmd": "local", "address": Int(address), "tamper": tamper ? 1 : 0, "power": power ? 1 : 0])
        try awaitEvent("ok") { $0.string("cmd") == "local" }
    }

    /// The PD refuses (NAKs) its next `count` commands.
    public func refuseNextCommands(address: UInt8, count: Int = 1) throws {
        try send(["cmd": "nak", "address": Int(address), "count": count])
        try awaitEvent("ok") { $0.string("cmd") == "nak" }
    }

    // MARK: Waiting for what the PDs saw

    /// Waits for the first unconsumed event named `name` that satisfies `matching`, and consumes it.
    @discardableResult
    public func awaitEvent(
        _ name: String, timeout: TimeInterval = defaultTimeout, matching: (PeerEvent) -> Bool = { _ in true }
    ) throws -> PeerEvent {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let index = pending.firstIndex(where: { $0.name == name && matching($0) }) {
                return pending.remove(at: index)
            }
            if ended || !condition.wait(until: deadline) {
                let seen = pending.map(\.line).suffix(20).joined(separator: "\n  ")
                let log = (try? String(contentsOf: stderrFile, encoding: .utf8))?.suffix(1500) ?? ""
                throw OSDPPeerError(description: """
                    peer: no "\(name)" event \(ended ? "before the peer ended" : "within \(timeout) s"); \
                    unconsumed:\n  \(seen)\nstderr:\n\(log)
                    """)
            }
        }
    }

    /// Waits until the PD at `address` reports itself online (and, if asked, in Secure Channel).
    public func awaitOnline(address: UInt8, secure: Bool? = nil, timeout: TimeInterval = defaultTimeout) throws {
        try awaitEvent("online", timeout: timeout) { $0.int("address") == Int(address) && $0["online"] as? Bool == true }
        if let secure {
            try awaitEvent("sc", timeout: timeout) { $0.int("address") == Int(address) && $0["active"] as? Bool == secure }
        }
    }

    /// Waits for the command the control panel sent to a PD (`type`: output, led, buzzer, text, keyset, ...).
    @discardableResult
    public func awaitCommand(_ type: String, address: UInt8, timeout: TimeInterval = defaultTimeout) throws -> PeerEvent {
        try awaitEvent("command", timeout: timeout) { $0.string("type") == type && $0.int("address") == Int(address) }
    }

    // MARK: Ending

    /// Ends the peer politely (SIGTERM), then forcibly if it lingers, and reaps it.
    public func terminate() {
        end(signal: SIGTERM)
    }

    /// Kills the peer at once, as a reader losing power would stop; the device goes with it unless it was given.
    public func kill() {
        end(signal: SIGKILL)
    }

    /// Freezes the peer (SIGSTOP): its PDs stop answering while the device stays, as a reader that hangs would.
    /// `resume()` before ending it.
    public func pause() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGSTOP) }
    }

    /// Lets a paused peer run on (SIGCONT).
    public func resume() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGCONT) }
    }

    private func end(signal: Int32) {
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            Foundation.kill(process.processIdentifier, signal)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        }
        if process.processIdentifier != 0 { process.waitUntilExit() }
    }

    private func startReading(_ handle: FileHandle) {
        let thread = Thread { [weak self] in
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                guard let self else { return }
                if chunk.isEmpty { break }
                buffer += chunk
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer = Data(buffer[buffer.index(after: newline)...])
                    self.condition.lock()
                    self.pending.append(PeerEvent(line: line))
                    self.condition.broadcast()
                    self.condition.unlock()
                }
            }
            self?.condition.lock()
            self?.ended = true
            self?.condition.broadcast()
            self?.condition.unlock()
        }
        thread.start()
    }
}
