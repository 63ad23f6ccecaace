import Testing
@testable import OSDP

@Suite struct CheckCharacterTests {
    @Test func crcCheckValueIsAugCCITT() {
        #expect(CheckCharacter.crc16(Array("123456789".utf8)) == 0xE5CC)
    }

    @Test func crcMatchesAnnexEVectors() {
        #expect(CheckCharacter.crc16.trailer(for: hex("537F0D0004 6E00802500 00")) == hex("6E38"))
        #expect(CheckCharacter.crc16.trailer(for: hex("5300090004 6100")) == hex("C066"))
    }

    @Test func checksumMatchesAnnexEVectors() {
        #expect(CheckCharacter.checksum(hex("537F0C0000 6E00802500 00")) == 0x0F)
        #expect(CheckCharacter.checksum(hex("5300080000 6100")) == 0x44)
    }
}

@Suite struct FrameParserTests {
    static let pdid = hex("538114000445c3b2a1010104030201010203afbd")

    func frames(_ outputs: [FrameParserOutput]) -> [Frame] {
        outputs.compactMap { if case .frame(let received) = $0 { received.frame } else { nil } }
    }

    @Test func encodesCapturedIDWithMarkAndCRC() {
        let id = Frame(address: 1, sequence: 0, code: CommandCode.id.rawValue, data: [0])
        #expect(id.encoded() == hex("ff530109000461006023"))
        #expect(id.encoded(mark: false) == hex("530109000461006023"))
    }

    @Test func parsesReplyWithAndWithoutMarkAndWithDoubleMark() {
        for prefix in [[], [0xFF], [0xFF, 0xFF]] as [[UInt8]] {
            var parser = FrameParser()
            let parsed = frames(parser.append(prefix + Self.pdid, now: 0))
            #expect(parsed.count == 1)
            #expect(parsed.first?.isReply == true)
            #expect(parsed.first?.address == 1)
            #expect(parsed.first?.code == ReplyCode.pdid.rawValue)
            #expect(parsed.first?.data.count == 12)
        }
    }

    @Test func acceptsChecksumReplies() {
        var parser = FrameParser()
        // Annex E: ID with an 8-bit checksum.
        let parsed = frames(parser.append(hex("53000800006100 44"), now: 0))
        #expect(parsed.first?.checkCharacter == .checksum)
        #expect(parsed.first?.code == 0x61)
    }

    @Test func reassemblesAnyChunking() {
        let stream = hex("5381080006406a60") + Self.pdid + hex("ff53811000055000001a00a5c3f0c0ba7c")
        for chunk in 1...stream.count {
            var parser = FrameParser()
            var parsed: [Frame] = []
            for start in stride(from: 0, to: stream.count, by: chunk) {
                parsed += frames(parser.append(stream[start..<min(start + chunk, stream.count)], now: 0))
            }
            #expect(parsed.map(\.code) == [0x40, 0x45, 0x50], "chunk size \(chunk)")
        }
    }

    @Test func resynchronisesAfterGarbageContainingSOM() {
        var parser = FrameParser()
        // Noise with a fake SOM and a plausible length before the real frame.
        let outputs = parser.append(hex("00 53 53 07 00 12 34 FF") + Self.pdid, now: 0)
        #expect(frames(outputs).map(\.code) == [0x45])
        #expect(outputs.contains(.discarded(.badCheckCharacter)) || outputs.contains(.discarded(.badLength(0x5307))))
    }

    @Test func rejectsBadCRCAndFindsTheNextFrame() {
        var corrupted = Self.pdid
        corrupted[10] ^= 0x01
        var parser = FrameParser()
        let outputs = parser.append(corrupted + Self.pdid, now: 0)
        #expect(outputs.first == .discarded(.badCheckCharacter))
        #expect(frames(outputs).count == 1)
    }

    @Test func rejectsLengthsBeyondTheMaximum() {
        var parser = FrameParser(maximumLength: 128)
        let outputs = parser.append(hex("53 81 81 00 04"), now: 0)
        #expect(outputs == [.discarded(.badLength(129))])
    }

    @Test func interCharacterGapAbortsAFrame() {
        var parser = FrameParser()
        #expect(parser.append(Self.pdid.prefix(8), now: 0).isEmpty)
        // 20 ms is still inside the frame…
        #expect(frames(parser.append(Self.pdid.dropFirst(8), now: 20 * ms)).count == 1)
        // …21 ms is not: the tail is noise, and the next whole frame still parses.
        #expect(parser.append(Self.pdid.prefix(8), now: 100 * ms).isEmpty)
        let outputs = parser.append(Self.pdid.dropFirst(8) + Self.pdid, now: 121 * ms)
        #expect(outputs.first == .discarded(.interCharacterTimeout))
        #expect(frames(outputs).count == 1)
    }

    @Test func parsesSecurityBlockAndMAC() {
        var parser = FrameParser()
        let parsed = frames(parser.append(hex("53810e000d02164043812ab18539"), now: 0))
        #expect(parsed.first?.securityBlock == SecurityBlock(.replyMAC))
        #expect(parsed.first?.mac == hex("43812ab1"))
        #expect(parsed.first?.data == [])
    }
}
