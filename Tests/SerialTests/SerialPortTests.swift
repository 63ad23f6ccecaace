import Foundation
import KeywayTestSupport
import Serial
import Testing

/// The serial port on pseudo-terminals: raw bytes both ways, exclusivity, errors, a vanishing device, reopening.
@Suite struct SerialPortTests {
    static let timeout: UInt64 = 2_000_000_000

    /// Reads from `receive` until `count` bytes came or a generous deadline passed.
    func collect(_ count: Int, _ receive: () throws -> [UInt8]) rethrows -> [UInt8] {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(5)
        while bytes.count < count, Date() < deadline { bytes += try receive() }
        return bytes
    }

    @Test func everyByteValueCrossesBothWays() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.devicePath, options: .init(baudRate: .b115200, echo: .none))
        let all = (0...255).map(UInt8.init)
        try port.write(all)
        #expect(try collect(256) { try pty.read(timeoutNanoseconds: Self.timeout) } == all)
        try pty.write(all.reversed())
        #expect(try collect(256) { try port.read(timeoutNanoseconds: Self.timeout) } == all.reversed())
    }

    @Test func readReturnsEmptyWhenNothingArrives() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.devicePath)
        #expect(try port.read(timeoutNanoseconds: 10_000_000).isEmpty)
    }

    @Test func everyOSDPBaudRateConfigures() throws {
        let pty = try PseudoTerminal()
        for rate in BaudRate.allCases {
            let port = try SerialPort(path: pty.devicePath, options: .init(baudRate: rate))
            port.close()
        }
        #expect(throws: SerialError.unsupportedBaudRate(1234)) { try BaudRate(validating: 1234) }
        #expect(try BaudRate(validating: 38400) == .b38400)
    }

    @Test func aPseudoTerminalHasNoRS485ModeAndThatIsFineUnlessRequired() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.devicePath, options: .init(rs485: .ifSupported))
        #expect(!port.isRS485Active)
        port.close()
        #expect(throws: SerialError.rs485Unsupported(path: pty.devicePath)) {
            try SerialPort(path: pty.devicePath, options: .init(rs485: .required))
        }
    }

    @Test func aSecondOpenIsRefusedAsBusy() throws {
        let pty = try PseudoTerminal()
        let first = try SerialPort(path: pty.devicePath)
        #expect(throws: SerialError.busy(path: pty.devicePath)) { try SerialPort(path: pty.devicePath) }
        first.close()
        _ = try SerialPort(path: pty.devicePath)
    }

    @Test func missingDeviceAndNonTerminalAreNamed() throws {
        #expect(throws: SerialError.notFound(path: "/dev/ttyNoSuchAdapter")) {
            try SerialPort(path: "/dev/ttyNoSuchAdapter")
        }
        let file = try TestPaths.temporaryDirectory("serial").appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        #expect(throws: SerialError.notATerminal(path: file.path)) { try SerialPort(path: file.path) }
        #expect(SerialError.notFound(path: "/dev/ttyUSB9").description == "serial device /dev/ttyUSB9 not found")
    }

    @Test func aDeviceVanishingMidReadIsReportedThenReopenedWhenItReturns() throws {
        // A stable name pointing at the current device, as /dev/serial/by-id does for a USB adapter.
        let link = try TestPaths.temporaryDirectory("serial").appendingPathComponent("ttyOSDP").path
        let first = try PseudoTerminal()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: first.devicePath)
        let port = try SerialPort(path: link)

        let unplug = Thread {
            Thread.sleep(forTimeInterval: 0.1)
            first.hangUp()
        }
        unplug.start()
        #expect(throws: SerialError.vanished(path: link)) {
            for _ in 0..<50 { _ = try port.read(timeoutNanoseconds: Self.timeout) }
        }
        #expect(!port.isOpen)
        #expect(throws: SerialError.closed(path: link)) { try port.write([1]) }

        try FileManager.default.removeItem(atPath: link)
        #expect(throws: SerialError.notFound(path: link)) { try port.reopen() }

        let second = try PseudoTerminal()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: second.devicePath)
        try port.reopen()
        try second.write([0x53, 0x81])
        #expect(try collect(2) { try port.read(timeoutNanoseconds: Self.timeout) } == [0x53, 0x81])
    }

    @Test func aWriteToAVanishedDeviceFails() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.devicePath)
        pty.hangUp()
        #expect(throws: SerialError.vanished(path: pty.devicePath)) { try port.write([0xFF, 0x53]) }
    }

    @Test func staleInputCanBeDiscarded() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.devicePath, options: .init(echo: .none))
        try pty.write([1, 2, 3])
        Thread.sleep(forTimeInterval: 0.05)
        try port.discardInput()
        #expect(try port.read(timeoutNanoseconds: 20_000_000).isEmpty)
    }
}

