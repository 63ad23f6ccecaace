import CGPIOD
import Glibc

/// A libgpiod v1 chip and the lines requested from it, released together.
/// Not thread-safe: each owner keeps it on one thread or behind a lock.
struct GPIOChip: ~Copyable {
    let name: String
    private let handle: OpaquePointer
    private var requested: [OpaquePointer] = []

    /// Opens `name`: a chip name like `gpiochip0`, a path, a number or a label.
    init(_ name: String) throws(GPIOError) {
        guard let handle = gpiod_chip_open_lookup(name) else {
            throw .chipUnavailable(chip: name, reason: lastSystemError())
        }
        self.name = name
        self.handle = handle
    }

    deinit {
        for line in requested { gpiod_line_release(line) }
        gpiod_chip_close(handle)
    }

    /// Requests line `offset` for edge events on both edges, with libgpiod request `flags`.
    mutating func watch(_ offset: UInt32, flags: Int32, consumer: String) throws(GPIOError) -> OpaquePointer {
        guard let line = gpiod_chip_get_line(handle, offset),
              gpiod_line_request_both_edges_events_flags(line, consumer, flags) == 0
        else { throw .lineUnavailable(chip: name, offset: offset, reason: lastSystemError()) }
        requested.append(line)
        return line
    }

    /// Requests line `offset` as an output, initially inactive.
    mutating func drive(_ offset: UInt32, flags: Int32, consumer: String) throws(GPIOError) -> OpaquePointer {
        guard let line = gpiod_chip_get_line(handle, offset),
              gpiod_line_request_output_flags(line, consumer, flags, 0) == 0
        else { throw .outputUnavailable(chip: name, offset: offset, reason: lastSystemError()) }
        requested.append(line)
        return line
    }
}

func lastSystemError() -> String { String(cString: strerror(errno)) }
