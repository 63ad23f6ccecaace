import Foundation
import KeywayTestSupport
import Testing

/// `keyway wiegand ...` as a field technician runs it: exact JSON, exit codes 0 and 2, errors on stderr.
@Suite struct WiegandCLITests {
    /// A JSON-lines timeline: each frame's bits as 50 µs pulses 2 ms apart, frames `gap` apart.
    static func timeline(_ frames: [String], start: UInt64 = 1_000_000_000, gap: UInt64 = 100_000_000) -> String {
        var t = start
        var lines: [String] = []
        for frame in frames {
            for bit in frame {
                let line = bit == "1" ? "D1" : "D0"
                lines.append(#"{"t_ns":\#(t),"line":"\#(line)","edge":"falling"}"#)
                lines.append(#"{"t_ns":\#(t + 50_000),"line":"\#(line)","edge":"rising"}"#)
                t += 2_000_000
            }
            t += gap
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let h10301Bits = "00100010010100010010011111"

    func object(_ line: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? NSDictionary)
    }

    // MARK: decode

    /// The issue's example, checked against wiegand.md §3.1 A (FC 68 / CN 41551 = 0x089449F).
    @Test func decodeGivesTheIssueExampleExactly() throws {
        for frame in ["089449F", "0x089449F", Self.h10301Bits] {
            let result = try runKeyway(["wiegand", "decode", frame, "--format", "h10301", "--json"])
            #expect(result.status == 0)
            #expect(result.lines == [#"{"bits":26,"card":41551,"facility":68,"format":"h10301","hex":"089449F","parity":"ok"}"#])
        }
        let withBits = try runKeyway(["wiegand", "decode", "89449F", "--bits", "26", "--format", "h10301", "--json"])
        #expect(try object(withBits.stdout) == ["bits": 26, "hex": "089449F", "format": "h10301", "facility": 68, "card": 41551, "parity": "ok"])
    }

    @Test func severalValidFormatsGiveCandidatesAndANullFormat() throws {
        let result = try runKeyway(["wiegand", "decode", "089449F", "--json"])
        #expect(result.status == 0)
        #expect(try object(result.stdout) == [
            "bits": 26, "hex": "089449F", "format": NSNull(), "parity": "ok",
            "candidates": [
                ["format": "h10301", "facility": 68, "card": 41551],
                ["format": "ind26", "facility": 1098, "card": 591],
            ],
        ])
    }

    @Test func aParityErrorListsWhatWasTriedAndStillExitsZero() throws {
        let result = try runKeyway(["wiegand", "decode", "089449E", "--json"])
        #expect(result.status == 0)
        #expect(try object(result.stdout) == [
            "bits": 26, "hex": "089449E", "format": NSNull(), "parity": "error", "tried": ["h10301", "ind26"],
        ])
        let human = try runKeyway(["wiegand", "decode", "089449E"])
        #expect(human.status == 0)
        #expect(human.stdout.contains("parity error"))
    }

    @Test func anUnknownLengthSaysSo() throws {
        let result = try runKeyway(["wiegand", "decode", "5", "--bits", "30", "--json"])
        #expect(result.status == 0)
        #expect(try object(result.stdout) == ["bits": 30, "hex": "00000005", "format": NSNull(), "parity": "unknown", "tried": []])
    }

    @Test(arguments: [
        (["0x60F6023AF"], #"{"bits":35,"card":4567,"facility":123,"format":"c1k35","hex":"60F6023AF","parity":"ok"}"#),
        (["0x40007B0023AE"], #"{"bits":48,"card":4567,"facility":123,"format":"c1k48","hex":"40007B0023AE","parity":"ok"}"#),
        (["0x06073A862"], #"{"bits":34,"card":54321,"facility":12345,"format":"h10306","hex":"06073A862","parity":"ok"}"#),
        (["313A83703"], #"{"bits":34,"card":7041,"facility":35284,"format":"h10306","hex":"313A83703","parity":"ok"}"#),
        (["0xF08F623AE"], #"{"bits":36,"card":4567,"facility":123,"format":"c15001","hex":"F08F623AE","oem":900,"parity":"ok"}"#),
        (["100EB79A2B", "--format", "h10302"], #"{"bits":37,"card":123456789,"format":"h10302","hex":"100EB79A2B","parity":"ok"}"#),
        (["0007B023AF", "--format", "h10304"], #"{"bits":37,"card":4567,"facility":123,"format":"h10304","hex":"0007B023AF","parity":"ok"}"#),
        (["00F6391", "--format", "ind26"], #"{"bits":26,"card":456,"facility":123,"format":"ind26","hex":"00F6391","parity":"ok"}"#),
        (["7186A61E", "--reverse-bytes"], #"{"bits":32,"card":514229873,"format":"raw32","hex":"7186A61E","parity":"ok"}"#),
    ])
    func decodeReadsEveryFormat(arguments: [String], expected: String) throws {
        let result = try runKeyway(["wiegand", "decode"] + arguments + ["--json"])
        #expect(result.status == 0)
        #expect(result.lines == [expected])
    }

    @Test(arguments: [
        ["zz"], ["0x"], ["12345678901234567"], ["089449F", "--bits", "65"], ["089449F", "--bits", "20"],
        ["089449F", "--format", "nope"], ["089449F", "--format", "h10301", "--bits", "34"],
        [String(repeating: "1", count: 65)], ["0101", "--format", "h10301"],
    ])
    func malformedInputIsAUsageError(arguments: [String]) throws {
        let result = try runKeyway(["wiegand", "decode"] + arguments + ["--json"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("Error:"))
    }

    // MARK: encode and formats

    @Test func encodePrintsHexAndBits() throws {
        let human = try runKeyway(["wiegand", "encode", "--format", "h10301", "--facility", "68", "--card", "41551"])
        #expect(human.status == 0)
        #expect(human.lines == ["089449F \(Self.h10301Bits)"])
        let json = try runKeyway(["wiegand", "encode", "--format", "c15001", "--facility", "123", "--card", "4567", "--json"])
        #expect(try object(json.stdout) == [
            "format": "c15001", "bits": 36, "hex": "F08F623AE", "bitstring": "111100001000111101100010001110101110",
        ])
    }

    @Test(arguments: [
        ["--format", "h10301", "--facility", "256", "--card", "1"],
        ["--format", "h10301", "--card", "1"],
        ["--format", "h10302", "--facility", "1", "--card", "1"],
        ["--format", "h99", "--facility", "1", "--card", "1"],
        ["--format", "h10301", "--facility", "1", "--card", "-1"],
    ])
    func encodeRefusesWhatTheFormatCannotCarry(arguments: [String]) throws {
        let result = try runKeyway(["wiegand", "encode"] + arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("Error:"))
    }

    @Test func formatsListsEveryFormatWithItsLayout() throws {
        let result = try runKeyway(["wiegand", "formats", "--json"])
        #expect(result.status == 0)
        let names = result.jsonLines.compactMap { $0["name"] as? String }
        #expect(names == ["h10301", "ind26", "h10306", "c1k35", "c1k48", "h10302", "h10304", "c15001", "raw32", "raw40", "raw56", "raw64"])
        let h10301 = try #require(result.jsonLines.first)
        #expect(h10301["layout"] as? String == "EFFFFFFFFCCCCCCCCCCCCCCCCO")
        #expect((h10301["parity"] as? [[String: Any]])?.first?["over"] as? String == "1-12")
        let human = try runKeyway(["wiegand", "formats"])
        #expect(human.stdout.contains("KeyScan C15001 36-bit"))
    }

    // MARK: replay

    @Test func replayDecodesTheSampleTimeline() throws {
        let sample = TestPaths.repository.appendingPathComponent("Examples/wiegand-h10301.jsonl").path
        let result = try runKeyway(["wiegand", "replay", sample, "--format", "h10301", "--json"])
        #expect(result.status == 0)
        #expect(result.lines == [
            #"{"bits":26,"card":41551,"event":"card","facility":68,"format":"h10301","hex":"089449F","parity":"ok"}"#,
            #"{"event":"key","key":"1"}"#, #"{"event":"key","key":"2"}"#, #"{"event":"key","key":"3"}"#,
            #"{"event":"key","key":"4"}"#, ##"{"event":"key","key":"#"}"##, #"{"event":"pin","pin":"1234"}"#,
        ])
    }

    @Test func replayReadsStandardInputAndTheEndOfInputEndsTheFrame() throws {
        let result = try runKeyway(["wiegand", "replay", "-", "--json"], stdin: Self.timeline([Self.h10301Bits], gap: 0))
        #expect(result.status == 0)
        let card = try #require(result.jsonLines.first)
        #expect(card["event"] as? String == "card")
        #expect(card["format"] is NSNull)
        #expect((card["candidates"] as? [Any])?.count == 2)
    }

    @Test func malformedLinesAreReportedAndDecodingGoesOn() throws {
        let input = "{\"t_ns\":5,\"line\":\"D0\"}\nnot json\n" + Self.timeline([Self.h10301Bits])
        let json = try runKeyway(["wiegand", "replay", "-", "--format", "h10301", "--json"], stdin: input)
        #expect(json.status == 2)
        #expect(json.lines.count == 3)
        #expect(try object(json.lines[0]) == ["event": "error", "line": 1, "message": "missing \"edge\""])
        #expect(try object(json.lines[1]) == ["event": "error", "line": 2, "message": "not a JSON object"])
        #expect(try object(json.lines[2])["card"] as? Int == 41551)
        let human = try runKeyway(["wiegand", "replay", "-", "--format", "h10301"], stdin: input)
        #expect(human.status == 2)
        #expect(human.stderr.contains("line 2: not a JSON object"))
        #expect(human.stdout.contains("facility 68, card 41551"))
    }

    @Test func replayReportsNoisePartialFramesAndFaults() throws {
        let input = """
            {"t_ns":1000000,"line":"D1","edge":"falling"}
            {"t_ns":1005000,"line":"D1","edge":"rising"}
            {"t_ns":100000000,"line":"D0","edge":"falling"}
            {"t_ns":100050000,"line":"D0","edge":"rising"}
            {"t_ns":200000000,"line":"D0","edge":"falling"}
            {"t_ns":200000500,"line":"D1","edge":"falling"}
            {"t_ns":300000000,"line":"D0","edge":"rising"}
            {"t_ns":300000100,"line":"D1","edge":"rising"}
            """
        let result = try runKeyway(["wiegand", "replay", "-", "--json"], stdin: input)
        #expect(result.status == 0)
        #expect(result.lines == [
            #"{"event":"noise","reason":"pulse_too_short","t_ns":1005000}"#,
            #"{"bits":1,"event":"partial"}"#,
            #"{"event":"noise","reason":"both_lines_active","t_ns":200000500}"#,
            #"{"event":"fault","reason":"both_low"}"#,
        ])
    }

    @Test func replayKeypadModes() throws {
        let eightBit = try runKeyway(["wiegand", "replay", "-", "--keypad", "8bit", "--json"],
                                     stdin: Self.timeline(["10100101", "11110001", "01001011"]))
        #expect(eightBit.lines == [
            #"{"event":"key","key":"5"}"#, #"{"event":"noise","reason":"keypad_complement","t_ns":1130050000}"#,
            ##"{"event":"key","key":"#"}"##, #"{"event":"pin","pin":"5"}"#,
        ])
        let buffered = try runKeyway(["wiegand", "replay", "-", "--keypad", "buffered26", "--json"],
                                     stdin: Self.timeline(["00000000000000100110100100", "00000000011111111111111111"]))
        #expect(buffered.lines == [#"{"event":"pin","pin":"1234"}"#, #"{"event":"pin_error","reason":"entry_error"}"#])
        let wrong = try runKeyway(["wiegand", "replay", "-", "--keypad", "16bit"], stdin: "")
        #expect(wrong.status == 2)
    }

    @Test func theSilenceTimeoutIsConfigurable() throws {
        // Two 4-bit frames 10 ms apart: one 8-bit frame at the default 25 ms, two keys at 5 ms.
        let input = Self.timeline(["0001", "0010"], gap: 10_000_000)
        let merged = try runKeyway(["wiegand", "replay", "-", "--json"], stdin: input)
        #expect(merged.lines == [#"{"bits":8,"event":"partial"}"#])
        let split = try runKeyway(["wiegand", "replay", "-", "--timeout-ms", "5", "--json"], stdin: input)
        #expect(split.lines == [#"{"event":"key","key":"1"}"#, #"{"event":"key","key":"2"}"#])
    }

    @Test func readerWiringOptions() throws {
        // The H10301 frame sent on swapped wires arrives inverted; --swap-lines reads it right.
        let inverted = String(Self.h10301Bits.map { $0 == "1" ? "0" : "1" })
        let swapped = try runKeyway(["wiegand", "replay", "-", "--swap-lines", "--format", "h10301", "--json"],
                                    stdin: Self.timeline([inverted]))
        #expect(try object(swapped.stdout)["card"] as? Int == 41551)
        let raw = try runKeyway(["wiegand", "replay", "-", "--reverse-bytes", "--format", "raw32", "--json"],
                                stdin: Self.timeline(["01110001100001101010011000011110"]))
        #expect(try object(raw.stdout)["card"] as? Int == 0x1EA6_8671)
    }

    @Test func replayStatsDescribeThePulses() throws {
        let result = try runKeyway(["wiegand", "replay", "-", "--stats", "--json"], stdin: Self.timeline(["0001"]))
        #expect(result.lines.count == 2)
        #expect(try object(result.lines[1]) == [
            "event": "pulses", "count": 4,
            "width_us": ["min": 50, "mean": 50, "max": 50], "interval_us": ["min": 2000, "mean": 2000, "max": 2000],
        ])
    }

    @Test func replayOfAMissingFileIsAUsageError() throws {
        let result = try runKeyway(["wiegand", "replay", "/nonexistent/timeline.jsonl"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot read /nonexistent/timeline.jsonl"))
    }

    // MARK: sniff

    @Test func sniffWithoutTheChipFailsClearly() throws {
        let result = try runKeyway(["wiegand", "sniff", "--chip", "gpiochip-keyway-missing", "--d0", "0", "--d1", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot open GPIO chip gpiochip-keyway-missing"))
    }
}
