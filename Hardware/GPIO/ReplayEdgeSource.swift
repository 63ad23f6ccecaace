import Foundation
import Wiegand

/// A line of a recorded timeline that is not an edge. The source skips it: calling `next` again goes on.
public struct TimelineLineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number in the input.
    public let line: Int
    public let message: String

    public var description: String { "line \(line): \(message)" }
}

/// Edges from a recorded timeline, one JSON object per line: `{"t_ns":123456789,"line":"D0","edge":"falling"}`
/// (the format of `keyway wiegand replay`). Blank lines are skipped; the end of the input ends the source.
public struct ReplayEdgeSource: EdgeSource {
    private let input: FileHandle
    private var buffer = Data()
    private var endOfInput = false
    private var lineNumber = 0

    public init(reading input: FileHandle) {
        self.input = input
    }

    /// Reads the next edge; a malformed line throws `TimelineLineError` and the following call continues after it.
    public mutating func next(until deadline: UInt64?) throws -> EdgeReading {
        while let line = try nextLine() {
            lineNumber += 1
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") })
            else { continue }
            return .edge(try Self.edge(fromJSON: line, lineNumber: lineNumber))
        }
        return .end
    }

    /// Parses one timeline line.
    public static func edge(fromJSON line: Data, lineNumber: Int) throws(TimelineLineError) -> EdgeEvent {
        func fail(_ message: String) -> TimelineLineError { TimelineLineError(line: lineNumber, message: message) }
        guard (try? JSONSerialization.jsonObject(with: line)) is [String: Any] else { throw fail("not a JSON object") }
        let record: TimelineRecord
        do {
            record = try JSONDecoder().decode(TimelineRecord.self, from: line)
        } catch DecodingError.keyNotFound(let key, _) {
            throw fail("missing \"\(key.stringValue)\"")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            throw fail(Self.wrongValue(at: context.codingPath))
        } catch {
            // The object parsed, so what the decoder refused is a number no UInt64 holds: the timestamp.
            throw fail(Self.wrongValue(at: [TimelineRecord.CodingKeys.tNs]))
        }
        guard let line = ["D0": WiegandLine.d0, "D1": .d1][record.line.uppercased()] else {
            throw fail(Self.wrongValue(at: [TimelineRecord.CodingKeys.line]))
        }
        guard let edge = ["falling": EdgeDirection.falling, "rising": .rising][record.edge.lowercased()] else {
            throw fail(Self.wrongValue(at: [TimelineRecord.CodingKeys.edge]))
        }
        return EdgeEvent(line: line, edge: edge, tNs: record.tNs)
    }

    private static func wrongValue(at path: [any CodingKey]) -> String {
        switch path.first?.stringValue {
        case "t_ns": "\"t_ns\" must be a non-negative integer (nanoseconds)"
        case "line": "\"line\" must be \"D0\" or \"D1\""
        case "edge": "\"edge\" must be \"falling\" or \"rising\""
        default: "not a timeline record"
        }
    }

    private mutating func nextLine() throws -> Data? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = buffer[(newline + 1)...]
                return Data(line)
            }
            if endOfInput {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = Data() }
                return Data(buffer)
            }
            let chunk = try input.read(upToCount: 64 * 1024) ?? Data()
            if chunk.isEmpty { endOfInput = true } else { buffer.append(chunk) }
        }
    }
}

private struct TimelineRecord: Decodable {
    let tNs: UInt64
    let line: String
    let edge: String

    enum CodingKeys: String, CodingKey {
        case tNs = "t_ns"
        case line
        case edge
    }
}
