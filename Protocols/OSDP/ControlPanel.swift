/// The OSDP control panel for one bus: a sans-I/O state machine. The caller writes whatever
/// `nextTransmission(now:)` returns, feeds every byte read to `receive(_:now:)`, calls
/// `nextTransmission` again no later than `nextDeadline()`, and drains `takeEvents()`.
/// Times are monotonic nanoseconds supplied by the caller.
public struct ControlPanel: Sendable {
    public let options: BusOptions
    private var devices: [PeripheralDevice]
    private let indexByAddress: [UInt8: Int]
    private var parser: FrameParser
    private var inFlight: (index: Int, transmission: Transmission, deadline: UInt64)?
    /// A broken frame (bad check character, impossible length, a gap inside it) came in during the exchange: the
    /// reply is lost, so the frame goes again as soon as the line is quiet rather than after the reply timeout.
    private var replyDamaged = false
    /// Round-robin position of the polls, probes and start-ups: the device considered first next time.
    private var cursor = 0
    /// The line must stay idle until then before the next transmission (two characters after the last frame).
    private var lineQuietAt: UInt64 = 0
    private var events: [BusEvent] = []
    private var nextTicket: UInt64 = 1
    private var random: any RandomNumberGenerator & Sendable

    /// `random` supplies RND.A and new keys; the default is the system CSPRNG. Inject one only in tests.
    public init(pds: [PDConfiguration], options: BusOptions = .init(),
                random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) throws(BusConfigurationError) {
        var indexByAddress: [UInt8: Int] = [:]
        for (index, pd) in pds.enumerated() {
            guard pd.address <= Frame.broadcastAddress else { throw .invalidAddress(pd.address) }
            guard indexByAddress.updateValue(index, forKey: pd.address) == nil else { throw .duplicateAddress(pd.address) }
            guard pd.scbk != .installDefault else { throw .defaultKey(address: pd.address) }
        }
        guard pds.count <= 126 else { throw .tooManyPDs(pds.count) }
        self.options = options
        self.devices = pds.map { PeripheralDevice(configuration: $0) }
        self.indexByAddress = indexByAddress
        self.parser = FrameParser(maximumLength: options.receiveSize, interCharacterTimeout: options.interCharacterTimeout)
        self.random = random
    }

    // MARK: Public surface

    /// Queues a command for a PD; its result arrives later as `.commandResult(ticket, _)`. One not on the wire
    /// `expiresAfter` (default `commandTimeout`) from now is dropped, never sent late (a door's release).
    @discardableResult
    public mutating func submit(_ command: Command, to address: UInt8, now: UInt64, expiresAfter: UInt64? = nil) -> CommandTicket {
        let ticket = CommandTicket(id: nextTicket, address: address)
        nextTicket += 1
        guard let index = indexByAddress[address] else {
            events.append(.commandResult(ticket, .rejected(.unknownPD)))
            return ticket
        }
        if devices[index].isBroadcast && !command.isAllowedOnBroadcast {
            events.append(.commandResult(ticket, .rejected(.notAllowedOnBroadcast)))
        } else if command.code == .chlng || command.code == .scrypt {
            events.append(.commandResult(ticket, .rejected(.reservedForBus)))
        } else if command == .keySet(.installDefault) {
            events.append(.commandResult(ticket, .rejected(.defaultKey)))
        } else {
            devices[index].queue.append(QueuedCommand(
                ticket: ticket, command: command, expiresAt: now &+ (expiresAfter ?? options.commandTimeout)))
        }
        return ticket
    }

    /// Installs a fresh random SCBK on a PD (inside its Secure Channel) and then uses it.
    /// Store the returned key before the KEYSET goes out: if the ACK is lost the PD may already hold it.
    public mutating func installRandomKey(on address: UInt8, now: UInt64) -> (ticket: CommandTicket, key: SecureChannelKey) {
        let key = SecureChannelKey.random(using: &random)
        return (submit(.keySet(key), to: address, now: now), key)
    }

