#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one clock every state machine's `now` comes from: CLOCK_MONOTONIC in nanoseconds.
///
/// It is the clock of the kernel's GPIO edge timestamps and of systemd's `MONOTONIC_USEC`, so times from all
/// three can be compared; it never jumps with the wall clock, so no timer fires early or late when NTP steps it.
public enum MonotonicClock {
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
