#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Timebase

extension BridgeError {
    /// A socket call on `path` that failed, in errno's words.
    static func socketCall(_ operation: String, path: String, errno code: Int32 = errno) -> BridgeError {
        .controlSocket("\(operation) \(path): \(String(cString: strerror(code)))")
    }
}

/// A connected stream socket that reads and writes whole lines.
final class LineSocket {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Connects to a listening Unix socket.
    static func connect(to path: String) throws(BridgeError) -> LineSocket {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BridgeError.socketCall("cannot create a socket for", path: path) }
        let socket = LineSocket(fd: fd)
        var address = try unixAddress(path)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw BridgeError.socketCall("cannot connect to", path: path) }
        return socket
    }

    /// The next line without its newline; nil at end of stream.
    func readLine() -> Data? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Data(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(fd, &chunk, chunk.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }

    /// Writes everything; false when the peer is gone.
    @discardableResult
    func write(_ data: Data) -> Bool {
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}

/// A listening Unix socket with restricted permissions.
final class ListeningSocket: Sendable {
    let fd: Int32
    let path: String

    /// Binds `path` (replacing a stale socket left by a crash) and sets its mode before anyone can connect.
    init(path: String, mode: Int) throws(BridgeError) {
        self.path = path
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if (try? LineSocket.connect(to: path)) != nil {
            throw .controlSocket("another keyway service is already listening on \(path)")
        }
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BridgeError.socketCall("cannot create a socket for", path: path) }
        var address = try unixAddress(path)
        // The umask keeps the socket private between bind and chmod.
        let previousMask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previousMask)
        guard bound == 0 else {
            let error = BridgeError.socketCall("cannot bind", path: path)
            Glibc.close(fd)
            throw error
        }
        guard chmod(path, mode_t(mode)) == 0, listen(fd, 16) == 0 else {
            let error = BridgeError.socketCall("cannot listen on", path: path)
            Glibc.close(fd)
            throw error
        }
    }

    /// The descriptor of the next connection, or nil when none arrived within `timeout`
    /// (so the caller can check whether to stop).
    func accept(timeout: Duration) -> Int32? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: timeout.millisecondsRoundedUp)
        guard poll(&poller, 1, milliseconds) > 0 else { return nil }
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { return nil }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        return client
    }

    func close() {
        Glibc.close(fd)
        unlink(path)
    }
}

private func unixAddress(_ path: String) throws(BridgeError) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
        throw .controlSocket("socket path too long: \(path)")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    return address
}
