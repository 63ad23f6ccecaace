import Foundation
import Synchronization

/// Answers the CLI on the control socket. Sockets block, so they live on their own threads and
/// never hold one of the few cooperative threads; each request is handed to the service's async world.
public final class ControlServer: Sendable {
    public typealias Handler = @Sendable (ControlRequest) async -> ControlResponse

    private let listener: ListeningSocket
    private let handler: Handler
    private let logFeed: LogFeed
    private let stopped = Atomic<Bool>(false)

    public init(path: String, mode: Int, logFeed: LogFeed, handler: @escaping Handler) throws(BridgeError) {
        listener = try ListeningSocket(path: path, mode: mode)
        self.handler = handler
        self.logFeed = logFeed
    }

    public func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                guard let client = listener.accept(timeout: .milliseconds(200)) else { continue }
                let worker = Thread { [self] in serve(LineSocket(fd: client)) }
                worker.name = "keyway-control-client"
                worker.start()
            }
            listener.close()
        }
        thread.name = "keyway-control"
        thread.start()
    }

    /// Stops accepting and removes the socket file (connections in progress finish on their own).
    public func stop() { stopped.store(true, ordering: .releasing) }

    private func serve(_ connection: LineSocket) {
        while let line = connection.readLine() {
            guard let request = try? ControlCoding.decode(ControlRequest.self, from: line) else {
                connection.write((try? ControlCoding.encode(ControlResponse.failure("not a control request"))) ?? Data())
                return
            }
            if request == .followLog {
                follow(on: connection)
                return
            }
            let response = waitFor { [handler] in await handler(request) }
            guard let data = try? ControlCoding.encode(response), connection.write(data) else { return }
        }
    }

    /// Streams log lines until the client hangs up or the service stops.
    private func follow(on connection: LineSocket) {
        let subscription = logFeed.subscribe()
        defer { logFeed.unsubscribe(subscription) }
        while !stopped.load(ordering: .acquiring) {
            guard let line = subscription.next(timeout: .seconds(1)) else {
                // Nothing to say: probe whether the client is still there.
                if !connection.isOpen { return }
                continue
            }
            guard connection.write(line) else { return }
        }
    }
}

extension LineSocket {
    /// False once the peer closed its end.
    var isOpen: Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) > 0
    }
}

/// Runs async work from a plain thread and waits for its result.
private func waitFor<Result: Sendable>(_ operation: @escaping @Sendable () async -> Result) -> Result {
    let result = Mutex<Result?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await operation()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}

/// The CLI side of the control socket.
public enum ControlClient {
    /// Sends one request and returns the service's answer.
    public static func send(_ request: ControlRequest, to path: String) throws -> ControlResponse {
        let socket = try LineSocket.connect(to: path)
        guard socket.write(try ControlCoding.encode(request)) else {
            throw BridgeError.controlSocket("the service at \(path) closed the connection")
        }
        guard let line = socket.readLine() else {
            throw BridgeError.controlSocket("the service at \(path) did not answer")
        }
        return try ControlCoding.decode(ControlResponse.self, from: line)
    }

    /// Follows the service's log, calling `line` for each until the service stops.
    public static func followLog(at path: String, line: (Data) -> Void) throws {
        let socket = try LineSocket.connect(to: path)
        guard socket.write(try ControlCoding.encode(ControlRequest.followLog)) else {
            throw BridgeError.controlSocket("the service at \(path) closed the connection")
        }
        while let next = socket.readLine() { line(next) }
    }
}
