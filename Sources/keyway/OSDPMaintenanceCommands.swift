import ArgumentParser
import OSDPLink
import Dispatch
import Foundation
import OSDP
import Serial
import Synchronization
import Wiegand

extension OSDPCommand {
    struct Monitor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stay online with the PDs and print their events (cards, keys, inputs, status) until interrupted.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126; repeat for several PDs on the bus.") var address: [UInt8] = [0]
        @Option(help: "Write every frame to FILE: .pcap (Wireshark, libosdp's link type) or osdpcap JSON lines otherwise.")
        var capture: String?
        @Option(name: .customLong("format"), help: "Card format to decode card reads with (repeatable; default: every built-in format).")
        var formats: [String] = []

        var cardFormats: [CardFormat] { formats.isEmpty ? CardFormat.builtIn : formats.compactMap(CardFormat.named) }

        func validate() throws {
            for pd in address { try validateOSDPAddress(pd) }
            guard Set(address).count == address.count else { throw ValidationError("each --address only once") }
            for name in formats where CardFormat.named(name) == nil {
                throw ValidationError("unknown card format \(name) (see keyway wiegand formats)")
            }
        }

        func run() async throws {
            try await reportingOSDPFailures {
                var options = BusOptions()
                options.traceFrames = capture != nil
                let writer: OSDPCaptureWriter?
                do {
                    writer = try capture.map { try OSDPCaptureWriter(path: $0) }
                } catch {
                    throw OSDPFailure("cannot write the capture \(capture ?? ""): \(error.localizedDescription)")
                }
                let session = try OSDPSession(connection, addresses: address, bus: options)
                let interrupted = InterruptFlag()
                while !interrupted.isSet {
                    guard let event = await session.nextEvent(within: .milliseconds(100)) else { continue }
                    if case .bus(.frame(_, let trace)) = event {
                        try writer?.write(trace)
                    } else if let line = MonitorEvent(event, formats: cardFormats) {
                        connection.json ? printJSONLine(line) : print(line.humanDescription)
                    }
                }
                session.link.stop()
                try writer?.close()
            }
        }
    }

    struct KeySet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keyset",
            abstract: "Install a new Secure Channel key on a PD, from SCBK-D (--install) or from its current key (--scbk).",
            discussion: "The key is written to --key-file (mode 0600) before it is sent, so it is never lost; it is never printed.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: UInt8 = 0
        @Option(help: "The new key, 32 hex digits.") var newScbk: String?
        @Flag(help: "Generate the new key from the system's secure random source.") var random = false
        @Option(help: "Where to store the new key (default: osdp-scbk-<address>.key in the current directory).")
        var keyFile: String?

        func validate() throws {
            try validateOSDPAddress(address)
            guard (newScbk != nil) != random else { throw ValidationError("give exactly one of --new-scbk HEX and --random") }
            if let newScbk, SecureChannelKey(hex: newScbk) == nil { throw ValidationError("--new-scbk needs 32 hex digits") }
            guard connection.scbk != nil || connection.install else {
                throw ValidationError("a key is installed inside Secure Channel: give the current key (--scbk) or --install")
            }
        }

        func run() async throws {
            var generator = SystemRandomNumberGenerator()
            guard let key = random ? SecureChannelKey.random(using: &generator) : newScbk.flatMap(SecureChannelKey.init(hex:))
            else { throw ValidationError("--new-scbk needs 32 hex digits") }
            let path = URL(fileURLWithPath: keyFile ?? "osdp-scbk-\(address).key").standardizedFileURL.path
            try await reportingOSDPFailures {
                // Enter with the current key (or SCBK-D); `--install` alone must not also trigger the bus's own KEYSET.
                var entry = connection
                if entry.scbk != nil { entry.install = false }
                let session = try OSDPSession(entry, addresses: [address])
                let status = try await session.awaitReady(address)
                guard status.secure else { throw OSDPFailure("PD \(address) is not in Secure Channel: a key cannot be installed") }
                try Self.store(key, at: path)
                let result = await session.link.submit(.keySet(key), to: address)
                let report = KeySetReport(address: address, result: CommandResultReport(result), keyFile: path)
                connection.json ? printJSONLine(report) : print(report.humanDescription)
                guard result.isSuccess else { throw ExitStatus.failure }
            }
        }

        /// Writes the key readable by its owner only, replacing what was there.
        static func store(_ key: SecureChannelKey, at path: String) throws {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw OSDPFailure("cannot write the key file \(path): \(String(cString: strerror(errno)))") }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            try handle.write(contentsOf: Data((key.hex + "\n").utf8))
            try handle.synchronize()
        }
    }

    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a file (reader firmware) with FILETRANSFER and report the PD's final status.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: UInt8 = 0
        @Option(help: "File type the PD expects (1 is the usual firmware type).") var type: UInt8 = 1
        @Argument(help: "The file to send.") var file: String

        func validate() throws { try validateOSDPAddress(address) }

        func run() async throws {
            let contents: [UInt8]
            do {
                contents = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw ValidationError("cannot read \(file): \(error.localizedDescription)")
            }
            guard !contents.isEmpty else { throw ValidationError("\(file) is empty") }
            try await reportingOSDPFailures {
                let session = try OSDPSession(connection, addresses: [address])
                _ = try await session.awaitReady(address)
                let progress = OSDPProgressBar("sending")
                // The bus reports each fragment sent; show it while the transfer runs.
                let watcher = Task {
                    while !Task.isCancelled {
                        if case .bus(.fileTransferProgress(_, let sent, let total)) = await session.nextEvent(within: .milliseconds(100)) {
                            progress.update(sent, of: total)
                        }
                    }
                }
                let result = await session.link.transferFile(contents, fileType: type, to: address)
                watcher.cancel()
                await watcher.value
                progress.finish()
                let report = TransferReport(address: address, bytes: contents.count, result: result)
                connection.json ? printJSONLine(report) : print(report.humanDescription)
                guard result.isSuccess else { throw ExitStatus.failure }
            }
        }
    }
}

