/// What an OUT record asks of an output (spec §6.7).
public enum OutputAction: UInt8, Sendable, CaseIterable {
    case none = 0
    case permanentOffAbortTimed = 1
    case permanentOnAbortTimed = 2
    case permanentOffAfterTimed = 3
    case permanentOnAfterTimed = 4
    /// On for `timer`, then back to the permanent state: a door-strike pulse.
    case temporaryOn = 5
    case temporaryOff = 6
}

/// One 4-byte OUT record. `timer` counts 100 ms units.
public struct OutputControl: Sendable, Equatable {
    public var output: UInt8
    public var action: OutputAction
    public var timer: UInt16

    public init(output: UInt8, action: OutputAction, timer: UInt16 = 0) {
        self.output = output
        self.action = action
        self.timer = timer
    }

    static let size = 4
    func encode(into bytes: inout [UInt8]) {
        bytes += [output, action.rawValue]
        bytes.appendLittleEndian(timer)
    }
    init(from reader: inout ByteReader) throws(MessageError) {
        output = try reader.byte()
        guard let action = OutputAction(rawValue: try reader.byte()) else {
            throw .badField(message: reader.message, field: "output control code")
        }
        self.action = action
        timer = try reader.uint16()
    }
}

public enum LEDColor: UInt8, Sendable, CaseIterable {
    case off = 0, red, green, amber, blue, magenta, cyan, white
}

/// The temporary half of an LED record: `onTime`/`offTime`/`timer` count 100 ms units.
public struct LEDTemporaryState: Sendable, Equatable {
    public enum Control: UInt8, Sendable, CaseIterable { case unchanged = 0, cancel = 1, set = 2 }
    public var control: Control
    public var onTime: UInt8
    public var offTime: UInt8
    public var onColor: LEDColor
    public var offColor: LEDColor
    public var timer: UInt16

    public init(control: Control = .unchanged, onTime: UInt8 = 0, offTime: UInt8 = 0,
                onColor: LEDColor = .off, offColor: LEDColor = .off, timer: UInt16 = 0) {
        self.control = control
        self.onTime = onTime
        self.offTime = offTime
        self.onColor = onColor
        self.offColor = offColor
        self.timer = timer
    }
}

public struct LEDPermanentState: Sendable, Equatable {
    public enum Control: UInt8, Sendable, CaseIterable { case unchanged = 0, set = 1 }
    public var control: Control
    public var onTime: UInt8
    public var offTime: UInt8
    public var onColor: LEDColor
    public var offColor: LEDColor

    public init(control: Control = .unchanged, onTime: UInt8 = 0, offTime: UInt8 = 0,
                onColor: LEDColor = .off, offColor: LEDColor = .off) {
        self.control = control
        self.onTime = onTime
        self.offTime = offTime
        self.onColor = onColor
        self.offColor = offColor
    }
}

/// One 14-byte LED record (spec §6.10).
public struct LEDControl: Sendable, Equatable {
    public var reader: UInt8
    public var led: UInt8
    public var temporary: LEDTemporaryState
    public var permanent: LEDPermanentState

    public init(reader: UInt8 = 0, led: UInt8 = 0, temporary: LEDTemporaryState = .init(), permanent: LEDPermanentState = .init()) {
        self.reader = reader
        self.led = led
        self.temporary = temporary
        self.permanent = permanent
    }

    static let size = 14
    func encode(into bytes: inout [UInt8]) {
        bytes += [reader, led, temporary.control.rawValue, temporary.onTime, temporary.offTime,
                  temporary.onColor.rawValue, temporary.offColor.rawValue]
        bytes.appendLittleEndian(temporary.timer)
        bytes += [permanent.control.rawValue, permanent.onTime, permanent.offTime,
                  permanent.onColor.rawValue, permanent.offColor.rawValue]
    }
    init(from reader: inout ByteReader) throws(MessageError) {
        func field<T: RawRepresentable<UInt8>>(_ name: String) throws(MessageError) -> T {
            guard let value = T(rawValue: try reader.byte()) else { throw .badField(message: reader.message, field: name) }
            return value
        }
        self.reader = try reader.byte()
        led = try reader.byte()
        temporary = LEDTemporaryState(control: try field("temporary control code"), onTime: try reader.byte(),
                                      offTime: try reader.byte(), onColor: try field("colour"),
                                      offColor: try field("colour"), timer: try reader.uint16())
        permanent = LEDPermanentState(control: try field("permanent control code"), onTime: try reader.byte(),
                                      offTime: try reader.byte(), onColor: try field("colour"), offColor: try field("colour"))
    }
}

