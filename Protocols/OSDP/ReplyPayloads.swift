/// PDID (spec §7.4).
public struct PDIdentification: Sendable, Equatable {
    /// The 3 OUI bytes as they came on the wire.
    public var vendorCode: [UInt8]
    public var model: UInt8
    public var version: UInt8
    public var serialNumber: UInt32
    public var firmware: (major: UInt8, minor: UInt8, build: UInt8)

    public init(vendorCode: [UInt8], model: UInt8, version: UInt8, serialNumber: UInt32, firmware: (major: UInt8, minor: UInt8, build: UInt8)) {
        self.vendorCode = vendorCode
        self.model = model
        self.version = version
        self.serialNumber = serialNumber
        self.firmware = firmware
    }

    /// The vendor code as 6 hex digits, read little-endian like the serial number — how libosdp and
    /// its tools print it (wire `C3 B2 A1` → "A1B2C3").
    public var vendorCodeHex: String { Array(vendorCode.reversed()).hexString }
    /// The serial number as 8 hex digits ("01020304").
    public var serialNumberHex: String {
        let hex = String(serialNumber, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
    /// "major.minor.build".
    public var firmwareVersion: String { "\(firmware.major).\(firmware.minor).\(firmware.build)" }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.vendorCode == rhs.vendorCode && lhs.model == rhs.model && lhs.version == rhs.version
            && lhs.serialNumber == rhs.serialNumber && lhs.firmware == rhs.firmware
    }
}

/// One PDCAP entry.
public struct Capability: Sendable, Equatable {
    public var function: CapabilityFunction
    public var compliance: UInt8
    public var count: UInt8

    public init(function: CapabilityFunction, compliance: UInt8, count: UInt8) {
        self.function = function
        self.compliance = compliance
        self.count = count
    }
}

/// A PD's PDCAP, with the derived facts a control panel acts on. Unknown functions are kept but not interpreted.
public struct Capabilities: Sendable, Equatable {
    public var entries: [Capability]

    public init(_ entries: [Capability]) { self.entries = entries }

    public subscript(function: CapabilityFunction) -> Capability? { entries.first { $0.function == function } }

    public var supportsCRC: Bool { (self[.checkCharacterSupport]?.compliance ?? 0) != 0 }
    /// Function 9, compliance bit 0: AES-128 Secure Channel.
    public var supportsSecureChannel: Bool { (self[.communicationSecurity]?.compliance ?? 0) & 0x01 != 0 }
    /// The largest packet the PD accepts (function 10), at least the 128 bytes every PD must take.
    public var receiveBufferSize: Int {
        guard let entry = self[.receiveBufferSize] else { return Frame.minimumReceiveSize }
        return max(Frame.minimumReceiveSize, Int(entry.compliance) | Int(entry.count) << 8)
    }
    public var inputs: Int { Int(self[.contactStatusMonitoring]?.count ?? 0) }
    public var outputs: Int { Int(self[.outputControl]?.count ?? 0) }
    public var readers: Int { Int(self[.readers]?.count ?? 0) }
}

/// LSTATR.
public struct LocalStatus: Sendable, Equatable {
    public var tamper: Bool
    public var powerFailure: Bool

    public init(tamper: Bool, powerFailure: Bool) {
        self.tamper = tamper
        self.powerFailure = powerFailure
    }
}

/// RSTATR: one entry per attached reader.
public enum ReaderTamperStatus: UInt8, Sendable, CaseIterable {
    case normal = 0, notConnected = 1, tamper = 2
}

/// How the bits of a RAW card read are to be understood.
public struct CardDataFormat: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let unspecified = CardDataFormat(rawValue: 0)
    /// The bits as they would be on a Wiegand wire, parity included.
    public static let wiegand = CardDataFormat(rawValue: 1)
}

/// RAW card data: `bitCount` valid bits, packed MSB-first from bit 7 of the first byte.
public struct RawCard: Sendable, Equatable {
    public var reader: UInt8
    public var format: CardDataFormat
    public var bitCount: UInt16
    public var data: [UInt8]

