/// What the bus is doing with one PD. Each phase names the next message to send; `PeripheralDevice`'s
/// transitions below are the only places that change it.
enum Phase: Sendable {
    /// Not answering: probe with ID (sequence 0) at `nextProbe`.
    case offline(nextProbe: UInt64)
    /// Restarting the conversation with ID at sequence 0.
    case identifying
    case readingCapabilities
    /// The Secure Channel handshake, key installation included.
    case securing(SecureChannelHandshake)
    case online
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
    /// Not sent (or sent again) from then on: dropped with `timeout`.
    var expiresAt: UInt64
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

/// The bus's state for one PD (the control panel's view of it, not the PD itself).
struct PeripheralDevice: Sendable {
    var configuration: PDConfiguration
    private(set) var phase: Phase = .offline(nextProbe: 0)
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
    /// When the last POLL to this PD went out (`minimumPollCycle` counts from it).
    var lastPollAt: UInt64?
    /// A card or keys were reported: the next poll waits until then for the command that answers them.
    var pollsHeldUntil: UInt64 = 0
    var backoff: UInt64 = 0
    /// When the link last restarted (a reset, a handshake after KEYSET), and when the next restart may begin:
    /// restarts that follow each other within `offlineAfter` back off like probes, so neither a PD nor anyone
    /// forging frames on the wire can keep the bus handshaking at full speed.
    var lastRestartAt: UInt64?
    var restartBackoff: UInt64 = 0
    var restartNotBefore: UInt64 = 0
    /// The last poll returned a report: there may be more, so poll again at once.
    var reportPending = false
    /// When the last POLL answered with ACK went out: reports since were read after it. nil until then, and
    /// again after the PD went offline or restarted (it may hold reads from any time before).
    var reportsFreshSince: UInt64?
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
                        capabilities: capabilities, counters: counters, reportsAgeBounded: reportsFreshSince != nil)
    }
}

// MARK: Transitions

extension PeripheralDevice {
    /// No valid reply for `offlineAfter`: fail everything pending and probe with back-off.
    mutating func goOffline(now: UInt64, options: BusOptions, result: CommandResult = .timeout, events: inout [BusEvent]) {
        if let retry, case .command(let queued) = retry.purpose {
            events.append(.commandResult(queued.ticket, result))
        }
        for queued in queue { events.append(.commandResult(queued.ticket, result)) }
        queue.removeAll()
        if fileTransfer != nil { finishFileTransfer(result, events: &events) }
        dropSession(events: &events)
        retry = nil
        reportPending = false
        reportsFreshSince = nil
        nextSequence = 0
        scheduleProbe(now: now, options: options)
        if announcedOnline {
            announcedOnline = false
            events.append(.offline(address: address))
        }
    }

    /// Probe again after the next, longer back-off interval.
    mutating func scheduleProbe(now: UInt64, options: BusOptions) {
        backoff = backoff == 0 ? options.offlineBackoff : min(backoff * 2, options.offlineBackoffMaximum)
        phase = .offline(nextProbe: now &+ backoff)
    }

    /// The PD lost sync (NAK 0x04, a sequence-0 reply, a dropped session): start over at sequence 0
    /// and re-run identification and the handshake. The interrupted command is sent again once.
    /// `mayHaveRestarted`: the PD lost our sequence (it may have rebooted), so what it reports first is of unknown
    /// age. After a session that merely broke (a damaged frame, a NAK inside Secure Channel) the PD kept answering:
    /// its reads still date from after its last empty poll, and keep that bound.
    mutating func resetLink(interrupted: Transmission?, result: CommandResult, now: UInt64, options: BusOptions,
                            mayHaveRestarted: Bool = false, events: inout [BusEvent]) {
        if session != nil { counters.secureChannelRestarts += 1 }
        noteRestart(now: now, options: options)
        dropSession(events: &events)
        nextSequence = 0
        retry = nil
        reportPending = false
        if mayHaveRestarted { reportsFreshSince = nil }
        if let interrupted, case .command(var queued) = interrupted.purpose {
            if queued.restarted {
                events.append(.commandResult(queued.ticket, result))
            } else {
                queued.restarted = true
                queue.insert(queued, at: 0)
            }
        }
        phase = .identifying
    }

    /// Schedules a restart: at once, unless the last one was less than `offlineAfter` ago.
    mutating func noteRestart(now: UInt64, options: BusOptions) {
        if let last = lastRestartAt, now &- last < options.offlineAfter {
            restartBackoff = restartBackoff == 0 ? options.offlineBackoff : min(restartBackoff * 2, options.offlineBackoffMaximum)
        } else {
            restartBackoff = 0
        }
        lastRestartAt = now
        restartNotBefore = now &+ restartBackoff
    }

    mutating func identified(_ identification: PDIdentification, events: inout [BusEvent]) {
        self.identification = identification
        events.append(.identified(address: address, identification))
        phase = .readingCapabilities
    }

    mutating func becomeOnline(events: inout [BusEvent]) {
        phase = .online
        backoff = 0
        guard !announcedOnline else { return }
        announcedOnline = true
        events.append(.online(address: address, secure: session != nil))
    }

    mutating func dropSession(events: inout [BusEvent]) {
        guard session != nil else { return }
        session = nil
        events.append(.secureChannel(address: address, active: false))
    }

    mutating func acceptedReply(now: UInt64) {
        lastValidReplyAt = now
        counters.validReplies += 1
    }

