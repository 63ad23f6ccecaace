import Access
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// How `keyway serve` was asked to run.
public struct ServeOptions: Sendable {
    /// The site configuration file; nil for the demo.
    public var configurationPath: String?
    public var logFormat: LogFormat
    public var logLevel: Logger.Level

    public init(configurationPath: String?, logFormat: LogFormat = .human, logLevel: Logger.Level = .info) {
        self.configurationPath = configurationPath
        self.logFormat = logFormat
        self.logLevel = logLevel
    }
}

/// Why the service could not start (bad configuration, database, socket); it exits with this message.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
}

/// Runs the bridge until SIGTERM or SIGINT: configuration, access core, doors and drivers, the control
/// socket, the metrics endpoint, sd_notify. On the way out: in-flight decisions finish (the site actor
/// drains), every door is locked, the drivers stop, the log is flushed.
public func runBridgeService(_ options: ServeOptions) async throws {
    let feed = LogFeed()
    LoggingSystem.bootstrap { label in
        var handler = ServiceLogHandler(label: label, format: options.logFormat, feed: feed)
        handler.logLevel = options.logLevel
        return handler
    }
    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.durationHistogramBuckets["keyway_decision_duration_seconds"] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
    ]
    MetricsSystem.bootstrap(factory)
    let logger = Logger(label: "keyway")

    let demo = options.configurationPath == nil
    var simulatedReaders: [String: SimulatedOSDPReader] = [:]
    let source: SiteSupervisor.ConfigurationSource
    if let path = options.configurationPath {
        source = .file(path)
    } else {
        let prepared = try prepareDemo(logger: logger)
        simulatedReaders = prepared.readers
        source = prepared.source
    }
    defer { simulatedReaders.values.forEach { $0.stop() } }

    let configuration: SiteConfiguration
    do {
        configuration = try source.load()
    } catch {
        throw StartupError(description: "configuration refused:\n\(error)")
    }
    let seedDemo = demo && !FileManager.default.fileExists(atPath: configuration.database.path)
    let access: AccessControl
    do {
        try FileManager.default.createDirectory(at: configuration.database.deletingLastPathComponent(), withIntermediateDirectories: true)
        access = try AccessControl.open(
            database: configuration.database, secrets: configuration.secrets, timeZone: configuration.site.timeZone,
            logger: Logger(label: "keyway.access"))
    } catch {
        throw StartupError(description: "cannot open the database \(configuration.database.path): \(error)")
    }
    if seedDemo {
        do {
            let token = try DemoSite.seed(access.store, doors: configuration.doors.map(\.name))
            logger.info("demo database seeded", metadata: ["digital_key_for_grace": "\(token)"])
        } catch {
            throw StartupError(description: "cannot seed the demo database: \(error)")
        }
    }

    let supervisor = SiteSupervisor(
        configuration: configuration, source: source, access: access, logger: logger, simulatedReaders: simulatedReaders)
    let control: ControlServer
    do {
        control = try ControlServer(path: configuration.api.socket, mode: configuration.api.mode, logFeed: feed) { request in
            await supervisor.handle(request)
        }
    } catch {
        throw StartupError(description: "\(error)")
    }

    var services: [any Service] = [BridgeService(supervisor: supervisor, control: control, logger: logger)]
    if let address = configuration.metrics {
        services.append(MetricsEndpoint(address: address, registry: registry, supervisor: supervisor, logger: logger))
    }
    let group = ServiceGroup(configuration: .init(
        services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    if demo, let osdp = configuration.buses.first?.pds.first?.name, let wiegand = configuration.wiegandReaders.first?.name {
        let keyway = DemoSite.invocation(argument0: CommandLine.arguments[0], currentDirectory: FileManager.default.currentDirectoryPath)
        for line in DemoSite.guide(keyway: keyway, reader: osdp, wiegandReader: wiegand) { logger.info("\(line)") }
    }
    try await group.run()
}

/// The demo's folder, its simulated OSDP reader, and its configuration pointing at it.
private func prepareDemo(logger: Logger) throws -> (source: SiteSupervisor.ConfigurationSource, readers: [String: SimulatedOSDPReader]) {
    try FileManager.default.createDirectory(atPath: DemoSite.directory, withIntermediateDirectories: true)
    let environment = ProcessInfo.processInfo.environment
    let repository = demoRepository()
    let python = environment["KEYWAY_PYTHON"].map { URL(fileURLWithPath: $0) } ?? repository.appendingPathComponent(".venv/bin/python")
    let keyFile = try DemoSite.ensureKeyFile()
    let demoEnvironment = environment.merging(["KEYWAY_DEMO_KEY_FILE": keyFile.path]) { $1 }
    // Parse once without the bus to learn the PD to simulate; the device comes from the simulator.
    let draft = try SiteSupervisor.ConfigurationSource.text(
        DemoSite.configuration, name: "demo.yaml", environment: demoEnvironment.merging(["KEYWAY_DEMO_BUS": "/dev/null"]) { $1 }).load()
    var readers: [String: SimulatedOSDPReader] = [:]
    var busDevice = "/dev/null"
    if let bus = draft.buses.first, let pd = bus.pds.first {
        let reader = try SimulatedOSDPReader(
            python: python, script: repository.appendingPathComponent("Demo/osdp_pd.py"), address: pd.address,
            outputs: pd.outputs, baud: bus.baud, keyFile: pd.key == nil ? nil : keyFile, logger: Logger(label: "keyway.simulated-pd"))
        readers[pd.name] = reader
        busDevice = reader.device
    }
    let source = SiteSupervisor.ConfigurationSource.text(
        DemoSite.configuration, name: "demo.yaml", environment: demoEnvironment.merging(["KEYWAY_DEMO_BUS": busDevice]) { $1 })
    return (source, readers)
}

/// The checkout the simulated reader comes from: the current folder when it is one (scripts/run.sh),
/// else the one this `keyway` was built in (it lives under `.build/`).
private func demoRepository() -> URL {
    let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let peer = "Demo/osdp_pd.py"
    if FileManager.default.fileExists(atPath: current.appendingPathComponent(peer).path) { return current }
    var folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    while folder.path != "/" {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent(peer).path) { return folder }
        folder = folder.deletingLastPathComponent()
    }
    return current
}

