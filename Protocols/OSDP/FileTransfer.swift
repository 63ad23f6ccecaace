/// A FILETRANSFER in progress (spec §6.26): fragments, then keep-alives until a final FTSTAT.
struct FileTransferJob: Sendable {
    var ticket: CommandTicket
    var fileType: UInt8
    var file: [UInt8]
    var offset = 0
    var notBefore: UInt64 = 0
    var preferredMessageSize: Int?
    var interleave = true

    /// The next fragment, as large as a message to a PD that receives `receiveSize` bytes allows (and no larger than
    /// the PD last asked for); empty once the whole file is sent, as a keep-alive. `sealed` adds Secure Channel's overhead.
    func nextFragment(receiveSize: Int, sealed: Bool) -> FileTransferFragment {
        let securityOverhead = sealed ? 2 + Frame.macLength + 16 : 0
        // The mark byte counts too: libosdp's receive buffer holds it, so a fragment sized without it is dropped.
        let overhead = 1 + Frame.headerLength + 1 + CheckCharacter.crc16.trailerLength + securityOverhead + FileTransferFragment.headerSize
        let messageSize = min(receiveSize, preferredMessageSize ?? .max)
        let end = min(offset + max(1, messageSize - overhead), file.count)
        return FileTransferFragment(fileType: fileType, totalSize: UInt32(truncatingIfNeeded: file.count),
                                    offset: UInt32(truncatingIfNeeded: offset), fragment: Array(file[offset..<end]))
    }

    /// The PD's FTSTAT for a fragment of `fragmentLength` bytes: move on, wait its delay, follow its interleave
    /// and message-size wishes.
    mutating func apply(status: FileTransferStatus, fragmentLength: Int, now: UInt64) {
        offset += fragmentLength
        notBefore = now &+ UInt64(status.delay) * 1_000_000
        interleave = status.action.contains(.interleave)
        if status.updateMessageMaximum > 0 { preferredMessageSize = Int(status.updateMessageMaximum) }
    }
}

extension PeripheralDevice {
    /// The reply to a fragment: FTSTAT moves the transfer on or ends it; anything else ends it.
    mutating func fileTransferReplied(_ reply: Reply, fragmentLength: Int, now: UInt64, options: BusOptions, events: inout [BusEvent]) {
        guard var job = fileTransfer else { return }
        guard case .fileTransferStatus(let status) = reply else {
            if case .nak(let code, _) = reply { finishFileTransfer(.nak(code), events: &events) } else { finishFileTransfer(.reply(reply), events: &events) }
            return
        }
        job.apply(status: status, fragmentLength: fragmentLength, now: now)
        if status.action.contains(.pollResponseAvailable) { reportPending = true }
        fileTransfer = job
        events.append(.fileTransferProgress(job.ticket, sent: job.offset, total: job.file.count))
        if status.detail.isFailure || status.detail == .finished {
            finishFileTransfer(.reply(reply), events: &events)
        } else if status.detail == .rebooting {
            // The PD restarts with the new firmware: never resend a fragment, re-initialise when it is back.
            finishFileTransfer(.reply(reply), events: &events)
            resetLink(interrupted: nil, result: .timeout, now: now, options: options, events: &events)
        }
        // .proceed and .finishing continue: fragments until the end, then empty keep-alives.
    }

    mutating func finishFileTransfer(_ result: CommandResult, events: inout [BusEvent]) {
        guard let job = fileTransfer else { return }
        fileTransfer = nil
        events.append(.commandResult(job.ticket, result))
    }
}
