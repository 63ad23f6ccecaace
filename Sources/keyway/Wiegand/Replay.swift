import ArgumentParser
import Foundation
import GPIO
import Wiegand

extension WiegandCommand {
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a recorded edge timeline.",
            discussion: """
                FILE holds one edge per line: {"t_ns":123456789,"line":"D0","edge":"falling"}. The end of the \
                input is silence that ends the last frame. A malformed line is reported \
                ({"event":"error","line":N,...}; on stderr without --json) and decoding goes on; the exit code is \
                then 2.
                """
        )

        @Argument(help: "The timeline file, or - for standard input.")
        var file: String

        @OptionGroup var reader: ReaderOptions

        @Flag(help: "Also print pulse statistics (widths, intervals) after each frame, as sniff does.")
        var stats = false

        @OptionGroup var output: OutputOptions

        func run() throws {
            let input: FileHandle
            if file == "-" {
                input = .standardInput
            } else {
                do {
                    input = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
                } catch {
                    throw ValidationError("cannot read \(file): \((error as NSError).localizedDescription)")
                }
            }
            var source = ReplayEdgeSource(reading: input)
            var session = try WiegandSession(configuration: reader.configuration(), output: output, showsPulses: stats)
            var malformedLines = 0
            while true {
                do {
                    guard case .edge(let edge) = try source.next(until: nil) else { break }
                    session.handle(edge)
                } catch let error as TimelineLineError {
                    malformedLines += 1
                    session.printer.printInputError(error)
                }
            }
            session.finish()
            if malformedLines > 0 { throw ExitStatus.usage }
        }
    }
}
