import Foundation
import OSDP
import Wiegand
import Testing
@testable import Bridge

/// A small valid site; tests change one line at a time and expect errors at exact positions.
private let validSite = """
site:
  name: Test Site
  timezone: Europe/Zurich
database: var/keyway.sqlite
secrets: /etc/keyway/secrets
buses:
  - name: main
    device: ${KEYWAY_BUS:-/dev/ttyUSB0}
    baud: 9600
    pds:
      - address: 1
        name: lobby
        key: 00112233445566778899aabbccddeeff
        secure: required
wiegand:
  - name: side
    chip: gpiochip0
    d0: 17
    d1: 27
    keypad: 8bit
doors:
  - name: Lobby
    reader: {bus: main, address: 1}
    relay: {bus: main, address: 1, output: 0}
    strike: 4s
    mode: card_or_pin
  - name: Side
    reader: {wiegand: side}
    relay: {gpio: {chip: gpiochip0, line: 22}}
    door_position: {gpio: {chip: gpiochip0, line: 23}, normally: closed}
metrics: 127.0.0.1:9464
"""

private func parse(_ yaml: String, environment: [String: String] = [:]) throws(ConfigurationError) -> SiteConfiguration {
    try parseSiteConfiguration(yaml: yaml, file: "site.yaml", baseDirectory: URL(fileURLWithPath: "/srv/keyway"), environment: environment)
}

