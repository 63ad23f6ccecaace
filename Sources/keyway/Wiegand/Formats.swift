import ArgumentParser
import Wiegand

extension WiegandCommand {
    struct Formats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the card formats and their bit layouts.",
            discussion: "Layout: one letter per bit, first bit first: E/O even/odd parity, F facility, C card, M OEM."
        )

        @OptionGroup var output: OutputOptions

        struct Report: OutputRecord {
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

            /// The format's name, length and title, then its layout, its fields and parity bits, and its aliases.
            var humanDescription: String {
                let fieldText = fields.map { "\($0.name) \($0.start)-\($0.start + $0.length - 1)" }
                let parityText = parity.map { "\($0.parity) \($0.bit) over \($0.over)" }
                return ([
                    "\(name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(bits) bits  \(title)",
                    "        \(layout)",
                    "        \((fieldText + parityText).joined(separator: "; "))",
                ] + (aliases.isEmpty ? [] : ["        aliases: \(aliases.joined(separator: ", "))"]))
                    .joined(separator: "\n")
            }
        }

        func run() {
            for format in CardFormat.builtIn {
                let fields = format.fields.map { Report.Field(name: $0.field.rawValue, start: $0.start, length: $0.length) }
                let parity = format.parity.map {
                    Report.ParityBit(bit: $0.position, parity: $0.parity.rawValue, over: Self.ranges($0.covered))
                }
                let report = Report(
                    name: format.name, aliases: format.aliases, title: format.title, bits: format.bitCount,
                    layout: format.layout, fields: fields, parity: parity
                )
                output.print(report)
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
