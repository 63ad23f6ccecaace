import ArgumentParser
import Bridge

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Site configuration files.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a site configuration without touching hardware (each problem with file:line:column).",
            discussion: """
                Without --offline the file is checked as `keyway serve` would load it here: with this environment, \
                its key files, and the devices it names. Problems of the file and problems of this machine \
                (a variable not set, a key file missing or too open, a device absent) are listed apart. \
                Exit status: 0 fine, 2 the file has problems, 1 only this machine has.
                With --offline the file alone is checked (on a workstation, in CI): no environment, key files or \
                devices; a value from a variable without a default is left unchecked.
                """)

        @Flag(help: "Check the file alone: no environment, key files or devices.")
        var offline = false

        @Argument(help: "The configuration file.")
        var file: String

        func run() throws {
            let check = checkSiteConfiguration(path: file, scope: offline ? .offline : .machine)
            let inFile = check.issues.filter { $0.origin == .file }
            let onMachine = check.issues.filter { $0.origin == .machine }
            for issue in inFile { printError(issue.description) }
            if !inFile.isEmpty { printError("\(problems(inFile.count)) in \(file)") }
            if !onMachine.isEmpty {
                printError("On this machine, not in the file (`keyway config check --offline` checks the file alone):")
                for issue in onMachine { printError(issue.description) }
                printError("\(problems(onMachine.count)) on this machine")
            }
            guard inFile.isEmpty else { throw ExitStatus.usage }
            guard onMachine.isEmpty else { throw ExitStatus.failure }
            if let site = check.site {
                let pds = site.buses.reduce(0) { $0 + $1.pds.count }
                print("\(file): OK, site \"\(site.site.name)\": \(site.buses.count) buses, \(pds) PDs, \(site.wiegandReaders.count) Wiegand readers, \(site.doors.count) doors")
            } else {
                let unchecked = check.unresolvedVariables.map { "$\($0)" }.joined(separator: ", ")
                print("\(file): OK as a file\(unchecked.isEmpty ? "" : " (values from \(unchecked) not checked)"); environment, key files and devices not checked")
            }
        }

        private func problems(_ count: Int) -> String { "\(count) problem\(count == 1 ? "" : "s")" }
    }
}
