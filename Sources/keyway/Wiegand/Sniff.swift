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
            let source = try GPIODEdgeSource(chip: chip, d0: d0, d1: d1, pullUp: pullUp)
            try Self.decode(from: source, into: &session)
        }

        /// Decodes edges as they come until the source ends; a read failure ends the command with exit 1.
        static func decode(from source: GPIODEdgeSource, into session: inout WiegandSession) throws {
            while true {
                let reading: EdgeReading
                do {
                    reading = try source.next(until: session.nextDeadline)
                } catch {
                    printError("\(error)")
                    throw ExitStatus.failure
                }
                switch reading {
                case .edge(let edge): session.handle(edge)
                case .idle(let now): session.advance(to: now)
                case .end:
                    session.finish()
                    return
                }
            }
        }
    }
}
