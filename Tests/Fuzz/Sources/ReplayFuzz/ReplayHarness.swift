import Foundation
import FuzzSupport
import GPIO
import Wiegand

// The replay timeline (`keyway wiegand replay FILE`): JSON lines read through ReplayEdgeSource from a
// pipe, as the command reads its file, then each edge through a Wiegand reader.
//
// Invariants:
// - every non-blank line gives exactly one edge or one error, errors carry their own 1-based line
//   number, and an error message is one of the fixed texts (it never repeats the input);
// - an edge parsed from a line parses again, identically, from its canonical line.

private let errorMessages: Set<String> = [
    "not a JSON object", "missing \"t_ns\"", "missing \"line\"", "missing \"edge\"",
    "\"t_ns\" must be a non-negative integer (nanoseconds)", "\"line\" must be \"D0\" or \"D1\"",
    "\"edge\" must be \"falling\" or \"rising\"", "not a timeline record",
]

private func canonicalLine(_ edge: EdgeEvent) -> Data {
    Data(#"{"t_ns":\#(edge.tNs),"line":"\#(edge.line == .d0 ? "D0" : "D1")","edge":"\#(edge.edge == .falling ? "falling" : "rising")"}"#.utf8)
}

/// The input through a pipe (inputs stay far below the pipe's 64 KiB buffer, so one write never blocks).
private func pipeReading(_ bytes: UnsafeBufferPointer<UInt8>) -> FileHandle {
    let pipe = Pipe()
    pipe.fileHandleForWriting.write(Data(bytes))
    try? pipe.fileHandleForWriting.close()
    return pipe.fileHandleForReading
}

/// One input: libFuzzer calls this through the `LLVMFuzzerTestOneInput` symbol in main.swift.
func fuzzReplay(_ bytes: UnsafeBufferPointer<UInt8>) {
    invariant(bytes.count < 60_000, "run the replay target with -max_len below the pipe buffer")
    let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    let expected = lines.enumerated().filter { _, line in
        !line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
    }.map { $0.offset + 1 }

    let handle = pipeReading(bytes)
    defer { try? handle.close() }
    var source = ReplayEdgeSource(reading: handle)
    var reader = try! WiegandReader()
    var clock: UInt64 = 0
    var outcomes: [Int] = []  // line number of each edge or error, in order
    while true {
        let reading: EdgeReading
        do {
            reading = try source.next(until: nil)
        } catch let error as TimelineLineError {
            invariant(errorMessages.contains(error.message), "unexpected error text: \(error.message)")
            invariant(error.line >= 1 && error.line <= lines.count, "error on line \(error.line) of \(lines.count)")
            invariant(outcomes.count < expected.count && error.line == expected[outcomes.count],
                         "error for line \(error.line), expected one for the next non-blank line")
            outcomes.append(error.line)
            continue
        } catch {
            fatalError("the source threw something other than a line error: \(error)")
        }
        guard case .edge(let edge) = reading else {
            invariant(reading == .end, "a recorded source must never report idle time")
            break
        }
        // Which line it came from: the next expected line not yet accounted for.
        invariant(outcomes.count < expected.count, "more edges and errors than non-blank lines")
        let lineNumber = expected[outcomes.count]
        outcomes.append(lineNumber)
        let again = try? ReplayEdgeSource.edge(fromJSON: canonicalLine(edge), lineNumber: lineNumber)
        invariant(again == edge, "edge \(edge) does not parse again from its canonical line")
        while let deadline = reader.nextDeadline, deadline < edge.tNs {
            invariant(deadline > clock, "the reader's deadline \(deadline) is not after the time it reached (\(clock))")
            clock = deadline
            reader.advance(to: clock) { _ in }
            invariant(reader.nextDeadline.map { $0 > clock } ?? true, "the reader's deadline did not move when time reached \(clock)")
        }
        clock = max(clock, edge.tNs)
        reader.handle(edge) { _ in }
    }
    reader.finish { _ in }
    invariant(outcomes == expected, "lines with an outcome \(outcomes) are not the non-blank lines \(expected)")
}
