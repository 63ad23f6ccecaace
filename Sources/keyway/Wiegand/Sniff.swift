import ArgumentParser
import GPIO
import Wiegand

extension WiegandCommand {
    struct Sniff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Watch a reader's D0/D1 lines live through libgpiod and print what they carry.",
            discussion: "Prints the replay events plus pulse statistics after each frame, to spot a bad cable. Ctrl-C stops."
        )

        @Option(help: "GPIO chip: name (gpiochip0), path, number or label.")
        var chip: String

        @Option(help: "Line offset of D0.")
        var d0: UInt32

        @Option(help: "Line offset of D1.")
        var d1: UInt32

        @Flag(help: "Enable the chip's pull-ups (readers without their own).")
        var pullUp = false

        @OptionGroup var reader: ReaderOptions

        @OptionGroup var output: OutputOptions

        func run() throws {
            var session = try WiegandSession(configuration: reader.configuration(), output: output, showsPulses: true)
            var source = try GPIODEdgeSource(chip: chip, d0: d0, d1: d1, pullUp: pullUp)
            try source.deliver(deadline: { session.nextDeadline }, edge: { session.handle($0) }, idle: { session.advance(to: $0) })
            session.finish()
        }
    }
}
