import Access
import Foundation
import Logging
import ServiceLifecycle

/// How `keyway serve` was asked to run.
public struct ServeOptions: Sendable {
    /// The site configuration file; nil for the demo.
    public var configurationPath: String?
    public var logFormat: LogFormat
    public var logLevel: Logger.Level
    /// Create the database even though its secrets show one existed (it was lost; start afresh knowingly).
    public var createDatabase: Bool

    public init(configurationPath: String?, logFormat: LogFormat = .human, logLevel: Logger.Level = .info, createDatabase: Bool = false) {
        self.configurationPath = configurationPath
        self.logFormat = logFormat
        self.logLevel = logLevel
        self.createDatabase = createDatabase
    }
}

/// The running site, for the services layered on the bridge (the HTTP API).
public struct RunningSite: Sendable {
    public let configuration: SiteConfiguration
    public let access: AccessControl
    public let supervisor: SiteSupervisor
    /// `keyway serve --demo`: the demo's logins are announced (`DemoSite.loginGuide`).
    public let demo: Bool
}

/// Runs the bridge until SIGTERM or SIGINT: configuration, access core, doors and drivers, the control
/// socket, the metrics endpoint, sd_notify, the webhook dispatcher, and the `services` layered on it (they stop with it). On the way
/// out: in-flight decisions finish (the site actor drains), every door is locked, the drivers stop, the log is flushed.
public func runBridgeService(_ options: ServeOptions, services layered: (RunningSite) async throws -> [any Service] = { _ in [] }) async throws {
    let feed = bootstrapLogging(options)
    let registry = bootstrapMetrics()
    let logger = Logger(label: "keyway")

    let demo = options.configurationPath == nil
    var simulatedReaders: [String: SimulatedOSDPReader] = [:]
    var outbox: DemoOutbox?
    let source: SiteSupervisor.ConfigurationSource
    if let path = options.configurationPath {
        source = .file(path)
    } else {
        let prepared = try DemoService.prepare(logger: logger)
        simulatedReaders = prepared.readers
        outbox = prepared.outbox
        source = prepared.source
    }
    defer {
        simulatedReaders.values.forEach { $0.stop() }
        outbox?.stop()
    }

    let configuration: SiteConfiguration
    do {
        configuration = try source.load()
    } catch {
        throw BridgeError.startup("configuration refused:\n\(error)")
    }
    let seedDemo = demo && !FileManager.default.fileExists(atPath: configuration.database.path)
    let access: AccessControl
    do {
        try FileManager.default.createDirectory(at: configuration.database.deletingLastPathComponent(), withIntermediateDirectories: true)
        access = try AccessControl.open(
            database: configuration.database, secrets: configuration.secrets, timeZone: configuration.site.timeZone,
            logger: Logger(label: "keyway.access"), clockPolicy: configuration.site.clockPolicy,
            recreating: options.createDatabase || demo, durability: configuration.durability)
    } catch {
        throw BridgeError.startup("cannot open the database \(configuration.database.path): \(error)")
    }
    if seedDemo { try DemoService.seed(access, doors: configuration.doors, logger: logger) }

    let supervisor = SiteSupervisor(
        configuration: configuration, source: source, access: access, logger: logger, simulatedReaders: simulatedReaders)
    let control = try ControlServer(path: configuration.api.socket, mode: configuration.api.mode, logFeed: feed) { request, peer in
        await supervisor.handle(request, from: peer)
    }

    var services: [any Service] = [BridgeService(supervisor: supervisor, control: control, logger: logger)]
    if let address = configuration.metrics {
        services.append(MetricsEndpoint(address: address, registry: registry, supervisor: supervisor, logger: logger))
    }
    // The webhook outbox is delivered by the service itself (it is also `keyway webhooks deliver` alone).
    services.append(WebhookDispatcher(store: access.store, delivery: configuration.delivery))
    if demo { DemoService.logGuide(configuration, logger: logger) }
    services += try await layered(RunningSite(configuration: configuration, access: access, supervisor: supervisor, demo: demo))
    let group = ServiceGroup(configuration: .init(
        services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
}

