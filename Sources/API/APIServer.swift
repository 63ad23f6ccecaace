import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The API served on `http.listen` inside `keyway serve`'s service group: it stops with the service (open
/// streams end first). A port that cannot be bound is a fault, not the end of the service.
public struct APIServer: Service {
    let api: KeywayAPI
    let host: String
    let port: Int
    let logger: Logger
    /// Called with the bound port once the server listens (port 0 picks one).
    let onListening: @Sendable (Int) async -> Void
    let onFailure: @Sendable (any Error) async -> Void
    /// Adds the web pages (Sources/Web) beside the API's routes, on the same listener and session.
    let pages: @Sendable (KeywayAPI, Router<APIContext>) -> Void

    public init(api: KeywayAPI, host: String, port: Int, logger: Logger = Logger(label: "keyway.api"),
                pages: @escaping @Sendable (KeywayAPI, Router<APIContext>) -> Void = { _, _ in },
                onListening: @escaping @Sendable (Int) async -> Void = { _ in },
                onFailure: @escaping @Sendable (any Error) async -> Void = { _ in }) {
        self.api = api
        self.pages = pages
        self.host = host
        self.port = port
        self.logger = logger
        self.onListening = onListening
        self.onFailure = onFailure
    }

    public func run() async throws {
        let router = api.router()
        pages(api, router)
        let application = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "keyway"),
            onServerRunning: { [logger, onListening] channel in
                let bound = channel.localAddress?.port ?? 0
                logger.info("api listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
                await onListening(bound)
            },
            logger: logger)
        await withGracefulShutdownHandler {
            do {
                try await application.run()
            } catch {
                logger.error("api cannot serve", metadata: ["error": "\(error)"])
                await onFailure(error)
                // Returning would end the whole service group: the doors go on without the API until shutdown.
                try? await gracefulShutdown()
            }
        } onGracefulShutdown: { [api] in
            api.stop()
        }
    }
}
