import ArgumentParser
import Bridge
import Dispatch
import Foundation
import OSDP
import OSDPLink
import Synchronization
import Wiegand

extension OSDPCommand {
    struct Monitor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stay online with the PDs and print their events (cards, keys, inputs, status) until interrupted.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126; repeat for several PDs on the bus.") var address: [PDAddress] = [0]
        @Option(help: "Write every frame to FILE, a new file (mode 0600: it holds decrypted data): .pcap (Wireshark, libosdp's link type) or osdpcap JSON lines otherwise.")
        var capture: String?
        @Option(name: .customLong("format"), help: "Card format to decode card reads with (repeatable; default: h10301, as the service's default).")
        var formats: [String] = []

        var cardFormats: [CardFormat] { formats.isEmpty ? ReaderTranslation.defaultFormats : formats.compactMap(CardFormat.named) }

        func validate() throws {
            guard Set(address).count == address.count else { throw ValidationError("each --address only once") }
            for name in formats where CardFormat.named(name) == nil {
                throw ValidationError("unknown card format \(name) (see keyway wiegand formats)")
            }
        }

        func run() async throws {
            var options = BusOptions()
            options.traceFrames = capture != nil
            let writer: OSDPCaptureWriter?
            do {
                writer = try capture.map { try OSDPCaptureWriter(path: $0) }
            } catch {
                throw OSDPFailure("cannot write the capture: \(error)")
            }
            let session = try OSDPSession(connection, addresses: address, bus: options)
            let interrupted = InterruptFlag()
            while !interrupted.isSet {
                guard let event = await session.nextEvent(within: .milliseconds(100)) else { continue }
                if case .bus(.frame(_, let trace)) = event {
                    try writer?.write(trace)
                } else if let line = MonitorEvent(event, formats: cardFormats) {
                    connection.output.print(line)
                }
            }
            session.link.stop()
            try writer?.close()
        }
    }
}

/// Set once SIGINT or SIGTERM arrives: `monitor` then stops cleanly and closes its capture.
final class InterruptFlag {
    private final class Flag: Sendable {
        let raised = Atomic<Bool>(false)
    }

    private let flag = Flag()
    private let sources: [any DispatchSourceSignal]

    init() {
        let flag = self.flag
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { flag.raised.store(true, ordering: .releasing) }
            source.resume()
            return source
        }
    }

    var isSet: Bool { flag.raised.load(ordering: .acquiring) }
}