/// The issues `yaml` produces, as printed.
private func issues(_ yaml: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try parse(yaml, environment: environment)
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

/// `validSite` with one exact line replaced.
private func site(replacing line: String, with replacement: String) -> String {
    precondition(validSite.contains(line), "the sample has no line \(line)")
    return validSite.replacingOccurrences(of: line, with: replacement)
}

@Suite struct ConfigurationTests {
    @Test func validSiteDecodesWithDefaultsAndExpansion() throws {
        let config = try parse(validSite, environment: ["KEYWAY_BUS": "/dev/ttyAMA0"])
        #expect(config.site.name == "Test Site")
        #expect(config.site.timeZone.identifier == "Europe/Zurich")
        #expect(config.database.path == "/srv/keyway/var/keyway.sqlite")
        #expect(config.secrets.path == "/etc/keyway/secrets")
        #expect(config.buses[0].port == .device(path: "/dev/ttyAMA0"))
        #expect(config.buses[0].pds[0].key?.bytes.first == 0x00)
        #expect(config.buses[0].pds[0].key?.bytes.last == 0xFF)
        #expect(config.buses[0].pds[0].outputs == 4)
        #expect(config.wiegandReaders[0].chip == "/dev/gpiochip0")
        #expect(config.wiegandReaders[0].keypad == .eightBit)
        #expect(config.wiegandReaders[0].formats == [.h10301])
        #expect(config.doors[0].strike == .seconds(4))
        #expect(config.doors[0].mode == .cardOrPin)
        #expect(config.doors[1].mode == .card)
        #expect(config.doors[1].relay == .gpio(GPIOLine(chip: "/dev/gpiochip0", line: 22)))
        #expect(config.doors[1].doorPosition?.normally == .closed)
        #expect(config.metrics?.port == 9464)
        #expect(config.api.mode == 0o600)
    }

    @Test func defaultOfAnExpansionAppliesWhenTheVariableIsUnset() throws {
        let config = try parse(validSite)
        #expect(config.buses[0].port == .device(path: "/dev/ttyUSB0"))
    }

    @Test func outputOutOfRangeNamesThePDAndItsOutputCount() {
        let yaml = site(replacing: "relay: {bus: main, address: 1, output: 0}", with: "relay: {bus: main, address: 1, output: 7}")
        #expect(issues(yaml) == [#"site.yaml:24:44: doors[0].relay.output: 7 is out of range, PD "lobby" has 4 outputs"#])
    }

    @Test func unknownKeySuggestsTheNearestOne() {
        let yaml = site(replacing: "    strike: 4s", with: "    strick: 4s")
        #expect(issues(yaml) == [#"site.yaml:25:5: doors[0].strick: unknown key "strick", did you mean "strike"?"#])
    }

    @Test func everyErrorIsListedAtOnceInDocumentOrder() {
        var yaml = site(replacing: "    baud: 9600", with: "    baud: 9601")
        yaml = yaml.replacingOccurrences(of: "        key: 00112233445566778899aabbccddeeff", with: "        key: 0011")
        yaml = yaml.replacingOccurrences(of: "    reader: {wiegand: side}", with: "    reader: {wiegand: sid}")
        yaml = yaml.replacingOccurrences(of: "    strike: 4s", with: "    strike: soon")
        #expect(issues(yaml) == [
            "site.yaml:9:11: buses[0].baud: 9601 is not an OSDP baud rate (9600, 19200, 38400, 57600, 115200, 230400)",
            "site.yaml:13:14: buses[0].pds[0].key: a Secure Channel key is exactly 32 hex digits, this one has 4 characters",
            #"site.yaml:25:13: doors[0].strike: "soon" is not a duration (like 500ms, 5s, 2m)"#,
            #"site.yaml:28:23: doors[1].reader.wiegand: unknown Wiegand reader "sid", did you mean "side"?"#,
        ])
    }

    @Test func aBusThatFailedToDecodeIsNotReportedAsUnknown() {
        let yaml = site(replacing: "    baud: 9600", with: "    baud: fast")
        #expect(issues(yaml) == [#"site.yaml:9:11: buses[0].baud: "fast" is not a whole number"#])
    }

    @Test func unknownBusAndMissingPDAreReportedAtTheReference() {
        let yaml = site(replacing: "    reader: {bus: main, address: 1}", with: "    reader: {bus: mian, address: 1}")
            .replacingOccurrences(of: "relay: {bus: main, address: 1, output: 0}", with: "relay: {bus: main, address: 2, output: 0}")
        #expect(issues(yaml) == [
            #"site.yaml:23:19: doors[0].reader.bus: unknown bus "mian", did you mean "main"?"#,
            #"site.yaml:24:33: doors[0].relay.address: no PD at address 2 on bus "main" (it has 1)"#,
        ])
    }

    @Test func duplicatesPointAtTheSecondUse() {
        let yaml = site(replacing: "  - name: Side", with: "  - name: Lobby")
            .replacingOccurrences(of: "line: 23}", with: "line: 17}")
        #expect(issues(yaml) == [
            #"site.yaml:27:11: doors[1].name: duplicate door "Lobby", already used at doors[0].name (line 22)"#,
            #"site.yaml:30:27: doors[1].door_position.gpio: duplicate GPIO "/dev/gpiochip0 line 17", already used at wiegand[0].d0 (line 18)"#,
        ])
    }

    @Test func missingKeysAndBadChoices() {
        let yaml = site(replacing: "  timezone: Europe/Zurich", with: "  timezone: Mars/Olympus")
            .replacingOccurrences(of: "    mode: card_or_pin", with: "    mode: card_or_pn")
            .replacingOccurrences(of: "database: var/keyway.sqlite\n", with: "")
        #expect(issues(yaml) == [
            #"site.yaml:1:1: missing key "database""#,
            #"site.yaml:3:13: site.timezone: "Mars/Olympus" is not a time zone (use an IANA name like Europe/Zurich)"#,
            #"site.yaml:25:11: doors[0].mode: "card_or_pn" is not one of card, pin, card_and_pin, card_or_pin, unlocked, lockdown, did you mean "card_or_pin"?"#,
        ])
    }

    @Test func unsetVariableWithoutDefaultIsAnError() {
        let yaml = site(replacing: "${KEYWAY_BUS:-/dev/ttyUSB0}", with: "${KEYWAY_BUS}")
        #expect(issues(yaml) == ["site.yaml:8:13: buses[0].device: environment variable KEYWAY_BUS is not set (give a default with ${KEYWAY_BUS:-value})"])
    }

    @Test func requiredSecureChannelNeedsAKey() {
        let yaml = site(replacing: "        key: 00112233445566778899aabbccddeeff\n", with: "")
        #expect(issues(yaml) == [#"site.yaml:13:17: buses[0].pds[0].secure: "required" needs a key or key_file"#])
    }

    @Test func syntaxErrorsCarryTheParserPosition() {
        let result = issues("site:\n  name: [unclosed\n")
        #expect(result.count == 1)
        #expect(result[0].hasPrefix("site.yaml:3:1: YAML syntax error:"))
    }

    @Test func keyFileMustBeReadableAndPrivate() throws {
        let folder = try temporaryFolder()
        let keyFile = folder.appendingPathComponent("lobby.key")
        try "00112233445566778899aabbccddeeff\n".write(to: keyFile, atomically: true, encoding: .utf8)
        let yaml = site(replacing: "        key: 00112233445566778899aabbccddeeff", with: "        key_file: \(keyFile.path)")

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile.path)
        #expect(issues(yaml) == ["site.yaml:13:19: buses[0].pds[0].key_file: \(keyFile.path) is too permissive (mode 644): make it 0600 or 0640"])

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
        #expect(try parse(yaml).buses[0].pds[0].key == SecureChannelKey(hex: "00112233445566778899aabbccddeeff"))

        try FileManager.default.removeItem(at: keyFile)
        #expect(issues(yaml) == ["site.yaml:13:19: buses[0].pds[0].key_file: cannot read \(keyFile.path)"])
    }

    @Test func keysNeverAppearInMessages() {
        let yaml = site(replacing: "00112233445566778899aabbccddeeff", with: "00112233445566778899aabbccddeeffzz")
        let messages = issues(yaml)
        #expect(messages.count == 1)
        #expect(!messages[0].contains("00112233"))
        #expect(!String(describing: SecureChannelKey(hex: "00112233445566778899aabbccddeeff")!).contains("00112233"))
    }

    @Test func loadingAMissingFileNamesIt() {
        #expect(throws: ConfigurationError.self) { try loadSiteConfiguration(path: "/nonexistent/site.yaml") }
    }

    @Test(arguments: [
        ("${A}", ["A": "x"], "x"),
        ("${A:-d}", [:], "d"),
        ("${A:-d}", ["A": ""], "d"),
        ("pre-${A}-post", ["A": "mid"], "pre-mid-post"),
        ("$HOME stays", [:], "$HOME stays"),
    ] as [(String, [String: String], String)])
    func environmentExpansion(text: String, environment: [String: String], expected: String) throws {
        #expect(try expandEnvironment(in: text, environment: environment).get() == expected)
    }

    @Test func malformedReferencesAreErrors() {
        #expect(expandEnvironment(in: "${A", environment: [:]) == .failure(.unterminated))
        #expect(expandEnvironment(in: "${1A}", environment: [:]) == .failure(.badName("1A")))
    }

    @Test func theDemoRunsExactlyExamplesDemoYAML() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/demo.yaml")
        #expect(try String(contentsOf: file, encoding: .utf8) == DemoSite.configuration + "\n")
    }

    @Test func examplesAreValid() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")
        let keyFolder = try temporaryFolder()
        let keyFile = keyFolder.appendingPathComponent("lobby.key")
        try "00112233445566778899aabbccddeeff\n".write(to: keyFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
        _ = try loadSiteConfiguration(
            path: examples.appendingPathComponent("site.yaml").path,
            environment: ["KEYWAY_LOBBY_KEY_FILE": keyFile.path, "KEYWAY_GARAGE_KEY": "ffeeddccbbaa99887766554433221100"])
        _ = try loadSiteConfiguration(
            path: examples.appendingPathComponent("demo.yaml").path,
            environment: ["KEYWAY_DEMO_BUS": "/dev/null", "KEYWAY_DEMO_KEY_FILE": keyFile.path, "KEYWAY_DEMO_SMTP_PORT": "2525", "KEYWAY_DEMO_SMS_PORT": "2526"])
    }
}

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("keyway-bridge-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct WiegandReaderConfigurationTests {
    @Test func ledAndBeeperWiresAreGPIOLines() throws {
        let yaml = site(replacing: "    keypad: 8bit", with: "    keypad: 8bit\n    led: {chip: gpiochip0, line: 5}\n    beeper: {chip: gpiochip1, line: 6}")
        let reader = try parse(yaml).wiegandReaders[0]
        #expect(reader.led == GPIOLine(chip: "/dev/gpiochip0", line: 5))
        #expect(reader.beeper == GPIOLine(chip: "/dev/gpiochip1", line: 6))
        #expect(try parse(validSite).wiegandReaders[0].led == nil)
    }

    @Test func ledAndBeeperErrorsHavePositions() {
        let misspelt = site(replacing: "    keypad: 8bit", with: "    keypad: 8bit\n    led: {chip: gpiochip0, lin: 5}")
        #expect(issues(misspelt) == [
            #"site.yaml:21:10: wiegand[0].led: missing key "line""#,
            #"site.yaml:21:28: wiegand[0].led.lin: unknown key "lin", did you mean "line"?"#,
        ])
        let taken = site(replacing: "    keypad: 8bit", with: "    keypad: 8bit\n    beeper: {chip: gpiochip0, line: 17}")
        #expect(issues(taken) == [
            #"site.yaml:21:13: wiegand[0].beeper: duplicate GPIO "/dev/gpiochip0 line 17", already used at wiegand[0].d0 (line 18)"#,
        ])
    }

    @Test func formatsAndKeypadAreCheckedAgainstTheWiegandTables() {
        let yaml = site(replacing: "    keypad: 8bit", with: "    keypad: 8-bit\n    formats: [h10301, h1O306]")
        #expect(issues(yaml) == [
            #"site.yaml:20:13: wiegand[0].keypad: "8-bit" is not one of 4bit, 8bit, buffered26, bcd26, did you mean "8bit"?"#,
            #"site.yaml:21:23: wiegand[0].formats[1]: unknown card format "h1O306", did you mean "h10306"?"#,
        ])
    }
}
