import ArgumentParser
import OSDP

extension OSDPCommand {
    struct Identify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "id", abstract: "Print a PD's identification: vendor code, model, version, serial number, firmware.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126 (0 is the factory address of most readers).") var address: UInt8 = 0

        func validate() throws { try validateOSDPAddress(address) }

        func run() async throws {
            try await reportingOSDPFailures {
                let session = try OSDPSession(connection, addresses: [address])
                let status = try await session.awaitReady(address)
                guard let identification = status.identification else { throw OSDPFailure("PD \(address) sent no PDID") }
                let report = IdentificationReport(address: address, identification, secure: status.secure)
                connection.json ? printJSONLine(report) : print(report.humanDescription)
            }
        }
    }

    struct Capabilities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cap", abstract: "Print a PD's capabilities (PDCAP): inputs, outputs, LEDs, buzzer, text, security, buffer size.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: UInt8 = 0

        func validate() throws { try validateOSDPAddress(address) }

        func run() async throws {
            try await reportingOSDPFailures {
                let session = try OSDPSession(connection, addresses: [address])
                let status = try await session.awaitReady(address)
                guard let capabilities = status.capabilities else { throw OSDPFailure("PD \(address) sent no PDCAP") }
                let report = CapabilitiesReport(address: address, capabilities)
                connection.json ? printJSONLine(report) : print(report.humanDescription)
            }
        }
    }
}
