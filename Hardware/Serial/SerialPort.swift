import CPty
import Timebase
#if canImport(Glibc)
import Glibc
#endif

/// Whether to switch the adapter's driver to RS-485 mode (the kernel drives the transceiver with RTS).
public enum RS485Mode: String, Sendable, Codable, CaseIterable {
    /// Leave the line as the adapter configures it (most USB converters switch direction themselves).
    case off
    /// Use `TIOCSRS485` when the driver supports it; carry on without it when it does not.
    case ifSupported
    /// Fail to open when the driver does not support it.
    case required
}

/// How to open a serial device.
public struct SerialPortOptions: Sendable, Equatable {
    public var baudRate: BaudRate
    public var rs485: RS485Mode
    public var echo: EchoHandling
    /// How long a write may wait for room in a full output buffer before it fails.
    public var writeTimeoutNanoseconds: UInt64

    public init(
        baudRate: BaudRate = .b9600, rs485: RS485Mode = .ifSupported, echo: EchoHandling = .detect,
        writeTimeoutNanoseconds: UInt64 = 1_000_000_000
    ) {
        self.baudRate = baudRate
        self.rs485 = rs485
        self.echo = echo
        self.writeTimeoutNanoseconds = writeTimeoutNanoseconds
    }
}

/// A serial device opened raw 8N1, exclusively, for one owner at a time.
///
/// Reads never block longer than the timeout given; a device that disappears (USB unplug) makes the next
/// read or write throw `SerialError.vanished`, after which `reopen()` opens the same path again once it is back.
/// The port is not thread-safe: one thread (the link's I/O loop) owns it.
public final class SerialPort {
    public let path: String
    public let options: SerialPortOptions
    /// Whether the driver accepted RS-485 mode.
    public private(set) var isRS485Active = false
    private var descriptor: Int32 = -1
    private var echoFilter: LocalEchoFilter

    /// Opens `path` (a device node or a symlink such as /dev/serial/by-id/...) and configures it.
    public init(path: String, options: SerialPortOptions = .init()) throws(SerialError) {
        self.path = path
        self.options = options
        echoFilter = LocalEchoFilter(handling: options.echo)
        try open()
    }

    deinit { closeDescriptor() }

    /// Whether the adapter echoes what it sends (`nil` until the first exchange tells).
    public var echoesTransmission: Bool? { echoFilter.echoes }

    public var isOpen: Bool { descriptor >= 0 }

    /// Whether the path still leads to the device held open: false once it is gone (an adapter unplugged, its
    /// link removed) or names another device, though the descriptor may still read and write.
    public var isStillAtPath: Bool {
        guard descriptor >= 0 else { return false }
        var held = stat()
        var named = stat()
        guard fstat(descriptor, &held) == 0, stat(path, &named) == 0 else { return false }
        return held.st_dev == named.st_dev && held.st_ino == named.st_ino
    }

    /// Writes a whole frame.
    public func write(_ bytes: some Collection<UInt8>) throws(SerialError) {
        let fd = try openDescriptor()
        do {
            try FileDescriptorIO.write(fd, bytes, timeoutNanoseconds: options.writeTimeoutNanoseconds, path: path)
        } catch {
            try lose(error)
        }
        echoFilter.sent(
            bytes, now: MonotonicClock.now(),
            wireTimeNanoseconds: options.baudRate.wireTimeNanoseconds(byteCount: bytes.count))
    }

    /// Returns the bytes that arrive within the timeout (without this port's own echo); empty if none did,
    /// or if `wakeUp` was signalled first.
    public func read(timeoutNanoseconds: UInt64, wakeUp: WakeUpSignal? = nil) throws(SerialError) -> [UInt8] {
        let fd = try openDescriptor()
        let received: [UInt8]
        do {
            received = try FileDescriptorIO.read(fd, timeoutNanoseconds: timeoutNanoseconds, wakeUp: wakeUp, path: path)
        } catch {
            try lose(error)
        }
        if received.isEmpty { return echoFilter.expire(now: MonotonicClock.now()) }
        return echoFilter.received(received)
    }

    /// Drops whatever the kernel has buffered but not yet read (stale bytes from before this owner).
    public func discardInput() throws(SerialError) {
        guard tcflush(try openDescriptor(), TCIFLUSH) == 0 else {
            throw SerialError.transferring("tcflush", path, errno: errno)
        }
    }

    /// Opens the device again after it vanished (or was closed); throws `.notFound` while it is still away.
    public func reopen() throws(SerialError) {
        closeDescriptor()
        echoFilter = LocalEchoFilter(handling: options.echo)
        try open()
    }

    /// Releases the device; later reads and writes throw `.closed` until `reopen()`.
    public func close() { closeDescriptor() }

    private func openDescriptor() throws(SerialError) -> Int32 {
        guard descriptor >= 0 else { throw .closed(path: path) }
        return descriptor
    }

    /// Closes a descriptor whose device is gone, so the error is reported once and `reopen()` starts clean.
    private func lose(_ error: SerialError) throws(SerialError) -> Never {
        if case .vanished = error { closeDescriptor() }
        throw error
    }

    private func open() throws(SerialError) {
        let fd = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw SerialError.opening(path, errno: errno) }
        do throws(SerialError) {
            try claimExclusively(fd)
            try FileDescriptorIO.makeRaw(fd, baudRate: options.baudRate, path: path)
            try configureRS485(fd)
            guard tcflush(fd, TCIOFLUSH) == 0 else { throw SerialError.system(operation: "tcflush", path: path, errno: errno) }
        } catch {
            Glibc.close(fd)
            throw error
        }
        descriptor = fd
    }

    /// Refuses a device another process uses. TIOCEXCL stops other opens (except root's); the advisory
    /// lock also catches root and other Keyway processes.
    private func claimExclusively(_ fd: Int32) throws(SerialError) {
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw errno == EWOULDBLOCK ? .busy(path: path) : .system(operation: "flock", path: path, errno: errno)
        }
        guard ioctl(fd, UInt(TIOCEXCL)) == 0 else {
            throw errno == ENOTTY ? .notATerminal(path: path) : .system(operation: "TIOCEXCL", path: path, errno: errno)
        }
    }

    private func configureRS485(_ fd: Int32) throws(SerialError) {
        isRS485Active = false
        guard options.rs485 != .off else { return }
        var settings = serial_rs485()
        settings.flags = UInt32(SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND)
        if ioctl(fd, UInt(TIOCSRS485), &settings) == 0 {
            isRS485Active = true
            return
        }
        // Ptys and most USB converters answer ENOTTY or EINVAL: they have no kernel-driven transceiver.
        let unsupported: Set<Int32> = [ENOTTY, EINVAL, EOPNOTSUPP, ENOIOCTLCMD]
        guard unsupported.contains(errno) else { throw .system(operation: "TIOCSRS485", path: path, errno: errno) }
        if options.rs485 == .required { throw .rs485Unsupported(path: path) }
    }

    private func closeDescriptor() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }
}

/// Linux's internal "ioctl not supported" code, which some serial drivers leak to user space.
private let ENOIOCTLCMD: Int32 = 515
