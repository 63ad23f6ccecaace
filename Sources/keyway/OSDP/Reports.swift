import OSDP

/// PDID as printed: `{"address":1,"vendor_code":"A1B2C3","model":1,"version":1,"serial":"01020304","firmware":"1.2.3","secure":true}`.
struct IdentificationReport: OutputRecord {
    var address: UInt8
    var vendorCode: String
    var model: UInt8
    var version: UInt8
    var serial: String
    var firmware: String
    var secure: Bool?
    /// Set by `scan`: the line speed the PD answered at.
    var baud: Int?

    enum CodingKeys: String, CodingKey {
        case address, model, version, serial, firmware, secure, baud
        case vendorCode = "vendor_code"
    }

    init(address: UInt8, _ id: PDIdentification, secure: Bool? = nil, baud: Int? = nil) {
        self.address = address
        vendorCode = id.vendorCodeHex
        model = id.model
        version = id.version
        serial = id.serialNumberHex
        firmware = id.firmwareVersion
        self.secure = secure
        self.baud = baud
    }

    var humanDescription: String {
        var text = "PD \(address): vendor \(vendorCode), model \(model), version \(version), serial \(serial), firmware \(firmware)"
        if let secure { text += secure ? ", secure channel" : ", plaintext" }
        if let baud { text += " at \(baud) baud" }
        return text
    }
}

/// PDCAP as printed: one entry per function the PD reported.
struct CapabilitiesReport: OutputRecord {
    struct Entry: Encodable {
        var function: UInt8
        var name: String
        var compliance: UInt8
        var count: UInt8
    }

    var address: UInt8
    var capabilities: [Entry]
    var receiveBufferSize: Int
    var secureChannel: Bool
    var crc: Bool

    enum CodingKeys: String, CodingKey {
        case address, capabilities, crc
        case receiveBufferSize = "receive_buffer_size"
        case secureChannel = "secure_channel"
    }

    init(address: UInt8, _ capabilities: OSDP.Capabilities) {
        self.address = address
        self.capabilities = capabilities.entries.map {
            Entry(function: $0.function.rawValue, name: $0.function.description, compliance: $0.compliance, count: $0.count)
        }
        receiveBufferSize = capabilities.receiveBufferSize
        secureChannel = capabilities.supportsSecureChannel
        crc = capabilities.supportsCRC
    }

    var humanDescription: String {
        (["PD \(address): receive buffer \(receiveBufferSize) bytes, secure channel \(secureChannel ? "yes" : "no"), CRC \(crc ? "yes" : "no")"]
            + capabilities.map { "  \($0.name) (\($0.function)): compliance \($0.compliance), count \($0.count)" })
            .joined(separator: "\n")
    }
}

/// A command's result as printed: `{"result":"ack"}`, `{"result":"nak","code":3,"reason":"unknown command"}`.
struct CommandResultReport: OutputRecord {
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
