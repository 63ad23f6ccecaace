import ArgumentParser
import Wiegand

extension WiegandCommand {
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Encode card fields into a frame (hex and bits).")

        @Option(help: "The card format.")
        var format: String

        @Option(help: "Facility code (company ID for Corporate 1000).")
        var facility: UInt64?

        @Option(help: "Card number.")
        var card: UInt64

        @Option(help: "OEM code (KeyScan C15001; 900 unless given).")
        var oem: UInt64?

        @Flag(help: "Write a raw format's card number least significant byte first.")
        var reverseBytes = false

        @OptionGroup var output: OutputOptions

        struct Report: Encodable {
            let format: String
            let bits: Int
            let hex: String
            let bitstring: String
        }

        func run() throws {
            let format = try WiegandCommand.cardFormat(named: format)
            let frame: WiegandFrame
            do {
                frame = try format.encode(CardFields(facility: facility, card: card, oem: oem), reversingBytes: reverseBytes)
            } catch {
                throw ValidationError(error.description)
            }
            output.print(Report(format: format.name, bits: frame.bitCount, hex: frame.hex, bitstring: frame.bitString),
                         text: "\(frame.hex) \(frame.bitString)")
        }
    }
}
