import Access
import Foundation
import Logging

/// What `keyway serve --demo` does beside serving: it makes the demo's folder and key, starts the
/// simulated OSDP reader and the outbox from this checkout, seeds a new database, and says what to try.
enum DemoService {
    /// The demo's configuration, pointing at its simulated OSDP reader and its outbox, that reader by PD name, and the outbox.
    static func prepare(logger: Logger) throws -> (source: SiteSupervisor.ConfigurationSource, readers: [String: SimulatedOSDPReader],
                                                    outbox: DemoOutbox) {
        try FileManager.default.createDirectory(atPath: DemoSite.directory, withIntermediateDirectories: true)
        let environment = ProcessInfo.processInfo.environment
        let repository = repository()
        let python = environment["KEYWAY_PYTHON"].map { URL(fileURLWithPath: $0) } ?? repository.appendingPathComponent(".venv/bin/python")
        let keyFile = try DemoSite.ensureKeyFile()
        let outbox = try DemoOutbox(python: python, repository: repository)
        var prepared = false
        defer { if !prepared { outbox.stop() } }
        let demoEnvironment = environment.merging([
            "KEYWAY_DEMO_KEY_FILE": keyFile.path, "KEYWAY_DEMO_SMTP_PORT": String(outbox.smtpPort), "KEYWAY_DEMO_SMS_PORT": String(outbox.smsPort),
        ]) { $1 }
        // Parse once without the bus to learn the PD to simulate; the device comes from the simulator.
        let draft = try SiteSupervisor.ConfigurationSource.text(
            DemoSite.configuration, name: "demo.yaml", environment: demoEnvironment.merging(["KEYWAY_DEMO_BUS": "/dev/null"]) { $1 }).load()
        var readers: [String: SimulatedOSDPReader] = [:]
        var busDevice = "/dev/null"
        if let bus = draft.buses.first, let pd = bus.pds.first {
            let reader = try SimulatedOSDPReader(
                python: python, script: repository.appendingPathComponent(peerScript), address: pd.address,
                outputs: pd.outputs, baud: bus.baud, keyFile: pd.key == nil ? nil : keyFile, logger: Logger(label: "keyway.simulated-pd"))
            readers[pd.name] = reader
            busDevice = reader.device
        }
        let source = SiteSupervisor.ConfigurationSource.text(
            DemoSite.configuration, name: "demo.yaml", environment: demoEnvironment.merging(["KEYWAY_DEMO_BUS": busDevice]) { $1 })
        prepared = true
        return (source, readers, outbox)
    }

    /// People, cards, PINs and keys for a new demo database.
    static func seed(_ access: AccessControl, doors: [DoorConfiguration], logger: Logger) throws(BridgeError) {
        do {
            try DemoSite.seed(access.store, doors: doors.map(\.name))
            logger.info("demo database seeded")
        } catch {
            throw .startup("cannot seed the demo database: \(error)")
        }
    }

    /// What to try, as `keyway` can be typed from the current folder.
    static func logGuide(_ configuration: SiteConfiguration, logger: Logger) {
        guard let osdp = configuration.buses.first?.pds.first?.name, let wiegand = configuration.wiegandReaders.first?.name else { return }
        for line in DemoSite.guide(keyway: DemoSite.commandAsTyped, reader: osdp, wiegandReader: wiegand, socket: configuration.api.socket) {
            logger.info("\(line)")
        }
    }

    /// The simulated reader's program, in the checkout.
    private static let peerScript = "Demo/osdp_pd.py"

    /// The checkout the simulated reader comes from: the current folder when it is one (scripts/run.sh),
    /// else the one this `keyway` was built in (it lives under `.build/`).
    private static func repository() -> URL {
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if FileManager.default.fileExists(atPath: current.appendingPathComponent(peerScript).path) { return current }
        var folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(peerScript).path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        return current
    }
}
