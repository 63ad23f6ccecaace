import ArgumentParser
import Foundation
import OSDP
import OSDPLink
import Serial
import Timebase

/// The options every `keyway osdp` command shares: where the bus is and how to get into the PD.
struct OSDPConnectionOptions: ParsableArguments {
    @Option(help: "Serial device of the RS-485 bus (/dev/ttyUSB0, /dev/serial/by-id/...).")
    var device: String

    @Option(help: "Line speed: 9600, 19200, 38400, 57600, 115200 or 230400.")
    var baud: Int = 9600

    @Option(help: "Secure Channel base key of the PD (32 hex digits).")
    var scbk: String?

    @Flag(help: "Allow the default install key (SCBK-D) for this run.")
    var install = false

    @Flag(help: "Print one JSON object per line.")
    var json = false

    func validate() throws {
        guard BaudRate(rawValue: baud) != nil else { throw ValidationError(SerialError.unsupportedBaudRate(baud).description) }
        if let scbk, SecureChannelKey(hex: scbk) == nil { throw ValidationError("--scbk needs 32 hex digits") }
    }

    var baudRate: BaudRate { BaudRate(rawValue: baud) ?? .b9600 }
    var key: SecureChannelKey? { scbk.flatMap(SecureChannelKey.init(hex:)) }

    /// How to meet the PD: with its key (Secure Channel required), with SCBK-D in the install window, or in plaintext.
    /// Both a key and `--install` means: a blank reader gets that key installed.
    func pd(_ address: UInt8) -> PDConfiguration {
        PDConfiguration(address: address, scbk: key, security: key != nil || install ? .required : .off, installMode: install)
    }
}

/// A PD address given on the command line.
struct PDAddress: ExpressibleByArgument {
    let value: UInt8

    init?(argument: String) {
        guard let number = UInt8(argument), number <= 126 else { return nil }
        value = number
    }
}

/// The device or the PD failed: the message goes to stderr and the command exits with 1.
struct OSDPFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command body, turning device and PD failures into a message on stderr and exit status 1.
func reportingOSDPFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as OSDPFailure {
        printError(failure.description)
        throw ExitStatus.failure
    } catch let error as OSDPLinkError {
        printError(error.description)
        throw ExitStatus.failure
    }
}

/// One run of a command on the bus: the link, and the events it reported that were not yet looked at.
final class OSDPSession: Sendable {
    let link: OSDPLink
    let connection: OSDPConnectionOptions
    private let inbox: OSDPEventInbox

    /// How long a PD has to come online: ID, CAP and the Secure Channel handshake take well under a second at 9600.
    static let readyTimeout: Duration = .seconds(5)

    init(_ connection: OSDPConnectionOptions, addresses: [UInt8], bus: BusOptions = .init()) throws {
        self.connection = connection
        link = try OSDPLink(configuration: OSDPLinkConfiguration(
            devicePath: connection.device,
            port: SerialPortOptions(baudRate: connection.baudRate),
            pds: addresses.map(connection.pd),
            bus: bus))
        inbox = OSDPEventInbox(link)
    }

    deinit { link.stop() }

    /// The next event within the timeout, or nil.
    func nextEvent(within timeout: Duration) async -> OSDPLinkEvent? {
        await inbox.next(within: timeout)
    }

    /// Waits until the PD is online, or fails with the reason a technician needs.
    func awaitReady(_ address: UInt8, within timeout: Duration = readyTimeout) async throws -> PDStatus {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var refusal: SecureChannelError?
        while clock.now < deadline, let event = await nextEvent(within: deadline - clock.now) {
            switch event {
            case .bus(.online(address, _)):
                if let status = await link.status(of: address) { return status }
            case .bus(.secureChannelFailed(address, let error)):
                // A wrong key will not become right on the next try: say so at once.
                if error == .cryptogramMismatch || error == .notSupported { throw OSDPFailure("secure channel refused: \(error)") }
                refusal = error
            case .deviceLost(let error):
                throw OSDPFailure(error.description)
            default:
                break
            }
        }
        if let refusal { throw OSDPFailure("secure channel refused: \(refusal)") }
        throw OSDPFailure(
            "no answer from PD \(address) at \(connection.baud) baud on \(connection.device)")
    }
}

/// A command's result as printed: `{"result":"ack"}`, `{"result":"nak","code":3,"reason":"unknown command"}`.
struct CommandResultReport: Encodable {
    var result: String
    var code: Int?
    var reason: String?
    var outputs: [Bool]?

    init(_ result: CommandResult) {
        switch result {
        case .ack: self.result = "ack"
        case .reply(.outputStatus(let states)):
            // libosdp answers OUT with OSTATR: an acknowledgement carrying the new output states.
            self.result = "ack"
            outputs = states
        case .reply(let reply): self.result = "ack"; reason = "\(reply.code)"
        case .nak(let code):
            self.result = "nak"
            self.code = Int(code.rawValue)
            reason = code.reason
        case .timeout: self.result = "timeout"; reason = "no answer from the PD"
        case .busyExhausted: self.result = "busy"; reason = "the PD kept answering BUSY"
        case .secureChannelLost: self.result = "secure_channel_lost"; reason = "secure channel lost and not restored"
        case .invalidReply(let error): self.result = "invalid_reply"; reason = error.description
        case .rejected(let rejection): self.result = "rejected"; reason = rejection.description
        }
    }

    var humanDescription: String {
        [result, code.map { "code \($0)" }, reason].compactMap { $0 }.joined(separator: ": ")
    }
}

extension OSDPSession {
    /// Sends one command to a PD that is online, prints its result, and fails unless it succeeded.
    func sendAndReport(_ command: Command, to address: UInt8) async throws {
        _ = try await awaitReady(address)
        let result = await link.submit(command, to: address)
        let report = CommandResultReport(result)
        connection.json ? printJSONLine(report) : print(report.humanDescription)
        guard result.isSuccess else { throw ExitStatus.failure }
    }
}

/// A duration typed by a technician: `500ms`, `5s`, `1.5s`, `2min`.
struct OSDPDuration: ExpressibleByArgument {
    let milliseconds: Int

    init?(argument: String) {
        guard let duration = parseDuration(argument) else { return nil }
        milliseconds = Int(duration.nanoseconds / 1_000_000)
    }

    /// In the 100 ms units OSDP timers count (`Duration.tenthsOfSecond`, rounded up); nil if it does not fit.
    func tenths<T: FixedWidthInteger>(as _: T.Type) -> T? {
        T(exactly: Duration.milliseconds(milliseconds).tenthsOfSecond)
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct OSDPProgressBar {
    let label: String
    private let enabled = isatty(STDERR_FILENO) != 0

    init(_ label: String) { self.label = label }

    func update(_ done: Int, of total: Int) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = min(width, width * done / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
