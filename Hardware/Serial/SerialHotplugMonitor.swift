import CPty
import Timebase
import CUDev
#if canImport(Glibc)
import Glibc
#endif

/// A serial device appearing or going away.
public struct SerialHotplugEvent: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable { case added, removed }
    public var action: Action
    /// The device node; for `.added` also its USB identity where udev or sysfs tell it.
    public var device: SerialDeviceInfo
}

/// Reports tty devices being plugged in and unplugged.
///
/// It listens to the udev daemon's events when one runs. Without one (containers, minimal systems) it
/// falls back to the kernel's own uevents, which name the device but may arrive before the node
/// exists. Where neither is possible it fails with `.hotplugUnavailable`; a caller can then retry
/// `SerialPort.reopen()` on a timer instead.
public final class SerialHotplugMonitor {
    /// Which event stream is in use.
    public enum Source: String, Sendable { case udev, kernel }

    public let source: Source
    private let context: UDevContext
    private let monitor: OpaquePointer
    private let descriptor: Int32

    /// The udev daemon's control socket: its absence means no daemon is running.
    static let udevDaemonSocket = "/run/udev/control"

    public init() throws(SerialError) {
        context = try UDevContext()
        source = access(Self.udevDaemonSocket, F_OK) == 0 ? .udev : .kernel
        guard let monitor = udev_monitor_new_from_netlink(context.udev, source.rawValue) else {
            throw .hotplugUnavailable(reason: "cannot open the \(source.rawValue) netlink socket (\(String(cString: strerror(errno))))")
        }
        self.monitor = monitor
        udev_monitor_filter_add_match_subsystem_devtype(monitor, "tty", nil)
        guard udev_monitor_enable_receiving(monitor) == 0 else {
            let reason = String(cString: strerror(errno))
            udev_monitor_unref(monitor)
            throw .hotplugUnavailable(reason: "cannot listen for \(source.rawValue) events (\(reason))")
        }
        descriptor = udev_monitor_get_fd(monitor)
    }

    deinit { udev_monitor_unref(monitor) }

    /// Waits up to the timeout for the next device added or removed; nil if none came.
    public func nextEvent(timeoutNanoseconds: UInt64) throws(SerialError) -> SerialHotplugEvent? {
        let start = MonotonicClock.now()
        while true {
            let elapsed = MonotonicClock.now() - start
            guard elapsed < timeoutNanoseconds else { return nil }
            switch try FileDescriptorIO.wait(
                descriptor, for: Int16(POLLIN), timeoutNanoseconds: timeoutNanoseconds - elapsed, path: "udev monitor")
            {
            case .timedOut, .wokenUp: return nil
            case .hungUp: throw .hotplugUnavailable(reason: "the \(source.rawValue) event socket closed")
            case .ready: break
            }
            guard let device = udev_monitor_receive_device(monitor) else { continue }
            defer { udev_device_unref(device) }
            if let event = Self.event(from: device) { return event }
        }
    }

    private static let actions: [String: SerialHotplugEvent.Action] = ["add": .added, "remove": .removed]

    private static func event(from device: OpaquePointer) -> SerialHotplugEvent? {
        guard let actionName = udev_device_get_action(device).map(String.init(cString:)),
            let action = actions[actionName]
        else { return nil }
        if let info = SerialDeviceInfo(udevDevice: device) { return SerialHotplugEvent(action: action, device: info) }
        // A removed device has no parent left to describe it: its node name is all there is.
        guard let node = udev_device_get_devnode(device).map(String.init(cString:)) else { return nil }
        return SerialHotplugEvent(action: action, device: SerialDeviceInfo(path: node))
    }
}
