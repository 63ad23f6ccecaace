import CUDev
#if canImport(Glibc)
import Glibc
#endif

/// A serial device the system knows about, with the USB identity of its adapter when it has one.
public struct SerialDeviceInfo: Sendable, Hashable, Codable {
    /// The device node (/dev/ttyUSB0).
    public var path: String
    /// Stable names udev made for it (/dev/serial/by-id/...); empty without a udev daemon.
    public var links: [String]
    /// The kernel driver of the port (ftdi_sio, cp210x, serial8250, ...).
    public var driver: String?
    /// USB vendor and product ids as 4 hex digits, the adapter's serial number and names; nil for non-USB ports.
    public var vendorID: String?
    public var productID: String?
    public var serialNumber: String?
    public var manufacturer: String?
    public var product: String?

    public init(
        path: String, links: [String] = [], driver: String? = nil, vendorID: String? = nil, productID: String? = nil,
        serialNumber: String? = nil, manufacturer: String? = nil, product: String? = nil
    ) {
        self.path = path
        self.links = links
        self.driver = driver
        self.vendorID = vendorID
        self.productID = productID
        self.serialNumber = serialNumber
        self.manufacturer = manufacturer
        self.product = product
    }
}

/// Picks devices by what is printed on the adapter; nil fields match anything. Ids compare case-insensitively.
public struct SerialDeviceMatch: Sendable, Hashable, Codable {
    public var vendorID: String?
    public var productID: String?
    public var serialNumber: String?

    public init(vendorID: String? = nil, productID: String? = nil, serialNumber: String? = nil) {
        self.vendorID = vendorID
        self.productID = productID
        self.serialNumber = serialNumber
    }

    public func matches(_ device: SerialDeviceInfo) -> Bool {
        func same(_ wanted: String?, _ actual: String?) -> Bool {
            guard let wanted else { return true }
            return actual?.lowercased() == wanted.lowercased()
        }
        return same(vendorID, device.vendorID) && same(productID, device.productID)
            && same(serialNumber, device.serialNumber)
    }
}

/// Lists serial devices through libudev. Works without a udev daemon: the USB identity is then read
/// from sysfs attributes instead of the udev database.
public enum SerialDiscovery {
    /// Every tty device backed by real hardware (virtual consoles and ptys are left out).
    public static func devices() throws(SerialError) -> [SerialDeviceInfo] {
        let context = try UDevContext()
        guard let enumerate = udev_enumerate_new(context.udev) else {
            throw .system(operation: "udev_enumerate_new", path: "udev", errno: errno)
        }
        defer { udev_enumerate_unref(enumerate) }
        udev_enumerate_add_match_subsystem(enumerate, "tty")
        udev_enumerate_scan_devices(enumerate)
        var found: [SerialDeviceInfo] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            defer { entry = udev_list_entry_get_next(current) }
            guard let sysPath = udev_list_entry_get_name(current),
                let device = udev_device_new_from_syspath(context.udev, sysPath)
            else { continue }
            defer { udev_device_unref(device) }
            if let info = SerialDeviceInfo(udevDevice: device) { found.append(info) }
        }
        return found.sorted { $0.path < $1.path }
    }

    /// The devices that fit `match`.
    public static func find(_ match: SerialDeviceMatch) throws(SerialError) -> [SerialDeviceInfo] {
        try devices().filter(match.matches)
    }
}

extension SerialDeviceInfo {
    /// Reads a udev tty device; nil for ttys with no hardware behind them (consoles, ptys).
    init?(udevDevice device: OpaquePointer) {
        guard let node = udev_device_get_devnode(device).map(String.init(cString:)),
            let parent = udev_device_get_parent(device)
        else { return nil }
        path = node
        driver = udev_device_get_driver(parent).map(String.init(cString:))
        // A legacy 8250 port without a UART answers ENXIO on open; the kernel registers 32 of them.
        if driver == "serial8250", !Self.hasUART(device) { return nil }
        links = Self.links(of: device)
        let usb = udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_device")
        func attribute(_ name: String) -> String? {
            usb.flatMap { udev_device_get_sysattr_value($0, name) }.map(String.init(cString:))
        }
        vendorID = attribute("idVendor")
        productID = attribute("idProduct")
        serialNumber = attribute("serial")
        manufacturer = attribute("manufacturer")
        product = attribute("product")
    }

    private static func links(of device: OpaquePointer) -> [String] {
        var names: [String] = []
        var entry = udev_device_get_devlinks_list_entry(device)
        while let current = entry {
            if let name = udev_list_entry_get_name(current) { names.append(String(cString: name)) }
            entry = udev_list_entry_get_next(current)
        }
        return names.sorted()
    }

    private static func hasUART(_ device: OpaquePointer) -> Bool {
        guard let type = udev_device_get_sysattr_value(device, "type") else { return true }
        return String(cString: type) != "0"
    }
}

/// Owns one libudev context.
final class UDevContext {
    let udev: OpaquePointer

    init() throws(SerialError) {
        guard let udev = udev_new() else { throw .system(operation: "udev_new", path: "udev", errno: errno) }
        self.udev = udev
    }

    deinit { udev_unref(udev) }
}