/// What `keyset` did: the result and where the key is kept (never the key itself).
struct KeySetReport: Encodable {
    var address: UInt8
    var result: CommandResultReport
    var keyFile: String

    enum CodingKeys: String, CodingKey {
        case address, result
        case keyFile = "key_file"
    }

    func encode(to encoder: any Encoder) throws {
        try result.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(address, forKey: .address)
        try container.encode(keyFile, forKey: .keyFile)
    }

    var humanDescription: String {
        result.result == "ack"
            ? "PD \(address) took the new key; it is stored in \(keyFile)"
            : "PD \(address) did not take the new key (\(result.humanDescription)); it is stored in \(keyFile) in case it did"
    }
}

/// What `transfer` ended with: the PD's final FTSTAT, or why there was none.
struct TransferReport: Encodable {
    var address: UInt8
    var bytes: Int
    var result: String
    var status: Int?
    var reason: String?

    init(address: UInt8, bytes: Int, result: CommandResult) {
        self.address = address
        self.bytes = bytes
        if case .reply(.fileTransferStatus(let final)) = result {
            self.result = final.detail.isFailure ? "failed" : "finished"
            status = Int(final.detail.rawValue)
            reason = final.detail.description
        } else {
            let report = CommandResultReport(result)
            self.result = report.result
            status = report.code
            reason = report.reason
        }
    }

    var humanDescription: String {
        "PD \(address): \(bytes) bytes, \(result)" + (reason.map { " (\($0))" } ?? "")
    }
}

/// Set once SIGINT or SIGTERM arrives: `monitor` then stops cleanly and closes its capture.
final class InterruptFlag {
    private final class Flag: Sendable {
        let raised = Atomic<Bool>(false)
    }

    private let flag = Flag()
    private let sources: [any DispatchSourceSignal]

    init() {
        let flag = self.flag
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { flag.raised.store(true, ordering: .releasing) }
            source.resume()
            return source
        }
    }

    var isSet: Bool { flag.raised.load(ordering: .acquiring) }
}