    public init(reader: UInt8 = 0, format: CardDataFormat, bitCount: UInt16, data: [UInt8]) {
        self.reader = reader
        self.format = format
        self.bitCount = bitCount
        self.data = data
    }

    /// The bits, first bit first.
    public var bits: [Bool] {
        (0..<Int(bitCount)).map { index in data[index / 8] & (0x80 >> UInt8(index % 8)) != 0 }
    }
    /// The data bytes in hex as they came on the wire ("225127C0").
    public var dataHex: String { data.hexString }
}

/// FMT (deprecated in 2.2.2, decoded for old readers).
public struct FormattedCard: Sendable, Equatable {
    public var reader: UInt8
    /// 0 forward, 1 reverse.
    public var readDirection: UInt8
    public var characters: [UInt8]

    public init(reader: UInt8, readDirection: UInt8, characters: [UInt8]) {
        self.reader = reader
        self.readDirection = readDirection
        self.characters = characters
    }
}

/// KEYPAD: OSDP key codes ('0'–'9' as ASCII, 0x7F for '*', 0x0D for '#').
public struct KeypadEntry: Sendable, Equatable {
    public var reader: UInt8
    public var keys: [UInt8]

    public init(reader: UInt8 = 0, keys: [UInt8]) {
        self.reader = reader
        self.keys = keys
    }

    private static let symbols: [UInt8: Character] = [
        0x7F: "*", 0x0D: "#", 0x41: "A", 0x42: "B", 0x43: "C", 0x44: "D",
    ]

    /// The keys as a technician would write them ("1234#"); codes without a symbol become "?".
    public var text: String {
        String(keys.map { key in
            (0x30...0x39).contains(key) ? Character(UnicodeScalar(key)) : Self.symbols[key] ?? "?"
        })
    }
}

/// CCRYPT: the PD's answer to CHLNG.
public struct ClientCryptogram: Sendable, Equatable {
    public var clientUID: [UInt8]
    public var randomB: [UInt8]
    public var cryptogram: [UInt8]

    public init(clientUID: [UInt8], randomB: [UInt8], cryptogram: [UInt8]) {
        self.clientUID = clientUID
        self.randomB = randomB
        self.cryptogram = cryptogram
    }
}

/// FTSTAT (spec §7.25).
public struct FileTransferStatus: Sendable, Equatable {
    public struct Action: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The CP may send other commands between fragments.
        public static let interleave = Action(rawValue: 0x01)
        /// The PD asks to leave Secure Channel for the transfer.
        public static let leaveSecureChannel = Action(rawValue: 0x02)
        /// The PD has a poll reply waiting.
        public static let pollResponseAvailable = Action(rawValue: 0x04)
    }

    /// FtStatusDetail. Negative values are failures.
    public struct Detail: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }
        public static let proceed = Detail(rawValue: 0)
        public static let finished = Detail(rawValue: 1)
        public static let rebooting = Detail(rawValue: 2)
        /// Keep sending empty keep-alive fragments until a final status.
        public static let finishing = Detail(rawValue: 3)
        public static let aborted = Detail(rawValue: -1)
        public static let unrecognizedContents = Detail(rawValue: -2)
        public static let malformedContents = Detail(rawValue: -3)

        private static let names: [Int16: String] = [
            0: "proceed", 1: "finished", 2: "rebooting", 3: "finishing",
            -1: "aborted", -2: "unrecognized file contents", -3: "malformed file contents",
        ]
        public var description: String { Self.names[rawValue] ?? (rawValue < 0 ? "error \(rawValue)" : "status \(rawValue)") }
        public var isFailure: Bool { rawValue < 0 }
    }

    public var action: Action
    /// Milliseconds the CP must wait before the next FILETRANSFER.
    public var delay: UInt16
    public var detail: Detail
    /// The PD's preferred largest fragment message, 0 for no preference.
    public var updateMessageMaximum: UInt16

    public init(action: Action, delay: UInt16, detail: Detail, updateMessageMaximum: UInt16) {
        self.action = action
        self.delay = delay
        self.detail = detail
        self.updateMessageMaximum = updateMessageMaximum
    }
}
