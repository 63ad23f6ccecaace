import ArgumentParser
import Wiegand

extension WiegandCommand {
    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode one frame with every known format of its length.",
            discussion: """
                FRAME is hex (the frame as an integer, leading parity bit most significant; 0x optional) or a \
                string of 0 and 1. Without --bits, a hex frame is taken to be the shortest known frame length \
                its digits can hold (7 digits: 26 bits). Exit code 0 whenever the frame was well-formed, even if \
                no format validates it; 2 for malformed input.
                """
        )

        @Argument(help: "The frame: hex (089449F, 0x089449F) or bits (00100010010100010010011111).")
        var frame: String

        @Option(help: "The frame length in bits (1-64).")
        var bits: Int?

        @Option(help: "Try only this format (h10301, ind26, h10306, c1k35, c1k48, h10302, h10304, c15001, raw32/40/56/64).")
        var format: String?

        @Flag(help: "Raw formats carry the card number least significant byte first.")
        var reverseBytes = false

        @OptionGroup var output: OutputOptions

        func run() throws {
            let format = try format.map(WiegandCommand.cardFormat(named:))
            let frame: WiegandFrame
            do {
                frame = try WiegandFrame(parsing: self.frame, bits: bits, format: format)
            } catch {
                throw ValidationError(error.description)
            }
            let result = CardReadResult.decode(frame, among: format.map { [$0] } ?? CardFormat.builtIn, reversingBytes: reverseBytes)
            let report = CardReport(frame: frame, result: result)
            output.print(report)
        }
    }
}
