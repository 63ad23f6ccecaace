import ArgumentParser
import Wiegand

/// A reader decoding edges and printing its events (and, for sniff, pulse statistics after each frame).
struct WiegandSession {
    let printer: ReaderEventPrinter
    private var reader: WiegandReader
    private var pulses = PulseStatistics()
    private let showsPulses: Bool

    init(configuration: ReaderConfiguration, output: OutputOptions, showsPulses: Bool) throws {
        do {
            reader = try WiegandReader(configuration: configuration)
        } catch {
            throw ValidationError(error.description)
        }
        printer = ReaderEventPrinter(output: output)
        self.showsPulses = showsPulses
    }

    var nextDeadline: UInt64? { reader.nextDeadline }

    mutating func handle(_ edge: EdgeEvent) {
        var events: [ReaderEvent] = []
        reader.handle(edge) { events.append($0) }
        // An edge after the silence first ends the previous frame: its statistics must not include this edge.
        report(events)
        pulses.record(edge)
    }

    mutating func advance(to now: UInt64) {
        var events: [ReaderEvent] = []
        reader.advance(to: now) { events.append($0) }
        report(events)
    }

    mutating func finish() {
        var events: [ReaderEvent] = []
        reader.finish { events.append($0) }
        report(events)
    }

    private mutating func report(_ events: [ReaderEvent]) {
        for event in events { printer.print(event) }
        // Statistics cover the pulses up to the event that ended or voided a frame.
        if showsPulses, !events.isEmpty, pulses.widths.count > 0 {
            printer.print(EventLine(pulses: pulses))
            pulses.reset()
        }
    }
}
