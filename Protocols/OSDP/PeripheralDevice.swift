/// What the bus is doing with one PD. Each phase names the next message to send.
enum Phase: Sendable {
    /// Not answering: probe with ID (sequence 0) at `nextProbe`.
    case offline(nextProbe: UInt64)
    /// Restarting the conversation with ID at sequence 0.
    case identifying
    case readingCapabilities
    case challenging(Handshake)
    case provingServer(Handshake, ClientCryptogram)
    /// Installing the configured SCBK after an SCBK-D handshake (install window).
    case installingKey
    case online
}

/// One Secure Channel attempt: the key, its selector and RND.A (kept for retransmissions).
struct Handshake: Sendable {
    var key: SecureChannelKey
    var randomA: [UInt8]
    /// 0x01 = SCBK, 0x00 = SCBK-D.
    var keySelector: UInt8 { key == .installDefault ? 0x00 : 0x01 }
    var keys: SessionKeys { SessionKeys(scbk: key, randomA: randomA) }
}

/// What a transmission was for, so its reply can be routed.
enum Purpose: Sendable {
    case probe, identify, capabilities, challenge, serverCryptogram, installKey, poll
    case command(QueuedCommand)
    case fileFragment(length: Int)
}

struct QueuedCommand: Sendable {
    var ticket: CommandTicket
    var command: Command
    var submittedAt: UInt64
    /// Re-sent after a Secure Channel restart at most once.
    var restarted = false
}

/// Bytes on the wire awaiting their reply; a retry resends exactly these bytes.
struct Transmission: Sendable {
    var bytes: [UInt8]
    var sequence: UInt8
    var purpose: Purpose
    var sealed: Bool
    var busyReplies = 0
}

/// A FILETRANSFER in progress (spec §6.26): fragments, then keep-alives until a final FTSTAT.
struct FileTransferJob: Sendable {
    var ticket: CommandTicket
    var fileType: UInt8
    var file: [UInt8]
    var offset = 0
    var notBefore: UInt64 = 0
    var preferredMessageSize: Int?
    var interleave = true
}

/// The bus's state for one PD.
struct PeripheralDevice: Sendable {
    var configuration: PDConfiguration
    var phase: Phase = .offline(nextProbe: 0)
    var announcedOnline = false
    var nextSequence: UInt8 = 0
    var session: SecureSession?
    var identification: PDIdentification?
    var capabilities: Capabilities?
    var queue: [QueuedCommand] = []
    var fileTransfer: FileTransferJob?
    /// A key sent with KEYSET whose ACK never came: the PD may hold it, so a failed handshake tries it too.
    var unconfirmedKey: SecureChannelKey?
    /// Waiting to be resent (after a timeout or BUSY) not before `retryAt`.
    var retry: Transmission?
    var retryAt: UInt64 = 0
    var lastValidReplyAt: UInt64 = 0
    var lastExchangeAt: UInt64 = 0
    var backoff: UInt64 = 0
    /// The last poll returned a report: there may be more, so poll again at once.
    var reportPending = false
    var counters = PDCounters()

    var address: UInt8 { configuration.address }
    var isBroadcast: Bool { address == Frame.broadcastAddress }
    var receiveSize: Int { min(capabilities?.receiveBufferSize ?? Frame.minimumReceiveSize, Frame.maximumLength) }

    /// 0 starts a conversation; then 1, 2, 3, 1, … (0 never comes back on wrap).
    mutating func takeSequence() -> UInt8 {
        let sequence = nextSequence
        nextSequence = sequence == 3 ? 1 : sequence + 1
        return sequence
    }

    var status: PDStatus {
        let state: PDStatus.State = switch phase {
        case .offline: .offline
        case .online: .online
        default: announcedOnline ? .online : .initializing
        }
        return PDStatus(address: address, state: state, secure: session != nil, identification: identification,
                        capabilities: capabilities, counters: counters)
    }
}
