import ArgumentParser
import Foundation
import OSDPLink
import Serial

extension OSDPCommand {
    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find every PD on the bus: addresses 0–126 at each baud rate.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "Baud rates to try, comma-separated.")
        var bauds = "9600,19200,38400,57600,115200"

        var rates: [BaudRate] { bauds.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)).flatMap(BaudRate.init) } }

        func validate() throws {
            let items = bauds.split(separator: ",")
            guard !items.isEmpty, rates.count == items.count else {
                throw ValidationError("--bauds takes a comma-separated list of 9600, 19200, 38400, 57600, 115200, 230400")
            }
        }

        func run() async throws {
            let progress = OSDPProgressBar("scanning")
            let found = try await OSDPBusScan.scan(device: connection.device, rates: rates, progress: progress.update) { batch in
                for finding in batch {
                    let report = IdentificationReport(
                        address: finding.address, finding.identification, baud: finding.baudRate.rawValue)
                    connection.output.print(report)
                }
            }
            progress.finish()
            guard !found.isEmpty else {
                throw OSDPFailure("no PD answered on \(connection.device) at \(rates.map { String($0.rawValue) }.joined(separator: ", ")) baud")
            }
        }
    }
}
