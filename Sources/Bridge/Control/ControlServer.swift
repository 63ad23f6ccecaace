import Foundation
import Synchronization
import Timebase

/// Answers the CLI on the control socket. Sockets block, so they live on their own threads and
/// never hold one of the few cooperative threads; each request is handed to the service's async world.
/// What a client can take is bounded: a request's size, the connections at once, and the time a
/// connection may sit without sending a whole request.
public final class ControlServer: Sendable {
    /// Answers a request from `peer`, the process that sent it (the acting user of a door command).
    public typealias Handler = @Sendable (ControlRequest, ControlPeer?) async -> ControlResponse

    /// The bounds a client is held to.
    public enum Limits {
        /// One request line, in bytes (a request is a few hundred).
        public static let requestSize = 64 * 1024
        /// Connections served at once; more are told so and closed.
        public static let connections = 16
        /// How long a connection may take to send a whole request.
        public static let idleTimeout: Duration = .seconds(10)
    }

    private let listener: ListeningSocket
    private let handler: Handler
    private let logFeed: LogFeed
    private let stopped = Atomic<Bool>(false)
    private let connections = Atomic<Int>(0)

    public init(path: String, mode: Int, logFeed: LogFeed, handler: @escaping Handler) throws(BridgeError) {
        listener = try ListeningSocket(path: path, mode: mode)
        self.handler = handler
        self.logFeed = logFeed
    }

    public func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                guard let client = listener.accept(timeout: .milliseconds(200)) else { continue }
                guard connections.add(1, ordering: .relaxed).newValue <= Limits.connections else {
                    connections.subtract(1, ordering: .relaxed)
                    refuse(LineSocket(fd: client), "too many connections to the control socket (at most \(Limits.connections) at once), try again")
                    continue
                }
                let worker = Thread { [self] in
                    serve(LineSocket(fd: client))
                    connections.subtract(1, ordering: .relaxed)
                }
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
        let peer = connection.peer
        while !stopped.load(ordering: .acquiring) {
            let line: Data
            switch connection.readLine(limit: Limits.requestSize, deadline: MonotonicClock.now().advanced(by: Limits.idleTimeout)) {
            case .line(let read): line = read
            case .end: return
            case .tooLong: return refuse(connection, "request longer than \(Limits.requestSize) bytes")
            case .timedOut: return refuse(connection, "no whole request within \(Limits.idleTimeout.text)")
            }
            guard let request = try? ControlCoding.decode(ControlRequest.self, from: line) else {
                return refuse(connection, "not a control request")
            }
            if request == .followLog {
                follow(on: connection)
                return
            }
            let response = waitFor { [handler] in await handler(request, peer) }
            guard let data = try? ControlCoding.encode(response), connection.write(data) else { return }
        }
    }

    /// Answers with a failure; the caller then closes the connection.
    private func refuse(_ connection: LineSocket, _ message: String) {
        connection.write((try? ControlCoding.encode(ControlResponse.failure(message))) ?? Data())
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
    /// The longest answer the CLI reads (a status of a large site is a few hundred kilobytes).
    static let answerSize = 16 << 20
    /// How long the CLI waits for an answer (a reload stops and starts drivers).
    static let answerTimeout: Duration = .seconds(60)

    /// Sends one request and returns the service's answer.
    public static func send(_ request: ControlRequest, to path: String) throws -> ControlResponse {
        let socket = try LineSocket.connect(to: path)
        guard socket.write(try ControlCoding.encode(request)) else {
            throw BridgeError.controlSocket("the service at \(path) closed the connection")
        }
        guard case .line(let line) = socket.readLine(limit: answerSize, deadline: MonotonicClock.now().advanced(by: answerTimeout)) else {
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
        while case .line(let next) = socket.readLine(limit: answerSize) { line(next) }
    }
}
