import CPty
#if canImport(Glibc)
import Glibc
#endif

/// Non-blocking byte transfer on a terminal file descriptor, shared by `SerialPort` and `PseudoTerminal`.
enum FileDescriptorIO {
    /// What `poll` found on the descriptor.
    enum Readiness { case ready, timedOut, hungUp, wokenUp }

    /// Waits until the descriptor is readable (or writable), the peer hung up, `wakeUp` was signalled,
    /// or the timeout passes.
    static func wait(
        _ fd: Int32, for events: Int16, timeoutNanoseconds: UInt64, wakeUp: WakeUpSignal? = nil, path: String
    ) throws(SerialError) -> Readiness {
        var descriptors = [pollfd(fd: fd, events: events, revents: 0)]
        if let wakeUp { descriptors.append(pollfd(fd: wakeUp.readDescriptor, events: Int16(POLLIN), revents: 0)) }
        var timeout = timespec(
            tv_sec: Int(timeoutNanoseconds / 1_000_000_000), tv_nsec: Int(timeoutNanoseconds % 1_000_000_000))
        while true {
            let count = ppoll(&descriptors, nfds_t(descriptors.count), &timeout, nil)
            if count < 0 {
                if errno == EINTR { continue }
                throw SerialError.transferring("poll", path, errno: errno)
            }
            if count == 0 { return .timedOut }
            let revents = descriptors[0].revents
            if revents & Int16(POLLNVAL) != 0 { throw SerialError.closed(path: path) }
            // Data still buffered is delivered before the hang-up is reported.
            if revents & events != 0 { return .ready }
            if revents != 0 { return .hungUp }
            wakeUp?.clear()
            return .wokenUp
        }
    }

    /// Reads whatever is available within the timeout; an empty array means nothing arrived in time (or a wake-up).
    static func read(
        _ fd: Int32, timeoutNanoseconds: UInt64, wakeUp: WakeUpSignal? = nil, maximumCount: Int = 4096, path: String
    ) throws(SerialError) -> [UInt8] {
        switch try wait(fd, for: Int16(POLLIN), timeoutNanoseconds: timeoutNanoseconds, wakeUp: wakeUp, path: path) {
        case .timedOut, .wokenUp: return []
        case .hungUp: throw SerialError.vanished(path: path)
        case .ready: break
        }
        var buffer = [UInt8](repeating: 0, count: maximumCount)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 { return Array(buffer.prefix(count)) }
            // A terminal that reads zero bytes after poll said "readable" has been hung up.
            if count == 0 { throw SerialError.vanished(path: path) }
            if errno == EINTR { continue }
            if errno == EAGAIN { return [] }
            throw SerialError.transferring("read", path, errno: errno)
        }
    }

    /// Writes every byte, waiting for room in the output buffer up to the timeout.
    static func write(
        _ fd: Int32, _ bytes: some Collection<UInt8>, timeoutNanoseconds: UInt64, path: String
    ) throws(SerialError) {
        let pending = Array(bytes)
        var written = 0
        while written < pending.count {
            let count = pending.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count >= 0 {
                written += count
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN:
                switch try wait(fd, for: Int16(POLLOUT), timeoutNanoseconds: timeoutNanoseconds, path: path) {
                case .ready, .wokenUp: continue
                case .hungUp: throw SerialError.vanished(path: path)
                case .timedOut: throw SerialError.system(operation: "write", path: path, errno: ETIMEDOUT)
                }
            default: throw SerialError.transferring("write", path, errno: errno)
            }
        }
    }

    /// Puts the terminal in raw mode: no echo, no line editing, no translation, 8 bits clean, 8N1, no flow control.
    static func makeRaw(_ fd: Int32, baudRate: BaudRate, path: String) throws(SerialError) {
        var attributes = termios()
        guard tcgetattr(fd, &attributes) == 0 else {
            throw errno == ENOTTY ? .notATerminal(path: path) : .system(operation: "tcgetattr", path: path, errno: errno)
        }
        cfmakeraw(&attributes)
        cfsetispeed(&attributes, baudRate.speed)
        cfsetospeed(&attributes, baudRate.speed)
        attributes.c_cflag &= ~(tcflag_t(PARENB | CSTOPB | CSIZE) | tcflag_t(CRTSCTS))
        attributes.c_cflag |= tcflag_t(CS8 | CLOCAL | CREAD)
        // Reads never block in the kernel: poll decides how long to wait.
        withUnsafeMutableBytes(of: &attributes.c_cc) {
            $0[Int(VMIN)] = 0
            $0[Int(VTIME)] = 0
        }
        guard tcsetattr(fd, TCSANOW, &attributes) == 0 else {
            throw .system(operation: "tcsetattr", path: path, errno: errno)
        }
    }
}
