import Access
import Bridge
import OSDP
import OSDPLink
import Wiegand

/// One line of `keyway osdp monitor`: `{"event":"card","address":1,...}`. Fields that do not apply are left out.
struct MonitorEvent: OutputRecord {
    var event: String
    var address: UInt8?
    var secure: Bool?
    var active: Bool?
    var bits: Int?
    var hex: String?
    var data: String?
    var format: String?
    var facility: UInt64?
    var card: UInt64?
    var keys: String?
    var states: [Bool]?
    var tamper: Bool?
    var powerFailure: Bool?
    var code: Int?
    var reason: String?

    enum CodingKeys: String, CodingKey {
        case event, address, secure, active, bits, hex, data, format, facility, card, keys, states, tamper, code, reason
        case powerFailure = "power_failure"
    }

    init(_ event: String, address: UInt8? = nil) {
        self.event = event
        self.address = address
    }

    /// The line for a link event; nil for events a technician does not watch (command results, frames, progress).
    /// Card data is decoded with `formats` (a reader's list, or every built-in format).
    init?(_ linkEvent: OSDPLinkEvent, formats: [CardFormat] = CardFormat.builtIn) {
        switch linkEvent {
        case .deviceLost(let error):
            self.init("device_lost")
            reason = error.description
        case .deviceReopened:
            self.init("device_reopened")
        case .bus(let busEvent):
            self.init(busEvent, formats: formats)
        }
    }

    private init?(_ busEvent: BusEvent, formats: [CardFormat]) {
        switch busEvent {
        case .online(let address, let secure):
            self.init("online", address: address)
            self.secure = secure
        case .offline(let address):
            self.init("offline", address: address)
        case .secureChannel(let address, let active):
            self.init("secure_channel", address: address)
            self.active = active
        case .secureChannelFailed(let address, let error):
            self.init("secure_channel_refused", address: address)
            reason = error.description
        case .defaultKeyAccepted(let address):
            self.init("default_key_accepted", address: address)
        case .keyInstalled(let address):
            self.init("key_installed", address: address)
        case .card(let address, let raw):
            self.init("card", address: address)
            describe(raw, formats: formats)
        case .keypad(let address, let entry):
            self.init("keypad", address: address)
            keys = entry.text
        case .inputs(let address, let states):
            self.init("input", address: address)
            self.states = states
        case .outputs(let address, let states):
            self.init("output", address: address)
            self.states = states
        case .localStatus(let address, let status):
            self.init("local", address: address)
            tamper = status.tamper
            powerFailure = status.powerFailure
        case .nak(let address, let nak):
            self.init("nak", address: address)
            code = Int(nak.rawValue)
            reason = nak.reason
        case .lineError(let address, let defect):
            self.init("line_error", address: address)
            reason = "\(defect)"
        case .invalidReply(let address, _, let error):
            self.init("invalid_reply", address: address)
            reason = error.description
        case .formattedCard(let address, let card):
            self.init("card", address: address)
            data = String(decoding: card.characters, as: UTF8.self)
        case .identified, .capabilities, .readers, .manufacturer, .fileTransferProgress, .commandResult, .frame, .staleReport:
            return nil
        }
    }

    /// `hex` is the frame as the integer `keyway wiegand decode` takes, `data` the bytes as they came on the wire,
    /// and the fields as the service would read them with the same formats (`ReaderTranslation`): only when exactly
    /// one format fits.
    private mutating func describe(_ raw: RawCard, formats: [CardFormat]) {
        bits = Int(raw.bitCount)
        data = raw.dataHex
        hex = Self.integerHex(raw.bits)
        guard case .fields(let format, let facility, let number) = ReaderTranslation.cardData(raw, formats: formats) else { return }
        self.format = format
        self.facility = facility.map(UInt64.init)
        card = number
    }

    /// Bits (first bit most significant) as upper-case hex of ceil(n/4) digits, for any length.
    static func integerHex(_ bits: [Bool]) -> String {
        let padded = Array(repeating: false, count: (4 - bits.count % 4) % 4) + bits
        return String(stride(from: 0, to: padded.count, by: 4).map { start in
            let nibble = padded[start..<start + 4].reduce(0) { $0 << 1 | ($1 ? 1 : 0) }
            return Character(String(nibble, radix: 16, uppercase: true))
        })
    }

    var humanDescription: String {
        var parts = [event]
        if let address { parts.append("PD \(address)") }
        if let secure { parts.append(secure ? "secure" : "plaintext") }
        if let active { parts.append(active ? "active" : "inactive") }
        if let bits, let hex { parts.append("\(bits) bits \(hex)") }
        if let format, let card { parts.append("\(format) facility \(facility.map(String.init) ?? "-") card \(card)") }
        if let keys { parts.append(keys) }
        if let states { parts.append(states.map { $0 ? "1" : "0" }.joined()) }
        if let tamper, let powerFailure { parts.append("tamper \(tamper ? "yes" : "no"), power failure \(powerFailure ? "yes" : "no")") }
        if let code { parts.append("code \(code)") }
        if let reason { parts.append(reason) }
        return parts.joined(separator: " ")
    }
}
