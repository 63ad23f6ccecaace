import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

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
            supervisor.runtime.faults.report("metrics", "cannot serve on \(address): \(error)")
            try? await gracefulShutdown()
        }
    }
}
