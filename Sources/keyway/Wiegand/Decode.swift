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
            let frame = try WiegandCommand.parseFrame(self.frame, bits: bits, format: format)
            let result = CardReadResult.decode(frame, among: format.map { [$0] } ?? CardFormat.builtIn, reversingBytes: reverseBytes)
            let report = CardReport(frame: frame, result: result)
            output.print(report)
        }
    }
}

extension WiegandCommand {
    /// Reads a frame given as hex or as a bit string (see `decode --help` for how the length is chosen).
    static func parseFrame(_ text: String, bits: Int?, format: CardFormat?) throws -> WiegandFrame {
        if let bits, !(1...WiegandFrame.maxBitCount).contains(bits) {
            throw ValidationError("--bits must be 1-\(WiegandFrame.maxBitCount), not \(bits)")
        }
        if let bits, let format, bits != format.bitCount {
            throw ValidationError("\(format.name) frames are \(format.bitCount) bits, not \(bits)")
        }
        let isHexPrefixed = text.lowercased().hasPrefix("0x")
        if !isHexPrefixed, !text.isEmpty, text.allSatisfy({ $0 == "0" || $0 == "1" }), bits == nil || bits == text.count {
            guard let frame = WiegandFrame(bitString: text) else {
                throw ValidationError("a bit string holds at most \(WiegandFrame.maxBitCount) bits, not \(text.count)")
            }
            if let format, format.bitCount != frame.bitCount {
                throw ValidationError("\(format.name) frames are \(format.bitCount) bits, not \(frame.bitCount)")
            }
            return frame
        }
        let digits = isHexPrefixed ? String(text.dropFirst(2)) : text
        guard !digits.isEmpty, digits.count <= 16, let value = UInt64(digits, radix: 16) else {
            throw ValidationError("'\(text)' is neither hex (up to 16 digits) nor a string of 0 and 1")
        }
        let length = bits ?? format?.bitCount ?? shortestKnownLength(holding: value, digits: digits.count)
        guard let frame = WiegandFrame(value: value, bitCount: length) else {
            throw ValidationError("0x\(digits) does not fit in \(length) bits")
        }
        return frame
    }

    /// The shortest known frame length written with this many hex digits that holds the value;
    /// four bits per digit when no known length fits.
    private static func shortestKnownLength(holding value: UInt64, digits: Int) -> Int {
        let lengths = Set(CardFormat.builtIn.map(\.bitCount)).sorted()
        return lengths.first { ($0 + 3) / 4 == digits && ($0 == 64 || value >> UInt64($0) == 0) } ?? digits * 4
    }
}