/// The bridge itself as a lifecycle service.
struct BridgeService: Service {
    let supervisor: SiteSupervisor
    let control: ControlServer
    let logger: Logger

    func run() async throws {
        let notifier = SystemdNotifier()
        await supervisor.start()
        control.start()
        notifier.notify(.ready)
        let site = await supervisor.configuration.site.name
        logger.info("keyway serving", metadata: ["site": "\(site)"])
        await withDiscardingTaskGroup { group in
            group.addTask { await repeatUntilShutdown(every: .milliseconds(100)) { await supervisor.runtime.tick() } }
            group.addTask { await repeatUntilShutdown(every: .seconds(1)) { await supervisor.runtime.followModes() } }
            if let interval = notifier.watchdogInterval {
                group.addTask { await repeatUntilShutdown(every: interval) { notifier.notify(.watchdog) } }
            }
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
                    notifier.notify(.reloading)
                    _ = await supervisor.reload()
                    notifier.notify(.ready)
                }
            }
            try? await gracefulShutdown()
            logger.info("shutting down: locking doors")
            notifier.notify(.stopping)
            control.stop()
            await supervisor.stop()
            group.cancelAll()
        }
        logger.info("keyway stopped")
    }
}

/// Runs `work` at a fixed interval until graceful shutdown.
private func repeatUntilShutdown(every interval: Duration, _ work: @Sendable () async -> Void) async {
    while !Task.isCancelled, !Task.isShuttingDownGracefully {
        await work()
        try? await Task.sleep(for: interval)
    }
}

/// `/metrics` for Prometheus. A port that cannot be bound is a fault, not the end of the service.
struct MetricsEndpoint: Service {
    let address: ListenAddress
    let registry: PrometheusCollectorRegistry
    let supervisor: SiteSupervisor
    let logger: Logger

    func run() async throws {
        let router = Router()
        router.get("metrics") { [registry] _, _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        let application = Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "keyway"),
            logger: Logger(label: "keyway.metrics"))
        do {
            try await application.run()
        } catch {
            await supervisor.runtime.reportFault("metrics", "cannot serve on \(address): \(error)")
            try? await gracefulShutdown()
        }
    }
}
