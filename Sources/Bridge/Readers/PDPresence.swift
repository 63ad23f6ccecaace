import OSDP

/// Whether each PD of a bus is answering, as status, faults and the log tell it. The bus's own view is slow on
/// purpose (OSDP calls a PD offline after 8 s without a valid reply, and a PD that restarts within that time is
/// never offline at all); here a PD is not answering as soon as its frames have timed out for `silentAfter` with
/// no valid reply, and every PD goes with the serial device. It is answering once it is online and has answered
/// a POLL with nothing buffered: from then on a card read at it is served. Pure: fed the bus's statuses and the time.
struct PDPresence {
    /// Long enough for a few retries of a lost frame, short enough that status is right within a second.
    static let silentAfter: UInt64 = 750_000_000

    private struct Progress {
        var validReplies: Int
        var timeouts: Int
        /// When `validReplies` was last seen to grow.
        var since: UInt64
    }

    private var answering: [UInt8: Bool] = [:]
    private var progress: [UInt8: Progress] = [:]

    /// Whether a PD is answering now (as of the last update).
    func isAnswering(_ address: UInt8) -> Bool { answering[address] ?? false }

    /// Takes the bus's view now; returns the PDs whose presence changed, with their new state, by address.
    /// A PD's silence counts only when a frame to it timed out: a long poll cycle on a slow, busy bus is not silence.
    mutating func update(_ statuses: [PDStatus], deviceLost: Bool, now: UInt64) -> [(address: UInt8, answering: Bool)] {
        var changes: [(address: UInt8, answering: Bool)] = []
        for status in statuses {
            let counters = status.counters
            var seen = progress[status.address] ?? Progress(validReplies: counters.validReplies, timeouts: counters.timeouts, since: now)
            if counters.validReplies != seen.validReplies {
                seen = Progress(validReplies: counters.validReplies, timeouts: counters.timeouts, since: now)
            }
            progress[status.address] = seen
            let silent = counters.timeouts > seen.timeouts && now &- seen.since >= Self.silentAfter
            let answers = !deviceLost && status.state == .online && status.reportsAgeBounded && !silent
            if answering.updateValue(answers, forKey: status.address) ?? false != answers {
                changes.append((status.address, answers))
            }
        }
        return changes
    }
}
