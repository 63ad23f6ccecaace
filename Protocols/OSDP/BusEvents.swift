/// Identifies a submitted command; its result arrives as `.commandResult(ticket, result)`.
public struct CommandTicket: Hashable, Sendable, CustomStringConvertible {
    public let id: UInt64
    public let address: UInt8
    public var description: String { "#\(id)@\(address)" }
}

public enum CommandResult: Sendable, Equatable {
    case ack
    /// A reply other than ACK/NAK: PDID, PDCAP, status reports, COM, MFGREP, the final FTSTAT of a transfer.
    case reply(Reply)
    case nak(NAKCode)
    /// No valid reply in time (the PD went offline, or the command waited longer than `commandTimeout`).
    case timeout
    /// The PD kept answering BUSY.
    case busyExhausted
    /// The command needed Secure Channel and it was lost and could not be restored.
    case secureChannelLost
    /// The PD's reply to it could not be decoded.
    case invalidReply(MessageError)
    /// Keyway did not send it.
    case rejected(CommandRejection)

    public var isSuccess: Bool {
        switch self {
        case .ack: true
        case .reply(.fileTransferStatus(let status)): !status.detail.isFailure
        case .reply: true
        default: false
        }
    }
}

public enum CommandRejection: Sendable, Equatable, CustomStringConvertible {
    case unknownPD
    /// Only ID, CAP and COMSET may go to 0x7F.
    case notAllowedOnBroadcast
    /// KEYSET outside an established Secure Channel.
    case requiresSecureChannel
    /// The frame would exceed what the PD can receive.
    case tooLarge(size: Int, limit: Int)
    /// CHLNG and SCRYPT belong to the bus's own handshake.
    case reservedForBus
    /// A file transfer to this PD is already running.
    case transferInProgress
    /// KEYSET of SCBK-D: that key is public, so the PD would be left without security.
    case defaultKey

    public var description: String {
        switch self {
        case .unknownPD: "no such PD on this bus"
        case .notAllowedOnBroadcast: "only ID, CAP and COMSET may be broadcast"
        case .requiresSecureChannel: "needs an established secure channel"
        case .tooLarge(let size, let limit): "frame of \(size) bytes exceeds the PD's receive size \(limit)"
        case .reservedForBus: "CHLNG and SCRYPT are sent by the bus itself"
        case .transferInProgress: "a file transfer to this PD is already running"
        case .defaultKey: "SCBK-D is public: KEYSET never installs it"
        }
    }
}

/// A frame as it went over the wire, for captures. `clearData` is the decrypted payload of an SCS_17/18 frame.
public struct FrameTrace: Sendable, Equatable {
    public enum Direction: Sendable { case toPD, fromPD }
    public var direction: Direction
    public var time: UInt64
    public var bytes: [UInt8]
    public var clearData: [UInt8]?
}

/// Everything the bus reports, in order.
public enum BusEvent: Sendable, Equatable {
    case online(address: UInt8, secure: Bool)
    case offline(address: UInt8)
    case identified(address: UInt8, PDIdentification)
    case capabilities(address: UInt8, Capabilities)
    case secureChannel(address: UInt8, active: Bool)
    /// The handshake failed or the session was torn down for a security reason.
    case secureChannelFailed(address: UInt8, SecureChannelError)
    /// A PD accepted SCBK-D: it is blank or in install mode. Worth an alarm outside an install window.
    case defaultKeyAccepted(address: UInt8)
    /// The PD acknowledged KEYSET and the bus now uses the new key.
    case keyInstalled(address: UInt8)
    case card(address: UInt8, RawCard)
    case formattedCard(address: UInt8, FormattedCard)
    case keypad(address: UInt8, KeypadEntry)
    /// A card or keypad report refused by `BusOptions.reportAgeLimit`: its age (nanoseconds, at most), nil when unknown.
    case staleReport(address: UInt8, Reply, age: UInt64?)
    case localStatus(address: UInt8, LocalStatus)
    case inputs(address: UInt8, [Bool])
    case outputs(address: UInt8, [Bool])
    case readers(address: UInt8, [ReaderTamperStatus])
    case manufacturer(address: UInt8, ManufacturerMessage)
    case nak(address: UInt8, NAKCode)
    /// A reply that could not be decoded (a RAW card whose bit count and data disagree, a keypad report
    /// with more keys than bytes, an unknown reply code): dropped, never acted on, reported here.
    case invalidReply(address: UInt8, code: UInt8, MessageError)
    /// Bytes thrown away: `address` is the PD being talked to at the time, if any.
    case lineError(address: UInt8?, FrameDefect)
    case fileTransferProgress(CommandTicket, sent: Int, total: Int)
    case commandResult(CommandTicket, CommandResult)
    case frame(address: UInt8, FrameTrace)
}

/// Per-PD counters, monotonic for the life of the bus.
public struct PDCounters: Sendable, Equatable {
    public var framesSent = 0
    public var retransmissions = 0
    public var validReplies = 0
    public var timeouts = 0
    public var checkCharacterErrors = 0
    public var naks = 0
    public var busy = 0
    public var secureChannelFailures = 0
    /// Secure Channel sessions lost while in use (the PD dropped it, a reply broke it) and handshaken again.
    public var secureChannelRestarts = 0

    public init() {}
}

/// A read-only view of one PD.
public struct PDStatus: Sendable, Equatable {
    public enum State: String, Sendable { case offline, initializing, online }
    public var address: UInt8
    public var state: State
    public var secure: Bool
    public var identification: PDIdentification?
    public var capabilities: Capabilities?
    public var counters: PDCounters
    /// The PD answered a POLL with ACK since it came online or restarted: what it reports now has a bounded age.
    public var reportsAgeBounded: Bool
}
