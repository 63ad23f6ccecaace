#if canImport(Glibc)
import Glibc
#endif

/// The line speeds OSDP devices use (9600 is the factory default of most readers).
public enum BaudRate: Int, CaseIterable, Sendable, Codable {
    case b9600 = 9600
    case b19200 = 19200
    case b38400 = 38400
    case b57600 = 57600
    case b115200 = 115_200
    case b230400 = 230_400

    /// Validates a number typed by a user.
    public init(validating value: Int) throws(SerialError) {
        guard let rate = BaudRate(rawValue: value) else { throw .unsupportedBaudRate(value) }
        self = rate
    }

    /// Time on the wire for `byteCount` bytes at 8N1 (10 bits per byte), in nanoseconds.
    public func wireTimeNanoseconds(byteCount: Int) -> UInt64 {
        UInt64(byteCount) * 10 * 1_000_000_000 / UInt64(rawValue)
    }

    /// The termios speed constant.
    var speed: speed_t {
        switch self {
        case .b9600: speed_t(B9600)
        case .b19200: speed_t(B19200)
        case .b38400: speed_t(B38400)
        case .b57600: speed_t(B57600)
        case .b115200: speed_t(B115200)
        case .b230400: speed_t(B230400)
        }
    }
}