    /// No reply in time: resend the same bytes after `retryDelay` (a probe waits for the next back-off instead).
    mutating func replyTimedOut(_ transmission: Transmission, now: UInt64, options: BusOptions, events: inout [BusEvent]) {
        counters.timeouts += 1
        if case .probe = transmission.purpose {
            scheduleProbe(now: now, options: options)
            return
        }
        retry = transmission
        retryAt = now &+ options.retryDelay
        if now &- lastValidReplyAt >= options.offlineAfter { goOffline(now: now, options: options, events: &events) }
    }

    /// The reply came back damaged and the line is quiet again: resend the same bytes now (same sequence number,
    /// same MAC, as a retry must be). A probe keeps its back-off, so a PD answering only noise is not probed flat out.
    mutating func replyDamaged(_ transmission: Transmission, now: UInt64, options: BusOptions, events: inout [BusEvent]) {
        if case .probe = transmission.purpose {
            scheduleProbe(now: now, options: options)
            return
        }
        retry = transmission
        retryAt = now
        if now &- lastValidReplyAt >= options.offlineAfter { goOffline(now: now, options: options, events: &events) }
    }

    /// BUSY is not an answer: a PD that says nothing else for `offlineAfter` is offline like a silent one.
    mutating func busy(_ transmission: Transmission, now: UInt64, options: BusOptions, events: inout [BusEvent]) {
        counters.busy += 1
        guard now &- lastValidReplyAt < options.offlineAfter else {
            retry = transmission  // so that going offline fails its command
            goOffline(now: now, options: options, events: &events)
            return
        }
        var retry = transmission
        retry.busyReplies += 1
        guard retry.busyReplies <= options.busyRetryLimit else {
            // Give up on this command; restart at sequence 0 so no number is reused for different bytes.
            if case .command(let queued) = transmission.purpose { events.append(.commandResult(queued.ticket, .busyExhausted)) }
            if case .fileFragment = transmission.purpose { finishFileTransfer(.busyExhausted, events: &events) }
            resetLink(interrupted: nil, result: .busyExhausted, now: now, options: options, events: &events)
            return
        }
        self.retry = retry
        retryAt = now &+ options.busyRetryDelay
    }

    // MARK: Secure Channel

    /// After CAP: run the handshake if policy, key and PD allow, otherwise go online in plaintext or be refused.
    mutating func beginSecurity(now: UInt64, options: BusOptions, random: inout some RandomNumberGenerator, events: inout [BusEvent]) {
        guard configuration.security != .off, !isBroadcast else { becomeOnline(events: &events); return }
        guard let key = configuration.scbk ?? (configuration.installMode ? .installDefault : nil) else {
            configuration.security == .required ? handshakeFailed(.noKey, now: now, options: options, events: &events) : becomeOnline(events: &events)
            return
        }
        guard capabilities?.supportsSecureChannel == true else {
            configuration.security == .required
                ? handshakeFailed(.notSupported, now: now, options: options, events: &events) : becomeOnline(events: &events)
            return
        }
        startHandshake(key: key, random: &random)
    }

    mutating func startHandshake(key: SecureChannelKey, random: inout some RandomNumberGenerator) {
        phase = .securing(SecureChannelHandshake(key: key, randomA: randomBytes(count: 8, using: &random)))
    }

    /// A reply to a handshake message.
    mutating func continueHandshake(_ reply: Reply, securityBlock: SecurityBlock?, now: UInt64, options: BusOptions,
                                    random: inout some RandomNumberGenerator, events: inout [BusEvent]) {
        guard case .securing(var handshake) = phase else { return }
        switch handshake.receive(reply, securityBlock: securityBlock, configuration: &configuration,
                                 unconfirmedKey: &unconfirmedKey, events: &events) {
        case .proceed:
            phase = .securing(handshake)
        case .established(let session, let installsKey):
            self.session = session
            if installsKey { phase = .securing(handshake) } else { becomeOnline(events: &events) }
        case .failed(let error):
            handshakeFailed(error, now: now, options: options, events: &events)
        case .keyInstalled:
            keyInstalled(now: now, options: options, random: &random, events: &events)
        case .keyRefused(let code):
            unconfirmedKey = nil
            events.append(.secureChannelFailed(address: address, .refused(code)))
            becomeOnline(events: &events)
        }
    }

    /// The handshake did not complete. `required` PDs are refused (offline, commands fail); `preferred` ones go on in plaintext.
    mutating func handshakeFailed(_ error: SecureChannelError, now: UInt64, options: BusOptions, events: inout [BusEvent]) {
        counters.secureChannelFailures += 1
        events.append(.secureChannelFailed(address: address, error))
        if configuration.security == .required {
            goOffline(now: now, options: options, result: .secureChannelLost, events: &events)
        } else {
            dropSession(events: &events)
            becomeOnline(events: &events)
        }
    }

    /// A reply that breaks an established session (MAC mismatch, plaintext answer, data in clear): refuse and start over.
    mutating func tearDownSession(_ error: SecureChannelError, interrupted: Transmission, now: UInt64, options: BusOptions,
                                  events: inout [BusEvent]) {
        counters.secureChannelFailures += 1
        events.append(.secureChannelFailed(address: address, error))
        resetLink(interrupted: interrupted, result: .secureChannelLost, now: now, options: options, events: &events)
    }

    /// KEYSET was acknowledged: both sides now hold the new key, so prove it with a fresh handshake.
    mutating func keyInstalled(now: UInt64, options: BusOptions, random: inout some RandomNumberGenerator, events: inout [BusEvent]) {
        unconfirmedKey = nil
        events.append(.keyInstalled(address: address))
        dropSession(events: &events)
        guard let key = configuration.scbk else { return }
        noteRestart(now: now, options: options)
        startHandshake(key: key, random: &random)
    }
}
