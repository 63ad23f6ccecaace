import Access
import Foundation
import KeywayTestSupport
import Logging
import OSDP
import Synchronization
import Testing
import Wiegand
@testable import Bridge

/// One OSDP reader at one door; `pd` is the reader's line under `pds:`.
private func siteYAML(pd: String) -> String {
    """
    site: {name: Test, timezone: UTC}
    database: keyway.sqlite
    secrets: secrets
    buses:
      - name: main
        device: /dev/ttyUSB0
        pds:
          - \(pd)
    doors:
      - name: Lobby
        reader: {bus: main, address: 1}
        relay: {bus: main, address: 1, output: 0}
    """
}

private func decodePD(_ pd: String) throws -> PDEntry? {
    try parseSiteConfiguration(yaml: siteYAML(pd: pd), file: "site.yaml", baseDirectory: URL(fileURLWithPath: "/srv"), environment: [:])
        .buses.first?.pds.first
}

@Suite struct SecureChannelConfigurationTests {
    static let key = "00112233445566778899aabbccddeeff"

    @Test func aKeyMeansSecureChannelIsRequired() throws {
        #expect(try decodePD("{address: 1, name: lobby, key: \(Self.key)}")?.secure == .required)
    }

    @Test func onlyAPolicyWrittenOutLetsAKeyedReaderFallBack() throws {
        #expect(try decodePD("{address: 1, name: lobby, key: \(Self.key), secure: preferred}")?.secure == .preferred)
        #expect(try decodePD("{address: 1, name: lobby}")?.secure == .off)
    }

    @Test func theInstallKeyIsRefusedWithAClearError() {
        #expect {
            _ = try decodePD("{address: 1, name: lobby, key: 303132333435363738393A3B3C3D3E3F}")
        } throws: { error in
            let issues = (error as? ConfigurationError)?.issues.map(\.description) ?? []
            return issues.count == 1 && issues[0].contains("buses[0].pds[0].key") && issues[0].contains("SCBK-D")
                && !issues[0].contains("303132")
        }
    }
}

@Suite struct ReaderReportRejectionTests {
    /// Ada's H10301 card 1:100 as an OSDP RAW report, its bits packed first bit first.
    private static func raw(reader: UInt8 = 0, flipping bit: Int? = nil) throws -> RawCard {
        var frame = try CardFormat.h10301.encode(CardFields(facility: 1, card: 100))
        var bits = (0..<frame.bitCount).map(frame.bit(at:))
        if let bit { bits[bit].toggle() }
        frame = WiegandFrame(bitString: String(bits.map { $0 ? "1" : "0" }))!
        var data = [UInt8](repeating: 0, count: (frame.bitCount + 7) / 8)
        for position in 0..<frame.bitCount where frame.bit(at: position) { data[position / 8] |= 0x80 >> UInt8(position % 8) }
        return RawCard(reader: reader, format: .wiegand, bitCount: UInt16(frame.bitCount), data: data)
    }

    private static func reason(_ report: ReaderReport) -> DenyReason? {
        if case .rejected(let rejection) = report { rejection.reason } else { nil }
    }

    @Test func aCleanReadIsACard() throws {
        #expect(ReaderTranslation.report(try Self.raw(), formats: [.h10301]) == .card(.fields(format: "h10301", facility: 1, number: 100)))
    }

    @Test func aParityErrorIsAFormatError() throws {
        let report = ReaderTranslation.report(try Self.raw(flipping: 0), formats: [.h10301])
        #expect(Self.reason(report) == .formatError)
        #expect("\(report)".contains("parity error (h10301)"))
    }

    @Test func aReaderThePDDoesNotServeIsRefused() throws {
        #expect(Self.reason(ReaderTranslation.report(try Self.raw(reader: 255), formats: [.h10301])) == .unknownReader)
        #expect(Self.reason(ReaderTranslation.report(try Self.raw(reader: 1), formats: [.h10301])) == .unknownReader)
    }

