@testable import Access
import Foundation
import Testing
@testable import Bridge

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SystemdNotifierTests {
    /// A datagram socket standing in for systemd's, and what arrives on it.
    private final class FakeSystemd {
        let path: String
        let fd: Int32

        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))").path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw CocoaError(.fileWriteUnknown) }
        }

        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 512)
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 5000) > 0 else { return "" }
            let count = recv(fd, &buffer, buffer.count, 0)
            return String(decoding: buffer[..<max(0, count)], as: UTF8.self)
        }

        deinit {
            close(fd)
            unlink(path)
        }
    }

    @Test func statesArriveAsDatagramsOnTheNotifySocket() throws {
        let systemd = try FakeSystemd()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path])
        notifier.notify(.ready)
        #expect(systemd.receive() == "READY=1")
        notifier.notify(.watchdog)
        #expect(systemd.receive() == "WATCHDOG=1")
        notifier.notify(.stopping)
        #expect(systemd.receive() == "STOPPING=1")
    }

    @Test func watchdogIntervalIsHalfOfWatchdogSec() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "10000000"])
        #expect(notifier.watchdogInterval == .seconds(5))
        // Another process's watchdog is not ours to feed.
        let other = SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "1"])
        #expect(other.watchdogInterval == nil)
    }

    @Test func outsideSystemdNothingHappens() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive)
        notifier.notify(.ready)
    }
}

@Suite struct ControlSocketTests {
    @Test func theSocketIsPrivateAndAnswersRequests() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("control-\(UUID().uuidString.prefix(8)).sock").path
        let server = try ControlServer(path: path, mode: 0o600, logFeed: LogFeed()) { request, _ in
            request == .reload ? .success("reloaded") : .failure("no")
        }
        server.start()
        defer { server.stop() }
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try ControlClient.send(.reload, to: path) == .success("reloaded"))
        #expect(try ControlClient.send(.status, to: path) == .failure("no"))
    }

    @Test func aSecondServiceOnTheSameSocketIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("control-\(UUID().uuidString.prefix(8)).sock").path
        let first = try ControlServer(path: path, mode: 0o600, logFeed: LogFeed()) { _, _ in .success() }
        first.start()
        defer { first.stop() }
        #expect(throws: BridgeError.self) {
            _ = try ControlServer(path: path, mode: 0o600, logFeed: LogFeed()) { _, _ in .success() }
        }
    }
}

@Suite struct DemoSiteTests {
    @Test func theGuideNamesTheRunningProgramAsItCanBeTypedFromTheFolder() {
        let folder = "/home/ada/keyway"
        #expect(DemoSite.invocation(argument0: ".build/debug/keyway", currentDirectory: folder) == ".build/debug/keyway")
        #expect(DemoSite.invocation(argument0: "keyway", currentDirectory: folder) == "keyway")
        #expect(DemoSite.invocation(argument0: "/home/ada/keyway/.build/debug/keyway", currentDirectory: folder) == ".build/debug/keyway")
        #expect(DemoSite.invocation(argument0: "/home/ada/keyway/../bin/keyway", currentDirectory: folder) == "/home/ada/bin/keyway")
        #expect(DemoSite.invocation(argument0: "/home/ada/keyway-old/keyway", currentDirectory: folder) == "/home/ada/keyway-old/keyway")
        let guide = DemoSite.guide(keyway: ".build/debug/keyway", reader: "front-reader", wiegandReader: "side", socket: "/home/ada/keyway/var/demo/control.sock")
        #expect(guide[1] == "  export KEYWAY_SOCKET=/home/ada/keyway/var/demo/control.sock")
        #expect(guide.dropFirst(2).allSatisfy { $0.hasPrefix("  .build/debug/keyway ") })
        #expect(!guide.joined().contains(" keyway "))
    }

    /// At first start the logins' one-time links; later, how to get a new one (no new login, no password anywhere).
    @Test func theLoginGuideGivesLinksOnceThenSaysHowToGetANewOne() {
        let first = DemoSite.loginGuide(keyway: ".build/debug/keyway", publicURL: "http://127.0.0.1:8080",
                                        made: [(DemoSite.accounts[0], "http://127.0.0.1:8080/set-password/s1")], existing: [])
        #expect(first == [
            "The dashboard: http://127.0.0.1:8080/login. Logins made for this demo (no password anywhere: open a link once, choose a password, then log in):",
            "  Site admin (admin), admin@example.org: http://127.0.0.1:8080/set-password/s1",
            "A new link later: .build/debug/keyway users link --db var/demo/keyway.sqlite --public-url http://127.0.0.1:8080 EMAIL",
            "Links and codes the pages send by e-mail or SMS are kept in var/demo/outbox/mail.jsonl and var/demo/outbox/sms.jsonl, not sent.",
        ])
        let later = DemoSite.loginGuide(keyway: "keyway", publicURL: "http://127.0.0.1:8080", made: [],
                                        existing: ["admin@example.org", "grace@example.org"])
        #expect(later == [
            "The dashboard: http://127.0.0.1:8080/login. Logins: admin@example.org, grace@example.org.",
            "A new one-time set-password link for one: keyway users link --db var/demo/keyway.sqlite --public-url http://127.0.0.1:8080 admin@example.org",
            "Links and codes the pages send by e-mail or SMS are kept in var/demo/outbox/mail.jsonl and var/demo/outbox/sms.jsonl, not sent.",
        ])
    }

    /// What `keyway sim` prints for each outcome at the door, the refusal before any decision and no answer in time included.
    @Test func theSimulatorSaysWhatTheDoorDecidedInWords() {
        let refused = DoorOutcome.refused(RejectedReport(.formatError, "parity"), door: "Front")
        #expect(Simulator.words(presented: "presented at r", outcome: refused, waited: .seconds(10))
                == "presented at r: refused at Front before any decision: the reader sent something unreadable (format_error)")
        #expect(Simulator.words(presented: "presented at r", outcome: nil, waited: .seconds(10)).hasPrefix("presented at r: no decision came within 10s"))
        #expect(Simulator.words(presented: "presented at r", outcome: nil, waited: nil) == "presented at r: no decision yet (a PIN ends with #)")
        let unconfirmed = DoorOutcome.decided(Decision.grant(Decision.Subject(personName: "Ada")).dropped(.openingUnconfirmed), door: "Front")
        #expect(Simulator.words(presented: "presented at r", outcome: unconfirmed, waited: .seconds(10))
                == "presented at r: granted at Front (Ada), but the door did not confirm it opened: try again (opening_unconfirmed)")
    }
}
