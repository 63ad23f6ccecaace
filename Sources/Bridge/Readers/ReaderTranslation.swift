import Access
import OSDP
import Wiegand

/// The one place a reader's read becomes a credential: an OSDP reader's RAW card bits and a Wiegand
/// reader's decoded frame both go through the Wiegand card-format table under one policy, and keys
/// typed on either kind of reader become a PIN through the same `PasscodeAssembler`.
public enum ReaderTranslation {
    /// The formats a reader's cards are decoded with when its configuration names none.
    public static let defaultFormats: [CardFormat] = [.h10301]

    /// The reader number a door's OSDP reader has on its PD: a door names a PD, and a PD serves one reader.
    /// A report from any other reader number would be a read at a door nobody configured.
    static let servedReader: UInt8 = 0

    /// How many bits a card read may have: at least one, and no credential is longer than a FASC-N (200 bits).
    static let cardBitCounts: ClosedRange<UInt16> = 1...256

    /// An OSDP reader's RAW card (`osdp_RAW`, Wiegand bits) as a credential, decoded with `formats`.
    /// Fields only when exactly one format claims the bits; otherwise (no format of that length, a
    /// parity error, or several formats that fit) the raw bits, which a card can still be enrolled by.
    public static func cardData(_ raw: RawCard, formats: [CardFormat]) -> CardData {
        guard let frame = WiegandFrame(packedBytes: raw.data, bitCount: Int(raw.bitCount)) else { return .raw(bits: raw.bits) }
        return fields(CardReadResult.decode(frame, among: formats)) ?? .raw(bits: raw.bits)
    }

    /// What a door does with an OSDP reader's RAW card: a card, or a rejection when it comes from a reader
    /// the PD does not serve at a door, has an impossible bit count, or fails the parity of every format of its
    /// length (a misread: what is left of it must not open a door by chance).
    static func report(_ raw: RawCard, formats: [CardFormat]) -> ReaderReport {
        if let refusal = refusal(ofReader: raw.reader, what: "card") { return .rejected(refusal) }
        guard cardBitCounts.contains(raw.bitCount) else {
            return .rejected(RejectedReport(.formatError, "card read of \(raw.bitCount) bits (a card has \(cardBitCounts.lowerBound)–\(cardBitCounts.upperBound))"))
        }
        guard let frame = WiegandFrame(packedBytes: raw.data, bitCount: Int(raw.bitCount)) else { return .card(.raw(bits: raw.bits)) }
        return report(CardReadResult.decode(frame, among: formats), bits: raw.bits)
    }

    /// A Wiegand reader's card frame, as its decoder read it, under the same policy.
    static func report(_ frame: WiegandFrame, decoded: CardReadResult) -> ReaderReport {
        report(decoded, bits: (0..<frame.bitCount).map(frame.bit(at:)))
    }

    /// A PIN assembled from key presses, from either kind of reader.
    static func report(_ passcode: Passcode) -> ReaderReport {
        .pin(passcode.digits)
    }

    /// The rejection of a report (a card, keys) from a reader number the PD does not serve; nil for its reader.
    static func refusal(ofReader reader: UInt8, what: String) -> RejectedReport? {
        guard reader != servedReader else { return nil }
        return RejectedReport(.unknownReader, "\(what) from reader \(reader); a door's PD serves reader \(servedReader) only")
    }

    private static func report(_ result: CardReadResult, bits: [Bool]) -> ReaderReport {
        if case .parityError(let tried) = result {
            return .rejected(RejectedReport(.formatError, "card raw \(bits.count) bits: parity error (\(tried.map(\.name).joined(separator: ", ")))"))
        }
        return .card(fields(result) ?? .raw(bits: bits))
    }

    /// The ambiguity policy: only a read exactly one format validated is a card's fields.
    private static func fields(_ result: CardReadResult) -> CardData? {
        guard case .card(let read) = result else { return nil }
        return .fields(format: read.format.name, facility: read.fields.facility.map { UInt32(truncatingIfNeeded: $0) }, number: read.fields.card)
    }
}

/// An OSDP reader's keypad: its key codes pressed into a `PasscodeAssembler` with the default rules,
/// as a Wiegand reader's decoder does with its keypad frames (`#` submits, `*` clears, a pause or a
/// card drops what was typed).
struct OSDPKeypad {
    private var assembler = PasscodeAssembler.withDefaultRules

    /// The keys of one keypad report (unknown codes are ignored); returns each PIN submitted or entry dropped.
    mutating func press(_ codes: [UInt8], at time: UInt64) -> [PasscodeAssembler.Outcome] {
        codes.compactMap { code in KeypadKey(osdpCode: code).flatMap { assembler.press($0, at: time) } }
    }

    /// Drops a half-typed PIN (a card was read, the reader went offline).
    mutating func cancel() {
        assembler.cancel()
    }
}

extension PasscodeAssembler {
    /// The assembler with `PasscodeRules()`, which always validate.
    fileprivate static var withDefaultRules: PasscodeAssembler {
        do {
            return try PasscodeAssembler()
        } catch {
            preconditionFailure("the default PIN rules are valid: \(error)")
        }
    }
}

extension KeypadKey {
    /// OSDP keypad codes: ASCII digits, 0x7F for `*`, 0x0D for `#`.
    fileprivate init?(osdpCode: UInt8) {
        switch osdpCode {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self = .digit(osdpCode - UInt8(ascii: "0"))
        case 0x7F: self = .star
        case 0x0D: self = .hash
        default: return nil
        }
    }
}
