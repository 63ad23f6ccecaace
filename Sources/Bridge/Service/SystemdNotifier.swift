#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Timebase

/// Talks to systemd through `$NOTIFY_SOCKET` (sd_notify(3)) without linking libsystemd: one
/// datagram per state change. Outside systemd (no socket) every call does nothing.
public struct SystemdNotifier: Sendable {
    private let socketPath: String?
    /// Half the `WatchdogSec=` interval when systemd watches this process, else nil.
    public let watchdogInterval: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let ownWatchdog = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if ownWatchdog, let microseconds = environment["WATCHDOG_USEC"].flatMap(Int64.init), microseconds > 0 {
            watchdogInterval = .microseconds(microseconds / 2)
        } else {
            watchdogInterval = nil
        }
    }

    public enum State: Sendable {
        case ready
        case reloading
        case stopping
        case watchdog
        case status(String)

        var message: String {
            switch self {
            case .ready: "READY=1"
            // systemd ≥ 253 wants MONOTONIC_USEC with RELOADING; older ones ignore it.
            case .reloading: "RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.now() / 1000)"
            case .stopping: "STOPPING=1"
            case .watchdog: "WATCHDOG=1"
            case .status(let text): "STATUS=\(text)"
            }
        }
    }

    public var isActive: Bool { socketPath != nil }

    /// Sends the state; failures are ignored, as sd_notify does: systemd is an observer here.
    public func notify(_ state: State) {
        guard let socketPath else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        // A leading "@" names a socket in the abstract namespace: its first byte is NUL.
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)
        let message = Array(state.message.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, message, message.count, Int32(MSG_NOSIGNAL), $0, length)
            }
        }
    }
}
