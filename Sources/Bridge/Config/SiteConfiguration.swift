import Access
import Foundation
import OSDP
import SystemClock
import Wiegand

/// A site as an integrator describes it in one YAML file: where the data lives, which buses and
/// readers exist, and which door each of them serves. Values are checked and cross-referenced;
/// a `SiteConfiguration` that exists is consistent.
public struct SiteConfiguration: Sendable, Equatable {
    public var site: Site
    /// The SQLite allowlist and activity log.
    public var database: URL
    /// When decisions' rows are synced to disk (`database: {path: …, durability: fast | strict}`).
    public var durability: Durability = .fast
    /// The secrets file (PIN pepper, log key) the access core opens.
    public var secrets: URL
    public var buses: [BusConfiguration]
    public var wiegandReaders: [WiegandReaderConfiguration]
    public var doors: [DoorConfiguration]
    public var api: ControlSocketConfiguration
    /// Where `/metrics` is served; nil turns the endpoint off.
    public var metrics: ListenAddress?
    /// The HTTP API (`http:`); nil: not served.
    public var http: HTTPConfiguration? = nil
    /// Sending share links and passcodes (`delivery:`); nil: they are only shown to whoever made them.
    public var delivery: DeliveryConfiguration? = nil

    public struct Site: Sendable, Equatable {
        public var name: String
        /// Schedules and validity dates are evaluated in this zone.
        public var timeZone: TimeZone
        /// Whether an unsynchronised system clock (no NTP) is a fault that fails time-bounded access secure.
        public var clockSync: ClockSyncRequirement = .required
        /// A card or keys read longer ago than this are refused (`stale_read`); a door command that would go out
        /// later than this after it was asked (a slow decision, a busy line) is dropped.
        public var staleReadLimit: Duration = Self.defaultStaleReadLimit

        public static let defaultStaleReadLimit = Duration.seconds(2)
    }

    /// `site.clock_sync`: sites without NTP say `not_required` (the clock is still watched for being set back).
    public enum ClockSyncRequirement: String, Sendable, CaseIterable {
        case required
        case notRequired = "not_required"
    }

    public func bus(named name: String) -> BusConfiguration? { buses.first { $0.name == name } }
    public func wiegandReader(named name: String) -> WiegandReaderConfiguration? {
        wiegandReaders.first { $0.name == name }
    }
}

extension SiteConfiguration.Site {
    /// How the access core watches the clock: set back beyond its tolerance, or unsynchronised where NTP is required,
    /// is a fault.
    public var clockPolicy: ClockPolicy {
        let probe: @Sendable () -> Bool = { ClockSynchronisation.isSynchronised() }
        return ClockPolicy(synchronised: clockSync == .required ? probe : nil)
    }
}

/// One RS-485 line with the OSDP peripherals (PDs) on it.
public struct BusConfiguration: Sendable, Equatable {
    public var name: String
    public var port: SerialPortLocator
    public var baud: Int
    public var pds: [PDEntry]
    /// The line paces the polls; on a pseudo-terminal (no baud rate) a PD is polled at most once per this.
    public var minimumPollCycle: Duration = .milliseconds(2)

    public func pd(at address: Int) -> PDEntry? { pds.first { $0.address == address } }

    /// Line speeds OSDP allows (v2.2 §5.7).
    public static let supportedBaudRates = [9600, 19200, 38400, 57600, 115200, 230400]
}

/// How to find a serial port: a fixed path, or a USB adapter identified wherever it is plugged.
public enum SerialPortLocator: Sendable, Equatable {
    case device(path: String)
    case udev(UDevMatch)
}

extension SerialPortLocator: CustomStringConvertible {
    public var description: String {
        switch self {
        case .device(let path): path
        case .udev(let match): "usb \(match.vendor):\(match.product)\(match.serial.map { " serial \($0)" } ?? "")"
        }
    }
}

public struct UDevMatch: Sendable, Equatable {
    /// `ID_VENDOR_ID` / `ID_MODEL_ID`: four lowercase hex digits.
    public var vendor: String
    public var product: String
    /// `ID_SERIAL_SHORT`, to tell two identical adapters apart.
    public var serial: String?
}

