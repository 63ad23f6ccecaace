import Access
import OSDP
import Wiegand

/// The one place a reader's read becomes a credential: an OSDP reader's RAW card bits and a Wiegand
/// reader's decoded frame both go through the Wiegand card-format table under one policy, and keys
/// typed on either kind of reader become a PIN through the same `PasscodeAssembler`.
public enum ReaderTranslation {
    /// The formats a reader's cards are decoded with when its configuration names none.
    public static let defaultFormats: [CardFormat] = [.h10301]

    /// An OSDP reader's RAW card (`osdp_RAW`, Wiegand bits) as a credential, decoded with `formats`.
    /// Fields only when exactly one format claims the bits; otherwise (no format of that length, a
    /// parity error, or several formats that fit) the raw bits, which a card can still be enrolled by.
    public static func cardData(_ raw: RawCard, formats: [CardFormat]) -> CardData {
        guard let frame = WiegandFrame(packedBytes: raw.data, bitCount: Int(raw.bitCount)) else { return .raw(bits: raw.bits) }
        return fields(CardReadResult.decode(frame, among: formats)) ?? .raw(bits: raw.bits)
    }

    /// A Wiegand reader's card frame, as its decoder read it, under the same policy.
    static func cardData(_ frame: WiegandFrame, decoded: CardReadResult) -> CardData {
        fields(decoded) ?? .raw(bits: (0..<frame.bitCount).map(frame.bit(at:)))
    }

    /// A PIN assembled from key presses, from either kind of reader.
    static func report(_ passcode: Passcode) -> ReaderReport {
        .pin(passcode.digits)
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