/// One 5-byte BUZ record (spec §6.11). Times count 100 ms units; `count` 0 repeats until the next BUZ.
public struct BuzzerControl: Sendable, Equatable {
    /// 0 no tone, 1 off, 2 the default tone; higher values are vendor tones.
    public var tone: UInt8
    public var reader: UInt8
    public var onTime: UInt8
    public var offTime: UInt8
    public var count: UInt8

    public static let defaultTone: UInt8 = 2

    public init(reader: UInt8 = 0, tone: UInt8 = BuzzerControl.defaultTone, onTime: UInt8, offTime: UInt8, count: UInt8) {
        self.reader = reader
        self.tone = tone
        self.onTime = onTime
        self.offTime = offTime
        self.count = count
    }

    static let size = 5
    func encode(into bytes: inout [UInt8]) { bytes += [reader, tone, onTime, offTime, count] }
    init(from reader: inout ByteReader) throws(MessageError) {
        self.init(reader: try reader.byte(), tone: try reader.byte(), onTime: try reader.byte(),
                  offTime: try reader.byte(), count: try reader.byte())
    }
}

/// TEXT (spec §6.12). Row and column are 1-based; `temporaryTime` is in seconds.
public struct TextOutput: Sendable, Equatable {
    public enum Mode: UInt8, Sendable, CaseIterable {
        case permanentNoWrap = 1, permanentWrap, temporaryNoWrap, temporaryWrap
    }
    public var reader: UInt8
    public var mode: Mode
    public var temporaryTime: UInt8
    public var row: UInt8
    public var column: UInt8
    public var text: [UInt8]

    public init(reader: UInt8 = 0, mode: Mode = .permanentNoWrap, temporaryTime: UInt8 = 0, row: UInt8 = 1, column: UInt8 = 1, text: [UInt8]) {
        self.reader = reader
        self.mode = mode
        self.temporaryTime = temporaryTime
        self.row = row
        self.column = column
        self.text = text
    }

    /// ASCII text; characters outside printable ASCII become "?" (the PD would show garbage otherwise).
    public init(_ string: String, reader: UInt8 = 0, mode: Mode = .permanentNoWrap, row: UInt8 = 1, column: UInt8 = 1) {
        let ascii = string.unicodeScalars.prefix(Int(UInt8.max)).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? UInt8($0.value) : UInt8(ascii: "?") }
        self.init(reader: reader, mode: mode, row: row, column: column, text: ascii)
    }
}

/// COMSET payload and COM reply: the address and baud rate the PD will use.
public struct CommunicationSettings: Sendable, Equatable {
    public var address: UInt8
    public var baudRate: UInt32

    public init(address: UInt8, baudRate: UInt32) {
        self.address = address
        self.baudRate = baudRate
    }
}

/// FILETRANSFER payload (spec §6.26): one fragment of a file at `offset`. An empty fragment is a keep-alive.
public struct FileTransferFragment: Sendable, Equatable {
    public var fileType: UInt8
    public var totalSize: UInt32
    public var offset: UInt32
    public var fragment: [UInt8]

    public init(fileType: UInt8, totalSize: UInt32, offset: UInt32, fragment: [UInt8]) {
        self.fileType = fileType
        self.totalSize = totalSize
        self.offset = offset
        self.fragment = fragment
    }

    /// Bytes before the fragment: type, total size, offset, fragment length.
    static let headerSize = 11
}

/// Vendor OUI (3 bytes, wire order) and vendor data, for MFG and MFGREP.
public struct ManufacturerMessage: Sendable, Equatable {
    public var vendorCode: [UInt8]
    public var data: [UInt8]

    public init(vendorCode: [UInt8], data: [UInt8]) {
        self.vendorCode = vendorCode
        self.data = data
    }
}
