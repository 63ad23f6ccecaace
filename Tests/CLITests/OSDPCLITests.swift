import Foundation
import KeywayTestSupport
import Testing

/// `keyway osdp ...` run as a technician would, against libosdp PDs on pseudo-terminals.
@Suite(.serialized) struct OSDPCLITests {
    static let key = "0123456789abcdeffedcba9876543210"

    func osdp(_ command: String, _ peer: OSDPPeer, _ arguments: [String] = [], address: UInt8 = 1, stdin: String? = nil)
        throws -> KeywayResult
    {
        try runKeyway(["osdp", command, "--device", peer.devicePath, "--address", String(address)] + arguments, stdin: stdin)
    }

    /// A key file as a technician keeps it: the key on one line, mode 0600 unless told.
    static func keyFile(_ key: String, mode: Int = 0o600) throws -> String {
        let file = try TestPaths.temporaryDirectory("scbk").appendingPathComponent("reader.key").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: mode]))
        return file
    }

    // MARK: Identification

    @Test func idPrintsThePDIDAsSpecified() throws {
        let peer = try OSDPPeer(.init(addresses: [1]))
        let result = try osdp("id", peer, ["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == [
            #"{"address":1,"firmware":"1.2.3","model":1,"secure":false,"serial":"01020304","vendor_code":"A1B2C3","version":1}"#,
        ])
    }

    @Test func idWithTheKeyIsSecure() throws {
        let peer = try OSDPPeer(.init(addresses: [1], scbk: Self.key))
        let result = try osdp("id", peer, ["--scbk-file", Self.keyFile(Self.key), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.jsonLines.first?["secure"] as? Bool == true)
        let human = try osdp("id", peer, ["--scbk-file", "-"], stdin: Self.key + "\n")
        #expect(human.stdout == "PD 1: vendor A1B2C3, model 1, version 1, serial 01020304, firmware 1.2.3, secure channel\n")
    }

    @Test func aWrongKeyIsRefusedClearly() throws {
        let peer = try OSDPPeer(.init(addresses: [1], scbk: Self.key))
        let result = try osdp("id", peer, ["--scbk-file", Self.keyFile("ffeeddccbbaa99887766554433221100")])
        #expect(result.status == 1)
        #expect(result.stderr == "secure channel refused: cryptogram mismatch — wrong SCBK?\n")
        #expect(result.stdout.isEmpty)
    }

    @Test func noAnswerAtThatAddressIsAFailure() throws {
        let peer = try OSDPPeer(.init(addresses: [1]))
        let result = try osdp("id", peer, address: 3)
        #expect(result.status == 1)
        #expect(result.stderr == "no answer from PD 3 at 9600 baud on \(peer.devicePath)\n")
    }

    @Test func aMissingOrBusyDeviceIsAFailure() throws {
        let missing = try runKeyway(["osdp", "id", "--device", "/dev/ttyNoSuchAdapter"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "serial device /dev/ttyNoSuchAdapter not found\n")

        let peer = try OSDPPeer(.init(addresses: [1]))
        let monitor = try BackgroundKeyway(["osdp", "monitor", "--device", peer.devicePath, "--address", "1", "--json"])
        _ = try monitor.awaitLine { $0.contains(#""event":"online""#) }
        let busy = try osdp("id", peer)
        #expect(busy.status == 1)
        #expect(busy.stderr == "serial device \(peer.devicePath) is busy (opened by another process)\n")
        #expect(monitor.interrupt() == 0)
    }

    @Test(arguments: [
        ["id", "--device", "/dev/null", "--baud", "1234"],
        ["id", "--device", "/dev/null", "--scbk-file", "-"],
        ["id", "--device", "/dev/null", "--address", "127"],
        ["out", "--device", "/dev/null", "--output", "0"],
        ["out", "--device", "/dev/null", "--output", "0", "--on", "--off"],
        ["out", "--device", "/dev/null", "--output", "0", "--pulse", "soon"],
        ["led", "--device", "/dev/null", "--color", "purple"],
        ["buzz", "--device", "/dev/null", "--count", "0"],
        ["keyset", "--device", "/dev/null", "--random"],
        ["keyset", "--device", "/dev/null", "--install", "--random", "--new-scbk-file", "/dev/null"],
        ["keyset", "--device", "/dev/null", "--scbk-file", "-", "--new-scbk-file", "-"],
        ["scan", "--device", "/dev/null", "--bauds", "9600,1200"],
        ["id"],
    ])
    func usageErrorsExitWith2(_ arguments: [String]) throws {
        let result = try runKeyway(["osdp"] + arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test(arguments: [["id", "--address", "127"], ["out", "--output", "0", "--on", "--address", "200"], ["monitor", "--address", "1", "--address", "x"]])
    func anAddressOutside0To126IsRefusedBeforeTheBusIsOpened(_ arguments: [String]) throws {
        let result = try runKeyway(["osdp"] + arguments + ["--device", "/dev/ttyNoSuchAdapter"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("Error: The value '\(arguments.last!)' is invalid for '--address <address>'\n"))
        #expect(result.stderr.contains("Help:  --address <address>  PD address, 0–126"))
    }

    @Test func capListsTheCapabilities() throws {
        let peer = try OSDPPeer(.init(addresses: [1]))
        let result = try osdp("cap", peer, ["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(result.jsonLines.first)
        #expect(report["receive_buffer_size"] as? Int == 256)
        #expect(report["secure_channel"] as? Bool == true)
        let entries = try #require(report["capabilities"] as? [[String: Any]])
        #expect(entries.contains { $0["name"] as? String == "output_control" && $0["count"] as? Int == 4 })
    }

    // MARK: Commands

    @Test func outPulsesAnOutputWithOneTimedCommand() throws {
        let peer = try OSDPPeer(.init(addresses: [1], scbk: Self.key))
        let result = try osdp("out", peer, ["--scbk-file", Self.keyFile(Self.key), "--output", "2", "--pulse", "500ms", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == [#"{"result":"ack"}"#])
        let command = try peer.awaitCommand("output", address: 1)
        #expect(command.int("output_no") == 2)
        #expect(command.int("control_code") == 5)
        #expect(command.int("timer_count") == 5)
    }

    @Test func aRefusedCommandPrintsTheNAKAndFails() throws {
        let peer = try OSDPPeer(.init(addresses: [1]))
        try peer.refuseNextCommands(address: 1)
        let result = try osdp("out", peer, ["--output", "0", "--on", "--json"])
        #expect(result.status == 1)
        #expect(result.lines == [#"{"code":9,"reason":"unable to process command record","result":"nak"}"#])
    }

    @Test func ledBuzzAndTextReachThePD() throws {
        let peer = try OSDPPeer(.init(addresses: [1]))
        let led = try osdp("led", peer, ["--led", "1", "--color", "red", "--blink", "300ms", "--json"])
        #expect(led.lines == [#"{"result":"ack"}"#], "\(led.stderr)")
        let ledCommand = try peer.awaitCommand("led", address: 1)
        #expect(ledCommand.int("led_number") == 1)

        let buzz = try osdp("buzz", peer, ["--count", "3"])
        #expect(buzz.status == 0)
        #expect(buzz.stdout == "ack\n")
        #expect(try peer.awaitCommand("buzzer", address: 1).int("rep_count") == 3)

        let text = try osdp("text", peer, ["Door open", "--json"])
        #expect(text.lines == [#"{"result":"ack"}"#])
        #expect(try peer.awaitCommand("text", address: 1).string("data") == "Door open")
    }

    // MARK: Keys

    @Test func keysetInstallsARandomKeyFromInstallModeAndStoresIt() throws {
        let peer = try OSDPPeer(.init(addresses: [1], installMode: true))
        let folder = try TestPaths.temporaryDirectory("keyset")
        let keyFile = folder.appendingPathComponent("door-1.key").path
        let result = try osdp("keyset", peer, ["--install", "--random", "--key-file", keyFile, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == [#"{"address":1,"key_file":"\#(keyFile)","result":"ack"}"#])
        let stored = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(stored.count == 32)
        #expect(!result.stdout.lowercased().contains(stored.lowercased()), "the key is never printed")
        let permissions = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(try peer.awaitCommand("keyset", address: 1).string("data") == stored.lowercased())

        // The reader now answers to the stored key, and only to it.
        let secure = try osdp("id", peer, ["--scbk-file", keyFile, "--json"])
        #expect(secure.jsonLines.first?["secure"] as? Bool == true, "\(secure.stderr)")
        let storedKeyFile = try Self.keyFile(stored)
        let rotated = try osdp("keyset", peer, ["--scbk-file", storedKeyFile, "--new-scbk-file", "-", "--key-file", keyFile],
                               stdin: Self.key)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout == "PD 1 took the new key; it is stored in \(keyFile)\n")
        #expect(try osdp("id", peer, ["--scbk-file", storedKeyFile]).status == 1)
        #expect(try osdp("id", peer, ["--scbk-file", keyFile]).status == 0)
    }

    // MARK: File transfer

    @Test func transferSendsAFileAndReportsTheFinalStatus() throws {
        let peer = try OSDPPeer(.init(addresses: [1]))
        let firmware = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let file = try TestPaths.temporaryDirectory("transfer").appendingPathComponent("reader.bin")
        try Data(firmware).write(to: file)
        let result = try osdp("transfer", peer, [file.path, "--json"])
        #expect(result.status == 0)
        #expect(result.lines == [#"{"address":1,"bytes":3000,"reason":"finished","result":"finished","status":1}"#])
        let closed = try peer.awaitEvent("file_closed", timeout: 5)
        #expect(closed.int("size") == 3000)
        #expect(closed.int("sum") == firmware.reduce(0) { $0 + Int($1) })
    }

    // MARK: Monitor and scan

    @Test func monitorPrintsEventsAsSpecifiedAndCapturesFrames() throws {
        let peer = try OSDPPeer(.init(addresses: [1], scbk: Self.key))
        let capture = try TestPaths.temporaryDirectory("monitor").appendingPathComponent("bus.pcap")
        let monitor = try BackgroundKeyway([
            "osdp", "monitor", "--device", peer.devicePath, "--address", "1", "--scbk-file", Self.keyFile(Self.key),
            "--capture", capture.path, "--json",
        ])
        #expect(try monitor.awaitLine { $0.contains(#""event":"online""#) } == #"{"address":1,"event":"online","secure":true}"#)
        try peer.presentCard(address: 1, bits: 26, hex: "225127C0")
        #expect(try monitor.awaitLine { $0.contains(#""event":"card""#) }
            == #"{"address":1,"bits":26,"card":41551,"data":"225127C0","event":"card","facility":68,"format":"h10301","hex":"089449F"}"#)
        try peer.pressKeys(address: 1, "1234#")
        #expect(try monitor.awaitLine { $0.contains(#""event":"keypad""#) } == #"{"address":1,"event":"keypad","keys":"1234#"}"#)
        try peer.setInputs(address: 1, [0, 1, 0, 0])
        #expect(try monitor.awaitLine { $0.contains(#""event":"input""#) }
            == #"{"address":1,"event":"input","states":[false,true,false,false]}"#)
        #expect(monitor.interrupt() == 0)
        #expect(try runKeyway(["osdp", "monitor", "--device", peer.devicePath, "--format", "h99999"]).status == 2)

        let pcap = try Data(contentsOf: capture)
        #expect(pcap.prefix(4) == Data([0xD4, 0xC3, 0xB2, 0xA1]))
        #expect(pcap[20..<24] == Data([162, 0, 0, 0]), "libosdp's link type")
        #expect(pcap.count > 24 + 16 * 10, "the session's frames were written")
        let permissions = try FileManager.default.attributesOfItem(atPath: capture.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600, "the capture holds decrypted frames: its owner's alone")

        // A capture is always a new file: an earlier one is neither overwritten nor reopened.
        let again = try osdp("monitor", peer, ["--scbk-file", Self.keyFile(Self.key), "--capture", capture.path])
        #expect(again.status == 1)
        #expect(again.stderr == "cannot write the capture: \(capture.path) already exists: a capture is always a new file (choose another name)\n")
        #expect(try Data(contentsOf: capture) == pcap)
    }

    // MARK: Secrets

    /// The key reaches the PD (Secure Channel comes up) while no part of the command line holds it.
    @Test func theKeyIsNeverOnTheCommandLine() throws {
        let peer = try OSDPPeer(.init(addresses: [1], scbk: Self.key))
        let monitor = try BackgroundKeyway([
            "osdp", "monitor", "--device", peer.devicePath, "--address", "1", "--scbk-file", Self.keyFile(Self.key), "--json",
        ])
        #expect(try monitor.awaitLine { $0.contains(#""event":"online""#) } == #"{"address":1,"event":"online","secure":true}"#)
        let commandLine = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(monitor.processIdentifier)/cmdline"))
        let text = String(decoding: commandLine.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        #expect(text.contains("--scbk-file"), "the right process: \(text)")
        #expect(!text.lowercased().contains(Self.key))
        #expect(monitor.interrupt() == 0)
    }

    @Test(arguments: [0o644, 0o640, 0o604])
    func aKeyFileOthersMayReadIsRefusedBeforeTheBusIsOpened(_ mode: Int) throws {
        let file = try Self.keyFile(Self.key, mode: mode)
        let result = try runKeyway(["osdp", "id", "--device", "/dev/ttyNoSuchAdapter", "--scbk-file", file])
        #expect(result.status == 2)
        #expect(result.stderr == "error: --scbk-file: secret file \(file) has mode \(String(mode, radix: 8)); it must be readable by its owner only (chmod 600)\n")
    }

    @Test func aMalformedKeyIsRefusedWithoutShowingIt() throws {
        let result = try runKeyway(["osdp", "id", "--device", "/dev/ttyNoSuchAdapter", "--scbk-file", "-"], stdin: "not-a-key-0123\n")
        #expect(result.status == 2)
        #expect(result.stderr == "error: --scbk-file: a Secure Channel key is 32 hex digits, this one has 14 characters\n")
    }

    /// A `--key-file` that is a link (planted where the key will be kept): the key is neither written through it
    /// nor sent to the reader.
    @Test func keysetRefusesAKeyFileThatIsASymbolicLink() throws {
        let peer = try OSDPPeer(.init(addresses: [1], installMode: true))
        let folder = try TestPaths.temporaryDirectory("keyset-link")
        let target = folder.appendingPathComponent("readable-by-all").path
        FileManager.default.createFile(atPath: target, contents: Data("nothing yet\n".utf8), attributes: [.posixPermissions: 0o644])
        let keyFile = folder.appendingPathComponent("door-1.key").path
        try FileManager.default.createSymbolicLink(atPath: keyFile, withDestinationPath: target)
        let result = try osdp("keyset", peer, ["--install", "--random", "--key-file", keyFile])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is a symbolic link"), "\(result.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "nothing yet\n")
        #expect(throws: (any Error).self) { try peer.awaitCommand("keyset", address: 1, timeout: 2) }
    }

    /// A read two formats claim is raw bits, in `monitor` as at the service (`ReaderTranslation`): no guessed fields.
    @Test func monitorShowsAnAmbiguousCardAsTheServiceReadsIt() throws {
        let peer = try OSDPPeer(.init(addresses: [1]))
        let monitor = try BackgroundKeyway([
            "osdp", "monitor", "--device", peer.devicePath, "--address", "1", "--format", "h10301", "--format", "ind26", "--json",
        ])
        _ = try monitor.awaitLine { $0.contains(#""event":"online""#) }
        try peer.presentCard(address: 1, bits: 26, hex: "225127C0")
        #expect(try monitor.awaitLine { $0.contains(#""event":"card""#) }
            == #"{"address":1,"bits":26,"data":"225127C0","event":"card","hex":"089449F"}"#)
        #expect(monitor.interrupt() == 0)
    }

    @Test func scanFindsEveryPDOnTheBus() throws {
        let peer = try OSDPPeer(.init(addresses: [3, 100]))
        let result = try runKeyway(["osdp", "scan", "--device", peer.devicePath, "--bauds", "9600", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == [
            #"{"address":3,"baud":9600,"firmware":"1.2.3","model":1,"serial":"01020304","vendor_code":"A1B2C3","version":1}"#,
            #"{"address":100,"baud":9600,"firmware":"1.2.3","model":1,"serial":"01020305","vendor_code":"A1B2C3","version":1}"#,
        ])
        #expect(result.stderr.isEmpty, "no progress bar when stderr is not a terminal")
    }
}

/// A `keyway` left running (monitor), read line by line, stopped with SIGINT like Ctrl-C, and always reaped.
private final class BackgroundKeyway {
    private let process = Process()
    private let lines = LineCollector()

    init(_ arguments: [String]) throws {
        process.executableURL = TestPaths.keyway
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        lines.read(output.fileHandleForReading)
    }

    deinit {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    var processIdentifier: Int32 { process.processIdentifier }

    func awaitLine(timeout: TimeInterval = 20, _ matching: (String) -> Bool) throws -> String {
        try lines.await(timeout: timeout, matching)
    }

    /// Ctrl-C; returns the exit status.
    func interrupt() -> Int32 {
        process.interrupt()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

private final class LineCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [String] = []  // guarded by `condition`

    func read(_ handle: FileHandle) {
        Thread {
            var buffer = Data()
            while case let chunk = handle.availableData, !chunk.isEmpty {
                buffer += chunk
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer = Data(buffer[buffer.index(after: newline)...])
                    self.condition.lock()
                    self.pending.append(line)
                    self.condition.broadcast()
                    self.condition.unlock()
                }
            }
        }.start()
    }

    func await(timeout: TimeInterval, _ matching: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let index = pending.firstIndex(where: matching) {
                let line = pending[index]
                pending.removeSubrange(...index)
                return line
            }
            guard condition.wait(until: deadline) else {
                throw MonitorTimeout(description: "keyway printed no matching line within \(timeout) s; got: \(pending)")
            }
        }
    }
}

private struct MonitorTimeout: Error, CustomStringConvertible {
    let description: String
}
