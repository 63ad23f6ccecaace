/// The card formats Keyway knows, as data (layouts from wiegand.md §3, checked against its published vectors).
extension CardFormat {
    /// HID H10301, the standard 26-bit format: 8-bit facility, 16-bit card.
    public static let h10301 = builtIn(
        name: "h10301", aliases: ["hid26", "w26", "std26"], title: "HID H10301 26-bit", bitCount: 26,
        fields: [.init(.facility, start: 1, length: 8), .init(.card, start: 9, length: 16)],
        parity: [.init(.even, at: 0, over: 1...12), .init(.odd, at: 25, over: 13...24)]
    )
    /// Indala 26-bit: 12-bit facility, 12-bit card. Its parity matches H10301, so the two can only be told apart
    /// by the reader's configured format list.
    public static let ind26 = builtIn(
        name: "ind26", aliases: ["indala26"], title: "Indala 26-bit", bitCount: 26,
        fields: [.init(.facility, start: 1, length: 12), .init(.card, start: 13, length: 12)],
        parity: [.init(.even, at: 0, over: 1...12), .init(.odd, at: 25, over: 13...24)]
    )
    /// HID H10306, 34-bit: 16-bit facility, 16-bit card.
    public static let h10306 = builtIn(
        name: "h10306", aliases: ["hid34", "w34"], title: "HID H10306 34-bit", bitCount: 34,
        fields: [.init(.facility, start: 1, length: 16), .init(.card, start: 17, length: 16)],
        parity: [.init(.even, at: 0, over: 1...16), .init(.odd, at: 33, over: 17...32)]
    )
    /// HID Corporate 1000 35-bit: 12-bit company ID, 20-bit card; two interleaved parity bits, then odd over all.
    public static let c1k35 = builtIn(
        name: "c1k35", aliases: ["c1k35s", "corporate1000-35"], title: "HID Corporate 1000 35-bit", bitCount: 35,
        fields: [.init(.facility, start: 2, length: 12), .init(.card, start: 14, length: 20)],
        parity: [
            .init(.even, at: 1, over: twoOfEveryThree(from: 2, through: 33)),
            .init(.odd, at: 34, over: twoOfEveryThree(from: 1, through: 32)),
            .init(.odd, at: 0, over: 1...34),
        ]
    )
    /// HID Corporate 1000 48-bit: 22-bit company ID, 23-bit card. Its interleaved parity starts one bit later than
    /// the 35-bit format's (wiegand.md §3, C1k48s), and its last bit does not cover bit 1.
    public static let c1k48 = builtIn(
        name: "c1k48", aliases: ["c1k48s", "corporate1000-48"], title: "HID Corporate 1000 48-bit", bitCount: 48,
        fields: [.init(.facility, start: 2, length: 22), .init(.card, start: 24, length: 23)],
        parity: [
            .init(.even, at: 1, over: twoOfEveryThree(from: 3, through: 46)),
            .init(.odd, at: 47, over: twoOfEveryThree(from: 2, through: 45)),
            .init(.odd, at: 0, over: 1...47),
        ]
    )
    /// HID H10302, 37-bit: a 35-bit card number and no facility.
    public static let h10302 = builtIn(
        name: "h10302", aliases: ["hid37"], title: "HID H10302 37-bit", bitCount: 37,
        fields: [.init(.card, start: 1, length: 35)],
        parity: [.init(.even, at: 0, over: 1...18), .init(.odd, at: 36, over: 18...35)]
    )
    /// HID H10304, 37-bit: 16-bit facility, 19-bit card; same parity as H10302.
    public static let h10304 = builtIn(
        name: "h10304", aliases: ["hid37fc"], title: "HID H10304 37-bit", bitCount: 37,
        fields: [.init(.facility, start: 1, length: 16), .init(.card, start: 17, length: 19)],
        parity: [.init(.even, at: 0, over: 1...18), .init(.odd, at: 36, over: 18...35)]
    )
    /// KeyScan C15001, 36-bit: 10-bit OEM code (900 unless told), 8-bit facility, 16-bit card.
    public static let c15001 = builtIn(
        name: "c15001", aliases: ["keyscan36"], title: "KeyScan C15001 36-bit", bitCount: 36,
        fields: [
            .init(.oem, start: 1, length: 10), .init(.facility, start: 11, length: 8),
            .init(.card, start: 19, length: 16),
        ],
        parity: [.init(.even, at: 0, over: 1...17), .init(.odd, at: 35, over: 18...34)],
        defaults: [.oem: 900]
    )
    public static let raw32 = raw(bitCount: 32, aliases: ["w32"])
    public static let raw40 = raw(bitCount: 40, aliases: ["w40"])
    public static let raw56 = raw(bitCount: 56, aliases: ["w56"])
    public static let raw64 = raw(bitCount: 64, aliases: ["w64"])

    /// Every built-in format, in the order `keyway wiegand formats` lists them.
    public static let builtIn: [CardFormat] = [
        h10301, ind26, h10306, c1k35, c1k48, h10302, h10304, c15001, raw32, raw40, raw56, raw64,
    ]

    /// The built-in format with this name or alias, ignoring case.
    public static func named(_ name: String) -> CardFormat? {
        let wanted = name.lowercased()
        return builtIn.first { $0.name == wanted || $0.aliases.contains(wanted) }
    }

    private static func builtIn(
        name: String, aliases: [String], title: String, bitCount: Int,
        fields: [FieldLayout], parity: [ParityRule], defaults: [CardField: UInt64] = [:]
    ) -> CardFormat {
        do {
            return try CardFormat(
                name: name, aliases: aliases, title: title, bitCount: bitCount,
                fields: fields, parity: parity, defaults: defaults
            )
        } catch {
            // The table is constant and the tests decode every format; reaching this is a typo in the table.
            fatalError("built-in card format \(name) is invalid: \(error)")
        }
    }

    private static func raw(bitCount: Int, aliases: [String]) -> CardFormat {
        builtIn(
            name: "raw\(bitCount)", aliases: aliases, title: "Raw \(bitCount)-bit, no parity", bitCount: bitCount,
            fields: [.init(.card, start: 0, length: bitCount)], parity: []
        )
    }

    /// Corporate 1000's interleaved parity: two bits covered, one skipped, from `start` to `end` (`2, 3, 5, 6, …`).
    private static func twoOfEveryThree(from start: Int, through end: Int) -> [Int] {
        (start...end).filter { ($0 - start) % 3 != 2 }
    }
}