/// An OSDP peripheral device (reader, relay board) on a bus.
public struct PDEntry: Sendable, Equatable {
    public var address: Int
    public var name: String
    /// The Secure Channel base key, from `key` or `key_file`; its description never shows it.
    public var key: SecureChannelKey?
    public var secure: SecurityPolicy
    public var outputs: Int
    public var inputs: Int
    /// The card formats its reader's RAW card data is decoded with (the Wiegand format table).
    public var formats: [CardFormat]

    /// OSDP addresses 0...126; 127 (0x7F) is broadcast.
    public static let addressRange = 0...Int(Frame.highestPDAddress)
}

/// A Wiegand reader wired to two GPIO lines (and usually a keypad on the same wires).
public struct WiegandReaderConfiguration: Sendable, Equatable {
    public var name: String
    /// The gpiochip device, e.g. `/dev/gpiochip0`.
    public var chip: String
    public var d0: Int
    public var d1: Int
    /// The card formats this reader's cards use (`h10301`, ...).
    public var formats: [CardFormat]
    public var keypad: KeypadMode
    /// D0 and D1 wired the wrong way round.
    public var swap: Bool
    /// Raw formats carry the card number least significant byte first.
    public var reverse: Bool
    /// The reader's LED control wire (pulled low: green on most readers), if wired to a GPIO line.
    public var led: GPIOLine?
    /// The reader's beeper control wire (pulled low: beeps), if wired to a GPIO line.
    public var beeper: GPIOLine?

    /// How `keypad:` spells the Wiegand keypad modes.
    static let keypadSpellings: [(spelling: String, mode: KeypadMode)] = [
        ("4bit", .fourBit), ("8bit", .eightBit), ("buffered26", .buffered26()), ("bcd26", .bcd26),
    ]
}

public struct DoorConfiguration: Sendable, Equatable {
    public var name: String
    public var reader: ReaderReference
    public var relay: OutputReference
    public var strike: Duration
    /// Strike time for credentials flagged for extended access (ADA).
    public var extendedStrike: Duration
    /// How long the door may stand open after a grant before the held-open alarm.
    public var heldOpen: Duration
    public var doorPosition: InputReference?
    public var exitButton: InputReference?
    public var mode: DoorMode
    /// How long card-and-PIN waits for the PIN after the card.
    public var pinTimeout: Duration
}

/// Which reader serves a door.
public enum ReaderReference: Sendable, Equatable, Hashable {
    case osdp(bus: String, address: Int)
    case wiegand(name: String)
}

/// A relay: an output of an OSDP PD, or a GPIO line driven directly.
public enum OutputReference: Sendable, Equatable, Hashable {
    case osdp(bus: String, address: Int, output: Int)
    case gpio(GPIOLine)
}

/// A contact input (door position switch, exit button): on an OSDP PD or a GPIO line.
public struct InputReference: Sendable, Equatable {
    public enum Source: Sendable, Equatable, Hashable {
        case osdp(bus: String, address: Int, input: Int)
        case gpio(GPIOLine)
    }
    public var source: Source
    /// The contact's resting state: door closed / button not pressed.
    public var normally: ContactState
}

public enum ContactState: String, Sendable, Equatable, CaseIterable {
    case open
    case closed
}

public struct GPIOLine: Sendable, Equatable, Hashable {
    public var chip: String
    public var line: Int
}

/// The control socket the CLI talks to.
public struct ControlSocketConfiguration: Sendable, Equatable {
    public var socket: String
    /// 0600 (service user only) or 0660 (its group too).
    public var mode: Int

    public static let allowedModes = [0o600, 0o660]

    /// Where the service listens unless the file says otherwise, and where the CLI looks unless told.
    public static let defaultSocket = "/run/keyway/control.sock"

    /// A Unix socket's path holds 107 bytes (`sun_path` and its terminating NUL).
    public static let longestPath = 107
}

/// A TCP listen address, `HOST:PORT`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"),
              let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

/// The HTTP API: where it listens and the address people reach it at. TLS is terminated by a reverse proxy in
/// front of it (docs/api.md); an `https://` public URL marks its cookies `Secure`.
public struct HTTPConfiguration: Sendable, Equatable {
    public var listen: ListenAddress
    /// `http(s)://host[:port][/path]`, without a trailing slash: set-password and share links start with it.
    public var publicURL: String

    public var secureCookies: Bool { publicURL.hasPrefix("https://") }

    /// A URL longer than this is surely a mistake.
    public static let longestURL = 2048
}
