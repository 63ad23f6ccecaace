import OSDP
import Serial

/// Finds the PDs on a line: every address 0–126 at each baud rate, by asking each for its ID in plaintext.
public enum OSDPBusScan {
    /// A PD that answered.
    public struct Finding: Sendable, Equatable {
        public var address: UInt8
        public var baudRate: BaudRate
        public var identification: PDIdentification
    }

    /// Addresses probed by one bus at a time (a bus holds at most 126 PDs).
    static let batchSize = 64

    /// Bus timings for a scan: an address that lets one ID go unanswered is absent (no retries, no re-probe while
    /// the other addresses wait); the PD still has the full reply timeout to answer.
    static var timings: BusOptions {
        var options = BusOptions()
        options.offlineAfter = 1
        options.offlineBackoff = 600_000_000_000
        options.offlineBackoffMaximum = 600_000_000_000
        return options
    }

    /// Probes every address at each of `rates` on `device`. `progress(done, total)` counts addresses settled
    /// (answered, or silent for one reply timeout); `found` gets each batch's PDs as soon as the batch is done.
    /// Returns every PD found. Throws if the device cannot be opened or goes away.
    @discardableResult
    public static func scan(
        device: String, rates: [BaudRate], progress: (Int, Int) -> Void = { _, _ in }, found: ([Finding]) -> Void = { _ in }
    ) async throws(OSDPLinkError) -> [Finding] {
        let addresses = Array(UInt8(0)...Frame.highestPDAddress)
        let total = addresses.count * rates.count
        var all: [Finding] = []
        var probed = 0
        for rate in rates {
            for start in stride(from: 0, to: addresses.count, by: batchSize) {
                let batch = Array(addresses[start..<min(start + batchSize, addresses.count)])
                let link = try OSDPLink(configuration: OSDPLinkConfiguration(
                    devicePath: device, port: SerialPortOptions(baudRate: rate),
                    pds: batch.map { PDConfiguration(address: $0, security: .off) }, bus: timings))
                defer { link.stop() }
                let findings = try await probe(link, batch: batch, baudRate: rate) { progress(probed + $0, total) }
                probed += batch.count
                found(findings)
                all += findings
            }
        }
        return all
    }

    /// Waits until every address of the batch either answered ID or let a probe time out.
    private static func probe(
        _ link: OSDPLink, batch: [UInt8], baudRate: BaudRate, progress: (Int) -> Void
    ) async throws(OSDPLinkError) -> [Finding] {
        let inbox = OSDPEventInbox(link)
        let clock = ContinuousClock()
        // Each silent address costs one reply timeout plus its wire time; allow twice that.
        let deadline = clock.now + .seconds(Double(batch.count) * 0.5 + 5)
        while clock.now < deadline {
            if case .deviceLost(let error) = await inbox.next(within: .milliseconds(50)) { throw .port(error) }
            let settled = await link.statuses().filter { $0.identification != nil || $0.counters.timeouts > 0 }
            progress(settled.count)
            if settled.count == batch.count { break }
        }
        return await link.statuses().compactMap { status in
            status.identification.map { Finding(address: status.address, baudRate: baudRate, identification: $0) }
        }
    }
}
