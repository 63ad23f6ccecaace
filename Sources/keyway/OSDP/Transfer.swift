import ArgumentParser
import Foundation
import OSDP

extension OSDPCommand {
    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a file (reader firmware) with FILETRANSFER and report the PD's final status.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: PDAddress = 0
        @Option(help: "File type the PD expects (1 is the usual firmware type).") var type: UInt8 = 1
        @Argument(help: "The file to send.") var file: String


        func run() async throws {
            let contents: [UInt8]
            do {
                contents = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw ValidationError("cannot read \(file): \(error.localizedDescription)")
            }
            guard !contents.isEmpty else { throw ValidationError("\(file) is empty") }
            let session = try OSDPSession(connection, addresses: [address])
            _ = try await session.awaitReady(address)
            let progress = OSDPProgressBar("sending")
            // The bus reports each fragment sent; show it while the transfer runs.
            let watcher = Task {
                while !Task.isCancelled {
                    if case .bus(.fileTransferProgress(_, let sent, let total)) = await session.nextEvent(within: .milliseconds(100)) {
                        progress.update(sent, of: total)
                    }
                }
            }
            let result = await session.link.transferFile(contents, fileType: type, to: address.value)
            watcher.cancel()
            await watcher.value
            progress.finish()
            let report = TransferReport(address: address.value, bytes: contents.count, result: result)
            connection.output.print(report)
            guard result.isSuccess else { throw ExitStatus.failure }
        }
    }
}

/// What `transfer` ended with: the PD's final FTSTAT, or why there was none.
struct TransferReport: OutputRecord {
    var address: UInt8
    var bytes: Int
    var result: String
    var status: Int?
    var reason: String?

    init(address: UInt8, bytes: Int, result: CommandResult) {
        self.address = address
        self.bytes = bytes
        if case .reply(.fileTransferStatus(let final)) = result {
            self.result = final.detail.isFailure ? "failed" : "finished"
            status = Int(final.detail.rawValue)
            reason = final.detail.description
        } else {
            let report = CommandResultReport(result)
            self.result = report.result
            status = report.code
            reason = report.reason
        }
    }

    var humanDescription: String {
        "PD \(address): \(bytes) bytes, \(result)" + (reason.map { " (\($0))" } ?? "")
    }
}
