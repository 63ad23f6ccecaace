import Logging
import ServiceLifecycle
import UnixSignals

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
        let unconfirmed = await withDiscardingTaskGroup { group in
            group.addTask { await repeatUntilShutdown(every: .milliseconds(100)) { await supervisor.runtime.tick() } }
            group.addTask { await repeatUntilShutdown(every: .seconds(1)) { await supervisor.runtime.followModes() } }
            // Its own task: a database stalled in `followModes` must not hide a database file deleted meanwhile.
            group.addTask { await repeatUntilShutdown(every: .seconds(1)) { await supervisor.runtime.checkDatabaseFile() } }
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
            let unconfirmed = await supervisor.stop()
            group.cancelAll()
            return unconfirmed
        }
        if unconfirmed.isEmpty {
            logger.info("keyway stopped", metadata: ["doors": "all confirmed locked"])
        } else {
            logger.critical("keyway stopped", metadata: ["doors not confirmed locked": "\(unconfirmed.joined(separator: ", "))"])
        }
    }
}

/// Runs `work` at a fixed interval until graceful shutdown.
private func repeatUntilShutdown(every interval: Duration, _ work: @Sendable () async -> Void) async {
    while !Task.isCancelled, !Task.isShuttingDownGracefully {
        await work()
        try? await Task.sleep(for: interval)
    }
}

