import Foundation
import GPIO
import Logging
import Synchronization
import Timebase
import Wiegand

/// One Wiegand reader at run time: edges from its gpiochip lines, or from the simulator, go through
/// the real decoder (formats, keypad, PIN assembly) and its reports reach the site in order.
public final class WiegandReaderDriver: Sendable {
    public let configuration: WiegandReaderConfiguration
    private let decoder: Mutex<WiegandReader>
    private let sink: any ReaderReportSink
    private let faults: FaultBoard
    private let logger: Logger
    private let reports: AsyncStream<ReaderReport>.Continuation
    private let reportStream: AsyncStream<ReaderReport>
    private let stopped = Atomic<Bool>(false)
    /// Simulated frames are stamped after everything fed before, so they never arrive out of order.
    private let simulatedClock = Mutex<UInt64>(0)

    public init(
        configuration: WiegandReaderConfiguration, sink: any ReaderReportSink, faults: FaultBoard, logger: Logger
    ) throws(WiegandConfigurationError) {
        self.configuration = configuration
        decoder = Mutex(try WiegandReader(configuration: ReaderConfiguration(
            swapsLines: configuration.swap, reversesBytes: configuration.reverse, formats: configuration.formats,
            keypad: configuration.keypad)))
        self.sink = sink
        self.faults = faults
        self.logger = logger
        (reportStream, reports) = AsyncStream.makeStream()
    }

    /// Forwards the decoder's reports to the site until `stop()`.
    public func run() async {
        await sink.report(.online, from: configuration.name)
        for await report in reportStream { await sink.report(report, from: configuration.name) }
        await sink.readersStopped([configuration.name])
    }

    public func stop() {
        stopped.store(true, ordering: .releasing)
        reports.finish()
    }

    /// Reads the reader's GPIO lines on a thread of its own until `stop()`; a chip that cannot be
    /// opened is a fault, retried every few seconds.
    public func startReadingGPIO() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                do {
                    var source = try GPIODEdgeSource(chip: configuration.chip, d0: UInt32(configuration.d0), d1: UInt32(configuration.d1))
                    faults.clear(faultSource)
                    // Half a second at most between looks at `stopped`.
                    try source.deliver(
                        until: { stopped.load(ordering: .acquiring) },
                        deadline: { decoder.withLock { $0.nextDeadline } ?? MonotonicClock.now() + 500_000_000 },
                        edge: { feed([$0], settleAt: nil) }, idle: advance)
                    return
                } catch {
                    faults.report(faultSource, "\(error)")
                    Thread.sleep(forTimeInterval: 5)
                }
            }
        }
        thread.name = "wiegand \(configuration.name)"
        thread.start()
    }

    private var faultSource: String { "wiegand \(configuration.name)" }

    /// Feeds edges; with `settleAt`, also lets the decoder see the silence that ends the last frame.
    func feed(_ edges: [EdgeEvent], settleAt: UInt64?) {
        var decoded: [ReaderEvent] = []
        decoder.withLock { reader in
            for edge in edges { reader.handle(edge) { decoded.append($0) } }
            if let settleAt { reader.advance(to: settleAt) { decoded.append($0) } }
        }
        decoded.forEach(forward)
    }

    private func advance(to now: UInt64) {
        var decoded: [ReaderEvent] = []
        decoder.withLock { $0.advance(to: now) { decoded.append($0) } }
        decoded.forEach(forward)
    }

    private func forward(_ event: ReaderEvent) {
        if case .fault = event {} else {
            // Anything on the wires means the reader is there again after a fault (the site ignores repeats).
            reports.yield(.online)
        }
        switch event {
        case .card(let frame, let decoded, _):
            reports.yield(ReaderTranslation.report(frame, decoded: decoded))
        case .pin(let passcode, _):
            reports.yield(ReaderTranslation.report(passcode))
        case .noise(let reason, _):
            reports.yield(.noise(reason.rawValue))
        case .fault(let reason, _):
            // Both lines held low: a cut cable or an unplugged reader.
            logger.warning("reader fault", metadata: ["reader": "\(configuration.name)", "fault": "\(reason.rawValue)"])
            reports.yield(.offline)
        case .pinError(let error, _):
            logger.info("PIN entry dropped", metadata: ["reader": "\(configuration.name)", "reason": "\(error.rawValue)"])
        case .key, .partial:
            break
        }
    }

    // MARK: Simulation

    /// A card swiped at this reader, as edges on the wire (`keyway sim card`).
    func simulate(card fields: CardFields, format: CardFormat) throws(BridgeError) {
        transmit([try Simulator.encode(fields, as: format, reversingBytes: configuration.reverse)])
    }

    /// Keys pressed on this reader's keypad, one frame each (`keyway sim keys`).
    func simulate(keys: String) throws(BridgeError) {
        guard configuration.keypad == .fourBit || configuration.keypad == .eightBit else {
            throw .simulation("\(configuration.name)'s keypad sends whole PINs; simulate 4bit or 8bit keypads")
        }
        var frames: [WiegandFrame] = []
        for character in keys {
            guard let key = KeypadKey(character), let frame = WiegandFrame(key: key, mode: configuration.keypad) else {
                throw .simulation("\"\(character)\" is not a keypad key (0-9, *, #)")
            }
            frames.append(frame)
        }
        transmit(frames)
    }

    /// Frames as a reader sends them (`PulseTrain`'s 50 µs pulses 1 ms apart), with 50 ms of silence after each,
    /// each decoded as soon as its silence has passed.
    private func transmit(_ frames: [WiegandFrame]) {
        let start = simulatedClock.withLock { max($0, MonotonicClock.now()) }
        var train = PulseTrain(startingAt: start, timing: PulseTiming(frameGap: 50_000_000), swapsLines: configuration.swap)
        for frame in frames {
            train.send(frame)
            feed(train.takeEdges(), settleAt: train.now)
        }
        simulatedClock.withLock { $0 = train.now }
    }
}
