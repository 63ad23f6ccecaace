import ArgumentParser
import Bridge
import Foundation

/// Where the running service listens.
struct ServiceSocketOptions: ParsableArguments {
    @Option(name: .long, help: "The control socket (default: the --config file's api.socket, else $KEYWAY_SOCKET, else /run/keyway/control.sock).")
    var socket: String?

    @Option(name: .long, help: "The site configuration file whose control socket to use.")
    var config: String?

    func path() throws -> String {
        if let socket { return socket }
        if let config {
            do {
                return try loadSiteConfiguration(path: config).api.socket
            } catch {
                throw UsageError("\(config) has errors:\n\(error)")
            }
        }
        // Never a socket found in the current folder: whoever can write there could answer for the service.
        if let socket = ProcessInfo.processInfo.environment["KEYWAY_SOCKET"], !socket.isEmpty { return socket }
        return ControlSocketConfiguration.defaultSocket
    }

    /// Sends a request and fails (exit 1) with the service's message when it refuses.
    func send(_ request: ControlRequest) throws -> ControlResponse {
        let socket = try path()
        let response: ControlResponse
        do {
            response = try ControlClient.send(request, to: socket)
        } catch {
            throw ServiceFailure("keyway: is the service running? \(error)")
        }
        guard response.ok else { throw ServiceFailure(response.error ?? "the service refused") }
        return response
    }
}
