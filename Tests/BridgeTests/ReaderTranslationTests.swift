import Access
import Logging
import OSDP
import Synchronization
import Testing
import Wiegand
@testable import Bridge

/// An OSDP RAW card as a reader sends it: the frame's bits packed first bit first, left-justified.
private func rawCard(_ frame: WiegandFrame) -> RawCard {
    var data = [UInt8](repeating: 0, count: (frame.bitCount + 7) / 8)
    for position in 0..<frame.bitCount where frame.bit(at: position) { data[position / 8] |= 0x80 >> UInt8(position % 8) }
    return RawCard(format: .unspecified, bitCount: UInt16(frame.bitCount), data: data)
}

/// What a driver reported to the site, in order.
private actor RecordingSink: ReaderReportSink {
    private(set) var reports: [ReaderReport] = []

    func report(_ report: ReaderReport, from reader: String) { reports.append(report) }
    func readersStopped(_ readers: [String]) {}
    func inputChanged(_ source: InputReference.Source, closed: Bool) {}
}

@Suite struct ReaderTranslationTests {
    private static let frame: WiegandFrame = {
        do { return try CardFormat.h10301.encode(CardFields(facility: 1, card: 1001)) } catch { fatalError("\(error)") }
    }()

    @Test func aCleanH10301ReadDecodesToItsFields() {
        #expect(ReaderTranslation.cardData(rawCard(Self.frame), formats: [.h10301]) == .fields(format: "h10301", facility: 1, number: 1001))
    }

    @Test func aReadSeveralFormatsFitIsKeptAsRawBits() {
        // H10301 and Indala 26 share length and parity: with both listed, the bits are all there is.
        let bits = (0..<Self.frame.bitCount).map(Self.frame.bit(at:))
        #expect(ReaderTranslation.cardData(rawCard(Self.frame), formats: [.h10301, .ind26]) == .raw(bits: bits))
        #expect(ReaderTranslation.report(Self.frame, decoded: CardReadResult.decode(Self.frame, among: [.h10301, .ind26])) == .card(.raw(bits: bits)))
    }

    @Test func aReadOfNoKnownLengthIsKeptAsRawBits() {
        let raw = RawCard(format: .unspecified, bitCount: 12, data: [0xAB, 0xC0])
        #expect(ReaderTranslation.cardData(raw, formats: [.h10301]) == .raw(bits: raw.bits))
    }

    @Test func osdpKeysMakeThePINWiegandKeysMake() async throws {
        let keys = "12*3456#"
        var keypad = OSDPKeypad()
        let codes = keys.map { key -> UInt8 in key == "*" ? 0x7F : key == "#" ? 0x0D : UInt8(ascii: key.unicodeScalars.first!) }
        let osdp = keypad.press(codes, at: 1_000_000_000).compactMap { outcome -> ReaderReport? in
            guard case .submitted(let passcode) = outcome else { return nil }
            return ReaderTranslation.report(passcode)
        }

        let sink = RecordingSink()
        let driver = try WiegandReaderDriver(
            configuration: WiegandReaderConfiguration(
                name: "side", chip: "gpiochip0", d0: 0, d1: 1, formats: [.h10301], keypad: .fourBit, swap: false, reverse: false,
                led: nil, beeper: nil),
            sink: sink, faults: FaultBoard(logger: Logger(label: "translation")), logger: Logger(label: "translation"))
        let running = Task { await driver.run() }
        try driver.simulate(keys: keys)
        driver.stop()
        await running.value
        let wiegand = await sink.reports.filter { $0 != .online }

        #expect(osdp == [.pin("3456")])
        #expect(wiegand == osdp)
    }

    @Test func aCardDropsTheHalfTypedOSDPPIN() {
        var keypad = OSDPKeypad()
        #expect(keypad.press(Array("12".utf8), at: 0).isEmpty)
        keypad.cancel()
        #expect(keypad.press(Array("3".utf8) + [0x0D], at: 1) == [.submitted(Passcode("3")!)])
    }
}

@Suite struct FaultBoardTests {
    @Test func aClearNeverOvertakesTheReportItFollows() async {
        let board = FaultBoard(logger: Logger(label: "faults"))
        // Each thread reports a fault and clears it straight away, as a driver does when its device
        // fails and comes back; whatever the interleaving, nothing is left standing.
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for round in 0..<500 {
                        board.report("reader \(worker)", "offline \(round)")
                        board.clear("reader \(worker)")
                    }
                }
            }
        }
        #expect(board.list() == [])
    }

    @Test func faultsAreListedBySourceAndARepeatChangesNothing() {
        let board = FaultBoard(logger: Logger(label: "faults"))
        board.report("reader b", "offline")
        board.report("database", "locked")
        board.report("reader b", "offline")
        #expect(board.list() == ["database: locked", "reader b: offline"])
        board.clear("database")
        #expect(board.list() == ["reader b: offline"])
    }
}
