import ArgumentParser
import OSDP
import Serial
import Timebase

/// The options every `keyway osdp` command shares: where the bus is and how to get into the PD.
struct OSDPConnectionOptions: ParsableArguments {
    @Option(help: "Serial device of the RS-485 bus (/dev/ttyUSB0, /dev/serial/by-id/...).")
    var device: String

    @Option(help: "Line speed: 9600, 19200, 38400, 57600, 115200 or 230400.")
    var baud: Int = 9600

    @Option(help: ArgumentHelp(
        "File holding the PD's Secure Channel base key (32 hex digits; mode 0600), or - to read it from standard input.",
        valueName: "path"))
    var scbkFile: String?

    @Flag(help: "Allow the default install key (SCBK-D) for this run.")
    var install = false

    // Here rather than in each command, so `--json` keeps its place among these options in usage lines.
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard BaudRate(rawValue: baud) != nil else { throw ValidationError(SerialError.unsupportedBaudRate(baud).description) }
    }

    var baudRate: BaudRate { BaudRate(rawValue: baud) ?? .b9600 }

    /// The PD's key from `--scbk-file`, read once per command (standard input can only be read once).
    func readKey() throws(UsageError) -> SecureChannelKey? {
        try scbkFile.map { path throws(UsageError) in try readSecureChannelKey(path, option: "--scbk-file") }
    }

    /// How to meet the PD: with its key (Secure Channel required), with SCBK-D in the install window, or in plaintext.
    /// Both a key and `--install` means: a blank reader gets that key installed.
    func pd(_ address: PDAddress, key: SecureChannelKey?) -> PDConfiguration {
        PDConfiguration(address: address.value, scbk: key, security: key != nil || install ? .required : .off, installMode: install)
    }
}

/// A Secure Channel key from a file or standard input (`SecretInput`). The error never repeats what was read.
func readSecureChannelKey(_ source: String, option: String) throws(UsageError) -> SecureChannelKey {
    let text = try SecretInput.read(source, option: option)
    guard let key = SecureChannelKey(hex: text) else {
        throw UsageError("\(option): a Secure Channel key is 32 hex digits, this one has \(text.count) characters")
    }
    return key
}

/// A PD address given on the command line: 0–126 (127 is the broadcast address, never one PD's).
struct PDAddress: ExpressibleByArgument, ExpressibleByIntegerLiteral, Hashable, CustomStringConvertible {
    let value: UInt8

    init?(argument: String) {
        guard let number = UInt8(argument), number <= Frame.highestPDAddress else { return nil }
        value = number
    }

    /// For defaults written in the code.
    init(integerLiteral value: UInt8) {
        precondition(value <= Frame.highestPDAddress, "PD addresses are 0–126")
        self.value = value
    }

    var description: String { "\(value)" }
    var defaultValueDescription: String { description }
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