    /// Sends a file with FILETRANSFER, fragment by fragment, honouring the PD's FTSTAT delays and
    /// keep-alive requests. Progress arrives as `.fileTransferProgress`, the final FTSTAT as the result.
    @discardableResult
    public mutating func submitFileTransfer(_ file: [UInt8], fileType: UInt8, to address: UInt8, now: UInt64) -> CommandTicket {
        let ticket = CommandTicket(id: nextTicket, address: address)
        nextTicket += 1
        guard let index = indexByAddress[address], !devices[index].isBroadcast else {
            events.append(.commandResult(ticket, .rejected(indexByAddress[address] == nil ? .unknownPD : .notAllowedOnBroadcast)))
            return ticket
        }
        guard devices[index].fileTransfer == nil else {
            events.append(.commandResult(ticket, .rejected(.transferInProgress)))
            return ticket
        }
        devices[index].fileTransfer = FileTransferJob(ticket: ticket, fileType: fileType, file: file)
        return ticket
    }

    public mutating func takeEvents() -> [BusEvent] {
        guard !events.isEmpty else { return [] }  // the loop asks after every read: no copy for nothing
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    public func status(of address: UInt8) -> PDStatus? {
        indexByAddress[address].map { devices[$0].status }
    }

    public var statuses: [PDStatus] { devices.map(\.status) }

    /// The bytes to write now, or nil when the bus is waiting for a reply or nothing is due.
    public mutating func nextTransmission(now: UInt64) -> [UInt8]? {
        if let flight = inFlight {
            // A frame whose bytes stopped coming is dead once the inter-character gap has passed.
            if let abandonedAt = parser.frameAbandonedAt, now >= abandonedAt { receive([UInt8](), now: now) }
            if replyDamaged, now >= lineQuietAt {
                resendDamaged(now: now)
            } else {
                guard now >= flight.deadline else { return nil }
                replyTimedOut(now: now)
            }
        }
        guard now >= lineQuietAt else { return nil }
        expireQueuedCommands(now: now)
        // A device may turn out to have nothing sendable (a rejected command); try the others.
        for _ in 0..<(devices.count + 1) {
            guard let index = deviceToServe(now: now) else { return nil }
            if let bytes = transmit(index, now: now) { return bytes }
        }
        return nil
    }

    /// When `nextTransmission` must be called next at the latest (a reply deadline, a poll, a retry, a probe).
    public func nextDeadline() -> UInt64? {
        if let flight = inFlight {
            return min(flight.deadline, replyDamaged ? lineQuietAt : .max, parser.frameAbandonedAt ?? .max)
        }
        var next: UInt64?
        for index in devices.indices {
            if let work = dueWork(index) { next = min(next ?? .max, work.time) }
            for queued in devices[index].queue { next = min(next ?? .max, queued.expiresAt) }
        }
        return next.map { max($0, lineQuietAt) }
    }

    /// While a reply is coming in, how many of its bytes are still to come (nil when none is being received):
    /// a loop on a byte-by-byte line may sleep their wire time instead of waking for each.
    /// None once the reply is known damaged: the loop must then watch for the line to go quiet.
    public var replyBytesStillExpected: Int? { inFlight == nil || replyDamaged ? nil : parser.bytesStillExpected }

    /// Feed everything the port delivered, in any chunking, noise included.
    public mutating func receive(_ bytes: some Collection<UInt8>, now: UInt64) {
        for output in parser.append(bytes, now: now) {
            switch output {
            case .discarded(let defect):
                if let index = inFlight?.index {
                    if defect == .badCheckCharacter { devices[index].counters.checkCharacterErrors += 1 }
                    replyDamaged = true
                }
                events.append(.lineError(address: inFlight.map { devices[$0.index].address }, defect))
            case .frame(let received):
                handle(received, now: now)
            }
        }
        // Every byte, even one that completes nothing, keeps the line busy: a resend waits for two idle characters.
        if !bytes.isEmpty { lineQuietAt = now &+ options.interFrameGap }
    }

    // MARK: Scheduling

    /// When a device next has something to send, and whether it is urgent: commands (and the retry of a frame
    /// already on the wire) go before any poll; polls, probes and start-ups take turns.
    private func dueWork(_ index: Int) -> (time: UInt64, urgent: Bool)? {
        let device = devices[index]
        if device.retry != nil { return (device.retryAt, true) }
        switch device.phase {
        case .offline(let nextProbe):
            return (nextProbe, false)
        case .identifying, .readingCapabilities, .securing:
            // Due now (in round-robin turn with the other PDs' start-up), unless restarts came too fast; but no later
            // than it goes offline (a PD that answers only BUSY restarts with back-off).
            return (min(device.restartNotBefore, device.lastValidReplyAt &+ options.offlineAfter), false)
        case .online:
            if !device.queue.isEmpty { return (0, true) }
            // Back to back, paced by the line: a report may have more behind it, an idle PD is polled again at
            // once, within the minimum cycle, unless a reported card or key is awaiting its answer.
            let poll: (UInt64, Bool)? = device.isBroadcast ? nil : (max(
                device.reportPending ? 0 : (device.lastPollAt.map { $0 &+ options.minimumPollCycle } ?? 0),
                device.pollsHeldUntil), false)
            guard let job = device.fileTransfer else { return poll }
            if !job.interleave || job.notBefore <= (poll?.0 ?? .max) { return (job.notBefore, true) }
            return poll
        }
    }

    /// Urgent work first; otherwise the due device next in round-robin turn. Only a turn moves the cursor,
    /// so a command to one PD never makes the polls skip the PDs before it.
    private mutating func deviceToServe(now: UInt64) -> Int? {
        var chosen: Int?
        for offset in devices.indices {
            let index = (cursor + offset) % devices.count
            guard let work = dueWork(index), work.time <= now else { continue }
            if work.urgent { return index }
            if chosen == nil { chosen = index }
        }
        if let chosen { cursor = (chosen + 1) % devices.count }
        return chosen
    }

    private mutating func expireQueuedCommands(now: UInt64) {
        for index in devices.indices {
            let expired = devices[index].queue.filter { now >= $0.expiresAt }
            guard !expired.isEmpty else { continue }
            devices[index].queue.removeAll { now >= $0.expiresAt }
            for command in expired { events.append(.commandResult(command.ticket, .timeout)) }
        }
    }

    // MARK: Transmitting

    private mutating func transmit(_ index: Int, now: UInt64) -> [UInt8]? {
        if let retry = devices[index].retry {
            devices[index].retry = nil
            if case .command(let queued) = retry.purpose, now >= queued.expiresAt {
                // Too late to act on (a relay pulse long after its decision): dropped. The next frame's sequence
                // number tells the PD it is over, or, if it never heard the command, makes it ask for a restart.
                events.append(.commandResult(queued.ticket, .timeout))
                return nil
            }
            devices[index].counters.retransmissions += 1
            return send(retry, to: index, now: now)
        }
        if case .offline = devices[index].phase {} else if now &- devices[index].lastValidReplyAt >= options.offlineAfter {
            devices[index].goOffline(now: now, options: options, events: &events)
            return nil
        }
        switch devices[index].phase {
        case .offline:
            devices[index].nextSequence = 0
            return build(.identification, for: index, purpose: .probe, now: now)
        case .identifying:
            devices[index].nextSequence = 0
            return build(.identification, for: index, purpose: .identify, now: now)
        case .readingCapabilities:
            return build(.capabilities, for: index, purpose: .capabilities, now: now)
        case .securing(let handshake):
            let message = handshake.message
            return build(message.command, for: index, purpose: message.purpose, securityBlock: message.securityBlock, now: now)
        case .online:
            return transmitOnline(index, now: now)
        }
    }

    private mutating func transmitOnline(_ index: Int, now: UInt64) -> [UInt8]? {
        if !devices[index].queue.isEmpty {
            let queued = devices[index].queue.removeFirst()
            devices[index].pollsHeldUntil = 0
            if case .keySet = queued.command, devices[index].session == nil {
                events.append(.commandResult(queued.ticket, .rejected(.requiresSecureChannel)))
                return nil
            }
            return build(queued.command, for: index, purpose: .command(queued), now: now)
        }
        if let job = devices[index].fileTransfer, job.notBefore <= now {
            let fragment = job.nextFragment(receiveSize: devices[index].receiveSize, sealed: devices[index].session != nil)
            return build(.fileTransfer(fragment), for: index, purpose: .fileFragment(length: fragment.fragment.count), now: now)
        }
        devices[index].lastPollAt = now
        return build(.poll, for: index, purpose: .poll, now: now)
    }

    /// Frames, seals (inside Secure Channel) and sends a new command with the next sequence number.
    private mutating func build(_ command: Command, for index: Int, purpose: Purpose,
                                securityBlock: SecurityBlock? = nil, now: UInt64) -> [UInt8]? {
        var frame = Frame(address: devices[index].address, sequence: devices[index].nextSequence,
                          securityBlock: securityBlock, code: command.code.rawValue, data: command.payload)
        let clearData = frame.data
        var sealingSession: SecureSession?
        if securityBlock == nil, var session = devices[index].session {
            frame = session.seal(frame)
            sealingSession = session
        }
        guard frame.length <= devices[index].receiveSize else {
            let rejection = CommandRejection.tooLarge(size: frame.length, limit: devices[index].receiveSize)
            switch purpose {
            case .command(let queued): events.append(.commandResult(queued.ticket, .rejected(rejection)))
            case .fileFragment: devices[index].finishFileTransfer(.rejected(rejection), events: &events)
            default: break
            }
            return nil
        }
        if let sealingSession { devices[index].session = sealingSession }
        if case .keySet(let key) = command { devices[index].unconfirmedKey = key }
        let transmission = Transmission(bytes: frame.encoded(), sequence: devices[index].takeSequence(), purpose: purpose,
                                        sealed: sealingSession != nil)
        if options.traceFrames {
            events.append(.frame(address: devices[index].address, FrameTrace(
                direction: .toPD, time: now, bytes: transmission.bytes, clearData: frame.securityBlock?.type.encryptsData == true ? clearData : nil)))
        }
        return send(transmission, to: index, now: now)
    }

    private mutating func send(_ transmission: Transmission, to index: Int, now: UInt64) -> [UInt8] {
        devices[index].counters.framesSent += 1
        parser.reset()
        replyDamaged = false
        inFlight = (index, transmission, now &+ options.wireTime(bytes: transmission.bytes.count) &+ options.replyTimeout)
        return transmission.bytes
    }

    // MARK: Timeouts

    private mutating func replyTimedOut(now: UInt64) {
        guard let (index, transmission, _) = inFlight else { return }
        inFlight = nil
        devices[index].replyTimedOut(transmission, now: now, options: options, events: &events)
    }

    private mutating func resendDamaged(now: UInt64) {
        guard let (index, transmission, _) = inFlight else { return }
        inFlight = nil
        devices[index].replyDamaged(transmission, now: now, options: options, events: &events)
    }

    // MARK: Receiving

    private mutating func handle(_ received: ReceivedFrame, now: UInt64) {
        let frame = received.frame
        // Frames without the reply bit are our own echo or another control panel: not ours to answer.
        guard frame.isReply, let (index, transmission, _) = inFlight, frame.address == devices[index].address else { return }

        if frame.code == ReplyCode.busy.rawValue, frame.sequence == 0, frame.securityBlock == nil, frame.data.isEmpty {
            inFlight = nil
            trace(received, clearData: nil, index: index, now: now)
            devices[index].busy(transmission, now: now, options: options, events: &events)
            return
        }
        guard frame.sequence == transmission.sequence else {
            if signalsLostSync(received, index: index) {
                inFlight = nil
                devices[index].acceptedReply(now: now)
                trace(received, clearData: nil, index: index, now: now)
                events.append(.nak(address: devices[index].address, .sequenceNumber))
                devices[index].resetLink(interrupted: transmission, result: .nak(.sequenceNumber), now: now, options: options,
                                         mayHaveRestarted: true, events: &events)
            }
            return  // a late reply to an earlier command, or a stray frame: keep waiting for ours
        }

        var clear = frame
        if transmission.sealed, var session = devices[index].session {
            do {
                clear = try session.open(received)
                devices[index].session = session
            } catch .plaintextReply where frame.securityBlock == nil && plaintextAllowed(frame.code, purpose: transmission.purpose) {
                // A plaintext NAK means the PD dropped the session; HID readers ACK KEYSET in plaintext.
            } catch {
                inFlight = nil
                trace(received, clearData: nil, index: index, now: now)
                devices[index].tearDownSession(error, interrupted: transmission, now: now, options: options, events: &events)
                return
            }
            // Data under a MAC but in clear (SCS_16) is authentic yet readable on the wire: a card number, a PIN.
            // Keyway encrypts everything it sends and takes nothing less back.
            if frame.securityBlock?.type == .replyMAC, !frame.data.isEmpty {
                inFlight = nil
                trace(received, clearData: nil, index: index, now: now)
                devices[index].tearDownSession(.unencryptedData, interrupted: transmission, now: now, options: options, events: &events)
                return
            }
        } else if frame.securityBlock?.type.carriesMAC == true {
            return  // a MAC we cannot check: treat like noise and let the retry logic run
        }

        inFlight = nil
        devices[index].acceptedReply(now: now)
        trace(received, clearData: frame.securityBlock?.type.encryptsData == true ? clear.data : nil, index: index, now: now)
        let reply: Reply
        do {
            reply = try Reply.decode(code: clear.code, payload: clear.data)
        } catch {
            invalidReply(error, code: clear.code, index: index, transmission: transmission, now: now)
            return
        }

        if case .nak(let code, _) = reply {
            devices[index].counters.naks += 1
            events.append(.nak(address: devices[index].address, code))
            // A NAK in plaintext inside Secure Channel means the PD has dropped the session, whatever its code.
            if code == .sequenceNumber || (transmission.sealed && (code == .securityConditionsNotMet || frame.securityBlock == nil)) {
                devices[index].resetLink(interrupted: transmission, result: .nak(code), now: now, options: options,
                                         mayHaveRestarted: code == .sequenceNumber, events: &events)
                return
            }
        }
        route(reply, clear: clear, index: index, transmission: transmission, now: now)
    }

    private func plaintextAllowed(_ code: UInt8, purpose: Purpose) -> Bool {
        if code == ReplyCode.nak.rawValue { return true }
        guard code == ReplyCode.ack.rawValue else { return false }
        switch purpose {
        case .installKey: return true
        case .command(let queued): if case .keySet = queued.command { return true } else { return false }
        default: return false
        }
    }

    /// Whether a reply without our sequence number says the PD lost sync (libosdp NAKs a wrong sequence number
    /// with its own expected number, not ours). In plaintext a SQN-0 reply or a sequence NAK does. Inside Secure
    /// Channel, where anyone on the wire can forge a SQN-0 frame, only a NAK may end the session: in plaintext
    /// (the one way a PD that lost its session can still speak) or one that verifies. Any other stray frame is noise.
    private func signalsLostSync(_ received: ReceivedFrame, index: Int) -> Bool {
        let frame = received.frame
        let isNAK = frame.code == ReplyCode.nak.rawValue
        guard var session = devices[index].session else {
            return frame.sequence == 0 || (isNAK && frame.securityBlock == nil && frame.data.first == NAKCode.sequenceNumber.rawValue)
        }
        guard isNAK else { return false }
        if frame.securityBlock == nil { return true }
        guard let opened = try? session.open(received) else { return false }
        return opened.data.first == NAKCode.sequenceNumber.rawValue
    }

    /// A reply that does not decode is never acted on, and never dropped silently. A handshake or start-up step
    /// that gets one fails as if refused, so a PD answering garbage cannot keep the bus handshaking at full speed.
    private mutating func invalidReply(_ error: MessageError, code: UInt8, index: Int, transmission: Transmission, now: UInt64) {
        events.append(.invalidReply(address: devices[index].address, code: code, error))
        switch transmission.purpose {
        case .command(let queued):
            events.append(.commandResult(queued.ticket, .invalidReply(error)))
        case .probe, .identify, .capabilities:
            devices[index].goOffline(now: now, options: options, events: &events)
        case .challenge, .serverCryptogram, .installKey:
            devices[index].handshakeFailed(.malformedReply, now: now, options: options, events: &events)
        case .fileFragment:
            devices[index].finishFileTransfer(.invalidReply(error), events: &events)
        case .poll:
            break
        }
    }

    private mutating func trace(_ received: ReceivedFrame, clearData: [UInt8]?, index: Int, now: UInt64) {
        guard options.traceFrames else { return }
        events.append(.frame(address: devices[index].address, FrameTrace(direction: .fromPD, time: now, bytes: received.bytes, clearData: clearData)))
    }

    private mutating func route(_ reply: Reply, clear: Frame, index: Int, transmission: Transmission, now: UInt64) {
        let address = devices[index].address
        switch transmission.purpose {
        case .probe, .identify:
            // A PD that will not identify itself cannot be used; back off rather than ask again at once.
            guard case .identification(let identification) = reply else {
                devices[index].goOffline(now: now, options: options, events: &events)
                return
            }
            devices[index].identified(identification, events: &events)

        case .capabilities:
            guard case .capabilities(let capabilities) = reply else {
                devices[index].goOffline(now: now, options: options, events: &events)
                return
            }
            devices[index].capabilities = capabilities
            events.append(.capabilities(address: address, capabilities))
            devices[index].beginSecurity(now: now, options: options, random: &random, events: &events)

        case .challenge, .serverCryptogram, .installKey:
            devices[index].continueHandshake(reply, securityBlock: clear.securityBlock, now: now, options: options,
                                             random: &random, events: &events)

        case .poll:
            publish(reply, index: index, now: now)
            devices[index].reportPending = isReport(reply)
            // Nothing was buffered when the PD answered: whatever it reports next was read after this poll went out.
            if reply == .ack, let polledAt = devices[index].lastPollAt { devices[index].reportsFreshSince = polledAt }
            if awaitsAnswer(reply) { devices[index].pollsHeldUntil = now &+ options.answerWindow }

        case .command(let queued):
            publish(reply, index: index, now: now)
            switch reply {
            case .ack: events.append(.commandResult(queued.ticket, .ack))
            case .nak(let code, _): events.append(.commandResult(queued.ticket, .nak(code)))
            default: events.append(.commandResult(queued.ticket, .reply(reply)))
            }
            if case .keySet(let key) = queued.command {
                devices[index].unconfirmedKey = nil
                if reply == .ack {
                    devices[index].configuration.scbk = key
                    devices[index].keyInstalled(now: now, options: options, random: &random, events: &events)
                }
            }

        case .fileFragment(let length):
            devices[index].fileTransferReplied(reply, fragmentLength: length, now: now, options: options, events: &events)
        }
    }

    /// A card or keys: the application's answer (a door's OUT, LED, BUZ) should be the next frame to the PD.
    private func awaitsAnswer(_ reply: Reply) -> Bool {
        switch reply {
        case .rawCard, .formattedCard, .keypad: true
        default: false
        }
    }

    private func isReport(_ reply: Reply) -> Bool {
        switch reply {
        case .ack, .nak, .busy: false
        default: true
        }
    }

    /// Card reads, keys and status reports become events whichever command they answered; a card or keys older
    /// than `reportAgeLimit` allows (or of unknown age) become `.staleReport`.
    private mutating func publish(_ reply: Reply, index: Int, now: UInt64) {
        let address = devices[index].address
        if let limit = options.reportAgeLimit, awaitsAnswer(reply) {
            let age = devices[index].reportsFreshSince.map { now &- $0 }
            guard let age, age <= limit else {
                events.append(.staleReport(address: address, reply, age: age))
                return
            }
        }
        let event: BusEvent? = switch reply {
        case .rawCard(let card): .card(address: address, card)
        case .formattedCard(let card): .formattedCard(address: address, card)
        case .keypad(let entry): .keypad(address: address, entry)
        case .localStatus(let status): .localStatus(address: address, status)
        case .inputStatus(let states): .inputs(address: address, states)
        case .outputStatus(let states): .outputs(address: address, states)
        case .readerStatus(let states): .readers(address: address, states)
        case .manufacturer(let message): .manufacturer(address: address, message)
        default: nil
        }
        if let event { events.append(event) }
    }
}
