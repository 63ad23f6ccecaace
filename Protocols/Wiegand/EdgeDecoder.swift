/// The electrical layer of one Wiegand reader: edges with timestamps in, frames, noise and faults out.
///
/// A pure state machine in the manner of Sfera Labs' kernel decoder (wiegand.md §2): a falling edge opens a pulse,
/// the rising edge on the same line closes it and, if its width is in range, appends a bit (D0 → 0, D1 → 1).
/// The frame ends after `timing.frameSilence` without edges. Any noise voids the frame it falls in; the bits that
/// follow are dropped until the silence, so the tail of a damaged frame is never read as a shorter frame.
/// The decoder has no clock: call `advance(to:)` by `nextDeadline` when no edge comes, and `finish()` at end of input.
public struct EdgeDecoder: Sendable {
    public let timing: DecoderTiming
    /// Reads D0 as D1 and D1 as D0 (readers wired the wrong way round).
    public let swapsLines: Bool

    private struct LineState {
        var isLow = false
        var fellAt: UInt64 = 0
        /// Set once a still-low pulse has been reported too long, so it is reported once.
        var reportedTooLong = false
    }

    private var d0 = LineState()
    private var d1 = LineState()
    private var frame = WiegandFrame()
    /// Edges arrived since the last silence (the frame may hold no bits yet, or be void).
    private var frameOpen = false
    private var frameVoid = false
    private var lastPulseStart: UInt64?
    private var lastEdgeAt: UInt64 = 0
    private var bothLowSince: UInt64?
    private var faultReported = false

    public init(timing: DecoderTiming = .init(), swapsLines: Bool = false) throws(WiegandConfigurationError) {
        try timing.validate()
        self.timing = timing
        self.swapsLines = swapsLines
    }

    /// Feeds one edge. Edges must come in timestamp order; an earlier stamp is reported as noise and the
    /// edge is taken as happening at the last edge's time (the noise is stamped then too), so the line levels stay true to the wire and the
    /// decoder's own time never runs backwards (its events and deadlines never depend on the stale stamp).
    public mutating func handle(_ edge: EdgeEvent) -> DecoderEvents {
        var events = DecoderEvents()
        let line = swapsLines ? edge.line.other : edge.line
        let inOrder = edge.tNs >= lastEdgeAt
        let time = inOrder ? edge.tNs : lastEdgeAt
        advance(to: time, into: &events)
        lastEdgeAt = time
        frameOpen = true
        // An edge out of order gets one verdict, its own; what the transition would say is not news.
        var verdicts = DecoderEvents()
        switch edge.edge {
        case .falling: pulseStarts(on: line, at: time, into: &verdicts)
        case .rising: pulseEnds(on: line, at: time, into: &verdicts)
        }
        if inOrder {
            for verdict in verdicts { events.append(verdict) }
        } else {
            reject(.outOfOrder, at: time, into: &events)
        }
        return events
    }

    /// Lets time pass without edges: ends a frame after the silence, reports overlong pulses and the both-low fault.
    public mutating func advance(to now: UInt64) -> DecoderEvents {
        var events = DecoderEvents()
        advance(to: now, into: &events)
        return events
    }

    /// The end of the input counts as silence: ends the last frame (and reports lines still held low).
    public mutating func finish() -> DecoderEvents {
        advance(to: .max)
    }

    /// The latest time at which `advance(to:)` should be called if no edge arrives before; nil when idle.
    public var nextDeadline: UInt64? {
        var deadline: UInt64?
        func consider(_ time: UInt64) { deadline = Swift.min(deadline ?? time, time) }
        if bothLowSince == nil {
            // An open pulse becomes too long one nanosecond after the maximum width.
            let tooLongAfter = timing.pulseWidth.upperBound + 1
            if d0.isLow, !d0.reportedTooLong { consider(saturatingSum(d0.fellAt, tooLongAfter)) }
            if d1.isLow, !d1.reportedTooLong { consider(saturatingSum(d1.fellAt, tooLongAfter)) }
        }
        if let since = bothLowSince, !faultReported { consider(saturatingSum(since, timing.bothLowFault)) }
        if frameOpen, !d0.isLow, !d1.isLow { consider(saturatingSum(lastEdgeAt, timing.frameSilence)) }
        return deadline
    }

