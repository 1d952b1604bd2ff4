/// Letters of other scripts that look like Latin ones, folded to them before a prompt is hashed, so that a
/// repeat written with a Cyrillic `а` or a Greek `ο` in place of the Latin letter (or in fullwidth forms)
/// is still the same prompt.
///
/// Only look-alikes are folded (Cyrillic `р` is Latin `p`, not `r`): text really written in those scripts
/// keeps its words apart from each other, which is all that matching needs.
enum Confusables {
    /// The lower-case ASCII letter a two-byte UTF-8 character (Greek and Cyrillic blocks, lead byte
    /// `0xCE`–`0xD1`) looks like, or 0.
    static func latin(lead: UInt8, trail: UInt8) -> UInt8 {
        let scalar = (UInt32(lead & 0x1F) << 6) | UInt32(trail & 0x3F)
        switch scalar {
        // Cyrillic capitals and small letters
        case 0x0410, 0x0430: return UInt8(ascii: "a")
        case 0x0412, 0x0432: return UInt8(ascii: "b")
        case 0x0415, 0x0435, 0x0401, 0x0451: return UInt8(ascii: "e")
        case 0x041A, 0x043A: return UInt8(ascii: "k")
        case 0x041C, 0x043C: return UInt8(ascii: "m")
        case 0x041D, 0x043D: return UInt8(ascii: "h")
        case 0x041E, 0x043E: return UInt8(ascii: "o")
        case 0x0420, 0x0440: return UInt8(ascii: "p")
        case 0x0421, 0x0441: return UInt8(ascii: "c")
        case 0x0422, 0x0442: return UInt8(ascii: "t")
        case 0x0423, 0x0443: return UInt8(ascii: "y")
        case 0x0425, 0x0445: return UInt8(ascii: "x")
        case 0x0405, 0x0455: return UInt8(ascii: "s")
        case 0x0406, 0x0456: return UInt8(ascii: "i")
        case 0x0408, 0x0458: return UInt8(ascii: "j")
        // Greek capitals and small letters
        case 0x0391, 0x03B1: return UInt8(ascii: "a")
        case 0x0392, 0x03B2: return UInt8(ascii: "b")
        case 0x0395, 0x03B5: return UInt8(ascii: "e")
        case 0x0396: return UInt8(ascii: "z")
        case 0x0397: return UInt8(ascii: "h")
        case 0x0399, 0x03B9: return UInt8(ascii: "i")
        case 0x039A, 0x03BA: return UInt8(ascii: "k")
        case 0x039C: return UInt8(ascii: "m")
        case 0x039D, 0x03BD: return UInt8(ascii: "n")
        case 0x039F, 0x03BF: return UInt8(ascii: "o")
        case 0x03A1, 0x03C1: return UInt8(ascii: "p")
        case 0x03A4, 0x03C4: return UInt8(ascii: "t")
        case 0x03A5, 0x03C5: return UInt8(ascii: "y")
        case 0x03A7, 0x03C7: return UInt8(ascii: "x")
        default: return 0
        }
    }

    /// The ASCII character a three-byte fullwidth form (`U+FF01`–`U+FF5E`, `EF BC xx` and `EF BD xx`)
    /// stands for, or 0.
    static func ascii(fullwidthSecond second: UInt8, third: UInt8) -> UInt8 {
        let scalar = 0xF000 | (UInt32(second & 0x3F) << 6) | UInt32(third & 0x3F)
        guard scalar >= 0xFF01 && scalar <= 0xFF5E else { return 0 }
        return UInt8(scalar - 0xFEE0)
    }
}
