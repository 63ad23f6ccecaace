/// How a reader times what it sends: each bit is a low pulse on one line, bits start `bitInterval` apart,
/// and a frame ends with `frameGap` of silence. All durations are nanoseconds.
public struct PulseTiming: Sendable, Hashable {
    /// How long a line is held low for one bit.
    public var pulseWidth: UInt64
    /// From the start of one bit to the start of the next.
    public var bitInterval: UInt64
    /// Silence after the last bit of a frame, so the decoder sees the frame end.
    public var frameGap: UInt64

    /// The defaults are what most readers send: 50 µs pulses, 1 ms apart, frames 100 ms apart.
    public init(pulseWidth: UInt64 = 50_000, bitInterval: UInt64 = 1_000_000, frameGap: UInt64 = 100_000_000) {
        self.pulseWidth = pulseWidth
        self.bitInterval = bitInterval
        self.frameGap = frameGap
    }
}

/// The Wiegand encoder, the inverse of `EdgeDecoder`: frames in, the edges a reader puts on D0/D1 out.
/// A "0" is a low pulse on D0 and a "1" on D1 (the other way round when `swapsLines`, as a reader wired crossed).
public struct PulseTrain: Sendable {
    public var timing: PulseTiming
    public var swapsLines: Bool
    /// Monotonic nanoseconds at which the next pulse starts.
    public var now: UInt64
    /// The edges so far, in time order.
    public var edges: [EdgeEvent] = []

    public init(startingAt now: UInt64, timing: PulseTiming = .init(), swapsLines: Bool = false) {
        self.now = now
        self.timing = timing
        self.swapsLines = swapsLines
    }

    /// A low pulse on `line` starting now, `timing.pulseWidth` long unless `width` says otherwise; time does not advance.
    public mutating func pulse(on line: WiegandLine, width: UInt64? = nil) {
        edges.append(EdgeEvent(line: line, edge: .falling, tNs: now))
        edges.append(EdgeEvent(line: line, edge: .rising, tNs: now + (width ?? timing.pulseWidth)))
    }

    /// One bit, then the bit interval.
    public mutating func send(bit: Bool) {
        let line: WiegandLine = bit ? .d1 : .d0
        pulse(on: swapsLines ? line.other : line)
        now += timing.bitInterval
    }

    /// Every bit of `frame`, first bit first, then the frame gap.
    public mutating func send(_ frame: WiegandFrame) {
        for position in 0..<frame.bitCount { send(bit: frame.bit(at: position)) }
        wait(timing.frameGap)
    }

    public mutating func wait(_ nanoseconds: UInt64) { now += nanoseconds }

    /// Hands over the edges so far and keeps the time, so the next frame follows them.
    public mutating func takeEdges() -> [EdgeEvent] {
        defer { edges.removeAll(keepingCapacity: true) }
        return edges
    }
}
