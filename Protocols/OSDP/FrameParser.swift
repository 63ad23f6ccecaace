/// Why received bytes were thrown away.
public enum FrameDefect: Sendable, Equatable {
    /// A header announced a length outside 7…`maximumLength`.
    case badLength(Int)
    /// CRC-16 or checksum did not match.
    case badCheckCharacter
    /// A security block that does not fit its frame, or an unknown SCS type.
    case badSecurityBlock
    /// More than the inter-character timeout passed inside a frame.
    case interCharacterTimeout
}

public enum FrameParserOutput: Sendable, Equatable {
    case frame(ReceivedFrame)
    case discarded(FrameDefect)
}

/// A frame as parsed, with the bytes it came in (SOM…trailer, no mark) so a MAC can be checked.
public struct ReceivedFrame: Sendable, Equatable {
    public var frame: Frame
    public var bytes: [UInt8]

    /// SOM through the last data byte: the MAC input.
    var bytesCoveredByMAC: ArraySlice<UInt8> {
        bytes.dropLast(frame.checkCharacter.trailerLength + frame.macLength)
    }
}

/// Turns a byte stream with any chunking, noise, missing or doubled mark bytes into frames.
/// Hunts for SOM, validates LEN, checks the trailer, and on any failure rescans from the byte
/// after the rejected SOM, so a frame hidden behind garbage is still found.
public struct FrameParser: Sendable {
    public let maximumLength: Int
    public let interCharacterTimeout: UInt64
    private var buffer: [UInt8] = []
    private var lastByteAt: UInt64?

    public init(maximumLength: Int = Frame.maximumLength, interCharacterTimeout: UInt64 = 20_000_000) {
        self.maximumLength = min(maximumLength, Frame.maximumLength)
        self.interCharacterTimeout = interCharacterTimeout
    }

    /// True while part of a frame is buffered.
    public var isInsideFrame: Bool { buffer.first == Frame.startOfMessage }

    /// How many more bytes the frame being received needs: the rest of what its header announced, or of a
    /// header while its length is not in yet; nil outside a frame. Lets a reader sleep until they can be there.
    public var bytesStillExpected: Int? {
        guard isInsideFrame else { return nil }
        guard buffer.count >= 4 else { return Frame.headerLength - buffer.count }
        let length = Int(buffer[2]) | Int(buffer[3]) << 8
        return max(0, min(length, maximumLength) - buffer.count)
    }

    /// When the frame being received is abandoned unless another byte comes (the inter-character timeout has then
    /// passed); nil outside a frame. `append` at that time, even of no bytes, reports `.interCharacterTimeout`.
    public var frameAbandonedAt: UInt64? {
        guard isInsideFrame, let last = lastByteAt else { return nil }
        return last &+ interCharacterTimeout &+ 1
    }

    /// Forget any partial frame (e.g. before a new exchange).
    public mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
    }

    public mutating func append(_ bytes: some Collection<UInt8>, now: UInt64) -> [FrameParserOutput] {
        var output: [FrameParserOutput] = []
        if let last = lastByteAt, now &- last > interCharacterTimeout, isInsideFrame {
            buffer.removeAll(keepingCapacity: true)
            output.append(.discarded(.interCharacterTimeout))
        }
        if !bytes.isEmpty { lastByteAt = now }
        buffer.append(contentsOf: bytes)
        while let result = nextFrame() { output.append(result) }
        return output
    }

    /// Extracts one result from the buffer, or nil when more bytes are needed.
    private mutating func nextFrame() -> FrameParserOutput? {
        while true {
            guard let start = buffer.firstIndex(of: Frame.startOfMessage) else {
                buffer.removeAll(keepingCapacity: true)
                return nil
            }
            if start > 0 { buffer.removeFirst(start) }
            guard buffer.count >= Frame.headerLength else { return nil }

            let length = Int(buffer[2]) | Int(buffer[3]) << 8
            let control = buffer[4]
            let checkCharacter: CheckCharacter = control & 0x04 != 0 ? .crc16 : .checksum
            let minimum = Frame.headerLength + 1 + checkCharacter.trailerLength
            guard length >= minimum, length <= maximumLength else {
                buffer.removeFirst()
                return .discarded(.badLength(length))
            }
            guard buffer.count >= length else { return nil }

            let candidate = Array(buffer[0..<length])
            let body = candidate.dropLast(checkCharacter.trailerLength)
            guard checkCharacter.trailer(for: body).elementsEqual(candidate.suffix(checkCharacter.trailerLength)) else {
                buffer.removeFirst()
                return .discarded(.badCheckCharacter)
            }
            guard let frame = Self.decode(candidate, control: control, checkCharacter: checkCharacter) else {
                buffer.removeFirst()
                return .discarded(.badSecurityBlock)
            }
            buffer.removeFirst(length)
            return .frame(ReceivedFrame(frame: frame, bytes: candidate))
        }
    }

    private static func decode(_ bytes: [UInt8], control: UInt8, checkCharacter: CheckCharacter) -> Frame? {
        let end = bytes.count - checkCharacter.trailerLength
        var index = Frame.headerLength
        var securityBlock: SecurityBlock?
        if control & 0x08 != 0 {
            let blockLength = Int(bytes[index])
            guard blockLength >= 2, index + blockLength < end,
                  let type = SecurityBlockType(rawValue: bytes[index + 1]) else { return nil }
            securityBlock = SecurityBlock(type, data: Array(bytes[(index + 2)..<(index + blockLength)]))
            index += blockLength
        }
        let macLength = securityBlock?.type.carriesMAC == true ? Frame.macLength : 0
        guard index + 1 + macLength <= end else { return nil }
        return Frame(address: bytes[1] & 0x7F, isReply: bytes[1] & Frame.replyFlag != 0, sequence: control & 0x03,
                     checkCharacter: checkCharacter, securityBlock: securityBlock, code: bytes[index],
                     data: Array(bytes[(index + 1)..<(end - macLength)]), mac: Array(bytes[(end - macLength)..<end]))
    }
}
