#if canImport(Glibc)
import Glibc
#endif

/// What went wrong with a serial device, in words a technician can act on.
public enum SerialError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing at that path (never plugged in, wrong name, or the adapter is unplugged).
    case notFound(path: String)
    /// Another process holds the device open.
    case busy(path: String)
    /// The device exists but this user may not open it.
    case permissionDenied(path: String)
    /// The path is not a terminal (a regular file, a directory, a pipe).
    case notATerminal(path: String)
    /// The device went away while open (USB unplug: EIO / ENXIO / ENODEV, or hang-up); `reopen()` when it returns.
    case vanished(path: String)
    /// The port was closed by its owner.
    case closed(path: String)
    /// The baud rate is not one the port offers.
    case unsupportedBaudRate(Int)
    /// RS-485 mode was required but the adapter's driver does not support `TIOCSRS485`.
    case rs485Unsupported(path: String)
    /// Any other failure of a system call.
    case system(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .notFound(let path): "serial device \(path) not found"
        case .busy(let path): "serial device \(path) is busy (opened by another process)"
        case .permissionDenied(let path): "no permission to open \(path) (add the user to the dialout group?)"
        case .notATerminal(let path): "\(path) is not a serial device"
        case .vanished(let path): "serial device \(path) vanished (unplugged?)"
        case .closed(let path): "serial device \(path) is closed"
        case .unsupportedBaudRate(let baud):
            "unsupported baud rate \(baud) (supported: \(BaudRate.allCases.map { String($0.rawValue) }.joined(separator: ", ")))"
        case .rs485Unsupported(let path): "\(path) does not support RS-485 mode (TIOCSRS485)"
        case .system(let operation, let path, let code): "\(operation) on \(path) failed: \(String(cString: strerror(code)))"
        }
    }

    /// Errno values that mean the device itself is gone rather than a transient problem.
    static let vanishedErrnos: Set<Int32> = [EIO, ENXIO, ENODEV]

    /// Maps the errno of a failed `open` to the error a user should see.
    static func opening(_ path: String, errno code: Int32) -> SerialError {
        switch code {
        case ENOENT, ENXIO, ENODEV: .notFound(path: path)
        case EBUSY, EWOULDBLOCK: .busy(path: path)
        case EACCES, EPERM: .permissionDenied(path: path)
        case ENOTTY, EISDIR: .notATerminal(path: path)
        default: .system(operation: "open", path: path, errno: code)
        }
    }

    /// Maps the errno of a failed read, write or poll on an open device.
    static func transferring(_ operation: String, _ path: String, errno code: Int32) -> SerialError {
        vanishedErrnos.contains(code) ? .vanished(path: path) : .system(operation: operation, path: path, errno: code)
    }
}
