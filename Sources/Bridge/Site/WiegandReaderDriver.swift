import Access
import Foundation
import GPIO
import Logging
import Synchronization
import Timebase
import Wiegand

/// One Wiegand reader at run time: edges from its gpiochip lines, or from the simulator, go through
/// the real decoder (formats, keypad, PIN assembly) and its events reach the site in order.
public final class WiegandReaderDriver: Sendable {
    public let configuration: WiegandReaderConfiguration
    private let decoder: Mutex<WiegandReader>
    private let site: SiteRuntime
    private let logger: Logger
    private let events: AsyncStream<ReaderEvent>.Continuation
    private let eventStream: AsyncStream<ReaderEvent>
    private let stopped = Atomic<Bool>(false)
    /// Simulated frames are stamped after everything fed before, so they never arrive out of order.
    private let simulatedClock = Mutex<UInt64>(0)

    public init(configuration: WiegandReaderConfiguration, site: SiteRuntime, logger: Logger) throws(WiegandConfigurationError) {
        self.configuration = configuration
        decoder = Mutex(try WiegandReader(configuration: ReaderConfiguration(
            swapsLines: configuration.swap, reversesBytes: configuration.reverse, formats: configuration.formats,
            keypad: configuration.keypad)))
        self.site = site
        self.logger = logger
        (eventStream, events) = AsyncStream.makeStream()
    }

    /// Forwards the decoder's events to the site until `stop()`.
    public func run() async {
        await site.readerEvent(.online, from: configuration.name)
        for await event in eventStream { await site.readerEvent(event, from: configuration.name) }
        await site.readersStopped([configuration.name])
    }

    public func stop() {
        stopped.store(true, ordering: .releasing)
        events.finish()
    }

    /// Reads the reader's GPIO lines on a thread of its own until `stop()`; a chip that cannot be
    /// opened is a fault, retried every few seconds.
    public func startReadingGPIO() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                do {
                    let source = try GPIODEdgeSource(chip: configuration.chip, d0: UInt32(configuration.d0), d1: UInt32(configuration.d1))
                    Task { await site.clearFault(faultSource) }
                    while !stopped.load(ordering: .acquiring) {
                        let deadline = decoder.withLock { $0.nextDeadline } ?? MonotonicClock.now() + 500_000_000
                        switch try source.next(until: deadline) {
                        case .edge(let edge): feed([edge], settleAt: nil)
                        case .idle(let now): advance(to: now)
                        case .end: return
                        }
                    }
                } catch {
                    let problem = "\(error)"
                    Task { await site.reportFault(faultSource, problem) }
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
        var decoded: [Wiegand.ReaderEvent] = []
        decoder.withLock { reader in
            for edge in edges { reader.handle(edge) { decoded.append($0) } }
            if let settleAt { reader.advance(to: settleAt) { decoded.append($0) } }
        }
        decoded.forEach(forward)
    }

    private func advance(to now: UInt64) {
        var decoded: [Wiegand.ReaderEvent] = []
        decoder.withLock { $0.advance(to: now) { decoded.append($0) } }
        decoded.forEach(forward)
    }

    private func forward(_ event: Wiegand.ReaderEvent) {
        if case .fault = event {} else {
            // Anything on the wires means the reader is there again after a fault (the site ignores repeats).
            events.yield(.online)
        }
        switch event {
        case .card(_, .card(let read), _):
            events.yield(.card(.fields(format: read.format.name, facility: read.fields.facility.map { UInt32(truncatingIfNeeded: $0) }, number: read.fields.card)))
        case .card(let frame, _, _):
            events.yield(.card(.raw(bits: (0..<frame.bitCount).map(frame.bit(at:)))))
        case .pin(let passcode, _):
            events.yield(.pin(passcode.digits))
        case .noise(let reason, _):
            events.yield(.noise(reason.rawValue))
        case .fault(let reason, _):
            // Both lines held low: a cut cable or an unplugged reader.
            logger.warning("reader fault", metadata: ["reader": "\(configuration.name)", "fault": "\(reason.rawValue)"])
            events.yield(.offline)
        case .pinError(let error, _):
            logger.info("PIN entry dropped", metadata: ["reader": "\(configuration.name)", "reason": "\(error.rawValue)"])
        case .key, .partial:
            break
        }
    }

    // MARK: Simulation

    /// A card swiped at this reader, as edges on the wire (`keyway sim card`).
    func simulate(card fields: CardFields, format: CardFormat) throws(SimulationError) {
        let frame: WiegandFrame
        do {
            frame = try format.encode(fields, reversingBytes: configuration.reverse)
        } catch {
            throw SimulationError(description: "cannot encode that card as \(format.name): \(error)")
        }
        transmit([frame])
    }

    /// Keys pressed on this reader's keypad, one frame each (`keyway sim keys`).
    func simulate(keys: String) throws(SimulationError) {
        let width: Int
        switch configuration.keypad {
        case .fourBit: width = 4
        case .eightBit: width = 8
        default: throw SimulationError(description: "\(configuration.name)'s keypad sends whole PINs; simulate 4bit or 8bit keypads")
        }
        var frames: [WiegandFrame] = []
        for key in keys {
            guard let code = Self.keyCodes[key] else { throw SimulationError(description: "\"\(key)\" is not a keypad key (0-9, *, #)") }
            let value = width == 8 ? UInt64(~code & 0xF) << 4 | UInt64(code) : UInt64(code)
            frames.append(WiegandFrame(value: value, bitCount: width)!)
        }
        transmit(frames)
    }

    /// Standard keypad codes: digits are themselves, `*` is 10, `#` is 11.
    private static let keyCodes: [Character: UInt8] = Dictionary(
        uniqueKeysWithValues: (0...9).map { (Character(String($0)), UInt8($0)) } + [("*", 10), ("#", 11)])

    /// Frames as a reader sends them: 50 µs low pulses 1 ms apart, 50 ms of silence between frames.
    private func transmit(_ frames: [WiegandFrame]) {
        var time = simulatedClock.withLock { max($0, MonotonicClock.now()) }
        defer { simulatedClock.withLock { $0 = time } }
        for frame in frames {
            var edges: [EdgeEvent] = []
            for position in 0..<frame.bitCount {
                var line: WiegandLine = frame.bit(at: position) ? .d1 : .d0
                if configuration.swap { line = line.other }
                edges.append(EdgeEvent(line: line, edge: .falling, tNs: time))
                edges.append(EdgeEvent(line: line, edge: .rising, tNs: time + 50_000))
                time += 1_000_000
            }
            time += 50_000_000
            feed(edges, settleAt: time)
        }
    }
}

/// Why a simulated presentation could not be made.
public struct SimulationError: Error, CustomStringConvertible {
    public let description: String
}
