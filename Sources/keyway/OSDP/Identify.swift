import ArgumentParser
import OSDP

extension OSDPCommand {
    struct Identify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "id", abstract: "Print a PD's identification: vendor code, model, version, serial number, firmware.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126 (0 is the factory address of most readers).") var address: PDAddress = 0


        func run() async throws {
            let session = try OSDPSession(connection, addresses: [address])
            let status = try await session.awaitReady(address)
            guard let identification = status.identification else { throw OSDPFailure("PD \(address) sent no PDID") }
            let report = IdentificationReport(address: address.value, identification, secure: status.secure)
            connection.output.print(report)
        }
    }

    struct Capabilities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cap", abstract: "Print a PD's capabilities (PDCAP): inputs, outputs, LEDs, buzzer, text, security, buffer size.")

        @OptionGroup var connection: OSDPConnectionOptions
        @Option(help: "PD address, 0–126.") var address: PDAddress = 0


        func run() async throws {
            let session = try OSDPSession(connection, addresses: [address])
            let status = try await session.awaitReady(address)
            guard let capabilities = status.capabilities else { throw OSDPFailure("PD \(address) sent no PDCAP") }
            let report = CapabilitiesReport(address: address.value, capabilities)
            connection.output.print(report)
        }
    }
}
