import ArgumentParser

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-read the service's configuration (as SIGHUP does); a bad file is refused and the running one stays.")

    @OptionGroup var service: ServiceSocketOptions

    func run() throws {
        print(try service.send(.reload).message ?? "")
    }
}
