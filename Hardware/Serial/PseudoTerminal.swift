import CPty
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair standing in for a serial line: a `SerialPort` opens `devicePath`, and the
/// controller end plays the other side of the wire (a simulated reader, a test).
///
/// Both ends are raw. The device end is held open too, so a port may close and reopen the device without
/// the controller seeing a hang-up; `hangUp()` makes the device vanish as a USB unplug would, from any thread.
public final class PseudoTerminal: Sendable {
    /// The path a `SerialPort` opens (/dev/pts/N).
    public let devicePath: String
    private let controller: Atomic<Int32>
    private let heldDevice: Atomic<Int32>

    public init(baudRate: BaudRate = .b9600) throws(SerialError) {
        var controller: Int32 = -1, device: Int32 = -1
        guard openpty(&controller, &device, nil, nil, nil) == 0 else {
            throw .system(operation: "openpty", path: "/dev/ptmx", errno: errno)
        }
        var name = [CChar](repeating: 0, count: 128)
        guard ptsname_r(controller, &name, name.count) == 0 else {
            let code = errno
            Glibc.close(controller)
            Glibc.close(device)
            throw .system(operation: "ptsname", path: "/dev/ptmx", errno: code)
        }
        devicePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.controller = Atomic(controller)
        heldDevice = Atomic(device)
        do throws(SerialError) {
            try FileDescriptorIO.makeRaw(controller, baudRate: baudRate, path: devicePath)
            try FileDescriptorIO.makeRaw(device, baudRate: baudRate, path: devicePath)
            guard fcntl(controller, F_SETFL, fcntl(controller, F_GETFL) | O_NONBLOCK) == 0 else {
                throw SerialError.system(operation: "fcntl", path: devicePath, errno: errno)
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Writes bytes that the device end will read.
    public func write(_ bytes: some Collection<UInt8>) throws(SerialError) {
        try FileDescriptorIO.write(try controllerDescriptor(), bytes, timeoutNanoseconds: 1_000_000_000, path: devicePath)
    }

    /// Reads what the device end wrote within the timeout; empty if nothing came.
    public func read(timeoutNanoseconds: UInt64) throws(SerialError) -> [UInt8] {
        do {
            return try FileDescriptorIO.read(try controllerDescriptor(), timeoutNanoseconds: timeoutNanoseconds, path: devicePath)
        } catch .vanished {
            // The controller sees a hang-up only while nobody has the device open: nothing was written.
            return []
        }
    }

    /// Makes the device vanish: closes both ends, so an open `SerialPort` gets `.vanished`.
    public func hangUp() { close() }

    /// Releases both ends.
    public func close() {
        for fd in [controller.exchange(-1, ordering: .acquiringAndReleasing), heldDevice.exchange(-1, ordering: .acquiringAndReleasing)]
        where fd >= 0 {
            Glibc.close(fd)
        }
    }

    private func controllerDescriptor() throws(SerialError) -> Int32 {
        let fd = controller.load(ordering: .acquiring)
        guard fd >= 0 else { throw .closed(path: devicePath) }
        return fd
    }
}