    @Test func impossibleBitCountsAreFormatErrors() {
        let empty = RawCard(format: .wiegand, bitCount: 0, data: [])
        let long = RawCard(format: .unspecified, bitCount: 257, data: [UInt8](repeating: 0xA5, count: 33))
        #expect(Self.reason(ReaderTranslation.report(empty, formats: [.h10301])) == .formatError)
        #expect(Self.reason(ReaderTranslation.report(long, formats: [.h10301])) == .formatError)
    }
}

/// A door's relay and reader that remember what they were told.
private final class Recorder: RelayDriver, ReaderIndicator {
    private let log = Mutex<[String]>([])
    var actions: [String] { log.withLock { $0 } }
    func pulse(for duration: Duration, confirmed: @escaping @Sendable (Bool) -> Void) {
        log.withLock { $0.append("pulse") }
        confirmed(true)
    }
    func hold(unlocked: Bool) { log.withLock { $0.append(unlocked ? "held unlocked" : "locked") } }
    func lockConfirmed() async -> Bool {
        hold(unlocked: false)
        return true
    }
    func show(_ pattern: FeedbackPattern) { log.withLock { $0.append("\(pattern.color)") } }
}

@Suite struct ReaderAlarmTests {
    private static func site(_ label: String) async throws -> (AccessControl, SiteRuntime, Recorder) {
        let folder = try TestPaths.temporaryDirectory("bridge-\(label)")
        let access = try AccessControl.open(database: folder.appendingPathComponent("keyway.sqlite"),
                                            secrets: folder.appendingPathComponent("secrets"), timeZone: .gmt)
        try access.store.addDoor(name: "Front")
        let runtime = SiteRuntime(access: access, logger: Logger(label: label))
        let hardware = Recorder()
        let configuration = DoorConfiguration(
            name: "Front", reader: .osdp(bus: "main", address: 1), relay: .osdp(bus: "main", address: 1, output: 0),
            strike: .seconds(3), extendedStrike: .seconds(20), heldOpen: .seconds(30), doorPosition: nil, exitButton: nil,
            mode: .card, pinTimeout: .seconds(10))
        await runtime.install([DoorBinding(configuration: configuration, reader: "front-reader", relay: hardware, indicator: hardware)],
                              readers: ["front-reader": .osdp])
        return (access, runtime, hardware)
    }

    @Test func aRejectedReportIsLoggedWithItsReasonAndShownAsADenial() async throws {
        let (access, runtime, hardware) = try await Self.site("rejected-report")
        await runtime.report(.rejected(RejectedReport(.formatError, "card raw 26 bits: parity error (h10301)")), from: "front-reader")
        #expect(hardware.actions == ["locked", "red"])
        await runtime.secureAllDoors(within: .seconds(5))
        let log = try access.store.activity(door: "Front")
        #expect(log.filter { $0.kind == .decision }.isEmpty, "nothing was decided")
        let row = try #require(log.first { $0.event == "report_rejected" })
        #expect(row.reason == "format_error" && row.reader == "front-reader" && row.detail == "card raw 26 bits: parity error (h10301)")
    }

    @Test func aReaderAlarmIsAFaultLoggedOnceUntilItClears() async throws {
        let (access, runtime, hardware) = try await Self.site("reader-alarm")
        await runtime.report(.alarm(.tamper, raised: true, detail: "tamper switch open"), from: "front-reader")
        await runtime.report(.alarm(.tamper, raised: true, detail: "tamper switch open"), from: "front-reader")
        await runtime.report(.alarm(.powerFailure, raised: true, detail: "power failure"), from: "front-reader")
        #expect(runtime.faults.list() == ["reader front-reader power_failure: power failure", "reader front-reader tamper: tamper switch open"])
        await runtime.report(.alarm(.tamper, raised: false, detail: "tamper switch closed"), from: "front-reader")
        #expect(runtime.faults.list() == ["reader front-reader power_failure: power failure"])
        #expect(hardware.actions == ["locked"], "an alarm moves nothing")
        await runtime.secureAllDoors(within: .seconds(5))
        let events = try access.store.activity(door: "Front").compactMap(\.event)
        #expect(events.filter { $0 == "tamper" }.count == 1)
        #expect(events.contains("power_failure"))
        await runtime.readersStopped(["front-reader"])
        #expect(runtime.faults.list() == [], "a reader stopped on purpose leaves no alarm standing")
    }
}
