import Foundation

/// A TCP port on loopback that nothing holds now: the kernel picks it (bind to port 0), then it is let go for the
/// server under test. A random pick can land on a port an outgoing connection holds (ephemeral ports are 32768–60999
/// here), and a server that cannot bind fails its test for nothing.
public func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return Int.random(in: 20000...32000) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { return Int.random(in: 20000...32000) }
    return Int(UInt16(bigEndian: address.sin_port))
}
