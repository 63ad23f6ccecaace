/// Pulse widths and bit intervals seen on a reader's lines: what a technician looks at to spot a bad cable.
public struct PulseStatistics: Sendable {
    /// Count, minimum, maximum and mean of a set of durations in nanoseconds.
    public struct Summary: Sendable, Hashable {
        public private(set) var count = 0
        public private(set) var minimum: UInt64 = .max
        public private(set) var maximum: UInt64 = 0
        private var total: UInt64 = 0

        public var mean: UInt64 { count == 0 ? 0 : total / UInt64(count) }

        mutating func add(_ duration: UInt64) {
            count += 1
            minimum = Swift.min(minimum, duration)
            maximum = Swift.max(maximum, duration)
            total &+= duration
        }
    }

    /// Low pulse widths (falling to rising edge on the same line).
    public private(set) var widths = Summary()
    /// Pulse start to pulse start, on either line.
    public private(set) var intervals = Summary()
    private var fellAt: (d0: UInt64?, d1: UInt64?) = (nil, nil)
    private var lastPulseStart: UInt64?

    public init() {}

    public mutating func record(_ edge: EdgeEvent) {
        switch (edge.line, edge.edge) {
        case (.d0, .falling): fellAt.d0 = edge.tNs
        case (.d1, .falling): fellAt.d1 = edge.tNs
        case (.d0, .rising): closePulse(startedAt: fellAt.d0, at: edge.tNs); fellAt.d0 = nil
        case (.d1, .rising): closePulse(startedAt: fellAt.d1, at: edge.tNs); fellAt.d1 = nil
        }
        if edge.edge == .falling {
            if let previous = lastPulseStart, edge.tNs >= previous { intervals.add(edge.tNs - previous) }
            lastPulseStart = edge.tNs
        }
    }

    /// Starts a new sample (after each frame), keeping the levels of pulses still open.
    public mutating func reset() {
        widths = Summary()
        intervals = Summary()
        lastPulseStart = nil
    }

    private mutating func closePulse(startedAt start: UInt64?, at time: UInt64) {
        if let start, time >= start { widths.add(time - start) }
    }
}
