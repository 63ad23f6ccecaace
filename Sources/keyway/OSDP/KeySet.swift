import Access
import ArgumentParser
import Foundation
import OSDP

extension OSDPCommand {
    struct KeySet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keyset",
            abstract: "Install a new Secure Channel key on a PD, from SCBK-D (--install) or from its current key (--scbk-file).",
            discussion: """
                The new key is generated (--random) or read from --new-scbk-file (a 0600 file, or - for standard input); \
                no key is ever given on the command line, where every user of the machine could read it. It is written \
                to --key-file (a new 0600 file put in place in one step; a symbolic link there is refused) before it \
                is sent, so it is never lost; it is never printed.
                """)

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: PDAddress = 0
        @Option(help: ArgumentHelp("File holding the new key (32 hex digits; mode 0600), or - for standard input.", valueName: "path"))
        var newScbkFile: String?
        @Flag(help: "Generate the new key from the system's secure random source.") var random = false
        @Option(help: "Where to store the new key (default: osdp-scbk-<address>.key in the current directory).")
        var keyFile: String?

        func validate() throws {
            guard (newScbkFile != nil) != random else { throw ValidationError("give exactly one of --new-scbk-file PATH and --random") }
            guard connection.scbkFile != nil || connection.install else {
                throw ValidationError("a key is installed inside Secure Channel: give the current key (--scbk-file) or --install")
            }
            guard connection.scbkFile != SecretInput.standardInput || newScbkFile != SecretInput.standardInput else {
                throw ValidationError("only one of --scbk-file and --new-scbk-file can read standard input (-)")
            }
        }

        func run() async throws {
            var generator = SystemRandomNumberGenerator()
            let key = try newScbkFile.map { path throws(UsageError) in try readSecureChannelKey(path, option: "--new-scbk-file") }
                ?? SecureChannelKey.random(using: &generator)
            let path = URL(fileURLWithPath: keyFile ?? "osdp-scbk-\(address).key").standardizedFileURL.path
            // Enter with the current key (or SCBK-D); `--install` alone must not also trigger the bus's own KEYSET.
            var entry = connection
            if entry.scbkFile != nil { entry.install = false }
            let session = try OSDPSession(entry, addresses: [address])
            let status = try await session.awaitReady(address)
            guard status.secure else { throw OSDPFailure("PD \(address) is not in Secure Channel: a key cannot be installed") }
            try Self.store(key, at: path)
            let result = await session.link.submit(.keySet(key), to: address.value)
            let report = KeySetReport(address: address.value, result: CommandResultReport(result), keyFile: path)
            connection.output.print(report)
            guard result.isSuccess else { throw ExitStatus.failure }
        }

        /// Writes the key readable by its owner only (mode 0600 even over an older, laxer file), replacing what was there.
        static func store(_ key: SecureChannelKey, at path: String) throws(OSDPFailure) {
            do {
                try SecretFile.replace(at: URL(fileURLWithPath: path), contents: Data((key.hex + "\n").utf8))
            } catch {
                throw OSDPFailure("cannot write the key file: \(error)")
            }
        }
    }
}

/// What `keyset` did: the result and where the key is kept (never the key itself).
struct KeySetReport: OutputRecord {
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
