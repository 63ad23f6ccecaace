/// One of the two Wiegand data lines. Both idle high; a bit is a short low pulse on D0 ("0") or D1 ("1").
public enum WiegandLine: Sendable, Hashable, CaseIterable {
    case d0
    case d1

    /// The other line of the pair.
    public var other: WiegandLine { self == .d0 ? .d1 : .d0 }
}

/// The direction of a level change on a line.
public enum EdgeDirection: Sendable, Hashable, CaseIterable {
    /// High to low: a pulse starts.
    case falling
    /// Low to high: a pulse ends.
    case rising
}

/// A level change on a data line, stamped with monotonic nanoseconds (the kernel's timestamp for GPIO events).
public struct EdgeEvent: Sendable, Hashable {
    public var line: WiegandLine
    public var edge: EdgeDirection
    public var tNs: UInt64

    public init(line: WiegandLine, edge: EdgeDirection, tNs: UInt64) {
        self.line = line
        self.edge = edge
        self.tNs = tNs
    }
}
