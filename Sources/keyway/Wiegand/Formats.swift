import ArgumentParser
import Wiegand

extension WiegandCommand {
    struct Formats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the card formats and their bit layouts.",
            discussion: "Layout: one letter per bit, first bit first: E/O even/odd parity, F facility, C card, M OEM."
        )

        @Flag(help: "Print one JSON object per format.")
        var json = false

        struct Report: Encodable {
            struct Field: Encodable {
                let name: String
                let start: Int
                let length: Int
            }

            struct ParityBit: Encodable {
                let bit: Int
                let parity: String
                let over: String
            }

            let name: String
            let aliases: [String]
            let title: String
            let bits: Int
            let layout: String
            let fields: [Field]
            let parity: [ParityBit]
        }

        func run() {
            for format in CardFormat.builtIn {
                let fields = format.fields.map { Report.Field(name: $0.field.rawValue, start: $0.start, length: $0.length) }
                let parity = format.parity.map {
                    Report.ParityBit(bit: $0.position, parity: $0.parity.rawValue, over: Self.ranges($0.covered))
                }
                if json {
                    printJSONLine(Report(
                        name: format.name, aliases: format.aliases, title: format.title, bits: format.bitCount,
                        layout: format.layout, fields: fields, parity: parity
                    ))
                } else {
                    let fieldText = fields.map { "\($0.name) \($0.start)-\($0.start + $0.length - 1)" }
                    let parityText = parity.map { "\($0.parity) \($0.bit) over \($0.over)" }
                    print("\(format.name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(format.bitCount) bits  \(format.title)")
                    print("        \(format.layout)")
                    print("        \((fieldText + parityText).joined(separator: "; "))")
                    if !format.aliases.isEmpty { print("        aliases: \(format.aliases.joined(separator: ", "))") }
                }
            }
        }

        /// Positions as ranges: `1-12`, or `2-3,5-6,...` for interleaved parity.
        static func ranges(_ positions: [Int]) -> String {
            var runs: [ClosedRange<Int>] = []
            for position in positions.sorted() {
                if let last = runs.last, last.upperBound + 1 == position {
                    runs[runs.count - 1] = last.lowerBound...position
                } else {
                    runs.append(position...position)
                }
            }
            return runs.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
                .joined(separator: ",")
        }
    }
}
