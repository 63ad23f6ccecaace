/// Command codes a control panel sends (spec §6; names as the spec writes them, without "osdp_").
public enum CommandCode: UInt8, Sendable, CaseIterable {
    case poll = 0x60, id = 0x61, cap = 0x62, lstat = 0x64, istat = 0x65, ostat = 0x66, rstat = 0x67
    case out = 0x68, led = 0x69, buz = 0x6A, text = 0x6B, comset = 0x6E, keyset = 0x75
    case chlng = 0x76, scrypt = 0x77, acurxsize = 0x7B, filetransfer = 0x7C, mfg = 0x80
    case abort = 0xA2, keepactive = 0xA7

    /// "POLL", "KEYSET", … as in the spec and in capture tools.
    public var name: String { String(describing: self).uppercased() }
}

/// Reply codes a PD sends (spec §7).
public enum ReplyCode: UInt8, Sendable, CaseIterable {
    case ack = 0x40, nak = 0x41, pdid = 0x45, pdcap = 0x46, lstatr = 0x48, istatr = 0x49, ostatr = 0x4A
    case rstatr = 0x4B, raw = 0x50, fmt = 0x51, keypad = 0x53, com = 0x54, ccrypt = 0x76
    case rmac_i = 0x78, busy = 0x79, ftstat = 0x7A, mfgrep = 0x90

    public var name: String { String(describing: self).uppercased() }
}

/// A NAK error code (spec §7.3 / IEC 60839-11-5 Table 47). Unknown and vendor codes stay representable.
public struct NAKCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let noError = NAKCode(rawValue: 0x00)
    public static let checkCharacter = NAKCode(rawValue: 0x01)
    public static let commandLength = NAKCode(rawValue: 0x02)
    public static let unknownCommand = NAKCode(rawValue: 0x03)
    public static let sequenceNumber = NAKCode(rawValue: 0x04)
    public static let secureChannelUnsupported = NAKCode(rawValue: 0x05)
    public static let securityConditionsNotMet = NAKCode(rawValue: 0x06)
    public static let biometricTypeUnsupported = NAKCode(rawValue: 0x07)
    public static let biometricFormatUnsupported = NAKCode(rawValue: 0x08)
    public static let unableToProcess = NAKCode(rawValue: 0x09)
    public static let cardNotFound = NAKCode(rawValue: 0x10)
    public static let transmitFailed = NAKCode(rawValue: 0x11)
    public static let internalError = NAKCode(rawValue: 0x12)

    private static let reasons: [UInt8: String] = [
        0x00: "no error",
        0x01: "message check character error",
        0x02: "command length error",
        0x03: "unknown command",
        0x04: "unexpected sequence number",
        0x05: "secure channel not supported",
        0x06: "communication security conditions not met",
        0x07: "biometric type not supported",
        0x08: "biometric format not supported",
        0x09: "unable to process command record",
        0x10: "card not found",
        0x11: "transmit failed",
        0x12: "internal error",
    ]

    /// A human reason, e.g. "unknown command" for 0x03.
    public var reason: String {
        if let reason = Self.reasons[rawValue] { return reason }
        return rawValue >= 0x80 ? "vendor-specific error" : "unknown error code"
    }

    public var description: String { "NAK \(rawValue) (\(reason))" }
}

/// PDCAP function codes (spec Annex; §3.2 of the brief). Unknown codes stay representable and are skipped by users.
public struct CapabilityFunction: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let contactStatusMonitoring = CapabilityFunction(rawValue: 1)
    public static let outputControl = CapabilityFunction(rawValue: 2)
    public static let cardDataFormat = CapabilityFunction(rawValue: 3)
    public static let readerLEDControl = CapabilityFunction(rawValue: 4)
    public static let readerAudibleOutput = CapabilityFunction(rawValue: 5)
    public static let readerTextOutput = CapabilityFunction(rawValue: 6)
    public static let timeKeeping = CapabilityFunction(rawValue: 7)
    public static let checkCharacterSupport = CapabilityFunction(rawValue: 8)
    public static let communicationSecurity = CapabilityFunction(rawValue: 9)
    public static let receiveBufferSize = CapabilityFunction(rawValue: 10)
    public static let largestCombinedMessageSize = CapabilityFunction(rawValue: 11)
    public static let smartCardSupport = CapabilityFunction(rawValue: 12)
    public static let readers = CapabilityFunction(rawValue: 13)
    public static let biometrics = CapabilityFunction(rawValue: 14)
    public static let securePINEntry = CapabilityFunction(rawValue: 15)
    public static let osdpVersion = CapabilityFunction(rawValue: 16)
    public static let extendedPDID = CapabilityFunction(rawValue: 17)

    private static let names: [UInt8: String] = [
        1: "contact_status_monitoring", 2: "output_control", 3: "card_data_format", 4: "reader_led_control",
        5: "reader_audible_output", 6: "reader_text_output", 7: "time_keeping", 8: "check_character_support",
        9: "communication_security", 10: "receive_buffer_size", 11: "largest_combined_message_size",
        12: "smart_card_support", 13: "readers", 14: "biometrics", 15: "secure_pin_entry", 16: "osdp_version",
        17: "extended_pdid",
    ]

    /// snake_case name for JSON and logs, "function_N" for codes the spec does not define.
    public var name: String { Self.names[rawValue] ?? "function_\(rawValue)" }
    public var description: String { name }
}
