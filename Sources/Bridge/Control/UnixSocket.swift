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
    /// How much of `buffer` is known to hold no newline: each byte is searched once, however it arrives.
    private var searched = 0

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

    enum Read: Equatable {
        case line(Data)
        /// The peer closed its end (or the read failed).
        case end
        /// More than the limit arrived without a newline.
        case tooLong
        /// Nothing complete arrived before the deadline.
        case timedOut
    }

    /// The next line without its newline, at most `limit` bytes, waiting until `deadline` (monotonic ns) at most.
    func readLine(limit: Int, deadline: UInt64? = nil) -> Read {
        while true {
            if let newline = buffer[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                guard newline <= limit else { return .tooLong }
                let line = Data(buffer[..<newline])
                buffer.removeSubrange(...newline)
                searched = 0
                return .line(line)
            }
            searched = buffer.count
            guard buffer.count <= limit else { return .tooLong }
            if let deadline {
                let now = MonotonicClock.now()
                guard now < deadline else { return .timedOut }
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(clamping: Duration.nanoseconds(Int64(clamping: deadline - now)).millisecondsRoundedUp))
                if ready < 0, errno == EINTR { continue }
                guard ready > 0 else { return ready == 0 ? .timedOut : .end }
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(fd, &chunk, chunk.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return .end }
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

    /// Who is at the other end, as the kernel saw them connect (SO_PEERCRED); nil if it cannot say.
    var peer: ControlPeer? {
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0,
              length == MemoryLayout<PeerCredentials>.size else { return nil }
        return ControlPeer(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid)
    }
}

/// Linux's `struct ucred` (glibc declares it only with _GNU_SOURCE, which Swift's Glibc module lacks).
private struct PeerCredentials {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// The process at the other end of a control connection: the acting user of what it asks.
public struct ControlPeer: Sendable, Equatable, CustomStringConvertible {
    public let uid: UInt32
    public let gid: UInt32
    public let pid: Int32

    /// The account name, when the user database knows the uid.
    public var userName: String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var storage = [CChar](repeating: 0, count: 1024)
        guard getpwuid_r(uid, &entry, &storage, storage.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    /// `ada (uid 1000, pid 4242)`
    public var description: String {
        "\(userName ?? "uid \(uid)") (uid \(uid), pid \(pid))"
    }
}

/// A listening Unix socket with restricted permissions.
final class ListeningSocket: Sendable {
    let fd: Int32
    let path: String

    /// Binds `path`, replacing only a stale socket left by a crash, and sets its mode before anyone can connect.
    /// Anything else at the path (a file, a folder, a link) is left alone and refused.
    init(path: String, mode: Int) throws(BridgeError) {
        self.path = path
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if (try? LineSocket.connect(to: path)) != nil {
            throw .controlSocket("another keyway service is already listening on \(path)")
        }
        switch fileType(at: path) {
        case nil: break
        case S_IFSOCK: unlink(path)
        default: throw .controlSocket("\(path) exists and is not a socket: keyway replaces only a socket it left, move it away or set api.socket")
        }
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BridgeError.socketCall("cannot create a socket for", path: path) }
        let address: sockaddr_un
        do {
            address = try unixAddress(path)
        } catch {
            Glibc.close(fd)
            throw error
        }
        // The umask keeps the socket private between bind and chmod.
        let previousMask = umask(0o177)
        let bound = withUnsafePointer(to: address) {
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

    /// Stops listening and removes the socket (only if what is at the path is still a socket).
    func close() {
        Glibc.close(fd)
        if fileType(at: path) == S_IFSOCK { unlink(path) }
    }
}

/// The type bits of what is at `path` itself (a link is not followed), nil when nothing is.
private func fileType(at path: String) -> mode_t? {
    var status = stat()
    guard lstat(path, &status) == 0 else { return nil }
    return status.st_mode & S_IFMT
}

private func unixAddress(_ path: String) throws(BridgeError) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
        throw .controlSocket("socket path too long (at most \(MemoryLayout.size(ofValue: address.sun_path) - 1) bytes): \(path)")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    return address
}
