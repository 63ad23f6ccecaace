import CTimex

/// What the kernel says of the system clock: synchronised by NTP (chrony, systemd-timesyncd, ntpd clear the
/// kernel's STA_UNSYNC flag while they keep it in step), or not (never synchronised since boot, or NTP lost).
public enum ClockSynchronisation {
    /// Asks the kernel (adjtimex, read only). A clock the kernel cannot describe counts as unsynchronised.
    public static func isSynchronised() -> Bool {
        var status = timex()
        status.modes = 0
        let state = adjtimex(&status)
        return state >= 0 && state != TIME_ERROR && status.status & STA_UNSYNC == 0
    }
}
