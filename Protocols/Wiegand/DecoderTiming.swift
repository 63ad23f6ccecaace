/// The electrical limits a reader's pulses must respect, in nanoseconds. Every limit is per reader.
///
/// Defaults follow the brief (wiegand.md §1–2): pulses of 10–150 µs, bits 200 µs–20 ms apart (start to start),
/// a frame ends after 25 ms of silence, and both lines low for 10 ms is a reader fault.
public struct DecoderTiming: Sendable, Hashable {
    /// Shortest and longest acceptable low pulse.
    public var pulseWidth: ClosedRange<UInt64>
    /// Shortest and longest acceptable time from one pulse start to the next within a frame.
    public var bitInterval: ClosedRange<UInt64>
    /// Quiet time after the last edge that ends a frame.
    public var frameSilence: UInt64
    /// How long both lines must stay low together before the reader is reported faulty (cut or shorted cable).
    public var bothLowFault: UInt64

    public init(
        pulseWidth: ClosedRange<UInt64> = 10_000...150_000,
        bitInterval: ClosedRange<UInt64> = 200_000...20_000_000,
        frameSilence: UInt64 = 25_000_000,
        bothLowFault: UInt64 = 10_000_000
    ) {
        self.pulseWidth = pulseWidth
        self.bitInterval = bitInterval
        self.frameSilence = frameSilence
        self.bothLowFault = bothLowFault
    }

    /// Checks that the limits can describe a real frame; the error says which limit is wrong.
    public func validate() throws(WiegandConfigurationError) {
        guard pulseWidth.lowerBound > 0 else {
            throw .invalidTiming("the shortest pulse must be longer than 0")
        }
        guard pulseWidth.upperBound < bitInterval.lowerBound else {
            throw .invalidTiming("the longest pulse must be shorter than the shortest bit interval")
        }
        guard frameSilence > bitInterval.lowerBound else {
            throw .invalidTiming("the frame silence must be longer than the shortest bit interval")
        }
        guard bothLowFault > 0 else {
            throw .invalidTiming("the both-lines-low fault time must be longer than 0")
        }
    }
}
