/// A command from the control panel to a PD, as a typed value. `payload` / `decode` are exact inverses.
public enum Command: Sendable, Equatable {
    case poll
    /// ID with reply type 0 (standard PDID).
    case identification
    /// CAP with reply type 0.
    case capabilities
    case localStatus
    case inputStatus
    case outputStatus
    case readerStatus
    case output([OutputControl])
    case led([LEDControl])
    case buzzer([BuzzerControl])
    case text(TextOutput)
    case communicationSettings(CommunicationSettings)
    /// Install `key` as the PD's SCBK; only accepted inside a secure channel.
    case keySet(SecureChannelKey)
    /// Secure Channel handshake step 1: RND.A (8 bytes). Sent by the bus itself.
    case challenge([UInt8])
    /// Secure Channel handshake step 3: the server cryptogram (16 bytes). Sent by the bus itself.
    case serverCryptogram([UInt8])
    /// ACURXSIZE: the largest packet the control panel accepts.
    case receiveSize(UInt16)
    /// KEEPACTIVE: keep a presented card active for this many milliseconds.
    case keepActive(milliseconds: UInt16)
    case abort
    case manufacturer(ManufacturerMessage)
    case fileTransfer(FileTransferFragment)

    public var code: CommandCode {
        switch self {
        case .poll: .poll
        case .identification: .id
        case .capabilities: .cap
        case .localStatus: .lstat
        case .inputStatus: .istat
        case .outputStatus: .ostat
        case .readerStatus: .rstat
        case .output: .out
        case .led: .led
        case .buzzer: .buz
        case .text: .text
        case .communicationSettings: .comset
        case .keySet: .keyset
        case .challenge: .chlng
        case .serverCryptogram: .scrypt
        case .receiveSize: .acurxsize
        case .keepActive: .keepactive
        case .abort: .abort
        case .manufacturer: .mfg
        case .fileTransfer: .filetransfer
        }
    }

    static let keyTypeSCBK: UInt8 = 0x01
    static let standardReplyType: UInt8 = 0x00

    /// The bytes after the command code.
    public var payload: [UInt8] {
        var bytes: [UInt8] = []
        switch self {
        case .poll, .localStatus, .inputStatus, .outputStatus, .readerStatus, .abort:
            break
        case .identification, .capabilities:
            bytes.append(Self.standardReplyType)
        case .output(let records):
            for record in records { record.encode(into: &bytes) }
        case .led(let records):
            for record in records { record.encode(into: &bytes) }
        case .buzzer(let records):
            for record in records { record.encode(into: &bytes) }
        case .text(let text):
            bytes += [text.reader, text.mode.rawValue, text.temporaryTime, text.row, text.column, UInt8(truncatingIfNeeded: text.text.count)]
            bytes += text.text
        case .communicationSettings(let settings):
            bytes.append(settings.address)
            bytes.appendLittleEndian(settings.baudRate)
        case .keySet(let key):
            bytes += [Self.keyTypeSCBK, UInt8(SecureChannelKey.length)] + key.bytes
        case .challenge(let random), .serverCryptogram(let random):
            bytes += random
        case .receiveSize(let size):
            bytes.appendLittleEndian(size)
        case .keepActive(let milliseconds):
            bytes.appendLittleEndian(milliseconds)
        case .manufacturer(let message):
            bytes += message.vendorCode + message.data
        case .fileTransfer(let transfer):
            bytes.append(transfer.fileType)
            bytes.appendLittleEndian(transfer.totalSize)
            bytes.appendLittleEndian(transfer.offset)
            bytes.appendLittleEndian(UInt16(truncatingIfNeeded: transfer.fragment.count))
            bytes += transfer.fragment
        }
        return bytes
    }

    /// Decodes a command from its code and payload (used by tests, captures and the fuzzer).
    public static func decode(code rawCode: UInt8, payload: some Collection<UInt8>) throws(MessageError) -> Command {
        guard let code = CommandCode(rawValue: rawCode) else { throw .unknownCode(rawCode) }
        var reader = ByteReader(payload, message: code.name)
        let command: Command
        switch code {
        case .poll: command = .poll
        case .lstat: command = .localStatus
        case .istat: command = .inputStatus
        case .ostat: command = .outputStatus
        case .rstat: command = .readerStatus
        case .abort: command = .abort
        case .id, .cap:
            guard try reader.byte() == standardReplyType else { throw .badField(message: code.name, field: "reply type") }
            command = code == .id ? .identification : .capabilities
        case .out: command = .output(try records(&reader, size: OutputControl.size, OutputControl.init(from:)))
        case .led: command = .led(try records(&reader, size: LEDControl.size, LEDControl.init(from:)))
        case .buz: command = .buzzer(try records(&reader, size: BuzzerControl.size, BuzzerControl.init(from:)))
        case .text:
            let readerNumber = try reader.byte()
            guard let mode = TextOutput.Mode(rawValue: try reader.byte()) else { throw .badField(message: code.name, field: "text command") }
            let temporaryTime = try reader.byte(), row = try reader.byte(), column = try reader.byte()
            let text = try reader.bytes(Int(try reader.byte()))
            command = .text(TextOutput(reader: readerNumber, mode: mode, temporaryTime: temporaryTime, row: row, column: column, text: text))
        case .comset:
            command = .communicationSettings(CommunicationSettings(address: try reader.byte(), baudRate: try reader.uint32()))
        case .keyset:
            guard try reader.byte() == keyTypeSCBK, try reader.byte() == SecureChannelKey.length,
                  let key = SecureChannelKey(bytes: try reader.bytes(SecureChannelKey.length)) else {
                throw .badField(message: code.name, field: "key type or length")
            }
            command = .keySet(key)
        case .chlng: command = .challenge(try reader.bytes(8))
        case .scrypt: command = .serverCryptogram(try reader.bytes(16))
        case .acurxsize: command = .receiveSize(try reader.uint16())
        case .keepactive: command = .keepActive(milliseconds: try reader.uint16())
        case .mfg: command = .manufacturer(ManufacturerMessage(vendorCode: try reader.bytes(3), data: reader.rest()))
        case .filetransfer:
            let fileType = try reader.byte(), total = try reader.uint32(), offset = try reader.uint32()
            let fragment = try reader.bytes(Int(try reader.uint16()))
            command = .fileTransfer(FileTransferFragment(fileType: fileType, totalSize: total, offset: offset, fragment: fragment))
        }
        try reader.finish()
        return command
    }

    /// Record commands (OUT, LED, BUZ) carry one or more fixed-size records.
    private static func records<Record>(_ reader: inout ByteReader, size: Int,
                                        _ decode: (inout ByteReader) throws(MessageError) -> Record) throws(MessageError) -> [Record] {
        guard reader.remainingCount > 0, reader.remainingCount.isMultiple(of: size) else {
            throw .badLength(message: reader.message, length: reader.remainingCount)
        }
        var records: [Record] = []
        while !reader.isAtEnd { records.append(try decode(&reader)) }
        return records
    }

    /// Which commands may go to the broadcast address 0x7F (spec; OSDP-Verified 050-09-05).
    public var isAllowedOnBroadcast: Bool { [.id, .cap, .comset].contains(code) }
}