/// Adapters that echo their own transmission, simulated by a peer that sends back what it hears first.
@Suite struct SerialEchoTests {
    let command: [UInt8] = [0xFF, 0x53, 0x01, 0x08, 0x00, 0x04, 0x60, 0xC8]
    let reply: [UInt8] = [0x53, 0x81, 0x08, 0x00, 0x04, 0x40, 0x00, 0x00]

    func exchange(echoing: Bool, handling: EchoHandling, rounds: Int = 2) throws -> (port: SerialPort, received: [[UInt8]]) {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.devicePath, options: .init(echo: handling))
        var received: [[UInt8]] = []
        for _ in 0..<rounds {
            try port.write(command)
            var heard: [UInt8] = []
            while heard.count < command.count { heard += try pty.read(timeoutNanoseconds: 2_000_000_000) }
            try pty.write((echoing ? heard : []) + reply)
            var bytes: [UInt8] = []
            let deadline = Date().addingTimeInterval(5)
            while bytes.count < reply.count, Date() < deadline { bytes += try port.read(timeoutNanoseconds: 100_000_000) }
            received.append(bytes)
        }
        return (port, received)
    }

    @Test func detectionFindsAnEchoAndRemovesIt() throws {
        let (port, received) = try exchange(echoing: true, handling: .detect)
        #expect(received == [reply, reply])
        #expect(port.echoesTransmission == true)
    }

    @Test func detectionFindsNoEchoAndPassesEverything() throws {
        let (port, received) = try exchange(echoing: false, handling: .detect)
        #expect(received == [reply, reply])
        #expect(port.echoesTransmission == false)
    }

    @Test func suppressionRemovesTheEcho() throws {
        let (_, received) = try exchange(echoing: true, handling: .suppress)
        #expect(received == [reply, reply])
    }

    @Test func withoutHandlingTheEchoIsData() throws {
        let (_, received) = try exchange(echoing: true, handling: .none, rounds: 1)
        #expect(received.first?.starts(with: command) == true)
    }

    @Test func aMissingEchoDoesNotSwallowLaterData() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.devicePath, options: .init(baudRate: .b230400, echo: .suppress))
        try port.write(command)
        _ = try pty.read(timeoutNanoseconds: 1_000_000_000)
        // No echo comes; once it is overdue, later bytes that happen to start like the command are data.
        Thread.sleep(forTimeInterval: 0.1)
        #expect(try port.read(timeoutNanoseconds: 1_000_000).isEmpty)
        try pty.write(command.prefix(3))
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(5)
        while bytes.count < 3, Date() < deadline { bytes += try port.read(timeoutNanoseconds: 100_000_000) }
        #expect(bytes == Array(command.prefix(3)))
    }
}

/// Discovery through libudev works without a udev daemon.
@Suite struct SerialDiscoveryTests {
    @Test func discoveryListsOnlyOpenableHardwareAndNoPseudoTerminals() throws {
        let pty = try PseudoTerminal()
        let devices = try SerialDiscovery.devices()
        #expect(!devices.contains { $0.path == pty.devicePath })
        #expect(devices.allSatisfy { $0.path.hasPrefix("/dev/") })
    }

    @Test func matchingByAdapterIdentity() {
        let ftdi = SerialDeviceInfo(path: "/dev/ttyUSB0", vendorID: "0403", productID: "6001", serialNumber: "A10K1")
        let builtIn = SerialDeviceInfo(path: "/dev/ttyS0", driver: "serial8250")
        #expect(SerialDeviceMatch(vendorID: "0403").matches(ftdi))
        #expect(SerialDeviceMatch(vendorID: "0403", serialNumber: "a10k1").matches(ftdi))
        #expect(!SerialDeviceMatch(vendorID: "0403", productID: "6015").matches(ftdi))
        #expect(!SerialDeviceMatch(vendorID: "0403").matches(builtIn))
        #expect(SerialDeviceMatch().matches(builtIn))
    }
}
