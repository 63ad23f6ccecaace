import Access
import Foundation
import Testing
@testable import Bridge

/// No duration reaching a door traps, however long: deadlines saturate at the end of time.
@Suite struct DoorBoundsTests {
    @Test func theLongestDurationsNeverTrapTheDoor() {
        let longest = Duration.seconds(Int64.max)
        var door = DoorController(configuration: DoorConfiguration(
            name: "Lobby", reader: .wiegand(name: "side"), relay: .gpio(GPIOLine(chip: "/dev/gpiochip0", line: 1)),
            strike: longest, extendedStrike: longest, heldOpen: longest, doorPosition: nil, exitButton: nil,
            mode: .cardAndPin, pinTimeout: longest))
        let late = UInt64.max - 10
        _ = door.handle(.card(.fields(format: "h10301", facility: 1, number: 1)), now: late)
        #expect(door.nextDeadline() == .max)
        #expect(door.handle(.unlock(for: longest), now: late).contains(.pulseRelay(longest)))
        _ = door.handle(.exitButtonPressed, now: late)
        _ = door.handle(.doorPosition(open: true), now: late)
        #expect(door.alarms.isEmpty, "opened while released: no alarm")
        #expect(door.nextDeadline() == .max)
    }
}

private let site = """
    site: {name: Shop, timezone: UTC}
    database: keyway.sqlite
    secrets: secrets
    buses:
      - name: main
        device: ${BUS}
        baud: ${BAUD:-9600}
        pds:
          - address: 1
            name: lobby
            key: ${LOBBY_KEY}
            secure: required
    doors:
      - name: Lobby
        reader: {bus: main, address: 1}
        relay: {bus: main, address: 1, output: 0}
    """

private func check(
    _ yaml: String, scope: ConfigurationScope = .service, environment: [String: String] = [:], fileMode: Int? = nil
) -> ConfigurationCheck {
    checkSiteConfiguration(
        yaml: yaml, file: "site.yaml", baseDirectory: URL(fileURLWithPath: "/srv/keyway"), environment: environment, scope: scope,
        fileMode: fileMode)
}

private let machine = ["BUS": "/nonexistent/ttyUSB0", "LOBBY_KEY": "00112233445566778899aabbccddeeff"]

@Suite struct ConfigurationScopeTests {
    @Test func theServiceNeitherNeedsNorLooksForDevices() throws {
        let loaded = check(site, environment: machine)
        #expect(loaded.issues == [])
        #expect(loaded.site?.buses.first?.port == .device(path: "/nonexistent/ttyUSB0"))
        let checked = check(site, scope: .machine, environment: machine)
        #expect(checked.issues.map(\.description) == ["site.yaml:6:13: buses[0].device: /nonexistent/ttyUSB0 does not exist on this machine"])
        #expect(checked.issues.map(\.origin) == [.machine])
    }

    @Test func aValueFromTheEnvironmentIsTheMachinesProblemAndSaysWhere() {
        let issues = check(site, environment: machine.merging(["BAUD": "9601"]) { $1 }).issues
        #expect(issues.map(\.description) == [
            "site.yaml:7:11: buses[0].baud: 9601 is not an OSDP baud rate (9600, 19200, 38400, 57600, 115200, 230400) (the value comes from $BAUD)",
        ])
        #expect(issues.map(\.origin) == [.machine])
        let unset = check(site).issues
        #expect(unset.allSatisfy { $0.origin == .machine })
        #expect(unset.map(\.message).contains("environment variable BUS is not set (give a default with ${BUS:-value})"))
    }

    @Test func offlineChecksTheFileAloneAndNamesWhatItCouldNotKnow() {
        let offline = check(site, scope: .offline, environment: machine.merging(["BAUD": "9601"]) { $1 })
        #expect(offline.issues == [], "the environment is not consulted: the default baud applies")
        #expect(offline.unresolvedVariables == ["BUS", "LOBBY_KEY"])
        #expect(offline.site == nil)
        let wrong = check(site.replacingOccurrences(of: "output: 0", with: "output: 7"), scope: .offline)
        #expect(wrong.issues.map(\.description) == [
            "site.yaml:16:44: doors[0].relay.output: 7 is out of range, PD \"lobby\" has 4 outputs",
        ], "the PD whose key is unknown is still cross-checked")
    }

    @Test func aKeyFromTheEnvironmentMayBeNamedInAReadableFileAWrittenOneMayNot() {
        #expect(check(site, environment: machine, fileMode: 0o644).issues == [])
        let written = site.replacingOccurrences(of: "${LOBBY_KEY}", with: "00112233445566778899aabbccddeeff")
        #expect(check(written, environment: machine, fileMode: 0o600).issues == [])
        let loose = check(written, environment: machine, fileMode: 0o640).issues
        #expect(loose.map(\.message) == [
            "a key written in a file others can read (mode 640): move it to a key_file readable by the service only (0600), or make this file 0600",
        ])
    }
}

@Suite struct ConfigurationSizeTests {
    @Test func listsAreBounded() {
        let formats = "[" + Array(repeating: "h10301", count: 1025).joined(separator: ", ") + "]"
        let yaml = site.replacingOccurrences(of: "    secure: required", with: "    secure: required\n        formats: \(formats)")
        #expect(check(yaml, environment: machine).issues.map(\.message) == ["has 1025 items, a list holds at most 1024"])
    }

    /// An alias of an alias of a list: a few kilobytes that would take hours to walk.
    @Test func aliasesCountAtEveryUse() {
        let formats = "&f [" + Array(repeating: "h10301", count: 1000).joined(separator: ",") + "]"
        let pds = "[&p {address: 1, name: x, formats: \(formats)}" + String(repeating: ", *p", count: 1000) + "]"
        let buses = "[&b {name: b, device: /dev/null, pds: \(pds)}" + String(repeating: ", *b", count: 1000) + "]"
        let yaml = "site: {name: s, timezone: UTC}\ndatabase: x\nsecrets: y\nbuses: \(buses)\n"
        let issues = check(yaml).issues
        #expect(issues.count == 1)
        #expect(issues.first?.message == "the file holds more than 100000 values (an alias counts each time it is used)")
    }

    @Test func longValuesAndKeysAreRefusedWithoutBeingQuotedInFull() {
        let long = String(repeating: "x", count: 5000), longKey = String(repeating: "x", count: 1000)
        let issues = check(site.replacingOccurrences(of: "name: Shop", with: "name: \(long)").replacingOccurrences(of: "secrets: secrets", with: "\(longKey): 1"), environment: machine).issues
        #expect(Set(issues.map(\.message)) == [
            "is 5000 bytes long, a value is at most 4096",
            "unknown key \"\(String(repeating: "x", count: 64))…\" (expected one of: site, database, secrets, buses, wiegand, doors, api, metrics, http, delivery)",
            "missing key \"secrets\"",
        ])
    }

    @Test func aSocketPathMustFitSunPath() {
        let path = "/run/" + String(repeating: "k", count: 120) + ".sock"
        let issues = check(site + "\napi: {socket: \(path)}\n", environment: machine).issues
        #expect(issues.map(\.message) == ["the socket's path is 130 bytes long, a Unix socket's at most 107"])
    }
}
