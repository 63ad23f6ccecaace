/// A reply from a PD, as a typed value. `payload` / `decode` are exact inverses.
public enum Reply: Sendable, Equatable {
    case ack
    /// The error code and any detail bytes that followed it.
    case nak(NAKCode, detail: [UInt8])
    case identification(PDIdentification)
    case capabilities(Capabilities)
    case localStatus(LocalStatus)
    case inputStatus([Bool])
    case outputStatus([Bool])
    case readerStatus([ReaderTamperStatus])
    case rawCard(RawCard)
    case formattedCard(FormattedCard)
    case keypad(KeypadEntry)
    case communicationSettings(CommunicationSettings)
    case busy
    case clientCryptogram(ClientCryptogram)
    /// RMAC_I: the initial reply MAC (16 bytes).
    case initialRMAC([UInt8])
    case fileTransferStatus(FileTransferStatus)
    case manufacturer(ManufacturerMessage)

    public var code: ReplyCode {
        switch self {
        case .ack: .ack
        case .nak: .nak
        case .identification: .pdid
        case .capabilities: .pdcap
        case .localStatus: .lstatr
        case .inputStatus: .istatr
        case .outputStatus: .ostatr
        case .readerStatus: .rstatr
        case .rawCard: .raw
        case .formattedCard: .fmt
        case .keypad: .keypad
        case .communicationSettings: .com
        case .busy: .busy
        case .clientCryptogram: .ccrypt
        case .initialRMAC: .rmac_i
        case .fileTransferStatus: .ftstat
        case .manufacturer: .mfgrep
        }
    }

    public var payload: [UInt8] {
        var bytes: [UInt8] = []
        switch self {
        case .ack, .busy:
            break
        case .nak(let code, let detail):
            bytes = [code.rawValue] + detail
        case .identification(let id):
            bytes = id.vendorCode + [id.model, id.version]
            bytes.appendLittleEndian(id.serialNumber)
            bytes += [id.firmware.major, id.firmware.minor, id.firmware.build]
        case .capabilities(let capabilities):
            for entry in capabilities.entries { bytes += [entry.function.rawValue, entry.compliance, entry.count] }
        case .localStatus(let status):
            bytes = [status.tamper ? 1 : 0, status.powerFailure ? 1 : 0]
        case .inputStatus(let states), .outputStatus(let states):
            bytes = states.map { $0 ? 1 : 0 }
        case .readerStatus(let states):
            bytes = states.map(\.rawValue)
        case .rawCard(let card):
            bytes = [card.reader, card.format.rawValue]
            bytes.appendLittleEndian(card.bitCount)
            bytes += card.data
        case .formattedCard(let card):
            bytes = [card.reader, card.readDirection, UInt8(truncatingIfNeeded: card.characters.count)] + card.characters
        case .keypad(let entry):
            bytes = [entry.reader, UInt8(truncatingIfNeeded: entry.keys.count)] + entry.keys
        case .communicationSettings(let settings):
            bytes = [settings.address]
            bytes.appendLittleEndian(settings.baudRate)
        case .clientCryptogram(let reply):
            bytes = reply.clientUID + reply.randomB + reply.cryptogram
        case .initialRMAC(let mac):
            bytes = mac
        case .fileTransferStatus(let status):
            bytes = [status.action.rawValue]
            bytes.appendLittleEndian(status.delay)
            bytes.appendLittleEndian(UInt16(bitPattern: status.detail.rawValue))
            bytes.appendLittleEndian(status.updateMessageMaximum)
        case .manufacturer(let message):
            bytes = message.vendorCode + message.data
        }
        return bytes
    }

    public static func decode(code rawCode: UInt8, payload: some Collection<UInt8>) throws(MessageError) -> Reply {
        guard let code = ReplyCode(rawValue: rawCode) else { throw .unknownCode(rawCode) }
        var reader = ByteReader(payload, message: code.name)
        let reply: Reply
        switch code {
        case .ack: reply = .ack
        case .busy: reply = .busy
        case .nak: reply = .nak(NAKCode(rawValue: try reader.byte()), detail: reader.rest())
        case .pdid:
            reply = .identification(PDIdentification(
                vendorCode: try reader.bytes(3), model: try reader.byte(), version: try reader.byte(),
                serialNumber: try reader.uint32(), firmware: (try reader.byte(), try reader.byte(), try reader.byte())))
        case .pdcap:
            guard reader.remainingCount.isMultiple(of: 3) else { throw .badLength(message: code.name, length: reader.remainingCount) }
            var entries: [Capability] = []
            while !reader.isAtEnd {
                entries.append(Capability(function: CapabilityFunction(rawValue: try reader.byte()), compliance: try reader.byte(), count: try reader.byte()))
            }
            reply = .capabilities(Capabilities(entries))
        case .lstatr: reply = .localStatus(LocalStatus(tamper: try reader.byte() != 0, powerFailure: try reader.byte() != 0))
        case .istatr: reply = .inputStatus(reader.rest().map { $0 != 0 })
        case .ostatr: reply = .outputStatus(reader.rest().map { $0 != 0 })
        case .rstatr:
            reply = .readerStatus(try reader.rest().map { raw throws(MessageError) in
                guard let status = ReaderTamperStatus(rawValue: raw) else { throw .badField(message: code.name, field: "reader status") }
                return status
            })
        case .raw:
            let readerNumber = try reader.byte(), format = CardDataFormat(rawValue: try reader.byte())
            let bitCount = try reader.uint16()
            let data = reader.rest()
            guard data.count == (Int(bitCount) + 7) / 8 else { throw .badField(message: code.name, field: "bit count") }
            reply = .rawCard(RawCard(reader: readerNumber, format: format, bitCount: bitCount, data: data))
        case .fmt:
            let readerNumber = try reader.byte(), direction = try reader.byte()
            reply = .formattedCard(FormattedCard(reader: readerNumber, readDirection: direction, characters: try reader.bytes(Int(try reader.byte()))))
        case .keypad:
            let readerNumber = try reader.byte()
            reply = .keypad(KeypadEntry(reader: readerNumber, keys: try reader.bytes(Int(try reader.byte()))))
        case .com: reply = .communicationSettings(CommunicationSettings(address: try reader.byte(), baudRate: try reader.uint32()))
        case .ccrypt:
            reply = .clientCryptogram(ClientCryptogram(clientUID: try reader.bytes(8), randomB: try reader.bytes(8), cryptogram: try reader.bytes(16)))
        case .rmac_i: reply = .initialRMAC(try reader.bytes(16))
        case .ftstat:
            reply = .fileTransferStatus(FileTransferStatus(
                action: FileTransferStatus.Action(rawValue: try reader.byte()), delay: try reader.uint16(),
                detail: FileTransferStatus.Detail(rawValue: Int16(bitPattern: try reader.uint16())), updateMessageMaximum: try reader.uint16()))
        case .mfgrep: reply = .manufacturer(ManufacturerMessage(vendorCode: try reader.bytes(3), data: reader.rest()))
        }
        try reader.finish()
        return reply
    }
}
