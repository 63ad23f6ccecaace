import Foundation
import OSDP
import Timebase

/// Writes every OSDP frame of a bus to a file Wireshark or the OSDP tools can open.
///
/// - `.pcap`: libpcap with link type 162 (USER15), as libosdp writes it, so its Wireshark dissector reads it.
///   A Secure Channel frame whose data Keyway decrypted is followed by a second record with the clear data,
///   marked as libosdp marks it: bit 7 of CTRL set (the "mangled" flag, never seen on a real wire).
/// - `.osdpcap`: JSON lines in the format of libosdp-conformance and OSDP.Net, with the clear data in `decrypted`.
public final class OSDPCaptureWriter {
    public enum Format: String, Sendable {
        case pcap, osdpcap

        /// `.pcap` files are pcap; anything else is written as osdpcap JSON lines.
        public init(path: String) {
            self = path.lowercased().hasSuffix(".pcap") ? .pcap : .osdpcap
        }
    }

    public let format: Format
    private let file: FileHandle
    /// Wall-clock nanoseconds minus monotonic nanoseconds: frames carry monotonic times, captures want dates.
    private let wallClockOffset: Int64

    static let pcapLinkType: UInt32 = 162
    static let decryptedFlag: UInt8 = 0x80
    static let mark: UInt8 = 0xFF

    /// Creates the capture as a new file readable by its owner only: it holds the decrypted data of Secure Channel
    /// frames (card numbers, PINs typed at the reader). An existing file or a symbolic link at `path` is refused,
    /// never overwritten or followed.
    public init(path: String, format: Format? = nil) throws(OSDPCaptureError) {
        self.format = format ?? Format(path: path)
        let fd = openNewOwnerOnly(path)
        guard fd >= 0 else {
            throw errno == EEXIST ? .exists(path) : .cannotCreate(path, String(cString: strerror(errno)))
        }
        // Exactly 0600, whatever the umask.
        fchmod(fd, 0o600)
        file = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        wallClockOffset = Int64(Date().timeIntervalSince1970 * 1e9) - Int64(MonotonicClock.now())
        if self.format == .pcap {
            do {
                try writePCAPHeader()
            } catch {
                throw .cannotCreate(path, "\(error)")
            }
        }
    }

    deinit { try? file.close() }

    /// Records one frame as it crossed the wire.
    public func write(_ trace: FrameTrace) throws {
        let nanoseconds = Int64(trace.time) + wallClockOffset
        switch format {
        case .pcap:
            let frame = Array(trace.bytes.drop { $0 == Self.mark })
            try writePCAPRecord(frame, at: nanoseconds)
            if let clear = trace.clearData, let decrypted = Self.decryptedFrame(frame, clearData: clear) {
                try writePCAPRecord(decrypted, at: nanoseconds)
            }
        case .osdpcap:
            let line = OSDPCapLine(
                timeSec: String(nanoseconds / 1_000_000_000), timeNano: String(nanoseconds % 1_000_000_000),
                io: trace.direction == .toPD ? "output" : "input", data: Self.hex(trace.bytes),
                decrypted: trace.clearData.map(Self.hex))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try file.write(contentsOf: try encoder.encode(line) + Data("\n".utf8))
        }
    }

    public func close() throws { try file.close() }

    private struct OSDPCapLine: Encodable {
        var timeSec: String
        var timeNano: String
        var io: String
        var data: String
        var decrypted: String?
        var osdpTraceVersion = "1"
        var osdpSource = "keyway"
    }

    private func writePCAPHeader() throws {
        var header: [UInt8] = []
        header.appendLittleEndian32(0xA1B2_C3D4)  // magic, microsecond timestamps
        header.appendLittleEndian16(2)
        header.appendLittleEndian16(4)
        header.appendLittleEndian32(0)  // time zone
        header.appendLittleEndian32(0)  // accuracy
        header.appendLittleEndian32(UInt32(Frame.maximumLength))
        header.appendLittleEndian32(Self.pcapLinkType)
        try file.write(contentsOf: header)
    }

    private func writePCAPRecord(_ frame: [UInt8], at nanoseconds: Int64) throws {
        var record: [UInt8] = []
        record.appendLittleEndian32(UInt32(nanoseconds / 1_000_000_000))
        record.appendLittleEndian32(UInt32(nanoseconds % 1_000_000_000 / 1000))
        record.appendLittleEndian32(UInt32(frame.count))
        record.appendLittleEndian32(UInt32(frame.count))
        try file.write(contentsOf: record + frame)
    }

    /// The frame with its encrypted data replaced by the clear data, CTRL marked as decrypted, length and CRC redone.
    static func decryptedFrame(_ frame: [UInt8], clearData: [UInt8]) -> [UInt8]? {
        let ctrlIndex = 4, macLength = 4
        guard frame.count > ctrlIndex + 1, frame[ctrlIndex] & 0x08 != 0 else { return nil }
        let trailerLength = frame[ctrlIndex] & 0x04 != 0 ? 2 : 1
        let codeIndex = ctrlIndex + 1 + Int(frame[ctrlIndex + 1])
        guard frame.count >= codeIndex + 1 + macLength + trailerLength else { return nil }
        let macEnd = frame.count - trailerLength
        var rebuilt = Array(frame[...codeIndex]) + clearData + frame[(macEnd - macLength)..<macEnd]
        let length = rebuilt.count + 2
        rebuilt[2] = UInt8(length & 0xFF)
        rebuilt[3] = UInt8(length >> 8)
        rebuilt[ctrlIndex] |= decryptedFlag | 0x04
        let crc = CheckCharacter.crc16(rebuilt)
        return rebuilt + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// Why a capture file was not created.
public enum OSDPCaptureError: Error, Equatable, CustomStringConvertible {
    case exists(String)
    case cannotCreate(String, String)

    public var description: String {
        switch self {
        case .exists(let path): "\(path) already exists: a capture is always a new file (choose another name)"
        case .cannotCreate(let path, let reason): "cannot create \(path): \(reason)"
        }
    }
}

/// open(2) creating a new file 0600; O_EXCL also refuses a symbolic link, even one pointing nowhere.
private func openNewOwnerOnly(_ path: String) -> Int32 {
    open(path, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0o600)
}

extension [UInt8] {
    fileprivate mutating func appendLittleEndian16(_ value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    fileprivate mutating func appendLittleEndian32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