    // MARK: Transitions

    private mutating func pulseStarts(on line: WiegandLine, at time: UInt64, into events: inout DecoderEvents) {
        let wasLow = self[line].isLow
        self[line] = LineState(isLow: true, fellAt: time)
        if self[line.other].isLow {
            bothLowSince = bothLowSince ?? time
            // Both pulses are part of the reported overlap: neither is reported again as too long.
            self[line].reportedTooLong = true
            self[line.other].reportedTooLong = true
            reject(wasLow ? .missedEdge : .bothLinesActive, at: time, into: &events)
            return
        }
        if wasLow {
            reject(.missedEdge, at: time, into: &events)
            return
        }
        if let previous = lastPulseStart {
            let interval = time - previous
            if interval < timing.bitInterval.lowerBound {
                reject(.intervalTooShort, at: time, into: &events)
            } else if interval > timing.bitInterval.upperBound {
                reject(.intervalTooLong, at: time, into: &events)
            }
        }
        lastPulseStart = time
    }

    private mutating func pulseEnds(on line: WiegandLine, at time: UInt64, into events: inout DecoderEvents) {
        let pulse = self[line]
        guard pulse.isLow else {
            reject(.missedEdge, at: time, into: &events)
            return
        }
        self[line].isLow = false
        if bothLowSince != nil {
            // The overlap was reported when it began; the pulses inside it carry no bit.
            bothLowSince = nil
            faultReported = false
            return
        }
        // An overlong pulse was reported by `advance` the moment it passed the limit.
        guard !pulse.reportedTooLong else { return }
        if time - pulse.fellAt < timing.pulseWidth.lowerBound {
            reject(.pulseTooShort, at: time, into: &events)
            return
        }
        guard !frameVoid else { return }
        if !frame.append(line == .d1) {
            reject(.frameTooLong, at: time, into: &events)
        }
    }

    private mutating func advance(to now: UInt64, into events: inout DecoderEvents) {
        // Time never runs backwards for the decoder: a stale clock reading changes nothing.
        guard now >= lastEdgeAt else { return }
        if bothLowSince == nil {
            // The earlier pulse first, so events stay in time order.
            let first: WiegandLine = d1.fellAt < d0.fellAt ? .d1 : .d0
            reportPulseTooLong(on: first, now: now, into: &events)
            reportPulseTooLong(on: first.other, now: now, into: &events)
        }
        if let since = bothLowSince, !faultReported, now - since >= timing.bothLowFault {
            faultReported = true
            events.append(.fault(.bothLow, at: saturatingSum(since, timing.bothLowFault)))
        }
        if frameOpen, !d0.isLow, !d1.isLow, now - lastEdgeAt >= timing.frameSilence {
            if !frameVoid, frame.bitCount > 0 {
                events.append(.frame(frame, endedAt: lastEdgeAt))
            }
            frame = WiegandFrame()
            frameOpen = false
            frameVoid = false
            lastPulseStart = nil
        }
    }

    private mutating func reportPulseTooLong(on line: WiegandLine, now: UInt64, into events: inout DecoderEvents) {
        let state = self[line]
        guard state.isLow, !state.reportedTooLong, now - state.fellAt > timing.pulseWidth.upperBound else { return }
        self[line].reportedTooLong = true
        reject(.pulseTooLong, at: saturatingSum(state.fellAt, timing.pulseWidth.upperBound), into: &events)
    }

    private mutating func reject(_ reason: NoiseReason, at time: UInt64, into events: inout DecoderEvents) {
        frameOpen = true
        frameVoid = true
        events.append(.noise(reason, at: time))
    }

    private subscript(line: WiegandLine) -> LineState {
        get { line == .d0 ? d0 : d1 }
        set {
            if line == .d0 { d0 = newValue } else { d1 = newValue }
        }
    }
}

/// `a + b`, or `UInt64.max` when the sum would not fit (deadlines at the end of time).
func saturatingSum(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? .max : sum
}
