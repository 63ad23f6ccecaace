import CPty
#if canImport(Glibc)
import Glibc
#endif

/// Interrupts a `SerialPort.read` waiting on another thread, so a loop blocked on the line can take new work at once.
public final class WakeUpSignal: Sendable {
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    public init() throws(SerialError) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe2(&descriptors, O_NONBLOCK | O_CLOEXEC) == 0 else {
            throw .system(operation: "pipe", path: "wake-up signal", errno: errno)
        }
        readDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
    }

    deinit {
        Glibc.close(readDescriptor)
        Glibc.close(writeDescriptor)
    }

    /// Wakes the reader (a signal that is already pending stays one signal).
    public func signal() {
        var byte: UInt8 = 1
        _ = Glibc.write(writeDescriptor, &byte, 1)
    }

    /// Sleeps until signalled or the timeout passes; true if signalled.
    public func wait(timeoutNanoseconds: UInt64) throws(SerialError) -> Bool {
        let readiness = try FileDescriptorIO.wait(
            readDescriptor, for: Int16(POLLIN), timeoutNanoseconds: timeoutNanoseconds, path: "wake-up signal")
        clear()
        return readiness == .ready
    }

    /// Consumes pending signals.
    func clear() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while buffer.withUnsafeMutableBytes({ Glibc.read(readDescriptor, $0.baseAddress, $0.count) }) > 0 {}
    }
}
